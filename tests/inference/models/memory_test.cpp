// The model memory estimate (models/memory.h) and the checks load_model runs before any
// tensor loads: hostile config.json values (huge contexts, head_dim, zero/negative sizes,
// sizes the weights do not have) are refused with a clear error and without allocating;
// a normal model's estimate bounds what it really takes once serving (RSS from /proc); the
// KV cache grows with the sequence.
#include "inference/models/memory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>

#include "inference/layers/kv_cache.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/models/tiny_checkpoint.h"

namespace hub::inference {
namespace {

using testing::BertDims;
using testing::LlamaDims;

int64_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return -1;
}

class ModelMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_model_dir("memory"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Loads a Llama whose weights have dims `w` and whose config says `c` (+ extra members).
  Result<std::shared_ptr<const Model>> load_llama(const LlamaDims& w, const LlamaDims& c, const std::string& extra,
                                                  const MemoryLimits& limits = {}) {
    testing::write_llama(dir_, w, c, extra);
    LoadOptions opts;
    opts.limits = limits;
    return load_model(dir_, opts);
  }

  std::string dir_;
};

MemoryLimits server_limits(size_t budget_mib, int64_t slots = 8) {
  MemoryLimits l;
  l.budget_bytes = budget_mib << 20;
  l.generation_slots = slots;
  return l;
}

TEST_F(ModelMemoryTest, HugeContextIsRefusedBeforeAnythingIsAllocated) {
  // The reviewer's repo: tiny weights, a context that sizes gigabytes of RoPE tables and KV cache.
  const int64_t before = rss_bytes();
  auto m = load_llama({}, {}, "\"max_position_embeddings\": 4194304", server_limits(256));
  const int64_t grew = rss_bytes() - before;
  ASSERT_FALSE(m) << "a 4M-position config loaded under a 256 MiB budget";
  EXPECT_EQ(m.error().code, Errc::too_large);
  const std::string& msg = m.error().message;
  EXPECT_NE(msg.find("KV cache"), std::string::npos) << msg;
  EXPECT_NE(msg.find("8 slots of 4194304 positions"), std::string::npos) << msg;
  EXPECT_NE(msg.find("position tables"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HUBD_MODEL_MEMORY_MB"), std::string::npos) << msg;
  EXPECT_LT(grew, 16 << 20) << "refusing must not allocate the tables first";
}

TEST_F(ModelMemoryTest, ContextBeyondTheSupportedRangeIsInvalid) {
  for (const char* v : {"1073741824", "2147483648", "-1", "0", "1e12", "\"4096\""}) {
    auto m = load_llama({}, {}, std::string("\"max_position_embeddings\": ") + v);
    ASSERT_FALSE(m) << v;
    EXPECT_EQ(m.error().code, Errc::invalid_argument) << v << ": " << m.error().message;
    EXPECT_NE(m.error().message.find("max_position_embeddings"), std::string::npos) << m.error().message;
  }
}

TEST_F(ModelMemoryTest, HugeHeadDimIsRefusedByTheWeightsShapes) {
  // head_dim sizes the RoPE tables and KV rows; q_proj's shape says what it really is. No
  // budget here: the shape check alone refuses it before any table exists.
  LlamaDims c;
  c.head_dim = 4096;
  const int64_t before = rss_bytes();
  auto m = load_llama({}, c, "\"max_position_embeddings\": 1048576");
  const int64_t grew = rss_bytes() - before;
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::corrupt);
  EXPECT_NE(m.error().message.find("q_proj"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("config implies [8192, 16]"), std::string::npos) << m.error().message;
  EXPECT_LT(grew, 16 << 20);
  // Beyond the range at all: invalid before the weights are even opened.
  c.head_dim = 1 << 20;
  auto big = load_llama({}, c, "");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::invalid_argument) << big.error().message;
}

TEST_F(ModelMemoryTest, ZeroAndNegativeSizesAreInvalid) {
  for (const char* member : {"\"hidden_size\": 0", "\"hidden_size\": -16", "\"num_hidden_layers\": 0",
                             "\"num_attention_heads\": 0", "\"vocab_size\": -1", "\"intermediate_size\": 0",
                             "\"num_key_value_heads\": 3", "\"head_dim\": 7"}) {
    testing::write_safetensors(dir_ + "/model.safetensors", testing::llama_tensors({}));
    std::string cfg = testing::llama_config({}, "");
    // The member replaces the one llama_config wrote.
    const std::string key = std::string(member).substr(0, std::string(member).find(':'));
    size_t at = cfg.find(key);
    if (at != std::string::npos) {
      size_t end = cfg.find_first_of(",}", at);
      cfg.erase(at, end - at + (cfg[end] == ',' ? 1 : 0));
    }
    cfg.insert(1, std::string(member) + ",");
    testing::write_text(dir_ + "/config.json", cfg);
    auto m = load_model(dir_);
    ASSERT_FALSE(m) << member;
    EXPECT_EQ(m.error().code, Errc::invalid_argument) << member << ": " << m.error().message;
  }
}

TEST_F(ModelMemoryTest, ConfigSizesMustMatchTheWeights) {
  struct Case {
    const char* what;
    LlamaDims config;
    const char* expect;
  };
  std::vector<Case> cases;
  auto with = [](auto f) {
    LlamaDims d;
    f(d);
    return d;
  };
  cases.push_back({"hidden_size", with([](LlamaDims& d) { d.hidden = 32; }), "embed_tokens"});
  cases.push_back({"vocab_size", with([](LlamaDims& d) { d.vocab = 128; }), "embed_tokens"});
  cases.push_back({"intermediate_size", with([](LlamaDims& d) { d.inter = 64; }), "gate_proj"});
  cases.push_back({"num_key_value_heads", with([](LlamaDims& d) { d.kv_heads = 2; }), "k_proj"});
  cases.push_back({"num_attention_heads", with([](LlamaDims& d) { d.heads = 1; }), "q_proj"});
  cases.push_back({"more layers than stored", with([](LlamaDims& d) { d.layers = 3; }), "missing weight"});
  cases.push_back({"fewer layers than stored", with([](LlamaDims& d) { d.layers = 1; }), "more layers"});
  for (const auto& c : cases) {
    auto m = load_llama({}, c.config, "", server_limits(4096));
    ASSERT_FALSE(m) << c.what;
    EXPECT_EQ(m.error().code, Errc::corrupt) << c.what << ": " << m.error().message;
    EXPECT_NE(m.error().message.find(c.expect), std::string::npos) << c.what << ": " << m.error().message;
  }
  // And the matching config loads.
  auto ok = load_llama({}, {}, "", server_limits(4096));
  ASSERT_TRUE(ok) << ok.error().message;
}

TEST(ModelMemory, EstimateSaturatesInsteadOfOverflowing) {
  DecoderConfig c;
  c.vocab_size = 1 << 24, c.hidden_size = 1 << 16, c.intermediate_size = 1 << 20, c.num_layers = 1024;
  c.num_heads = c.num_kv_heads = 1024, c.head_dim = 4096, c.max_positions = 1 << 22;
  c.rope.head_dim = c.rope.rotary_dim = 4096;
  MemoryLimits lim;
  lim.generation_slots = int64_t(1) << 40;
  lim.budget_bytes = size_t(1) << 40;
  auto e = estimate_decoder_memory(c, std::numeric_limits<uint64_t>::max() / 2, lim);
  EXPECT_EQ(e.kv_cache, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(e.total(), std::numeric_limits<uint64_t>::max());
  auto r = check_memory_budget(e, lim);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
  EXPECT_NE(r.error().message.find("more than 2^64 bytes"), std::string::npos) << r.error().message;
  EXPECT_EQ(mem_mul(uint64_t(1) << 32, uint64_t(1) << 32), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(mem_add(std::numeric_limits<uint64_t>::max(), 1), std::numeric_limits<uint64_t>::max());
}

TEST_F(ModelMemoryTest, ALoadedModelCarriesItsFullEstimate) {
  LlamaDims d;
  auto m = load_llama(d, d, "\"max_position_embeddings\": 512", server_limits(64, 4));
  ASSERT_TRUE(m) << m.error().message;
  const auto& e = (*m)->memory();
  uint64_t params = 0;
  for (const auto& t : testing::llama_tensors(d))
    params += uint64_t(std::accumulate(t.shape.begin(), t.shape.end(), int64_t(1), std::multiplies<>()));
  EXPECT_EQ(e.weights, params * 4);
  EXPECT_EQ(e.tables, uint64_t(512 * (d.head_dim / 2) * 2 * 4));
  EXPECT_EQ(e.kv_cache, uint64_t(4 * 2 * d.layers * 512 * d.kv_heads * d.head_dim * 4));
  EXPECT_GT(e.scratch, 0u);
  EXPECT_EQ(e.total(), e.weights + e.tables + e.kv_cache + e.scratch);
  // The same model with 4096 slots of KV cache does not fit 64 MiB.
  auto crowded = load_model(dir_, LoadOptions{.head = {}, .load_tokenizer = true, .limits = server_limits(64, 4096)});
  ASSERT_FALSE(crowded);
  EXPECT_EQ(crowded.error().code, Errc::too_large);
}

TEST_F(ModelMemoryTest, EncoderScratchForTheLongestBatchIsCounted) {
  // Position embeddings are weights (checked), but the forward scratch of a full batch at
  // that length is not: 65536 positions of 16 floats is a 4 MiB file and ~1 GiB of scratch.
  BertDims d;
  d.positions = 65536;
  testing::write_safetensors(dir_ + "/model.safetensors", testing::bert_tensors(d));
  testing::write_text(dir_ + "/config.json", testing::bert_config(d));
  LoadOptions opts;
  opts.limits = server_limits(64);
  opts.load_tokenizer = false;
  auto m = load_model(dir_, opts);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::too_large);
  EXPECT_NE(m.error().message.find("scratch"), std::string::npos) << m.error().message;
  // A BERT-sized context fits, and its estimate holds the scratch.
  d.positions = 512;
  testing::write_safetensors(dir_ + "/model.safetensors", testing::bert_tensors(d));
  testing::write_text(dir_ + "/config.json", testing::bert_config(d));
  auto ok = load_model(dir_, opts);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_GT((*ok)->memory().scratch, (*ok)->memory().weights);
  // A config whose sizes the weights lack is refused by shape, not loaded.
  testing::write_text(dir_ + "/config.json", testing::bert_config(BertDims{.hidden = 32, .positions = 512}));
  auto bad = load_model(dir_, opts);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::corrupt) << bad.error().message;
}

TEST_F(ModelMemoryTest, Gpt2ConfigsAreCheckedAgainstTheirWeightsToo) {
  using testing::Gpt2Dims;
  testing::write_safetensors(dir_ + "/model.safetensors", testing::gpt2_tensors({}));
  struct Case {
    Gpt2Dims config;
    Errc code;
    const char* expect;
  };
  for (const auto& c : {Case{{.positions = 1 << 20}, Errc::corrupt, "wpe.weight"},
                        Case{{.positions = 1 << 21}, Errc::invalid_argument, "n_positions"},
                        Case{{.hidden = 32, .heads = 4}, Errc::corrupt, "wte.weight"},
                        Case{{.layers = 1}, Errc::corrupt, "more layers"},
                        Case{{.layers = 7}, Errc::corrupt, "missing weight"}}) {
    testing::write_text(dir_ + "/config.json", testing::gpt2_config(c.config));
    auto m = load_model(dir_);
    ASSERT_FALSE(m) << testing::gpt2_config(c.config);
    EXPECT_EQ(m.error().code, c.code) << m.error().message;
    EXPECT_NE(m.error().message.find(c.expect), std::string::npos) << m.error().message;
  }
  testing::write_text(dir_ + "/config.json", testing::gpt2_config({}));
  auto ok = load_model(dir_, LoadOptions{.head = {}, .load_tokenizer = true, .limits = server_limits(64)});
  ASSERT_TRUE(ok) << ok.error().message;
  // GPT-2's Conv1D matrices are transposed into owned copies: counted on top of the file's.
  const int64_t H = 16;
  uint64_t file = 0;
  for (const auto& t : testing::gpt2_tensors({}))
    file += 4 * uint64_t(std::accumulate(t.shape.begin(), t.shape.end(), int64_t(1), std::multiplies<>()));
  EXPECT_EQ((*ok)->memory().weights, file + uint64_t(2 * H * (4 * H + 2 * 4 * H) * 4));
  EXPECT_EQ((*ok)->memory().tables, 0u) << "learned positions are weights";
}

TEST(KVCache, GrowsWithTheSequenceAndKeepsRows) {
  layers::KVCache c(2, 1000, 8);
  EXPECT_EQ(c.bytes(), 0u);
  c.reserve(3);
  EXPECT_EQ(c.allocated(), 64);
  for (int64_t l = 0; l < 2; ++l)
    for (int64_t i = 0; i < 3 * 8; ++i) c.keys(l)[i] = float(l * 100 + i), c.values(l)[i] = -float(i);
  c.advance(3);
  c.reserve(65);
  EXPECT_EQ(c.allocated(), 128);
  for (int64_t l = 0; l < 2; ++l)
    for (int64_t i = 0; i < 3 * 8; ++i) {
      ASSERT_EQ(c.keys(l)[i], float(l * 100 + i));
      ASSERT_EQ(c.values(l)[i], -float(i));
    }
  c.reserve(200);
  EXPECT_EQ(c.allocated(), 256);  // doubling: a decode step allocates only now and then
  c.reserve(1000);
  EXPECT_EQ(c.allocated(), 1000);  // never past the capacity
  EXPECT_EQ(c.bytes(), size_t(2 * 2 * 1000 * 8 * 4));
}

TEST_F(ModelMemoryTest, AGenerationAllowedTheWholeContextAllocatesOnlyWhatItReaches) {
  LlamaDims d;
  auto m = load_llama(d, d, "\"max_position_embeddings\": 65536");
  ASSERT_TRUE(m) << m.error().message;
  const CausalLM& lm = *(*m)->causal_lm();
  auto state = lm.new_state(65536);
  EXPECT_EQ(state.cache.capacity(), 65536);
  EXPECT_EQ(state.cache.bytes(), 0u);
  std::vector<int32_t> prompt{1, 2, 3, 4, 5};
  ASSERT_TRUE(lm.forward(prompt, state));
  for (int i = 0; i < 10; ++i) {
    int32_t t = 7;
    DecoderState* s = &state;
    ASSERT_TRUE(lm.forward_step(std::span(&t, 1), std::span(&s, 1)));
  }
  EXPECT_EQ(state.length(), 15);
  EXPECT_EQ(state.cache.allocated(), 64);
}

TEST_F(ModelMemoryTest, TheEstimateBoundsWhatAServingModelReallyTakes) {
  // A model whose KV caches dominate, every slot filled to the whole context the way the
  // generation engine does it (prefill in chunks, then batched decode steps).
  LlamaDims d{.vocab = 256, .hidden = 32, .inter = 64, .layers = 8, .heads = 8, .kv_heads = 8, .head_dim = 32};
  const int64_t ctx = 512, slots = 2;
  MemoryLimits lim = server_limits(4096, slots);
  {  // Warm up what any first forward sets up once per process (thread pool, BLAS).
    auto warm = load_llama({}, {}, "\"max_position_embeddings\": 64");
    ASSERT_TRUE(warm) << warm.error().message;
    auto st = (*warm)->causal_lm()->new_state(64);
    std::vector<int32_t> ids{1, 2, 3};
    ASSERT_TRUE((*warm)->causal_lm()->forward(ids, st));
  }
  const int64_t before = rss_bytes();
  auto m = load_llama(d, d, "\"max_position_embeddings\": " + std::to_string(ctx), lim);
  ASSERT_TRUE(m) << m.error().message;
  const CausalLM& lm = *(*m)->causal_lm();
  std::vector<DecoderState> states;
  for (int64_t s = 0; s < slots; ++s) states.push_back(lm.new_state(ctx));
  std::vector<int32_t> chunk(size_t(lim.prefill_chunk));
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = int32_t(i % 256);
  for (auto& st : states)
    while (st.length() + lim.prefill_chunk < ctx) ASSERT_TRUE(lm.forward(chunk, st));
  std::vector<DecoderState*> ptrs;
  for (auto& st : states) ptrs.push_back(&st);
  std::vector<int32_t> tokens(size_t(slots), 3);
  while (states[0].length() < ctx) ASSERT_TRUE(lm.forward_step(tokens, ptrs));
  const int64_t grew = rss_bytes() - before;
  const auto& e = (*m)->memory();
  std::printf("estimate %.1f MiB (weights %.1f, tables %.2f, kv %.1f, scratch %.1f); measured RSS growth %.1f MiB\n",
              double(e.total()) / (1 << 20), double(e.weights) / (1 << 20), double(e.tables) / (1 << 20),
              double(e.kv_cache) / (1 << 20), double(e.scratch) / (1 << 20), double(grew) / (1 << 20));
  EXPECT_LE(grew, int64_t(e.total()) + (4 << 20)) << "the estimate must bound the real footprint";
  EXPECT_GE(grew, int64_t(e.total()) * 7 / 10) << "the estimate should be close, not a wild overcount";
}

}  // namespace
}  // namespace hub::inference
