// The real stories260K Llama (shared/models/stories260K) against its float64 goldens:
// prompt logits within 1e-4, cached decode == full recomputation, greedy ids and text equal.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/fs.h"
#include "core/json.h"
#include "inference/models/decoder.h"
#include "inference/pipelines/generation.h"
#include "inference/tokenizers/tokenizer.h"
#include "shared_dir.h"

namespace hub::inference {
namespace {

struct Stories : ::testing::Test {
  std::string dir;
  boost::json::object golden;
  std::shared_ptr<const CausalLM> lm;
  void SetUp() override {
    dir = (hub::testing::shared_dir() / "models" / "stories260K").string();
    if (!std::filesystem::exists(dir + "/model.safetensors"))
      GTEST_SKIP() << "stories260K absent: expected " << dir << " (set HUBD_SHARED_DIR)";
    auto text = fs::read_file(dir + "/golden.json");
    ASSERT_TRUE(text);
    auto doc = json::parse(*text);
    ASSERT_TRUE(doc && doc->is_object());
    golden = doc->get_object();
    auto m = load_causal_lm(dir);
    ASSERT_TRUE(m) << m.error().message;
    lm = *m;
  }
  static std::vector<int32_t> ids(const boost::json::value& v) {
    std::vector<int32_t> out;
    for (const auto& e : v.as_array()) out.push_back(int32_t(e.as_int64()));
    return out;
  }
};

TEST_F(Stories, ConfigIsGqaTied) {
  const auto& c = lm->config();
  EXPECT_EQ(c.num_heads, 8);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_TRUE(c.tie_embeddings);
  EXPECT_EQ(c.eos_token_ids, std::vector<int32_t>{2});
  ASSERT_NE(lm->tokenizer(), nullptr);
}

TEST_F(Stories, PromptLogitsMatchGolden) {
  const auto& g = golden.at("prompt_logits").as_object();
  auto input = ids(g.at("input_ids"));
  auto enc = lm->tokenizer()->encode(std::string(g.at("prompt").as_string()));
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->ids, input);
  auto st = lm->new_state(64);
  auto logits = lm->forward(input, st, true);
  ASSERT_TRUE(logits);
  ASSERT_EQ(logits->dim(0), int64_t(input.size()));
  ASSERT_EQ(logits->dim(1), 512);
  double max_diff = 0;
  const auto& rows = g.at("logits").as_array();
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < 512; ++j)
      max_diff = std::max(max_diff, std::abs(double(logits->at({int64_t(i), int64_t(j)})) -
                                             rows[i].as_array()[j].to_number<double>()));
  EXPECT_LT(max_diff, 1e-4);
  std::printf("stories260K prompt logits: max |diff| vs float64 golden = %.3g\n", max_diff);

  // Token-by-token through the cache gives the same rows as the one-shot prefill.
  auto st2 = lm->new_state(64);
  double step_diff = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    auto l = lm->forward(std::span(&input[i], 1), st2);
    ASSERT_TRUE(l);
    for (int64_t j = 0; j < 512; ++j)
      step_diff = std::max(step_diff, double(std::abs(l->at({0, j}) - logits->at({int64_t(i), j}))));
  }
  EXPECT_LT(step_diff, 1e-4);
}

TEST_F(Stories, GreedyFromBosMatchesGolden) {
  const auto& g = golden.at("greedy_from_bos").as_object();
  pipelines::GenerationParams p;
  p.max_new_tokens = int64_t(g.at("max_new_tokens").as_int64());
  p.eos_token_ids = {};  // the golden runs the full 256 tokens (it only stops at <s>)
  auto out = pipelines::generate(*lm, ids(g.at("input_ids")), p);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->tokens, ids(g.at("output_ids")));
  auto all = ids(g.at("input_ids"));
  all.insert(all.end(), out->tokens.begin(), out->tokens.end());
  auto text = lm->tokenizer()->decode(all, true);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, std::string(g.at("text").as_string()));
}

