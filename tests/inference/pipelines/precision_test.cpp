// Encoder precision (HUBD_ENCODER_PRECISION, ops/gemm.h): the same torch-reference fixture
// models loaded once in f32 and once in bf16 or int8 (set_encoder_precision, one process) give
// the same answers within measured bounds: sentence-embedding cosine, hidden-state cosine,
// classification labels and order, question-answering spans. Each is skipped where the CPU
// level has no kernel for it (the format falls back to f32 there: identical by construction).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "inference/models/fixtures.h"
#include "inference/ops/gemm.h"
#include "inference/pipelines/pipeline.h"

namespace hub::inference::pipelines {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) d += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
  return d / std::sqrt(na * nb);
}

// Every number of a nested JSON array, in order.
void flatten(const value& v, std::vector<double>& out) {
  if (v.is_array())
    for (const auto& x : v.as_array()) flatten(x, out);
  else
    out.push_back(v.to_number<double>());
}

class Precision : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    root_ = testing::torch_fixtures_dir(&why);
    if (root_ == "!") FAIL() << why;
    if (root_.empty()) GTEST_SKIP() << "torch fixtures absent: " << why;
  }
  void TearDown() override { ops::set_encoder_precision(ops::WeightFormat::f32); }
  // The fixture loaded in f32 and in `format`.
  std::pair<std::shared_ptr<const Model>, std::shared_ptr<const Model>> both(
      const std::string& name, ops::WeightFormat format) {
    ops::set_encoder_precision(ops::WeightFormat::f32);
    auto f = load_model(root_ + "/" + name);
    ops::set_encoder_precision(format);
    auto b = load_model(root_ + "/" + name);
    ops::set_encoder_precision(ops::WeightFormat::f32);
    EXPECT_TRUE(f && b);
    return {f ? *f : nullptr, b ? *b : nullptr};
  }
  static value run(const Model& m, std::string_view task, const value& in, const value& params = nullptr) {
    auto r = run_task(m, task, in, params);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : value();
  }
  std::string root_;
};

const char* const kTexts[] = {"the cat sat on the mat.", "hello world", "paris is the capital of france",
                              "sarah lives in london and my name is wolfgang"};

class PrecisionFormats : public Precision {
 protected:
  double embeddings(ops::WeightFormat format) {
    double worst = 1;
    for (const char* name : {"bert_model_noprefix_st", "bert_model_hidden"}) {
      auto [f, b] = both(name, format);
      EXPECT_TRUE(f && b);
      if (!f || !b) return 0;
      for (const char* t : kTexts) {
        std::vector<double> ef, eb;
        flatten(run(*f, "feature-extraction", value(t)), ef);
        flatten(run(*b, "feature-extraction", value(t)), eb);
        EXPECT_EQ(ef.size(), eb.size());
        if (ef.size() != eb.size()) return 0;
        worst = std::min(worst, cosine(ef, eb));
      }
    }
    return worst;
  }
  // Classification: labels in the same order for every text (the worst score difference
  // returned); QA: the same top-3 spans.
  double classification_and_qa(ops::WeightFormat format) {
    auto [fc, bc] = both("bert_seqcls", format);
    EXPECT_TRUE(fc && bc);
    if (!fc || !bc) return 1;
    double worst = 0;
    for (const char* t : kTexts) {
      const array lf = run(*fc, "text-classification", value(t)).as_array()[0].as_array();
      const array lb = run(*bc, "text-classification", value(t)).as_array()[0].as_array();
      EXPECT_EQ(lf.size(), lb.size());
      for (size_t i = 0; i < std::min(lf.size(), lb.size()); ++i) {
        EXPECT_EQ(lf[i].at("label"), lb[i].at("label")) << t << " rank " << i;
        worst = std::max(worst, std::abs(lf[i].at("score").as_double() - lb[i].at("score").as_double()));
      }
    }
    auto [fq, bq] = both("bert_qa_f16", format);
    EXPECT_TRUE(fq && bq);
    if (!fq || !bq) return 1;
    const object in{{"question", "where does sarah live?"}, {"context", "sarah lives in london and my name is wolfgang"}};
    const value af = run(*fq, "question-answering", in, object{{"top_k", 3}});
    const value ab = run(*bq, "question-answering", in, object{{"top_k", 3}});
    EXPECT_EQ(af.as_array().size(), ab.as_array().size());
    for (size_t i = 0; i < std::min(af.as_array().size(), ab.as_array().size()); ++i) {
      EXPECT_EQ(af.as_array()[i].at("start"), ab.as_array()[i].at("start")) << i;
      EXPECT_EQ(af.as_array()[i].at("end"), ab.as_array()[i].at("end")) << i;
    }
    return worst;
  }
};

TEST_F(PrecisionFormats, Bf16AgainstF32) {
  if (!ops::packed_bf16_supported()) GTEST_SKIP() << "no bf16 kernel at this CPU level";
  // Measured: cosine 0.999995, score difference 0.0008.
  const double cos = embeddings(ops::WeightFormat::bf16);
  EXPECT_GT(cos, 0.9999);
  const double score = classification_and_qa(ops::WeightFormat::bf16);
  EXPECT_LT(score, 0.005);
  std::printf("bf16 vs f32: worst embedding cosine %.6f, worst classification score difference %.6f\n", cos, score);
}

TEST_F(PrecisionFormats, Int8AgainstF32) {
  if (!ops::packed_int8_supported()) GTEST_SKIP() << "no int8 kernel at this CPU level";
  // Measured: cosine 0.99993, score difference 0.0014.
  const double cos = embeddings(ops::WeightFormat::int8);
  EXPECT_GT(cos, 0.999);
  const double score = classification_and_qa(ops::WeightFormat::int8);
  EXPECT_LT(score, 0.01);
  std::printf("int8 vs f32: worst embedding cosine %.6f, worst classification score difference %.6f\n", cos, score);
}

TEST(PrecisionSetting, ParsesAndRefuses) {
  EXPECT_EQ(*ops::parse_weight_format(""), ops::WeightFormat::f32);
  EXPECT_EQ(*ops::parse_weight_format("f32"), ops::WeightFormat::f32);
  EXPECT_EQ(*ops::parse_weight_format("bf16"), ops::WeightFormat::bf16);
  EXPECT_EQ(*ops::parse_weight_format("int8"), ops::WeightFormat::int8);
  EXPECT_EQ(ops::parse_weight_format("fp64").error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace hub::inference::pipelines
