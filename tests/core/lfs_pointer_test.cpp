#include "core/lfs_pointer.h"

#include <gtest/gtest.h>

#include <random>

namespace hub {
namespace {

const std::string kOid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
const std::string kText =
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 12345\n";

TEST(LfsPointer, FormatsTheSpecText) {
  EXPECT_EQ(format_lfs_pointer(kOid, 12345), kText);
  EXPECT_EQ(format_lfs_pointer(kOid, 0),
            "version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "\nsize 0\n");
}

TEST(LfsPointer, ParsesTheSpecText) {
  auto p = parse_lfs_pointer(kText);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->oid, kOid);
  EXPECT_EQ(p->size, 12345u);
  EXPECT_TRUE(p->extra.empty());
}

TEST(LfsPointer, KeepsExtensionKeysInOrder) {
  std::string text = "version https://git-lfs.github.com/spec/v1\n"
                     "ext-0-foo sha256:" + kOid + "\n"
                     "oid sha256:" + kOid + "\n"
                     "size 7\n";
  auto p = parse_lfs_pointer(text);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->extra.size(), 1u);
  EXPECT_EQ(p->extra[0].first, "ext-0-foo");
  EXPECT_EQ(format_lfs_pointer(*p), text);
}

TEST(LfsPointer, LargestSizeIsInt64Max) {
  auto ok = parse_lfs_pointer("version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid +
                          "\nsize 9223372036854775807\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size, 9223372036854775807ull);
}

struct BadCase {
  const char* name;
  std::string text;
};

TEST(LfsPointer, RejectsMalformedText) {
  const std::string v = "version https://git-lfs.github.com/spec/v1\n";
  const std::string o = "oid sha256:" + kOid + "\n";
  const std::string s = "size 12345\n";
  std::string upper = kOid;
  upper[0] = 'A';
  std::vector<BadCase> cases = {
      {"empty", ""},
      {"no final newline", v + o + "size 12345"},
      {"crlf", "version https://git-lfs.github.com/spec/v1\r\n" + o + s},
      {"cr in value", v + "oid sha256:" + kOid + "\r\n" + s},
      {"wrong version", "version https://git-lfs.github.com/spec/v2\n" + o + s},
      {"version not first", o + v + s},
      {"version repeated", v + v + o + s},
      {"keys unsorted", v + s + o},
      {"key repeated", v + o + o + s},
      {"missing oid", v + s},
      {"missing size", v + o},
      {"only version", v},
      {"md5 oid", v + "oid md5:" + kOid.substr(0, 32) + "\n" + s},
      {"short oid", v + "oid sha256:" + kOid.substr(1) + "\n" + s},
      {"long oid", v + "oid sha256:" + kOid + "0\n" + s},
      {"uppercase oid", v + "oid sha256:" + upper + "\n" + s},
      {"traversal oid", v + "oid sha256:../../../../../../../../../../../../../../../../../../../../../etc\n" + s},
      {"size leading zero", v + o + "size 012\n"},
      {"size negative", v + o + "size -1\n"},
      {"size plus", v + o + "size +1\n"},
      {"size hex", v + o + "size 0x10\n"},
      {"size empty", v + o + "size \n"},
      {"size with space", v + o + "size  12\n"},
      {"size trailing text", v + o + "size 12 bytes\n"},
      {"size over int64", v + o + "size 9223372036854775808\n"},
      {"size 20 digits", v + o + "size 18446744073709551616\n"},
      {"no space", v + o + "size12\n"},
      {"uppercase key", v + o + "Size 12\n"},
      {"key with underscore", v + "ext_0 x\n" + o + s},
      {"blank line", v + "\n" + o + s},
      {"trailing blank line", v + o + s + "\n"},
      {"tab in value", v + o + "size\t12\n"},
      {"nul byte", v + o + std::string("size 1\0", 7) + "\n"},
      {"too long", v + "ext-0-a " + std::string(1000, 'x') + "\n" + o + s},
  };
  for (const auto& c : cases) {
    auto r = parse_lfs_pointer(c.text);
    EXPECT_FALSE(r) << c.name;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::invalid_argument) << c.name;
      EXPECT_EQ(r.error().detail, Detail::InvalidPointer) << c.name;
    }
  }
}

