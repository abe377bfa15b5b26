// Decoders loaded from BF16 checkpoints keep their matrices bf16 (zero-copy views of the
// mmap'd file) and compute in f32: tiny random Llama (GQA, untied) and Qwen2 (q/k/v biases,
// tied lm_head) made by make_bf16_fixtures.py, against a torch float64 forward over the same
// bf16 values — logits within 1e-4 for the full prefill, 32 KV-cache decode steps and batched
// steps; the same values stored as F32 give the same logits from about twice the memory.
// Also: malformed BF16 tensors (wrong byte length, wrong shape or rank, odd alignment) are
// clear load errors or handled copies, never crashes.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "inference/models/decoder.h"
#include "inference/safetensors/safetensors.h"
#include "inference/tensor/dtype.h"
#include "torch_fixtures.h"

namespace hub::inference {
namespace {

namespace fs = std::filesystem;

// Generates the fixtures once per build dir (file lock: ctest runs cases in parallel
// processes); "" when /usr/bin/python3 + torch are absent, "!" when the script failed.
std::string bf16_fixtures_dir() {
  static std::string cached = [] {
    const std::string here = std::string(HUBD_SOURCE_DIR) + "/tests/inference/generation/";
    return hub::testing::torch_fixtures(here + "make_bf16_fixtures.py",
                                        std::string(HUBD_BINARY_DIR) + "/tests/inference/bf16_fixtures",
                                        {here + "make_decoder_fixtures.py"});
  }();
  return cached;
}

std::string fixture_root() {
  std::string root = bf16_fixtures_dir();
  EXPECT_NE(root, "!") << "make_bf16_fixtures.py failed";
  return root == "!" ? std::string() : root;
}

double max_diff(const float* a, const float* b, int64_t n) {
  double d = 0;
  for (int64_t i = 0; i < n; ++i) d = std::max(d, double(std::abs(a[i] - b[i])));
  return d;
}

class Bf16Decoders : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const CausalLM> lm, lm_f32;
  std::vector<int32_t> ids;
  std::vector<float> logits;
  std::string dir;
  void SetUp() override {
    std::string root = fixture_root();
    if (root.empty()) GTEST_SKIP() << "torch fixtures absent (needs /usr/bin/python3 with torch)";
    dir = root + "/" + GetParam();
    auto m = load_causal_lm(dir);
    ASSERT_TRUE(m) << m.error().message;
    lm = *m;
    auto m32 = load_causal_lm(dir + "_f32");
    ASSERT_TRUE(m32) << m32.error().message;
    lm_f32 = *m32;
    auto ref = safetensors::SafetensorsFile::open(dir + "/ref.safetensors");
    ASSERT_TRUE(ref) << ref.error().message;
    auto raw = ref->raw(*ref->find("ids"));
    ids.resize(raw.size() / 4);
    std::memcpy(ids.data(), raw.data(), raw.size());
    auto lg = ref->load_f32("logits");
    ASSERT_TRUE(lg);
    logits.assign(lg->values().begin(), lg->values().end());
  }
  int64_t vocab() const { return lm->config().vocab_size; }
};

TEST_P(Bf16Decoders, WeightsStayBf16AtAboutHalfTheBytes) {
  const double ratio = double(lm->weight_bytes()) / double(lm_f32->weight_bytes());
  // Matrices take 2 bytes a value instead of 4; norms and biases stay f32 (a few percent here,
  // far less in real models).
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 0.56);
  // The bf16 checkpoint is about half the f32 one too, so the held bytes track the file.
  EXPECT_LT(double(lm->weight_bytes()), 1.05 * double(fs::file_size(dir + "/model.safetensors")));
  std::printf("%s: weight_bytes bf16 %zu vs f32 %zu (ratio %.3f)\n", GetParam().c_str(), lm->weight_bytes(),
              lm_f32->weight_bytes(), ratio);
}

