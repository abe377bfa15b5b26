// POST /api/{type}s/{id}/preupload/{rev} (HUB_API.md §7.1): regular vs LFS per file, shouldIgnore,
// and the current oid; GET xet-read-token / xet-write-token answer 404 so a Xet-only client
// fails with a clear message (§9); POST /api/validate-yaml checks a README's front matter.
#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "api/revision.h"
#include "core/hash.h"
#include "services/metadata/card_validation.h"
#include "services/preupload.h"
#include "services/repos.h"

namespace hub::api::handlers {

namespace {

constexpr size_t kMaxPreuploadFiles = 1000;

std::optional<std::string> opt_string(const json::object& o, std::string_view key) {
  if (auto s = json::get_string(o, key)) return std::string(*s);
  return std::nullopt;
}

}  // namespace

Response preupload(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  bool create_pr = req.query_flag("create_pr");
  if (create_pr && p->anonymous())
    return to_response(Error{Errc::unauthenticated, "You must be logged in to open a pull request"});
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], req.params["name"],
                               create_pr ? services::Access::read : services::Access::write);
  if (!h) return to_response(h.error(), &*p);
  auto v = json::parse(req.body);
  if (!v || !v->is_object()) return bad_request("Expected a JSON object with \"files\"");
  auto& body = v->as_object();
  auto* files = json::get_array(body, "files");
  if (!files) return bad_request("Expected \"files\": [{path, size, sample}]");
  if (files->size() > kMaxPreuploadFiles)
    return bad_request("At most " + std::to_string(kMaxPreuploadFiles) + " files per preupload call");
  std::vector<services::PreuploadFile> in;
  in.reserve(files->size());
  for (auto& f : *files) {
    if (!f.is_object()) return bad_request("Each file must be an object {path, size, sample}");
    auto& o = f.as_object();
    auto path = json::get_string(o, "path");
    if (!path || path->empty()) return bad_request("A file without a \"path\"");
    services::PreuploadFile pf{std::string(*path), 0, {}};
    if (auto size = json::get_int(o, "size")) {
      if (*size < 0) return bad_request("Negative size for " + pf.path);
      pf.size = uint64_t(*size);
    }
    if (auto sample = json::get_string(o, "sample")) {
      auto bytes = base64_decode(*sample);
      if (!bytes) return bad_request("Invalid base64 sample for " + pf.path);
      pf.sample = std::move(*bytes);
    }
    in.push_back(std::move(pf));
  }
  auto rev = join_revision(req.rest);
  if (!rev) return to_response(rev.error());
  auto decided = services::decide_upload_modes(ctx.hub, *h, *rev, in, opt_string(body, "gitAttributes"),
                                               opt_string(body, "gitIgnore"));
  if (!decided) return to_response(decided.error(), &*p);
  json::array out;
  for (auto& d : *decided) {
    json::object o{{"path", d.path}, {"uploadMode", d.lfs ? "lfs" : "regular"}, {"shouldIgnore", d.should_ignore}};
    if (d.oid) o["oid"] = *d.oid;
    out.push_back(std::move(o));
  }
  return Response::json(200, json::object{{"files", std::move(out)}});
}

// Always JSON: Python calls .json() before looking at the status (HUB_API.md §7).
Response validate_yaml(Context& ctx, Request& req) {
  auto invalid = [](std::string msg) {
    Response r = Response::json(400, json::object{{"errors", json::array{json::object{{"message", msg}}}},
                                                  {"warnings", json::array{}},
                                                  {"error", msg}});
    r.set_header("X-Error-Message", msg);
    return r;
  };
  auto v = json::parse(req.body);
  if (!v || !v->is_object()) return invalid("Expected a JSON object {\"content\", \"repoType\"}");
  auto content = json::get_string(v->as_object(), "content");
  if (!content) return invalid("Missing \"content\"");
  // The validator commits use too (services/metadata/card_validation.h).
  auto checked = services::metadata::validate_card(*content);
  auto messages = [](const std::vector<std::string>& list) {
    json::array a;
    for (const auto& m : list) a.push_back(json::object{{"message", m}});
    return a;
  };
  if (!checked.errors.empty()) {
    std::string first = checked.errors.front();
    Response r = Response::json(400, json::object{{"errors", messages(checked.errors)},
                                                  {"warnings", messages(checked.warnings)},
                                                  {"error", first}});
    r.set_header("X-Error-Message", first);
    return r;
  }
  return Response::json(200, json::object{{"errors", json::array{}}, {"warnings", messages(checked.warnings)}});
}

}  // namespace hub::api::handlers
