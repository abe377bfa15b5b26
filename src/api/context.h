// What every API handler gets: the hub's services. Handlers are plain functions
// (Request&) -> Response bound to this context in routes.cpp.
#pragma once

#include "services/hub.h"

namespace hub::api {

struct Context {
  services::Hub& hub;
};

}  // namespace hub::api
