// GET {cas}/v1/xorb-data/{xorb}?range=a-b&exp=E&sig=S: the signed, expiring transfer URLs that
// reconstructions hand out (XET.md §4). Fetched without credentials; the signature grants
// serialized xorb bytes [a, b] until E. Every requested Range must lie inside them: one range is
// a 206 with Content-Range (sendfile from the local store), several a 206
// multipart/byteranges (the JS client's multi-range requests); no Range = the granted bytes.
#include <unistd.h>

#include <charconv>
#include <ctime>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "core/hash.h"
#include "services/xet.h"

namespace hub::api::handlers {

namespace {

struct Span {
  uint64_t first = 0, last = 0;  // inclusive
};

// The Range header's ranges, each inside [g.first, g.last]; nullopt when malformed or outside.
std::optional<std::vector<Span>> ranges_of(std::string_view h, const services::XetFetchGrant& g) {
  if (!h.starts_with("bytes=")) return std::nullopt;
  h.remove_prefix(6);
  std::vector<Span> out;
  auto num = [](std::string_view s, uint64_t& v) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  while (!h.empty()) {
    size_t comma = h.find(',');
    std::string_view one = h.substr(0, comma);
    h = comma == std::string_view::npos ? std::string_view{} : h.substr(comma + 1);
    size_t dash = one.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    std::string_view a = one.substr(0, dash), b = one.substr(dash + 1);
    Span s;
    uint64_t n = 0;
    while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
    if (a.empty()) {  // suffix of the granted bytes
      if (!num(b, n) || n == 0) return std::nullopt;
      s.last = g.last;
      s.first = g.last + 1 - std::min<uint64_t>(n, g.last - g.first + 1);
    } else {
      if (!num(a, s.first)) return std::nullopt;
      while (!b.empty() && b.front() == ' ') b.remove_prefix(1);
      if (b.empty()) s.last = g.last;
      else if (!num(b, s.last)) return std::nullopt;
    }
    if (s.first > s.last || s.first < g.first || s.last > g.last) return std::nullopt;
    out.push_back(s);
    if (out.size() > 64) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

Response xet_xorb_data(Context& ctx, Request& req) {
  auto g = services::xet_check_fetch(ctx.hub, req.params["xorb"], req.query_param("range").value_or(""),
                                     req.query_param("exp").value_or(""), req.query_param("sig").value_or(""),
                                     int64_t(std::time(nullptr)));
  if (!g) return to_response(g.error());
  std::vector<Span> spans{{g->first, g->last}};
  bool ranged = false;
  if (auto h = req.header("Range")) {
    auto r = ranges_of(*h, *g);
    if (!r) {
      Response res = Response::error(416, "Range outside the bytes this URL grants");
      res.set_header("Content-Range", "bytes */" + std::to_string(g->size));
      return res;
    }
    spans = std::move(*r);
    ranged = true;
  }
  auto& blobs = ctx.hub.blobs();
  Response res;
  res.status = ranged ? 206 : 200;
  res.set_header("Accept-Ranges", "bytes");
  if (spans.size() == 1) {
    const Span& s = spans.front();
    auto rd = blobs.get(g->sha256, storage::lfs::ByteRange{s.first, s.last - s.first + 1});
    if (!rd) return to_response(rd.error());
    std::shared_ptr<storage::lfs::BlobReader> reader = std::move(*rd);
    res.set_header("Content-Type", "application/octet-stream");
    if (ranged)
      res.set_header("Content-Range", "bytes " + std::to_string(s.first) + "-" + std::to_string(s.last) + "/" +
                                          std::to_string(g->size));
    if (auto fr = reader->file_region()) {
      int fd = ::dup(fr->fd);
      if (fd >= 0) {
        res.file = http::FileBody{fd, fr->offset, fr->length};
        return res;
      }
    }
    res.content_length = reader->range_length();
    res.stream = [reader](char* buf, size_t cap) { return reader->read(buf, cap); };
    return res;
  }
  // Several ranges: multipart/byteranges (RFC 7233 §4.1), built in memory (≤ one xorb).
  std::string boundary = "xet-" + hex_encode(random_bytes(12));
  std::string body;
  for (const Span& s : spans) {
    auto bytes = storage::lfs::read_blob(blobs, g->sha256, storage::lfs::ByteRange{s.first, s.last - s.first + 1},
                                         size_t(s.last - s.first + 1));
    if (!bytes) return to_response(bytes.error());
    body += "--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes " +
            std::to_string(s.first) + "-" + std::to_string(s.last) + "/" + std::to_string(g->size) + "\r\n\r\n";
    body += *bytes;
    body += "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  res.body = std::move(body);
  res.set_header("Content-Type", "multipart/byteranges; boundary=" + boundary);
  return res;
}

}  // namespace hub::api::handlers
