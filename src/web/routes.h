// The web UI's route table: every page hubd serves to browsers, on the Hub's URLs. Added after
// api::add_routes (the router's first match wins), so API, git and file routes keep their
// URLs; the pages only fill what they leave. Returns the Site the handlers share; keep it
// alive as long as the router.
#pragma once

#include <memory>

#include "core/result.h"
#include "http/router.h"
#include "services/hub.h"

namespace hub::web {

class Site;

// invalid_argument if an embedded template does not compile (a build problem).
Result<std::shared_ptr<Site>> add_routes(http::Router& router, services::Hub& hub);

}  // namespace hub::web
