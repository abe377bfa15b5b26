// Credentials of an HTTP request -> services::Principal (Authorization header or the web
// session cookie), and the request-level rules that depend on how the credentials came:
// - CSRF (issue 14 #10): a browser attaches the session cookie (and Basic credentials it has
//   cached) to any site's form posts, so those ambient credentials are honoured for an unsafe
//   method (anything but GET/HEAD/OPTIONS) only with proof the request comes from our pages:
//   the session's token in X-CSRF-Token, or an Origin header naming this hub. Without it the
//   request is refused (403) here, for every route at once. Bearer tokens cannot be attached
//   by another site, so token calls are not affected.
// - Write scope (issue 14 #7): routes.cpp marks the state-changing routes with `writes()`,
//   which refuses read tokens before the handler runs; the services check the same rule.
// Pure glue; the rules themselves live in services/auth.
#pragma once

#include <optional>

#include "core/result.h"
#include "http/message.h"
#include "services/auth.h"
#include "services/hub.h"

namespace hub::api {

inline constexpr const char* kSessionCookie = "hubd_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

Result<services::Principal> principal_of(services::Hub& hub, const http::Request& req);

// For routes marked as writes: the 403 for a read token (or the authentication error), or
// nullopt to go on to the handler. Anonymous callers go on: each handler answers them in its
// protocol's way (a git or git-lfs Basic challenge, the Hub's 401).
std::optional<http::Response> refuse_read_only(services::Hub& hub, const http::Request& req);

// "; Secure" when clients reach us over https (--public-url https://..., or a proxy's
// X-Forwarded-Proto), so the session cookie never travels in clear text.
std::string_view cookie_secure_attr(const http::Request& req);

}  // namespace hub::api
