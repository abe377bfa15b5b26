#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"

namespace hub::api::handlers {

Response health(Context& ctx, Request&) {
  return Response::json(200, json::object{{"status", "ok"}, {"schema", ctx.hub.db().schema_version()}});
}

// A repo id without a namespace ("gpt2"): the Hub's legacy canonical repos, which hubd never
// has. Answered as RepoNotFound (401 for anonymous callers), as for any repo it cannot show,
// so clients raise RepositoryNotFoundError rather than a bare 404.
Response repo_without_namespace(Context& ctx, Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  return to_response(Error{Errc::not_found, "Repository not found", "RepoNotFound"}, &*p);
}

}  // namespace hub::api::handlers