TEST_P(Bf16Decoders, PrefillMatchesTorchAndTheF32Load) {
  // 37 rows: the large-m path (bf16 panels converted for sgemm).
  auto st = lm->new_state(int64_t(ids.size()));
  auto out = lm->forward(ids, st, true);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->numel(), int64_t(logits.size()));
  const double d = max_diff(out->data(), logits.data(), out->numel());
  EXPECT_LT(d, 1e-4);
  auto st32 = lm_f32->new_state(int64_t(ids.size()));
  auto out32 = lm_f32->forward(ids, st32, true);
  ASSERT_TRUE(out32);
  const double d32 = max_diff(out->data(), out32->data(), out->numel());
  EXPECT_LT(d32, 2e-5);
  std::printf("%s: prefill max |diff| vs torch %.3g, vs the f32 load %.3g\n", GetParam().c_str(), d, d32);
}

TEST_P(Bf16Decoders, KvCacheDecodeMatchesTorch) {
  const int64_t prefill = 5, T = int64_t(ids.size());
  ASSERT_EQ(T, prefill + 32);
  auto st = lm->new_state(T);
  auto first = lm->forward(std::span(ids.data(), size_t(prefill)), st);  // small-m path, m = 5
  ASSERT_TRUE(first);
  double worst = max_diff(first->data(), &logits[size_t((prefill - 1) * vocab())], vocab());
  for (int64_t t = prefill; t < T; ++t) {  // m = 1 steps
    auto step = lm->forward(std::span(&ids[size_t(t)], 1), st);
    ASSERT_TRUE(step);
    worst = std::max(worst, max_diff(step->data(), &logits[size_t(t * vocab())], vocab()));
  }
  EXPECT_LT(worst, 1e-4);
  std::printf("%s: 32 decode steps max |diff| vs torch %.3g\n", GetParam().c_str(), worst);
}

TEST_P(Bf16Decoders, BatchedStepsMatchTorch) {
  std::vector<DecoderState> st;
  for (int64_t len : {3, 6, 11}) {
    st.push_back(lm->new_state(int64_t(ids.size())));
    ASSERT_TRUE(lm->forward(std::span(ids.data(), size_t(len)), st.back()));
  }
  std::vector<DecoderState*> ptrs{&st[0], &st[1], &st[2]};
  double worst = 0;
  for (int step = 0; step < 20; ++step) {
    std::vector<int32_t> toks;
    std::vector<int64_t> pos;
    for (auto* s : ptrs) toks.push_back(ids[size_t(s->length())]), pos.push_back(s->length());
    auto out = lm->forward_step(toks, ptrs);
    ASSERT_TRUE(out) << out.error().message;
    for (size_t i = 0; i < ptrs.size(); ++i)
      worst = std::max(worst, max_diff(out->data() + int64_t(i) * vocab(), &logits[size_t(pos[i] * vocab())], vocab()));
  }
  EXPECT_LT(worst, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Tiny, Bf16Decoders, ::testing::Values("llama_gqa_bf16", "qwen2_bias_bf16"));

// A safetensors image: header JSON + data section.
struct Image {
  boost::json::object header;
  std::string data;
};

Image read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  uint64_t len = 0;
  std::memcpy(&len, bytes.data(), 8);
  auto doc = json::parse(std::string_view(bytes).substr(8, size_t(len)));
  EXPECT_TRUE(doc && doc->is_object());
  return {doc->get_object(), bytes.substr(size_t(8 + len))};
}

// Writes the image; pad_to_odd makes the header length odd so the data section (and every
// tensor in it) starts at an odd address in the mapping.
void write_image(const std::string& path, const Image& im, bool pad_to_odd = false) {
  std::string h = json::serialize(im.header);
  if (pad_to_odd && h.size() % 2 == 0) h += ' ';
  uint64_t len = h.size();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(&len), 8);
  out << h << im.data;
}

