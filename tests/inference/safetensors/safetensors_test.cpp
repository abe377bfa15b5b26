#include "inference/safetensors/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "inference/safetensors/checkpoint.h"

namespace hub::inference::safetensors {
namespace {

// A safetensors image: 8-byte LE length, header text verbatim, then `data`.
std::string image(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string f32_bytes(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.begin(), s.size());
  return s;
}

const std::string kValidHeader =
    R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
    R"("a":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]}})";

std::string valid_data() {
  uint16_t h[2] = {0x3c00, 0xc000};  // 1, -2
  std::string d = f32_bytes({3.f, 4.f});
  d.append(reinterpret_cast<const char*>(h), 4);
  return d;
}

Errc parse_error(const std::string& img) {
  auto h = parse_header(bytes(img));
  EXPECT_FALSE(h.has_value()) << "accepted a bad file";
  return h ? Errc::internal : h.error().code;
}

TEST(SafetensorsHeader, ParsesValidFile) {
  auto h = parse_header(bytes(image(kValidHeader, valid_data())));
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->tensors.size(), 2u);
  EXPECT_EQ(h->tensors[0].name, "a");  // sorted by name
  EXPECT_EQ(h->tensors[0].dtype, DType::f16);
  EXPECT_EQ(h->tensors[0].shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(h->metadata.at("format"), "pt");
  EXPECT_EQ(h->data_offset, 8 + kValidHeader.size());
}

TEST(SafetensorsHeader, RejectsTruncatedAndLengthPastEnd) {
  std::string img = image(kValidHeader, valid_data());
  EXPECT_EQ(parse_error(img.substr(0, 5)), Errc::corrupt);
  EXPECT_EQ(parse_error(""), Errc::corrupt);
  // Cut inside the header: the declared length runs past the end.
  EXPECT_EQ(parse_error(img.substr(0, 8 + kValidHeader.size() / 2)), Errc::corrupt);
  // Cut inside the data: tensor b's offsets run past the end.
  EXPECT_EQ(parse_error(img.substr(0, img.size() - 2)), Errc::corrupt);
  std::string huge = img;
  huge[7] = char(0x7f);  // length ~ 2^63
  EXPECT_EQ(parse_error(huge), Errc::corrupt);
  std::string big = img;
  uint64_t n = kMaxHeaderBytes + 1;
  for (int i = 0; i < 8; ++i) big[size_t(i)] = char((n >> (8 * i)) & 0xff);
  EXPECT_EQ(parse_error(big), Errc::corrupt);
}

TEST(SafetensorsHeader, RejectsBadJson) {
  EXPECT_EQ(parse_error(image("not json at all", "")), Errc::corrupt);
  EXPECT_EQ(parse_error(image("[1,2,3]", "")), Errc::corrupt);
  EXPECT_EQ(parse_error(image(std::string(5000, '[') + std::string(5000, ']'), "")), Errc::corrupt);
  EXPECT_EQ(parse_error(image(R"({"x": 5})", "")), Errc::corrupt);
  EXPECT_EQ(parse_error(image(R"({"__metadata__": {"k": 1}})", "")), Errc::corrupt);
  std::string nul = std::string("{\"a\":") + '\0' + "}";
  EXPECT_EQ(parse_error(image(nul, "")), Errc::corrupt);
}

TEST(SafetensorsHeader, RejectsBadEntries) {
  auto one = [](const std::string& entry, size_t data_len = 16) {
    return image(R"({"t":)" + entry + "}", std::string(data_len, '\0'));
  };
  EXPECT_EQ(parse_error(one(R"({"dtype":"F33","shape":[2],"data_offsets":[0,8]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"shape":[2],"data_offsets":[0,8]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,8]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":"2","data_offsets":[0,8]})")), Errc::corrupt);
  // Sizes that do not match the extent.
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,0]})")), Errc::corrupt);
  // Out of range.
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[4],"data_offsets":[8,24]})")), Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[2],"data_offsets":[18446744073709551615,7]})")),
            Errc::corrupt);
  // Shapes whose element or byte count overflows 64 bits (and so could wrap to a small size).
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[4294967296,4294967296,1],"data_offsets":[0,0]})")),
            Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]})")),
            Errc::corrupt);
  EXPECT_EQ(parse_error(one(R"({"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,4]})")),
            Errc::corrupt);
  // A zero-sized tensor is fine.
  EXPECT_TRUE(parse_header(bytes(one(R"({"dtype":"F32","shape":[0,5],"data_offsets":[3,3]})"))));
}

// Found by tests/fuzz/safetensors (corpus: regress-zero-dim-overflow): a zero-element shape
// whose leading dimensions multiply past int64 passed the uint64 checks (the 0 makes the
// total 0) and TensorInfo::numel(), multiplying left to right, overflowed int64.
TEST(SafetensorsHeader, RejectsZeroElementShapesThatOverflowBeforeTheZero) {
  std::string h = R"({"t":{"dtype":"U8","shape":[2,4611686018427387904,0],"data_offsets":[0,0]}})";
  EXPECT_EQ(parse_error(image(h, "")), Errc::corrupt);
  std::string fits = R"({"t":{"dtype":"U8","shape":[2,2305843009213693952,0],"data_offsets":[0,0]}})";
  auto ok = parse_header(bytes(image(fits, "")));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->tensors[0].numel(), 0);
}

