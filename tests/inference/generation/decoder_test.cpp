// Tiny random GPT-2 (Conv1D, fused c_attn, tied), Llama (GQA, llama3 rope scaling, untied), Qwen2 (q/k/v biases, linear rope
// scaling, tied) and Mistral (MQA, explicit head_dim) decoders made by
// make_decoder_fixtures.py with a float64 torch reference: full-sequence logits within 1e-4,
// and prefill + 32 one-token decode steps through the KV cache equal full recomputation.
// Also the generation loop's sampling controls and parameter validation on those models.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "decoder_fixtures.h"
#include "inference/models/decoder.h"
#include "inference/pipelines/generation.h"
#include "inference/safetensors/safetensors.h"

namespace hub::inference {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::shared_ptr<const CausalLM> lm;
  std::vector<int32_t> ids;
  std::vector<float> logits;  // [T, vocab]
};

class Decoders : public ::testing::TestWithParam<std::string> {
 protected:
  Fixture f;
  void SetUp() override {
    std::string root = fixtures_dir();
    ASSERT_NE(root, "!") << "make_decoder_fixtures.py failed";
    if (root.empty()) GTEST_SKIP() << "torch fixtures absent (needs /usr/bin/python3 with torch)";
    const std::string dir = root + "/" + GetParam();
    auto m = load_causal_lm(dir);
    ASSERT_TRUE(m) << m.error().message;
    f.lm = *m;
    auto ref = safetensors::SafetensorsFile::open(dir + "/ref.safetensors");
    ASSERT_TRUE(ref) << ref.error().message;
    auto ids = ref->find("ids");
    ASSERT_NE(ids, nullptr);
    auto raw = ref->raw(*ids);
    f.ids.resize(raw.size() / 4);
    std::memcpy(f.ids.data(), raw.data(), raw.size());
    auto lg = ref->load_f32("logits");
    ASSERT_TRUE(lg);
    f.logits.assign(lg->values().begin(), lg->values().end());
  }
  int64_t vocab() const { return f.lm->config().vocab_size; }
};

double max_row_diff(const float* a, const float* b, int64_t n) {
  double d = 0;
  for (int64_t i = 0; i < n; ++i) d = std::max(d, double(std::abs(a[i] - b[i])));
  return d;
}

TEST_P(Decoders, FullForwardMatchesTorch) {
  auto st = f.lm->new_state(int64_t(f.ids.size()));
  auto out = f.lm->forward(f.ids, st, true);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->numel(), int64_t(f.logits.size()));
  const double d = max_row_diff(out->data(), f.logits.data(), out->numel());
  EXPECT_LT(d, 1e-4);
  std::printf("%s: full forward max |diff| vs torch float64 = %.3g\n", GetParam().c_str(), d);
}

TEST_P(Decoders, KvCacheDecodeEqualsRecomputation) {
  const int64_t prefill = 5, T = int64_t(f.ids.size());
  ASSERT_EQ(T, prefill + 32);
  auto st = f.lm->new_state(T);
  auto first = f.lm->forward(std::span(f.ids.data(), size_t(prefill)), st);
  ASSERT_TRUE(first);
  double worst = max_row_diff(first->data(), &f.logits[size_t((prefill - 1) * vocab())], vocab());
  for (int64_t t = prefill; t < T; ++t) {
    auto step = f.lm->forward(std::span(&f.ids[size_t(t)], 1), st);
    ASSERT_TRUE(step);
    EXPECT_EQ(st.length(), t + 1);
    // vs the torch full recomputation and vs our own full recomputation of the prefix.
    worst = std::max(worst, max_row_diff(step->data(), &f.logits[size_t(t * vocab())], vocab()));
    if (t % 8 == 0 || t == T - 1) {
      auto fresh = f.lm->new_state(t + 1);
      auto full = f.lm->forward(std::span(f.ids.data(), size_t(t + 1)), fresh);
      ASSERT_TRUE(full);
      EXPECT_LT(max_row_diff(step->data(), full->data(), vocab()), 1e-4) << "step " << t;
    }
  }
  EXPECT_LT(worst, 1e-4);
  // The cache is full: one more token is a clear error, not an overflow.
  auto over = f.lm->forward(std::span(f.ids.data(), 1), st);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::invalid_argument);
}

