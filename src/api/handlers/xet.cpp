// Xet (XET.md §4, §5.1): the token endpoints under /api/{type}s/{id}/xet-{read,write}-token/{rev}
// and the CAS that hubd serves itself under services::kXetCasPrefix (casUrl = public base URL +
// prefix, so one binary and one port still run a whole hub). CAS calls carry the CAS token
// (Authorization: Bearer), never a Hub token; transfer URLs for xorb bytes carry their own
// signature. Upload bodies are streamed routes (read on the stream pool) and size-limited
// before they are read whole: a xorb must be hashed entirely before anything is stored.
#include <charconv>
#include <ctime>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "api/revision.h"
#include "core/hash.h"
#include "core/log.h"
#include "services/xet.h"

namespace hub::api::handlers {

namespace xet = storage::xet;

namespace {

int64_t now_unix() { return int64_t(std::time(nullptr)); }

std::string cas_url(const Request& req) { return req.base_url + std::string(services::kXetCasPrefix); }

// The whole streamed body, refused past `limit` (by Content-Length first, then by what arrives).
Result<std::vector<uint8_t>> read_body(Request& req, size_t limit, Detail too_large) {
  std::vector<uint8_t> body;
  if (auto cl = req.header("Content-Length")) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (ec != std::errc() || p != cl->data() + cl->size()) return fail(Errc::invalid_argument, "Invalid Content-Length");
    if (n > limit) return fail(Errc::too_large, "Body larger than " + std::to_string(limit) + " bytes", too_large);
    body.reserve(n);
  }
  if (!req.body_source) {
    body.assign(req.body.begin(), req.body.end());
  } else {
    char buf[1 << 16];
    for (;;) {
      auto n = req.body_source->read(buf, sizeof buf);
      if (!n) return fail(Errc::invalid_argument, "Upload incomplete: " + n.error().message);
      if (*n == 0) break;
      if (body.size() + *n > limit)
        return fail(Errc::too_large, "Body larger than " + std::to_string(limit) + " bytes", too_large);
      body.insert(body.end(), buf, buf + *n);
    }
  }
  return body;
}

// A refusal of a streamed upload, sent once the body is read and dropped (up to `limit`), so the
// client sees the reply and not a reset; memory stays one buffer whoever sends.
Response refuse_upload(Request& req, size_t limit, Response r) {
  if (req.body_source) {
    char buf[1 << 16];
    size_t seen = 0;
    while (seen <= limit) {
      auto n = req.body_source->read(buf, sizeof buf);
      if (!n || *n == 0) break;
      seen += *n;
    }
  }
  return r;
}

// "bytes=a-b" | "bytes=a-" | "bytes=-n" (one range). nullopt for no header; invalid_argument when
// malformed.
Result<std::optional<xet::RangeRequest>> range_of(const Request& req) {
  auto h = req.header("Range");
  if (!h) return std::optional<xet::RangeRequest>{};
  std::string_view v = *h;
  auto bad = [] { return fail(Errc::invalid_argument, "Malformed Range header", Detail::RangeNotSatisfiable); };
  if (!v.starts_with("bytes=")) return bad();
  v.remove_prefix(6);
  size_t dash = v.find('-');
  if (dash == std::string_view::npos || v.find(',') != std::string_view::npos) return bad();
  auto num = [](std::string_view s, std::optional<uint64_t>& out) {
    if (s.empty()) return true;
    uint64_t x = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    out = x;
    return true;
  };
  xet::RangeRequest r;
  if (!num(v.substr(0, dash), r.first) || !num(v.substr(dash + 1), r.last) || (!r.first && !r.last)) return bad();
  return std::optional<xet::RangeRequest>{r};
}

Response range_refused(std::string_view why) {
  Response r = Response::error(416, why);
  return r;
}

Result<services::XetCaller> caller(Context& ctx, const Request& req, xet::CasOp need) {
  return services::xet_authorize(ctx.hub, req.header("Authorization"), need, now_unix());
}

}  // namespace

