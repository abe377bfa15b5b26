#include "api/errors.h"

namespace hub::api {

http::Response to_response(const Error& e, const services::Principal* p) {
  int status = 500;
  switch (e.code) {
    case Errc::not_found: status = 404; break;
    case Errc::already_exists: status = 409; break;
    case Errc::invalid_argument: status = 400; break;
    case Errc::unauthenticated: status = 401; break;
    case Errc::forbidden: status = 403; break;
    case Errc::conflict: status = 409; break;
    case Errc::precondition_failed: status = 412; break;
    case Errc::too_large: status = 413; break;
    case Errc::unsupported: status = 422; break;
    case Errc::corrupt:
    case Errc::io:
    case Errc::internal: status = 500; break;
  }
  // The Hub answers 401 to anonymous callers for a repo it will not show them.
  if (e.detail == "RepoNotFound" && p && p->anonymous()) status = 401;
  std::string_view code;
  if (e.detail == "RepoNotFound" || e.detail == "RevisionNotFound" || e.detail == "EntryNotFound" ||
      e.detail == "GatedRepo")
    code = e.detail;
  std::string msg = status == 500 ? "Internal server error" : e.message;
  return http::Response::error(status, msg, code);
}

http::Response bad_request(std::string_view message) { return http::Response::error(400, message); }

Result<json::object> body_object(const http::Request& req) {
  auto v = json::parse(req.body);
  if (!v) return std::unexpected(v.error());
  if (!v->is_object()) return fail(Errc::invalid_argument, "expected a JSON object");
  return v->as_object();
}

}  // namespace hub::api
