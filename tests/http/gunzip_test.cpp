#include "http/gunzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace hub::http {
namespace {

class StringSource : public BodySource {
 public:
  explicit StringSource(std::string s, size_t chunk = 7) : s_(std::move(s)), chunk_(chunk) {}
  Result<size_t> read(char* buf, size_t cap) override {
    size_t n = std::min({cap, chunk_, s_.size() - off_});
    std::copy_n(s_.data() + off_, n, buf);
    off_ += n;
    return n;
  }

 private:
  std::string s_;
  size_t chunk_;
  size_t off_ = 0;
};

std::string gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = (Bytef*)in.data();
  zs.avail_in = uInt(in.size());
  zs.next_out = (Bytef*)out.data();
  zs.avail_out = uInt(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Result<std::string> drain(BodySource& s) {
  std::string out;
  char buf[100];
  for (;;) {
    auto n = s.read(buf, sizeof buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

TEST(Gunzip, InflatesInSmallReads) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "0032want " + std::to_string(i) + "\n";
  StringSource src(gzip(text));
  GunzipSource gz(src, 1 << 20);
  auto out = drain(gz);
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, text);
}

TEST(Gunzip, MalformedTruncatedAndBombsAreErrors) {
  StringSource junk("this is not gzip at all");
  GunzipSource g1(junk, 1 << 20);
  EXPECT_FALSE(drain(g1).has_value());

  std::string z = gzip(std::string(10000, 'x'));
  StringSource cut(z.substr(0, z.size() / 2));
  GunzipSource g2(cut, 1 << 20);
  EXPECT_FALSE(drain(g2).has_value());

  StringSource bomb(gzip(std::string(5 << 20, '\0')));  // 5 MiB of zeros, a few KiB packed
  GunzipSource g3(bomb, 1 << 20);
  auto r = drain(g3);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::too_large);
}

}  // namespace
}  // namespace hub::http