class Bf16Malformed : public ::testing::Test {
 protected:
  std::string src, tmp;
  void SetUp() override {
    std::string root = fixture_root();
    if (root.empty()) GTEST_SKIP() << "torch fixtures absent (needs /usr/bin/python3 with torch)";
    src = root + "/llama_gqa_bf16";
    tmp = (fs::temp_directory_path() / ("hubd_bf16_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name())).string();
    fs::create_directories(tmp);
    fs::copy_file(src + "/config.json", tmp + "/config.json", fs::copy_options::overwrite_existing);
  }
  void TearDown() override {
    if (!tmp.empty()) fs::remove_all(tmp);
  }
  // Loads tmp after `edit` rewrote one tensor entry of the fixture's header.
  Result<std::shared_ptr<const CausalLM>> load_edited(const std::string& name,
                                                      const std::function<void(boost::json::object&)>& edit) {
    Image im = read_image(src + "/model.safetensors");
    edit(im.header.at(name).as_object());
    write_image(tmp + "/model.safetensors", im);
    return load_causal_lm(tmp, false);
  }
};

TEST_F(Bf16Malformed, WrongByteLengthIsCorrupt) {
  auto r = load_edited("model.layers.0.self_attn.k_proj.weight", [](boost::json::object& e) {
    e["shape"] = boost::json::array{16, 47};  // 16*47*2 bytes != the 16*48*2 the offsets span
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
  EXPECT_NE(r.error().message.find("data_offsets length"), std::string::npos) << r.error().message;
}

TEST_F(Bf16Malformed, WrongShapeOrRankIsCorrupt) {
  // Same byte length, transposed: the config implies [16, 48].
  auto t = load_edited("model.layers.1.self_attn.k_proj.weight",
                       [](boost::json::object& e) { e["shape"] = boost::json::array{48, 16}; });
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::corrupt);
  EXPECT_NE(t.error().message.find("k_proj.weight' has shape [48, 16], config implies [16, 48]"), std::string::npos)
      << t.error().message;
  auto r3 = load_edited("lm_head.weight", [](boost::json::object& e) { e["shape"] = boost::json::array{97, 2, 24}; });
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error().code, Errc::corrupt);
  auto r6 = load_edited("model.embed_tokens.weight",
                        [](boost::json::object& e) { e["shape"] = boost::json::array{97, 2, 2, 2, 2, 3}; });
  ASSERT_FALSE(r6);
  EXPECT_EQ(r6.error().code, Errc::corrupt);
  EXPECT_NE(r6.error().message.find("embed_tokens"), std::string::npos) << r6.error().message;
}

TEST_F(Bf16Malformed, OddAlignedBf16IsCopiedAndRunsTheSame) {
  Image im = read_image(src + "/model.safetensors");
  write_image(tmp + "/model.safetensors", im, /*pad_to_odd=*/true);
  auto f = safetensors::SafetensorsFile::open(tmp + "/model.safetensors");
  ASSERT_TRUE(f) << f.error().message;
  auto m = f->load_bf16("model.layers.0.mlp.up_proj.weight");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(m->data) % 2, 0u);
  EXPECT_EQ(m->rows, 80);
  EXPECT_EQ(m->cols, 48);
  auto as_f32 = f->load_f32("model.layers.0.mlp.up_proj.weight");
  ASSERT_TRUE(as_f32);
  for (int64_t i = 0; i < m->numel(); ++i) ASSERT_EQ(bf16_to_f32(m->data[i]), as_f32->data()[i]) << i;
  // Not BF16 / not rank 2: refused, not reinterpreted.
  auto norm = f->load_bf16("model.norm.weight");
  ASSERT_FALSE(norm);
  EXPECT_EQ(norm.error().code, Errc::unsupported);
  auto a = load_causal_lm(tmp, false);
  auto b = load_causal_lm(src, false);
  ASSERT_TRUE(a && b);
  std::vector<int32_t> prompt{1, 5, 9, 33, 96};
  auto sa = (*a)->new_state(8);
  auto sb = (*b)->new_state(8);
  auto la = (*a)->forward(prompt, sa), lb = (*b)->forward(prompt, sb);
  ASSERT_TRUE(la && lb);
  EXPECT_EQ(max_diff(la->data(), lb->data(), la->numel()), 0.0);
}

TEST_F(Bf16Malformed, TruncatedFileIsCorrupt) {
  std::ifstream in(src + "/model.safetensors", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(tmp + "/model.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  auto r = load_causal_lm(tmp, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
}

}  // namespace
}  // namespace hub::inference