Response xet_token(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  bool write = req.path.find("/xet-write-token/") != std::string::npos;
  auto rev = join_revision(req.rest);
  if (!rev) return to_response(rev.error(), &*p);
  auto t = services::xet_issue_token(ctx.hub, *p, type, req.params["ns"], req.params["name"],
                                     write ? xet::CasOp::write : xet::CasOp::read, req.query_flag("create_pr"), *rev,
                                     req.base_url, now_unix());
  if (!t) return to_response(t.error(), &*p);
  Response r = Response::json(200, json::object{{"accessToken", t->access_token}, {"exp", t->exp}, {"casUrl", t->cas_url}});
  // huggingface_hub 1.0-1.19 and the JS LFS batch read the same from headers.
  r.set_header("X-Xet-Cas-Url", t->cas_url);
  r.set_header("X-Xet-Access-Token", t->access_token);
  r.set_header("X-Xet-Token-Expiration", std::to_string(t->exp));
  return r;
}

// Uploads drop their (bounded) body before a refusal: a reply sent while the client is still
// sending makes the connection close with unread bytes, which resets it, and clients then see a
// connection error instead of the 4xx. The token and name are checked before the body is kept.
Response xet_put_xorb(Context& ctx, Request& req) {
  auto c = caller(ctx, req, xet::CasOp::write);
  if (!c) return refuse_upload(req, services::kXetMaxXorbUpload, to_response(c.error()));
  if (!xet::parse_xhex(req.params["hash"]))
    return refuse_upload(req, services::kXetMaxXorbUpload,
                         to_response(Error{Errc::invalid_argument, "Invalid xorb hash in the path", Detail::InvalidXorb}));
  auto body = read_body(req, services::kXetMaxXorbUpload, Detail::XorbTooLarge);
  if (!body) return to_response(body.error());
  auto r = services::xet_put_xorb(ctx.hub, *c, req.params["hash"], *body, now_unix());
  if (!r) return to_response(r.error());
  return Response::json(200, json::object{{"was_inserted", *r}});
}

Response xet_put_shard(Context& ctx, Request& req) {
  auto c = caller(ctx, req, xet::CasOp::write);
  if (!c) return refuse_upload(req, services::kXetMaxShardUpload, to_response(c.error()));
  auto body = read_body(req, services::kXetMaxShardUpload, Detail::ShardTooLarge);
  if (!body) return to_response(body.error());
  auto r = services::xet_put_shard(ctx.hub, *c, *body, now_unix());
  bool v2 = req.path.find("/v2/") != std::string::npos;
  if (!r) return to_response(r.error());
  if (!v2) return Response::json(200, json::object{{"result", *r ? 1 : 0}});
  // v2: NDJSON progress; validation is done by now, so the terminal line follows at once.
  std::string lines = json::serialize(json::object{{"type", "committing"}, {"stage", "syncing"}}) + "\n" +
                      json::serialize(json::object{{"type", "result"}, {"result", *r ? 1 : 0}}) + "\n";
  return Response::text(200, std::move(lines), "application/x-ndjson");
}

Response xet_dedup(Context& ctx, Request& req) {
  auto c = caller(ctx, req, xet::CasOp::read);
  if (!c) return to_response(c.error());
  auto r = services::xet_dedup_query(ctx.hub, *c, req.params["hash"], now_unix());
  if (!r) return to_response(r.error());
  if (!*r) return Response::error(404, "No dedup information for this chunk");
  Response res;
  res.status = 200;
  res.body.assign((*r)->begin(), (*r)->end());
  res.set_header("Content-Type", "application/octet-stream");
  return res;
}

Response xet_reconstruction(Context& ctx, Request& req) {
  auto c = caller(ctx, req, xet::CasOp::read);
  if (!c) return to_response(c.error());
  auto range = range_of(req);
  if (!range) return range_refused(range.error().message);
  auto plan = services::xet_plan(ctx.hub, *c, req.params["file"], *range);
  if (!plan) {
    if (plan.error().detail == Detail::RangeNotSatisfiable) return range_refused(plan.error().message);
    return to_response(plan.error());
  }
  int64_t exp = now_unix() + services::kXetFetchUrlTtlSeconds;
  std::string cas = cas_url(req);
  auto url = [&](const xet::MerkleHash& x, const xet::PlanFetch& f) {
    return services::xet_fetch_url(ctx.hub, cas, x, f.byte_start, f.byte_end, exp);
  };
  bool v2 = req.path.find("/v2/") != std::string::npos;
  return Response::json(200, v2 ? xet::reconstruction_v2_json(*plan, url) : xet::reconstruction_v1_json(*plan, url));
}

Response xet_telemetry(Context&, Request&) { return Response::json(200, json::object{}); }

}  // namespace hub::api::handlers
