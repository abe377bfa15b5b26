#include "api/errors.h"

#include "http/hub_error.h"

namespace hub::api {

http::Response to_response(const Error& e, const services::Principal* p) {
  return http::error_response(e, p && p->anonymous());
}

http::Response bad_request(std::string_view message) { return http::Response::error(400, message); }

Result<json::object> body_object(const http::Request& req) {
  auto v = json::parse(req.body);
  if (!v) return std::unexpected(v.error());
  if (!v->is_object()) return fail(Errc::invalid_argument, "expected a JSON object");
  return v->as_object();
}

}  // namespace hub::api
