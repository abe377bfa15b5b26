#include "inference/models/model.h"

#include <gtest/gtest.h>

#include "inference/models/decoder.h"
#include "shared_dir.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <atomic>
#include <vector>

#include "inference/models/fixtures.h"
#include "inference/models/registry.h"
#include "inference/models/tasks.h"
#include "inference/safetensors/safetensors.h"

namespace hub::inference {
namespace {

namespace fs = std::filesystem;

std::string fixtures_or_skip() {
  std::string why;
  std::string dir = testing::torch_fixtures_dir(&why);
  if (dir == "!") ADD_FAILURE() << why;
  return dir == "!" ? "" : dir;
}

#define REQUIRE_FIXTURES(var)                                                  \
  std::string var = fixtures_or_skip();                                        \
  if (var.empty()) GTEST_SKIP() << "torch fixtures absent (needs /usr/bin/python3 + torch)"

struct Reference {
  int64_t batch = 0, seq = 0;
  std::vector<int32_t> ids, mask, types;
  Tensor expected;
  std::string output;  // logits | hidden | embeddings
};

std::vector<int32_t> read_i32(const safetensors::SafetensorsFile& f, const std::string& name) {
  const auto* t = f.find(name);
  EXPECT_NE(t, nullptr) << name;
  if (!t) return {};
  auto raw = f.raw(*t);
  std::vector<int32_t> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

Reference read_reference(const std::string& dir) {
  Reference r;
  auto f = safetensors::SafetensorsFile::open(dir + "/ref.safetensors");
  EXPECT_TRUE(f) << f.error().message;
  r.ids = read_i32(*f, "input_ids");
  r.mask = read_i32(*f, "attention_mask");
  r.types = read_i32(*f, "token_type_ids");
  r.batch = f->find("input_ids")->shape[0];
  r.seq = f->find("input_ids")->shape[1];
  r.expected = *f->load_f32("expected");
  r.output = f->metadata().at("output");
  return r;
}

Batch batch_of(const Reference& r) {
  return Batch{r.batch, r.seq, r.ids, r.mask, r.types};
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (!(a.shape() == b.shape())) return INFINITY;
  float m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
  return m;
}

class TorchParity : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchParity, MatchesTorchReference) {
  REQUIRE_FIXTURES(root);
  std::string dir = root + "/" + GetParam();
  auto model = load_model(dir);
  ASSERT_TRUE(model) << model.error().message;
  Reference ref = read_reference(dir);
  Result<Tensor> out = fail(Errc::internal, "unset");
  if (ref.output == "logits") out = (*model)->logits(batch_of(ref));
  else if (ref.output == "hidden") out = (*model)->hidden_states(batch_of(ref));
  else out = (*model)->embeddings(batch_of(ref));
  ASSERT_TRUE(out) << out.error().message;
  float diff = max_abs_diff(*out, ref.expected);
  EXPECT_LT(diff, 1e-4f) << GetParam();
  // Non-trivial outputs: the reference itself is not near zero.
  float mx = 0;
  for (float v : ref.expected.values()) mx = std::max(mx, std::abs(v));
  EXPECT_GT(mx, 0.05f);
}

INSTANTIATE_TEST_SUITE_P(
    Families, TorchParity,
    ::testing::Values("bert_seqcls", "bert_mlm_tied_gelu_new", "bert_tokcls_sharded",
                      "bert_model_noprefix_st", "bert_model_hidden", "bert_qa_f16", "roberta_qa",
                      "roberta_mlm", "roberta_seqcls_bf16", "xlmr_tokcls", "electra_disc",
                      "electra_seqcls_bf16", "electra_mlm_tied", "distilbert_seqcls",
                      "distilbert_mlm_tied", "distilbert_tokcls_f16", "distilbert_qa",
                      "mpnet_model_st", "mpnet_seqcls", "mpnet_mlm_tied"));

TEST(Model, ConfigAndHeadMetadata) {
  REQUIRE_FIXTURES(root);
  auto m = load_model(root + "/bert_seqcls");
  ASSERT_TRUE(m) << m.error().message;
  const ModelConfig& c = (*m)->config();
  EXPECT_EQ(c.model_type, "bert");
  EXPECT_EQ(c.head, HeadKind::sequence_classification);
  EXPECT_EQ(c.num_labels, 3);
  EXPECT_EQ(c.id2label, (std::vector<std::string>{"L0", "L1", "L2"}));
#ifdef HUBD_HAVE_TOKENIZERS
  EXPECT_NE((*m)->tokenizer(), nullptr);  // bert_seqcls ships a tokenizer.json
#endif
  auto no_tok = load_model(root + "/roberta_qa");
  ASSERT_TRUE(no_tok);
  EXPECT_EQ((*no_tok)->tokenizer(), nullptr);
  auto st = load_model(root + "/bert_model_noprefix_st");
  ASSERT_TRUE(st);
  ASSERT_TRUE((*st)->config().sentence_pooling.has_value());
  EXPECT_TRUE((*st)->config().sentence_pooling->normalize);
  EXPECT_EQ(head_from_architecture("electra", "ElectraForPreTraining"), HeadKind::electra_discriminator);
  EXPECT_EQ(head_from_architecture("bert", "BertForPreTraining"), HeadKind::masked_lm);
  EXPECT_EQ(head_from_architecture("bert", "BertModel"), HeadKind::none);
}

TEST(Model, BatchRowsMatchSingleSequenceRuns) {
  REQUIRE_FIXTURES(root);
  auto m = load_model(root + "/roberta_qa");
  ASSERT_TRUE(m);
  Reference ref = read_reference(root + "/roberta_qa");
  auto all = (*m)->logits(batch_of(ref));
  ASSERT_TRUE(all);
  for (int64_t b = 0; b < ref.batch; ++b) {
    // Row b alone, without its padding: the valid positions must agree.
    int64_t len = 0;
    for (int64_t s = 0; s < ref.seq; ++s) len += ref.mask[size_t(b * ref.seq + s)];
    std::vector<int32_t> ids(ref.ids.begin() + b * ref.seq, ref.ids.begin() + b * ref.seq + len);
    auto one = (*m)->logits(Batch{1, len, ids, {}, {}});
    ASSERT_TRUE(one) << one.error().message;
    for (int64_t s = 0; s < len; ++s)
      for (int64_t j = 0; j < 2; ++j)
        EXPECT_NEAR(one->at({0, s, j}), all->at({b, s, j}), 1e-4f);
  }
}

TEST(Model, ConcurrentCallsAgreeWithSerialOnes) {
  REQUIRE_FIXTURES(root);
  auto m = load_model(root + "/bert_mlm_tied_gelu_new");
  ASSERT_TRUE(m);
  Reference ref = read_reference(root + "/bert_mlm_tied_gelu_new");
  auto want = (*m)->logits(batch_of(ref));
  ASSERT_TRUE(want);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto got = (*m)->logits(batch_of(ref));
        if (!got || max_abs_diff(*got, *want) != 0.f) ++mismatches;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Model, HeadOverrideGivesEncoderOutputs) {
  REQUIRE_FIXTURES(root);
  LoadOptions opts;
  opts.head = HeadKind::none;
  auto m = load_model(root + "/bert_seqcls", opts);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)->logits(Batch{1, 2, std::vector<int32_t>{5, 6}, {}, {}}).error().code, Errc::unsupported);
  std::vector<int32_t> ids = {5, 6};
  auto h = (*m)->hidden_states(Batch{1, 2, ids, {}, {}});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->shape(), (Shape{1, 2, 32}));
  auto e = (*m)->embeddings(Batch{1, 2, ids, {}, {}});
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->at({0, 3}), (h->at({0, 0, 3}) + h->at({0, 1, 3})) / 2, 1e-6f);
}