TEST(LfsPointer, SizeLimitIsBelow1024Bytes) {
  const std::string base = "version https://git-lfs.github.com/spec/v1\next-0-a ";
  const std::string tail = "\noid sha256:" + kOid + "\nsize 1\n";
  std::string fits = base + std::string(1023 - base.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(fits.size(), 1023u);
  EXPECT_TRUE(parse_lfs_pointer(fits));
  std::string over = base + std::string(1024 - base.size() - tail.size(), 'x') + tail;
  EXPECT_FALSE(parse_lfs_pointer(over));
  EXPECT_TRUE(may_be_lfs_pointer(1023));
  EXPECT_FALSE(may_be_lfs_pointer(1024));
  EXPECT_FALSE(may_be_lfs_pointer(0));
}

// Any text the parser accepts must be exactly the canonical text of what it parsed, so a
// mutated pointer either fails or is still a pointer in canonical form; and nothing crashes.
TEST(LfsPointer, FuzzedMutationsParseCanonicallyOrFail) {
  std::mt19937 rng(12345);
  const std::string alphabet = "versionhtpsgitlfscomv1oidsha256:0123456789abcdefABCDEF -.\n\r\t\0/z";
  size_t accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string t = kText;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = t.empty() ? 0 : rng() % t.size();
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 4) {
        case 0: if (!t.empty()) t[pos] = c; break;
        case 1: t.insert(t.begin() + pos, c); break;
        case 2: if (!t.empty()) t.erase(pos, 1 + rng() % 3); break;
        case 3: t.resize(pos); break;
      }
    }
    auto p = parse_lfs_pointer(t);
    if (p) {
      ++accepted;
      EXPECT_EQ(format_lfs_pointer(*p), t);
      EXPECT_EQ(p->oid.size(), 64u);
    }
  }
  // Some single-digit edits of oid/size stay valid; the property was exercised.
  EXPECT_GT(accepted, 0u);
}

TEST(LfsPointer, RandomBytesNeverParse) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string t(rng() % 300, '\0');
    for (char& c : t) c = char(rng());
    EXPECT_FALSE(parse_lfs_pointer(t));
  }
}

// Cases that storage/git's tree reader relied on when it had its own parser.
TEST(LfsPointer, GitTreeReaderCases) {
  const std::string sha = std::string(64, 'a');
  const std::string pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha + "\nsize 548105171\n";
  auto p = parse_lfs_pointer(pointer);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->oid, sha);
  EXPECT_EQ(p->size, 548105171u);
  EXPECT_EQ(format_lfs_pointer(sha, 548105171), pointer);
  std::string v = "version https://git-lfs.github.com/spec/v1\n";
  EXPECT_TRUE(parse_lfs_pointer(v + "ext-0-foo sha256:" + sha + "\noid sha256:" + sha + "\nsize 0\n"));
  for (const std::string& bad : std::vector<std::string>{
           "", v, v + "oid sha256:" + sha + "\n", v + "size 12\n",
           v + "oid sha256:" + std::string(64, 'A') + "\nsize 1\n",
           v + "oid sha256:" + std::string(63, 'a') + "\nsize 1\n",
           v + "oid sha1:" + std::string(64, 'a') + "\nsize 1\n",
           v + "oid sha256:" + sha + "\nsize 012\n",
           v + "oid sha256:" + sha + "\nsize -1\n", v + "oid sha256:" + sha + "\nsize 1",
           v + "size 1\noid sha256:" + sha + "\n",
           v + "oid sha256:" + sha + "\r\nsize 1\n",
           "version https://git-lfs.github.com/spec/v2\noid sha256:" + sha + "\nsize 1\n",
           pointer + "x" + std::string(1024, ' ') + "\n"}) {
    EXPECT_FALSE(parse_lfs_pointer(bad)) << bad;
  }
}

TEST(LfsPointer, OidCheck) {
  EXPECT_TRUE(is_lfs_oid(kOid));
  EXPECT_FALSE(is_lfs_oid(kOid.substr(1)));
  EXPECT_FALSE(is_lfs_oid(kOid + "0"));
  EXPECT_FALSE(is_lfs_oid(std::string(64, 'A')));
  EXPECT_FALSE(is_lfs_oid("../../" + kOid.substr(6)));
}

}  // namespace
}  // namespace hub
