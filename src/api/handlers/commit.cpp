// POST /api/{type}s/{id}/commit/{rev}[?create_pr=1] (HUB_API.md §7.3). The route is streamed:
// the NDJSON body is parsed line by line as it arrives and each operation is applied at once,
// so memory stays at one line however many files a commit holds, and an inline file over the
// line cap is refused with 413 without reading the rest.
// Limits (NdjsonLimits): 32 MiB per line (a base64 inline file of ~24 MiB; the preupload
// policy sends files >= 10 MiB to LFS), 1 GiB per body, 100,000 operations per commit.
#include <charconv>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/ndjson.h"
#include "api/revision.h"
#include "api/request_auth.h"
#include "services/commits.h"
#include "services/discussions.h"
#include "services/limits.h"
#include "services/names.h"
#include "services/repos.h"

namespace hub::api::handlers {

namespace {

// Bytes of an unread body we still swallow before answering an error, so a client that is
// still sending can read the answer instead of a connection reset.
constexpr uint64_t kDrainOnError = uint64_t(64) << 20;

// Payload problems (bad paths, unknown LFS objects, a file and a folder with the same name)
// are 422 as the Hub answers; everything else maps as usual.
Response commit_error(const Error& e, const services::Principal& p) {
  if (e.code == Errc::invalid_argument && (e.detail == "InvalidPath" || e.detail == "InvalidOperation"))
    return Response::error(422, e.message);
  return to_response(e, &p);
}

NdjsonReader::ReadFn body_reader(Request& req) {
  if (req.body_source) return [src = req.body_source](char* buf, size_t cap) { return src->read(buf, cap); };
  // Buffered bodies (in-process tests): serve req.body in chunks.
  return [&req, off = size_t(0)](char* buf, size_t cap) mutable -> Result<size_t> {
    size_t n = std::min(cap, req.body.size() - off);
    std::copy_n(req.body.data() + off, n, buf);
    off += n;
    return n;
  };
}

}  // namespace

Response commit(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto rev = join_revision(req.rest);
  if (!rev) return to_response(rev.error());
  services::CommitTarget target{*rev, req.query_flag("create_pr")};
  // Opening a pull request needs read access and write-scoped credentials (as on the Hub);
  // committing needs write.
  if (target.create_pr && p->anonymous())
    return to_response(Error{Errc::unauthenticated, "You must be logged in to open a pull request", ""});
  // A PR's author may also commit to its refs/pr/N without write access (issue 17).
  bool to_pr = !target.create_pr && rev->starts_with("refs/pr/");
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], req.params["name"],
                               target.create_pr || to_pr ? services::Access::contribute : services::Access::write);
  if (!h) return to_response(h.error(), &*p);
  if (to_pr && !services::can_write(ctx.hub, *p, h->row) && !services::is_own_open_pr(ctx.hub, *p, h->row, *rev))
    return to_response(Error{Errc::forbidden, "You don't have write access to " + h->row.full_id() +
                                                  ": only the author of an open pull request and repo writers can commit to it", ""},
                       &*p);

  NdjsonLimits limits;
  // Inline content is base64 (4/3 of the bytes): a commit may carry what a push may.
  limits.max_total = std::min<uint64_t>(limits.max_total, ctx.hub.config().limits.max_push_bytes / 3 * 4 + (1u << 20));
  if (auto cl = req.header("Content-Length")) {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (ec == std::errc() && n > limits.max_total)
      return Response::error(413, "Commit payload larger than " + services::describe_bytes(limits.max_total) +
                                      " (HUBD_MAX_PUSH_MB); upload large files with Git LFS");
  }
  NdjsonReader reader(body_reader(req), limits);
  auto fail_with = [&](const Error& e) {
    if (e.code != Errc::too_large && e.code != Errc::io) reader.drain(kDrainOnError);
    return commit_error(e, *p);
  };

  auto first = reader.next();
  if (!first) return fail_with(first.error());
  if (!*first) return fail_with(Error{Errc::invalid_argument, "Empty commit payload", ""});

  std::optional<services::CommitSession> session;
  if (!(*first)->contains("key")) {
    // The older single-JSON-object form.
    auto parsed = parse_commit_json(**first);
    if (!parsed) return fail_with(parsed.error());
    auto more = reader.next();
    if (!more) return fail_with(more.error());
    if (*more) return fail_with(Error{Errc::invalid_argument, "Expected NDJSON lines with a \"key\"", ""});
    auto s = services::CommitSession::begin(ctx.hub, *p, *h, target, std::move(parsed->first));
    if (!s) return fail_with(s.error());
    session.emplace(std::move(*s));
    for (auto& op : parsed->second) {
      if (auto r = session->apply(std::move(op)); !r) return fail_with(r.error());
    }
  } else {
    auto line = parse_commit_line(**first);
    if (!line) return fail_with(line.error());
    auto* header = std::get_if<services::CommitHeader>(&*line);
    if (!header) return fail_with(Error{Errc::invalid_argument, "The first NDJSON line must be the header", ""});
    auto s = services::CommitSession::begin(ctx.hub, *p, *h, target, std::move(*header));
    if (!s) return fail_with(s.error());
    session.emplace(std::move(*s));
    for (;;) {
      auto next = reader.next();
      if (!next) return fail_with(next.error());
      if (!*next) break;
      auto parsed = parse_commit_line(**next);
      if (!parsed) return fail_with(parsed.error());
      auto* op = std::get_if<services::CommitOp>(&*parsed);
      if (!op) return fail_with(Error{Errc::invalid_argument, "Only the first NDJSON line may be a header", ""});
      if (auto r = session->apply(std::move(*op)); !r) return fail_with(r.error());
    }
  }

  auto out = session->finish();
  if (!out) return commit_error(out.error(), *p);
  std::string repo_url = req.base_url + "/" + std::string(services::repo_url_prefix(type)) + h->row.full_id();
  json::object res{{"commitUrl", repo_url + "/commit/" + out->commit_oid},
                   {"commitOid", out->commit_oid},
                   {"hookOutput", ""}};
  if (target.create_pr && out->pr_num) {
    res["pullRequestUrl"] = repo_url + "/discussions/" + std::to_string(*out->pr_num);
  }
  return Response::json(200, res);
}

}  // namespace hub::api::handlers
