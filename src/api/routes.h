// The one route table of the Hub-compatible API (Gitea's Routes()). Adding a route is one
// line here plus its handler in handlers/.
#pragma once

#include "api/context.h"
#include "http/router.h"

namespace hub::api {

void add_routes(http::Router& router, Context& ctx);

}  // namespace hub::api
