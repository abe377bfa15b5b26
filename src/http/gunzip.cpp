#include "http/gunzip.h"

#include <zlib.h>

namespace hub::http {

struct GunzipSource::Impl {
  BodySource& inner;
  uint64_t max_output;
  uint64_t produced = 0;
  z_stream zs{};
  std::vector<char> in = std::vector<char>(64 * 1024);
  bool input_done = false;
  bool stream_done = false;
  Impl(BodySource& s, uint64_t m) : inner(s), max_output(m) {}
};

GunzipSource::GunzipSource(BodySource& inner, uint64_t max_output)
    : impl_(std::make_unique<Impl>(inner, max_output)) {
  // 15 + 32: accept both gzip and zlib headers.
  inflateInit2(&impl_->zs, 15 + 32);
}

GunzipSource::~GunzipSource() { inflateEnd(&impl_->zs); }

Result<size_t> GunzipSource::read(char* buf, size_t cap) {
  auto& m = *impl_;
  if (m.stream_done || cap == 0) return size_t(0);
  m.zs.next_out = reinterpret_cast<Bytef*>(buf);
  m.zs.avail_out = uInt(cap);
  while (m.zs.avail_out == cap) {
    if (m.zs.avail_in == 0 && !m.input_done) {
      auto n = m.inner.read(m.in.data(), m.in.size());
      if (!n) return std::unexpected(n.error());
      if (*n == 0) m.input_done = true;
      m.zs.next_in = reinterpret_cast<Bytef*>(m.in.data());
      m.zs.avail_in = uInt(*n);
    }
    int rc = inflate(&m.zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      m.stream_done = true;
      break;
    }
    if (rc == Z_BUF_ERROR && m.input_done) return fail(Errc::invalid_argument, "truncated gzip request body");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return fail(Errc::invalid_argument, "malformed gzip request body");
  }
  size_t got = cap - m.zs.avail_out;
  m.produced += got;
  if (m.produced > m.max_output) return fail(Errc::too_large, "decompressed request body too large");
  return got;
}

}  // namespace hub::http
