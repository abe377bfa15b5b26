// Tiny random T5 models (v1.0: ReLU, tied and rescaled lm_head; v1.1/Flan: gated-GELU, untied)
// and a tiny BART (post-LN, learned positions, scaled embeddings, final_logits_bias) from
// make_t5_fixtures.py against its float64 torch reference: encoder states and
// teacher-forced logits within 1e-4 (the decoder's KV cache run one token at a time), and
// generate()'s greedy and beam search token for token over ten settings (length_penalty,
// early_stopping true/false/"never", no_repeat_ngram_size, bad_words_ids, min_length,
// forced BOS/EOS). Then the text2text tasks on the full-vocab model with the real t5-small
// tokenizer: JSON shapes, task_specific_params, bad parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/json.h"
#include "inference/models/model.h"
#include "inference/models/seq2seq.h"
#include "inference/models/tasks.h"
#include "inference/pipelines/pipeline.h"
#include "inference/pipelines/seq2seq_generate.h"
#include "inference/safetensors/safetensors.h"
#include "torch_fixtures.h"

namespace hub::inference {
namespace {

std::string fixtures() {
  static std::string dir = hub::testing::torch_fixtures(
      std::string(HUBD_SOURCE_DIR) + "/tests/inference/seq2seq/make_t5_fixtures.py",
      std::string(HUBD_BINARY_DIR) + "/tests/inference/t5_fixtures");
  return dir;
}

std::vector<int32_t> ids_of(const safetensors::SafetensorsFile& f, const std::string& name) {
  auto raw = f.raw(*f.find(name));
  std::vector<int32_t> out(raw.size() / 4);
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

class Seq2SeqParity : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const Model> model;
  std::string dir;
  void SetUp() override {
    const std::string root = fixtures();
    if (root.empty()) GTEST_SKIP() << "torch fixtures absent";
    dir = root + "/" + GetParam();
    auto m = load_model(dir);
    ASSERT_TRUE(m) << m.error().message;
    model = *m;
    ASSERT_EQ(model->config().kind, ModelKind::encoder_decoder);
    ASSERT_NE(model->seq2seq(), nullptr);
  }
};

TEST_P(Seq2SeqParity, EncoderAndCachedDecoderLogitsMatchTheReference) {
  auto ref = safetensors::SafetensorsFile::open(dir + "/ref.safetensors");
  ASSERT_TRUE(ref);
  const auto src = ids_of(*ref, "enc_ids"), dec = ids_of(*ref, "dec_ids");
  const Seq2SeqLM& lm = *model->seq2seq();
  auto hidden = lm.encoder_hidden(src);
  ASSERT_TRUE(hidden) << hidden.error().message;
  auto want_h = ref->load_f32("encoder_hidden");
  ASSERT_TRUE(want_h);
  double worst = 0;
  for (int64_t i = 0; i < want_h->numel(); ++i)
    worst = std::max(worst, double(std::abs(hidden->data()[i] - want_h->data()[i])));
  EXPECT_LT(worst, 1e-4) << "encoder hidden states";
  auto want = ref->load_f32("logits");
  ASSERT_TRUE(want);
  auto states = lm.encode(src);
  ASSERT_TRUE(states);
  Seq2SeqState st = lm.new_state(*states);
  Seq2SeqState* sp[] = {&st};
  const int64_t V = lm.config().vocab_size;
  worst = 0;
  for (size_t t = 0; t < dec.size(); ++t) {
    const int32_t tok[] = {dec[t]};
    auto logits = lm.decode_step(tok, sp);
    ASSERT_TRUE(logits) << logits.error().message;
    for (int64_t v = 0; v < V; ++v)
      worst = std::max(worst, double(std::abs(logits->data()[v] - want->data()[int64_t(t) * V + v])));
  }
  EXPECT_LT(worst, 1e-4) << "decoder logits, one cached step at a time";
  std::printf("[parity] %s: max |logit - ref| = %.3g\n", GetParam().c_str(), worst);
}

TEST_P(Seq2SeqParity, GreedyAndBeamSearchMatchGenerate) {
  std::ifstream in(dir + "/ref.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = json::parse(ss.str());
  ASSERT_TRUE(doc && doc->is_array());
  const Seq2SeqLM& lm = *model->seq2seq();
  int n = 0;
  for (const auto& c : doc->get_array()) {
    const auto& o = c.get_object();
    std::vector<int32_t> src, want;
    for (const auto& v : o.at("input_ids").get_array()) src.push_back(int32_t(v.get_int64()));
    for (const auto& v : o.at("output_ids").get_array()) want.push_back(int32_t(v.get_int64()));
    auto p = pipelines::seq2seq_defaults(lm);
    ASSERT_TRUE(p);
    ASSERT_TRUE(pipelines::apply_generation_fields(*p, o.at("params").get_object(), lm.config().vocab_size));
    auto got = pipelines::seq2seq_generate(lm, src, *p);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, want) << json::serialize(o.at("params"));
    ++n;
  }
  EXPECT_EQ(n, 10);
}

INSTANTIATE_TEST_SUITE_P(Seq2Seq, Seq2SeqParity, ::testing::Values("t5_relu_tied", "t5_gated_untied", "bart_tiny"));

class T5Tasks : public ::testing::Test {
 protected:
  std::shared_ptr<const Model> model;
  void SetUp() override {
    const std::string root = fixtures();
    if (root.empty()) GTEST_SKIP() << "torch fixtures absent";
    if (!std::filesystem::exists(root + "/t5_e2e/tokenizer.json")) GTEST_SKIP() << "t5-small tokenizer absent";
    auto m = load_model(root + "/t5_e2e");
    ASSERT_TRUE(m) << m.error().message;
    model = *m;
  }
  Result<json::value> run(std::string_view task, const std::string& body_inputs, const std::string& params = "null") {
    return pipelines::run_task(*model, task, *json::parse(body_inputs), *json::parse(params));
  }
};

TEST_F(T5Tasks, HubShapesPerTask) {
  auto t = run("translation", R"("Hello world")");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_TRUE(t->is_array() && t->as_array().size() == 1);
  EXPECT_TRUE(t->as_array()[0].as_object().contains("translation_text")) << json::serialize(*t);
  auto s = run("summarization", R"(["one text", "another text"])");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->as_array().size(), 2u);
  EXPECT_TRUE(s->as_array()[1].as_object().contains("summary_text"));
  auto g = run("text2text-generation", R"("question: why?")", R"({"max_new_tokens": 3})");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_TRUE(g->as_array()[0].as_object().contains("generated_text"));
  // Special tokens are skipped: no </s> or <pad> in any text.
  for (const auto* r : {&*t, &*s, &*g})
    for (const auto& e : r->as_array())
      for (const auto& [k, v] : e.as_object()) EXPECT_EQ(std::string(v.as_string()).find("</s>"), std::string::npos);
}

TEST_F(T5Tasks, ABatchOfInputsAnswersAsEachAlone) {
  // Greedy decodes the list together (one decode step for all); each answer must equal the
  // input run alone, whatever lengths the others reach.
  const std::vector<std::string> texts = {"A long input sentence about houses and bicycles.", "Hi", "Two words",
                                          "translate English to German: The house is small."};
  json::array list;
  for (const auto& t : texts) list.push_back(json::value(t));
  auto batch = pipelines::run_task(*model, "text2text-generation", json::value(list), *json::parse(R"({"max_length": 12})"));
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_EQ(batch->as_array().size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    auto one = run("text2text-generation", json::serialize(json::value(texts[i])), R"({"max_length": 12})");
    ASSERT_TRUE(one);
    EXPECT_EQ(batch->as_array()[i], one->as_array()[0]) << texts[i];
  }
}

TEST_F(T5Tasks, TaskPrefixAndParamsComeFromTaskSpecificParams) {
  // translation_en_to_fr's prefix differs from en_to_de's: the same text gives the output of
  // its own prefix, and "translation" alone takes the first entry (en_to_de).
  auto plain = run("translation", R"("The house is small.")", R"({"num_beams": 1})");
  auto de = run("translation_en_to_de", R"("The house is small.")", R"({"num_beams": 1})");
  auto g = run("text2text-generation", R"("translate English to German: The house is small.")",
               R"({"num_beams": 1, "max_length": 20})");
  ASSERT_TRUE(plain && de && g);
  EXPECT_EQ(plain->as_array()[0].at("translation_text"), de->as_array()[0].at("translation_text"));
  EXPECT_EQ(de->as_array()[0].at("translation_text"), g->as_array()[0].at("generated_text"));
}

TEST_F(T5Tasks, BadInputsAndParametersAreInvalid) {
  for (const auto& [inputs, params] : std::vector<std::pair<std::string, std::string>>{
           {"42", "null"},
           {"[]", "null"},
           {R"(["a", 1])", "null"},
           {R"("x")", R"({"num_beams": 0})"},
           {R"("x")", R"({"num_beams": 1000})"},
           {R"("x")", R"({"max_new_tokens": 100000})"},
           {R"("x")", R"({"max_length": "long"})"},
           {R"("x")", R"({"early_stopping": "sometimes"})"},
           {R"("x")", R"({"bad_words_ids": [[]]})"},
           {R"("x")", R"({"bad_words_ids": [[99999999]]})"},
           {R"("x")", R"({"forced_bos_token_id": -1})"},
           {R"("x")", R"({"do_sample": true})"},
           {R"("x")", R"({"generate_parameters": 3})"}}) {
    auto r = run("text2text-generation", inputs, params);
    ASSERT_FALSE(r) << inputs << " " << params;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << inputs << " " << params << ": " << r.error().message;
  }
  auto wrong = run("fill-mask", R"("x <extra_id_0>")");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::unsupported);
}

TEST_F(T5Tasks, MemoryEstimateCoversTheEncoderDecoder) {
  const auto& m = model->memory();
  EXPECT_GE(m.weights, model->seq2seq()->weight_bytes());
  EXPECT_GT(m.kv_cache, 0u);
  EXPECT_GT(m.scratch, 0u);
  // A budget below the estimate refuses the load before anything is allocated.
  LoadOptions opts;
  opts.limits.budget_bytes = size_t(m.total() / 2);
  auto r = load_model(fixtures() + "/t5_e2e", opts);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

}  // namespace
}  // namespace hub::inference