TEST_P(Decoders, BatchedStepEqualsReference) {
  // Three sequences at different lengths decode together; each row must equal the reference
  // logits at its own position.
  std::vector<DecoderState> st;
  for (int64_t len : {3, 6, 11}) {
    st.push_back(f.lm->new_state(int64_t(f.ids.size())));
    ASSERT_TRUE(f.lm->forward(std::span(f.ids.data(), size_t(len)), st.back()));
  }
  std::vector<DecoderState*> ptrs{&st[0], &st[1], &st[2]};
  double worst = 0;
  for (int step = 0; step < 20; ++step) {
    std::vector<int32_t> toks;
    for (auto* s : ptrs) toks.push_back(f.ids[size_t(s->length())]);
    std::vector<int64_t> pos;
    for (auto* s : ptrs) pos.push_back(s->length());
    auto out = f.lm->forward_step(toks, ptrs);
    ASSERT_TRUE(out) << out.error().message;
    for (size_t i = 0; i < ptrs.size(); ++i) {
      EXPECT_EQ(ptrs[i]->length(), pos[i] + 1);
      worst = std::max(worst, max_row_diff(out->data() + int64_t(i) * vocab(),
                                           &f.logits[size_t(pos[i] * vocab())], vocab()));
    }
  }
  EXPECT_LT(worst, 1e-4);
  // Mismatched spans are an error, not a crash.
  std::vector<int32_t> one{1};
  EXPECT_FALSE(f.lm->forward_step(one, ptrs));
}

INSTANTIATE_TEST_SUITE_P(Tiny, Decoders, ::testing::Values("llama_gqa", "qwen2_bias", "mistral_mqa", "gpt2_tiny"));

class Generation : public Decoders {};

TEST_P(Generation, GreedyIsArgmaxOfReferenceAndSamplingIsSeeded) {
  std::vector<int32_t> prompt(f.ids.begin(), f.ids.begin() + 4);
  pipelines::GenerationParams p;
  p.max_new_tokens = 10;
  auto g = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(g) << g.error().message;
  ASSERT_EQ(g->tokens.size(), 10u);
  EXPECT_EQ(g->finish_reason, "length");
  // The first greedy token is the argmax of the reference logits at the prompt's end.
  const float* row = &f.logits[size_t(3 * vocab())];
  EXPECT_EQ(g->tokens[0], int32_t(std::max_element(row, row + vocab()) - row));

  p.do_sample = true;
  p.temperature = 0.7;
  p.top_k = 20;
  p.top_p = 0.9;
  p.seed = 42;
  auto s1 = pipelines::generate(*f.lm, prompt, p);
  auto s2 = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(s1 && s2);
  EXPECT_EQ(s1->tokens, s2->tokens);
  EXPECT_EQ(s1->seed, 42u);
  // top_k = 1 sampling is greedy whatever the seed.
  p.top_k = 1;
  p.seed = 7;
  auto k1 = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(k1);
  EXPECT_EQ(k1->tokens, g->tokens);
  // A different seed gives (with overwhelming probability at T=5) a different sequence.
  p.top_k = 0, p.top_p = 1, p.temperature = 5;
  p.seed = 1;
  auto a = pipelines::generate(*f.lm, prompt, p);
  p.seed = 2;
  auto b = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->tokens, b->tokens);
}

TEST_P(Generation, EosStopsAndRepetitionPenaltyChangesGreedy) {
  std::vector<int32_t> prompt(f.ids.begin(), f.ids.begin() + 4);
  pipelines::GenerationParams p;
  p.max_new_tokens = 12;
  auto g = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(g);
  // Declare the 3rd greedy token an EOS: generation ends right there, EOS included.
  p.eos_token_ids = {g->tokens[2]};
  auto e = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(e);
  const auto first = std::find(g->tokens.begin(), g->tokens.end(), g->tokens[2]) - g->tokens.begin();
  EXPECT_EQ(e->finish_reason, "eos_token");
  EXPECT_EQ(int64_t(e->tokens.size()), first + 1);
  // A huge repetition penalty forbids repeating any prompt or generated token while others remain.
  p.eos_token_ids.clear();
  p.repetition_penalty = 1e6;
  auto r = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(r);
  std::vector<int32_t> seen = prompt;
  for (int32_t t : r->tokens) {
    EXPECT_EQ(std::count(seen.begin(), seen.end(), t), 0) << "token " << t << " repeated";
    seen.push_back(t);
  }
}

TEST_P(Generation, TypicalPAndTokenCallback) {
  std::vector<int32_t> prompt(f.ids.begin(), f.ids.begin() + 4);
  pipelines::GenerationParams p;
  p.max_new_tokens = 8;
  p.do_sample = true;
  p.temperature = 3;
  // A vanishing typical mass keeps one candidate per step: the seed no longer matters.
  p.typical_p = 1e-9;
  p.seed = 1;
  auto a = pipelines::generate(*f.lm, prompt, p);
  p.seed = 99;
  auto b = pipelines::generate(*f.lm, prompt, p);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->tokens, b->tokens);
  // The callback sees every token in order, and returning false stops at once (a client gone).
  std::vector<int32_t> seen;
  auto c = pipelines::generate(*f.lm, prompt, p, [&](int32_t t) {
    seen.push_back(t);
    return seen.size() < 3;
  });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->tokens, seen);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(std::vector<int32_t>(a->tokens.begin(), a->tokens.begin() + 3), seen);
}

