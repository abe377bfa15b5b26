#include "api/handlers/handlers.h"

namespace hub::api::handlers {

Response health(Context& ctx, Request&) {
  return Response::json(200, json::object{{"status", "ok"}, {"schema", ctx.hub.db().schema_version()}});
}

}  // namespace hub::api::handlers