TEST_F(Stories, TextGenerationTaskZoo) {
  const auto& g = golden.at("greedy_prompt_zoo").as_object();
  boost::json::object params{{"max_new_tokens", g.at("max_new_tokens")}};
  auto r = pipelines::text_generation(*lm, g.at("prompt"), &params);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->is_array());
  ASSERT_EQ(r->as_array().size(), 1u);
  EXPECT_EQ(r->as_array()[0].as_object().at("generated_text").as_string(), g.at("text").as_string());
  // return_full_text=false: only the new text.
  params["return_full_text"] = false;
  auto r2 = pipelines::text_generation(*lm, g.at("prompt"), &params);
  ASSERT_TRUE(r2);
  std::string full(g.at("text").as_string());
  EXPECT_EQ(std::string(r2->as_array()[0].as_object().at("generated_text").as_string()), full.substr(3));
}

TEST_F(Stories, StopSequenceEndsAndIsKept) {
  auto params = json::parse(R"({"max_new_tokens":100,"stop":["the park."],"details":true})")->as_object();
  auto r = pipelines::text_generation(*lm, boost::json::value("Zoo"), &params);
  ASSERT_TRUE(r) << r.error().message;
  const auto& o = r->as_array()[0].as_object();
  EXPECT_EQ(o.at("generated_text").as_string(), "Zoo was a little girl named Lily. She loved to play outside in the park.");
  EXPECT_EQ(o.at("details").as_object().at("finish_reason").as_string(), "stop_sequence");
  // Without the stop string the same greedy text runs on to max_new_tokens.
  params = json::parse(R"({"max_new_tokens":5,"details":true})")->as_object();
  auto r2 = pipelines::text_generation(*lm, boost::json::value("Zoo"), &params);
  ASSERT_TRUE(r2);
  const auto& d = r2->as_array()[0].as_object().at("details").as_object();
  EXPECT_EQ(d.at("finish_reason").as_string(), "length");
  EXPECT_EQ(d.at("generated_tokens").as_int64(), 5);
}

TEST_F(Stories, ListInputsAndSeededSamplingRepeat) {
  auto params = json::parse(R"({"max_new_tokens":20,"temperature":0.9,"top_p":0.95,"seed":7})")->as_object();
  auto in = json::parse(R"(["Once upon a time", "Once upon a time"])");
  auto r = pipelines::run_generation_task(*lm, "text-generation", *in, params);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->as_array().size(), 2u);
  EXPECT_EQ(r->as_array()[0], r->as_array()[1]);  // same seed, same prompt -> same sample
  std::string text(r->as_array()[0].as_array()[0].as_object().at("generated_text").as_string());
  EXPECT_EQ(text.rfind("Once upon a time", 0), 0u) << text;
  EXPECT_GT(text.size(), std::string("Once upon a time").size());
}

TEST_F(Stories, BadRequestsAreClearErrors) {
  auto run = [&](const char* inputs, const char* params) {
    return pipelines::run_generation_task(*lm, "text-generation", *json::parse(inputs), *json::parse(params));
  };
  auto huge = run(R"("Zoo")", R"({"max_new_tokens":1000000000})");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::invalid_argument);
  EXPECT_EQ(huge.error().message,
            "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 512. Given: 4 `inputs` tokens and "
            "1000000000 `max_new_tokens`");
  std::string longp = "\"";
  for (int i = 0; i < 300; ++i) longp += "the cat ";
  longp += "\"";
  auto too_long = run(longp.c_str(), "null");
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("`inputs` must have less than 512 tokens"), std::string::npos)
      << too_long.error().message;
  // truncate keeps the last N prompt tokens, so the same prompt then fits.
  auto truncated = run(longp.c_str(), R"({"truncate":100,"max_new_tokens":3,"return_full_text":false})");
  ASSERT_TRUE(truncated) << truncated.error().message;
  for (const char* bad : {R"({"top_p":0})", R"({"return_full_text":"no"})", R"({"truncate":0})"})
    EXPECT_FALSE(run(R"("Zoo")", bad)) << bad;
  EXPECT_FALSE(run("42", "null"));
  EXPECT_FALSE(run(R"("Zoo")", "[1]"));
  auto other = run(R"("Zoo")", "null");
  ASSERT_TRUE(other);
  EXPECT_EQ(pipelines::run_generation_task(*lm, "fill-mask", boost::json::value("x"), nullptr).error().code,
            Errc::unsupported);
}

}  // namespace
}  // namespace hub::inference