TEST_P(Generation, ParamsValidatedAsTgi) {
  auto parse = [&](const char* js, int64_t prompt = 4) {
    auto v = json::parse(js);
    return pipelines::parse_generation_params(*f.lm, &v->as_object(), prompt);
  };
  const int64_t ctx = f.lm->config().max_positions;
  auto d = pipelines::parse_generation_params(*f.lm, nullptr, 4);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->do_sample);
  EXPECT_EQ(d->max_new_tokens, ctx - 4);  // 1024 capped to the context
  EXPECT_TRUE(parse(R"({"temperature":0.5})")->do_sample);
  EXPECT_TRUE(parse(R"({"top_k":5})")->do_sample);
  EXPECT_TRUE(parse(R"({"top_p":0.5})")->do_sample);
  EXPECT_FALSE(parse(R"({"temperature":1.0,"top_p":1.0})")->do_sample);
  EXPECT_EQ(parse(R"({"seed":18446744073709551615})")->seed, std::optional<uint64_t>(~0ull));
  auto big = parse(R"({"max_new_tokens":1000000000})");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::invalid_argument);
  EXPECT_NE(big.error().message.find("`inputs` tokens + `max_new_tokens` must be <= " + std::to_string(ctx)),
            std::string::npos) << big.error().message;
  for (const char* badp : {R"({"temperature":0})", R"({"top_k":0})", R"({"top_p":1.5})", R"({"typical_p":0})",
                           R"({"repetition_penalty":-1})", R"({"seed":-3})", R"({"max_new_tokens":-1})",
                           R"({"stop":["a","b","c","d","e"]})", R"({"stop":[1]})", R"({"do_sample":"yes"})"}) {
    auto r = parse(badp);
    ASSERT_FALSE(r) << badp;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << badp;
  }
}

// Config and checkpoint problems are clear errors, never crashes: each case copies the
// llama_gqa fixture and breaks one thing.
TEST(DecoderLoad, BadConfigsAreClearErrors) {
  std::string root = fixtures_dir();
  if (root.empty() || root == "!") GTEST_SKIP() << "torch fixtures absent";
  const fs::path src = fs::path(root) / "llama_gqa";
  const fs::path tmp = fs::temp_directory_path() / ("hubd_decoder_bad_" + std::to_string(::getpid()));
  auto with_config = [&](const std::string& from, const std::string& to, bool drop_weights = false) {
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    std::stringstream ss;
    ss << std::ifstream(src / "config.json").rdbuf();
    std::string cfg = ss.str();
    const auto at = cfg.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) cfg.replace(at, from.size(), to);
    std::ofstream(tmp / "config.json") << cfg;
    if (!drop_weights) fs::copy_file(src / "model.safetensors", tmp / "model.safetensors");
    return load_causal_lm(tmp.string());
  };
  auto ok = with_config("\"llama\"", "\"llama\"");
  ASSERT_TRUE(ok) << ok.error().message;
  auto yarn = with_config("\"llama3\"", "\"yarn\"");
  ASSERT_FALSE(yarn);
  EXPECT_EQ(yarn.error().code, Errc::unsupported);
  auto kv = with_config("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4");
  ASSERT_FALSE(kv);
  EXPECT_EQ(kv.error().code, Errc::invalid_argument);
  auto shape = with_config("\"intermediate_size\": 80", "\"intermediate_size\": 81");
  ASSERT_FALSE(shape);
  EXPECT_EQ(shape.error().code, Errc::corrupt);
  EXPECT_NE(shape.error().message.find("mlp.gate_proj.weight"), std::string::npos) << shape.error().message;
  auto type = with_config("\"llama\"", "\"bert\"");
  ASSERT_FALSE(type);
  EXPECT_EQ(type.error().code, Errc::unsupported);
  auto none = with_config("\"llama\"", "\"llama\"", true);
  ASSERT_FALSE(none);
  fs::remove_all(tmp);
}

// One shared model, several threads each with its own state: results equal the serial ones.
TEST(DecoderLoad, ConcurrentGenerationsAgree) {
  std::string root = fixtures_dir();
  if (root.empty() || root == "!") GTEST_SKIP() << "torch fixtures absent";
  auto lm = load_causal_lm(root + "/llama_gqa");
  ASSERT_TRUE(lm);
  pipelines::GenerationParams p;
  p.max_new_tokens = 40;
  std::vector<int32_t> prompt{5, 6, 7};
  auto serial = pipelines::generate(**lm, prompt, p);
  ASSERT_TRUE(serial);
  std::vector<std::vector<int32_t>> got(4);
  std::vector<std::thread> ts;
  for (size_t i = 0; i < got.size(); ++i)
    ts.emplace_back([&, i] {
      auto r = pipelines::generate(**lm, prompt, p);
      if (r) got[i] = r->tokens;
    });
  for (auto& t : ts) t.join();
  for (const auto& g : got) EXPECT_EQ(g, serial->tokens);
}

INSTANTIATE_TEST_SUITE_P(Tiny, Generation, ::testing::Values("llama_gqa", "qwen2_bias", "gpt2_tiny"));

}  // namespace
}  // namespace hub::inference
