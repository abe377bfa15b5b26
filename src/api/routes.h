// The one route table of the Hub-compatible API (Gitea's Routes()). Adding a route is one
// line here plus its handler in handlers/.
#pragma once

#include "api/context.h"
#include "http/router.h"

namespace hub::api {

void add_routes(http::Router& router, Context& ctx);
// Routes that must come after every other table (web/'s included): legacy single-segment repo
// ids answer RepoNotFound. cli/main.cpp adds them last.
void add_legacy_routes(http::Router& router, Context& ctx);

}  // namespace hub::api
