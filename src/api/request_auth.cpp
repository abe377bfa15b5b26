#include "api/request_auth.h"

namespace hub::api {

Result<services::Principal> principal_of(services::Hub& hub, const http::Request& req) {
  services::Credentials c;
  c.authorization = req.header("Authorization");
  c.session_cookie = req.cookie(kSessionCookie);
  return services::authenticate(hub, c);
}

}  // namespace hub::api