TEST(Model, RejectsBadBatches) {
  REQUIRE_FIXTURES(root);
  auto m = load_model(root + "/bert_seqcls");
  ASSERT_TRUE(m);
  std::vector<int32_t> ids = {5, 120};  // vocab is 120
  EXPECT_EQ((*m)->logits(Batch{1, 2, ids, {}, {}}).error().code, Errc::invalid_argument);
  ids = {5, -1};
  EXPECT_EQ((*m)->logits(Batch{1, 2, ids, {}, {}}).error().code, Errc::invalid_argument);
  ids = {5, 6};
  std::vector<int32_t> types = {0, 2};
  EXPECT_EQ((*m)->logits(Batch{1, 2, ids, {}, types}).error().code, Errc::invalid_argument);
  EXPECT_EQ((*m)->logits(Batch{1, 3, ids, {}, {}}).error().code, Errc::invalid_argument);
  std::vector<int32_t> longer(41, 5);  // 40 positions
  EXPECT_EQ((*m)->logits(Batch{1, 41, longer, {}, {}}).error().code, Errc::invalid_argument);
  std::vector<int32_t> max_len(40, 5);
  EXPECT_TRUE((*m)->logits(Batch{1, 40, max_len, {}, {}}));
  auto d = load_model(root + "/distilbert_qa");  // no token-type embeddings: pair type ids ignored
  ASSERT_TRUE(d);
  EXPECT_TRUE((*d)->logits(Batch{1, 2, ids, {}, types}));
  auto r = load_model(root + "/roberta_qa");  // RoBERTa loses pad_token_id + 1 positions
  ASSERT_TRUE(r);
  std::vector<int32_t> r_ids(39, 5);
  EXPECT_EQ((*r)->logits(Batch{1, 39, r_ids, {}, {}}).error().code, Errc::invalid_argument);
  std::vector<int32_t> r_ok(38, 5);
  EXPECT_TRUE((*r)->logits(Batch{1, 38, r_ok, {}, {}}));
}

class BrokenModelDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fixtures_or_skip();
    if (root_.empty()) GTEST_SKIP() << "torch fixtures absent";
    dir_ = fs::temp_directory_path() / ("hubd_model_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(root_ + "/bert_seqcls", dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void write_config(const std::string& text) { std::ofstream(dir_ / "config.json") << text; }
  std::string config_with(const std::string& key, const std::string& value) {
    std::ifstream in(dir_ / "config.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = boost::json::parse(ss.str()).as_object();
    doc[key] = boost::json::parse(value);
    return boost::json::serialize(doc);
  }
  std::string root_;
  fs::path dir_;
};

TEST_F(BrokenModelDir, BadConfigsAreErrorsNotCrashes) {
  struct Case { std::string key, value; Errc code; };
  const Case cases[] = {
      {"model_type", "\"llama-9000\"", Errc::unsupported},
      {"model_type", "7", Errc::invalid_argument},
      {"hidden_size", "33", Errc::invalid_argument},       // not divisible by heads
      {"hidden_size", "64", Errc::corrupt},                // weights do not match
      {"hidden_size", "-32", Errc::invalid_argument},
      {"hidden_size", "1e300", Errc::invalid_argument},
      {"hidden_size", "\"32\"", Errc::invalid_argument},
      {"num_hidden_layers", "3", Errc::corrupt},           // layer 2 missing
      {"vocab_size", "1000000", Errc::corrupt},
      {"max_position_embeddings", "4000", Errc::corrupt},
      {"num_attention_heads", "0", Errc::invalid_argument},
      {"pad_token_id", "500", Errc::invalid_argument},
      {"hidden_act", "\"mish\"", Errc::unsupported},
      {"layer_norm_eps", "\"x\"", Errc::invalid_argument},
      {"id2label", "{\"0\":\"a\"}", Errc::corrupt},        // classifier has 3 rows
  };
  for (const auto& c : cases) {
    fs::copy_file(root_ + "/bert_seqcls/config.json", dir_ / "config.json",
                  fs::copy_options::overwrite_existing);
    write_config(config_with(c.key, c.value));
    auto m = load_model(dir_.string());
    ASSERT_FALSE(m) << c.key << "=" << c.value;
    EXPECT_EQ(m.error().code, c.code) << c.key << "=" << c.value << ": " << m.error().message;
  }
  write_config("{not json");
  EXPECT_EQ(load_model(dir_.string()).error().code, Errc::corrupt);
  write_config("[]");
  EXPECT_EQ(load_model(dir_.string()).error().code, Errc::corrupt);
  fs::remove(dir_ / "config.json");
  EXPECT_EQ(load_model(dir_.string()).error().code, Errc::not_found);
}

// Random byte-level damage to config.json: every outcome is a model or an error, never a crash
// (a loaded model must still run).
TEST_F(BrokenModelDir, MutatedConfigsNeverCrash) {
  std::ifstream in(dir_ / "config.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string base = ss.str();
  std::mt19937 g(99);
  int loaded = 0;
  std::vector<int32_t> ids = {2, 5, 6, 3};
  for (int iter = 0; iter < 300; ++iter) {
    std::string text = base;
    for (int k = 0; k < 1 + int(g() % 3); ++k) {
      size_t pos = g() % text.size();
      text[pos] = "0123456789-.e\"{}[],:x"[g() % 22];
    }
    write_config(text);
    auto m = load_model(dir_.string());
    if (!m) continue;
    ++loaded;
    auto out = (*m)->logits(Batch{1, 4, ids, {}, {}});
    (void)out;  // success or a clean error (e.g. a mutated vocab_size)
  }
  EXPECT_GT(loaded, 0);
}

TEST_F(BrokenModelDir, TruncatedWeightsAreCorrupt) {
  fs::resize_file(dir_ / "model.safetensors", fs::file_size(dir_ / "model.safetensors") - 100);
  auto m = load_model(dir_.string());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::corrupt);
}

TEST(Registry, OneListOfEveryKind) {
  for (const char* t : {"bert", "roberta", "xlm-roberta", "camembert", "electra", "distilbert", "mpnet"}) {
    ASSERT_NE(models::find_architecture(t), nullptr) << t;
    EXPECT_EQ(models::find_architecture(t)->kind, ModelKind::encoder) << t;
  }
  for (const char* t : {"llama", "mistral", "qwen2", "gpt2"}) {
    ASSERT_NE(models::find_architecture(t), nullptr) << t;
    EXPECT_EQ(models::find_architecture(t)->kind, ModelKind::decoder) << t;
    EXPECT_TRUE(is_causal_lm_type(t));
  }
  for (const char* t : {"t5", "bart"}) {
    ASSERT_NE(models::find_architecture(t), nullptr) << t;
    EXPECT_EQ(models::find_architecture(t)->kind, ModelKind::encoder_decoder) << t;
  }
  EXPECT_FALSE(is_causal_lm_type("bert"));
  EXPECT_FALSE(is_causal_lm_type("t5"));
  EXPECT_EQ(models::find_architecture("gpt_neox"), nullptr);
  // Each kind's tasks come from the one table; a task belongs to exactly one kind.
  EXPECT_TRUE(kind_serves(ModelKind::encoder, "fill-mask"));
  EXPECT_FALSE(kind_serves(ModelKind::decoder, "fill-mask"));
  EXPECT_TRUE(kind_serves(ModelKind::decoder, "text-generation"));
  EXPECT_TRUE(kind_serves(ModelKind::encoder_decoder, "translation"));
  EXPECT_EQ(engine_task_for("translation_en_to_de"), "translation");
  EXPECT_EQ(engine_task_for("ner"), "token-classification");
  EXPECT_EQ(engine_task_for("image-to-video"), "");
}

// Every model under /work/shared/models: supported families load and give finite outputs,
// others are refused as unsupported (today only stories260K, a Llama, is there).
TEST(Model, SharedModelsLoadOrAreRefused) {
  const fs::path root = hub::testing::shared_dir() / "models";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " absent";
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    const fs::path cfg = entry.path() / "config.json";
    if (!fs::exists(cfg)) continue;
    ++seen;
    std::ifstream in(cfg);
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = json::parse(ss.str());
    ASSERT_TRUE(doc && doc->is_object()) << cfg;
    auto type = json::get_string(doc->get_object(), "model_type");
    auto m = load_model(entry.path().string());
    if (type && is_causal_lm_type(*type)) {
      // Decoder models load for text generation (tested in depth by tests/inference/generation).
      ASSERT_TRUE(m) << entry.path() << ": " << m.error().message;
      EXPECT_NE((*m)->causal_lm(), nullptr);
      EXPECT_EQ((*m)->hidden_states(Batch{1, 1, std::vector<int32_t>{1}, {}, {}}).error().code, Errc::unsupported);
      continue;
    }
    if (!type || !models::find_architecture(*type)) {
      ASSERT_FALSE(m) << entry.path();
      EXPECT_EQ(m.error().code, Errc::unsupported) << m.error().message;
      continue;
    }
    ASSERT_TRUE(m) << entry.path() << ": " << m.error().message;
    std::vector<int32_t> ids = {0, 1, 2, 3};
    for (auto& id : ids) id = std::min<int32_t>(id + 100, int32_t((*m)->config().encoder.vocab_size - 1));
    auto h = (*m)->hidden_states(Batch{1, 4, ids, {}, {}});
    ASSERT_TRUE(h) << h.error().message;
    for (float v : h->values()) ASSERT_TRUE(std::isfinite(v)) << entry.path();
  }
  if (seen == 0) GTEST_SKIP() << "no models under " << root;
}

}  // namespace
}  // namespace hub::inference