TEST(SafetensorsHeader, RejectsOverlappingTensors) {
  std::string h =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  EXPECT_EQ(parse_error(image(h, std::string(12, '\0'))), Errc::corrupt);
  std::string same =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_EQ(parse_error(image(same, std::string(8, '\0'))), Errc::corrupt);
}

// Random corruption of a valid image must never crash or accept an extent outside the file.
TEST(SafetensorsHeader, MutationFuzzNeverReadsOutOfRange) {
  const std::string base = image(kValidHeader, valid_data());
  std::mt19937 g(1234);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string img = base;
    int n_mut = 1 + int(g() % 4);
    for (int m = 0; m < n_mut; ++m) {
      size_t pos = g() % img.size();
      switch (g() % 4) {
        case 0: img[pos] = char(g()); break;
        case 1: img[pos] = "0123456789[]{},:\"-"[g() % 18]; break;
        case 2: img.erase(pos, 1 + g() % 3); break;
        case 3: img.resize(g() % (img.size() + 1)); break;
      }
      if (img.empty()) break;
    }
    auto h = parse_header(bytes(img));
    if (!h) continue;
    ++accepted;
    for (const auto& t : h->tensors) {
      ASSERT_LE(t.begin, t.end);
      ASSERT_LE(h->data_offset + t.end, img.size());
      ASSERT_EQ(t.end - t.begin, uint64_t(t.numel()) * dtype_size(t.dtype));
    }
  }
  EXPECT_GT(accepted, 0);  // some mutations (e.g. inside metadata strings) stay valid
}

class SafetensorsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hubd_st_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(SafetensorsFileTest, LoadsF32AsZeroCopyViewAndConvertsHalf) {
  // Pad the header to 8 bytes so F32 data is aligned, as the format's writers do.
  std::string hdr = kValidHeader;
  while ((hdr.size() + 8) % 8) hdr += ' ';
  auto path = write("m.safetensors", image(hdr, valid_data()));
  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f) << f.error().message;
  auto b = f->load_f32("b");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->owns_data());
  EXPECT_EQ(b->at({0}), 3.f);
  EXPECT_EQ(b->at({1}), 4.f);
  auto a = f->load_f32("a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->owns_data());
  EXPECT_EQ(a->shape(), (Shape{1, 2}));
  EXPECT_EQ(a->at({0, 1}), -2.f);
  EXPECT_EQ(f->load_f32("zzz").error().code, Errc::not_found);
  // The view keeps the mapping alive after the file object is gone.
  Tensor keep = *b;
  f = fail(Errc::internal, "dropped");
  EXPECT_EQ(keep.at({1}), 4.f);
}

TEST_F(SafetensorsFileTest, UnalignedF32IsCopiedAndIntsAreUnsupported) {
  std::string hdr =
      R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"i":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}})";
  while ((hdr.size() + 8) % 4 != 1) hdr += ' ';  // data starts at an odd address
  auto path = write("u.safetensors", image(hdr, f32_bytes({1.5f, -7.f}) + std::string(4, '\0')));
  auto f = SafetensorsFile::open(path);
  ASSERT_TRUE(f) << f.error().message;
  auto x = f->load_f32("x");
  ASSERT_TRUE(x);
  EXPECT_TRUE(x->owns_data());
  EXPECT_EQ(x->at({1}), -7.f);
  EXPECT_EQ(f->load_f32("i").error().code, Errc::unsupported);
  EXPECT_EQ(f->raw(*f->find("i")).size(), 4u);
}

TEST_F(SafetensorsFileTest, ShardedCheckpointAndHostileIndex) {
  std::string h1 = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  std::string h2 = R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  write("s1.safetensors", image(h1 + "   ", f32_bytes({1.f})));
  write("s2.safetensors", image(h2 + "   ", f32_bytes({2.f})));
  write("model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}})");
  auto c = Checkpoint::open_dir(dir_.string());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->n_files(), 2u);
  EXPECT_EQ(c->names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c->load_f32("b")->at({0}), 2.f);

  write("model.safetensors.index.json", R"({"weight_map":{"a":"../s1.safetensors"}})");
  EXPECT_EQ(Checkpoint::open_dir(dir_.string()).error().code, Errc::corrupt);
  write("model.safetensors.index.json", R"({"weight_map":{"a":"s2.safetensors"}})");
  EXPECT_EQ(Checkpoint::open_dir(dir_.string()).error().code, Errc::corrupt);
  write("model.safetensors.index.json", R"({"weight_map":{"a":"missing.safetensors"}})");
  EXPECT_FALSE(Checkpoint::open_dir(dir_.string()));
  write("model.safetensors.index.json", R"([1])");
  EXPECT_EQ(Checkpoint::open_dir(dir_.string()).error().code, Errc::corrupt);
  std::filesystem::remove(dir_ / "model.safetensors.index.json");
  EXPECT_EQ(Checkpoint::open_dir(dir_.string()).error().code, Errc::not_found);
}

}  // namespace
}  // namespace hub::inference::safetensors
