// Credentials of an HTTP request -> services::Principal (Authorization header or the web
// session cookie). Pure glue; the rules live in services/auth.
#pragma once

#include "core/result.h"
#include "http/message.h"
#include "services/auth.h"
#include "services/hub.h"

namespace hub::api {

inline constexpr const char* kSessionCookie = "hubd_session";

Result<services::Principal> principal_of(services::Hub& hub, const http::Request& req);

}  // namespace hub::api
