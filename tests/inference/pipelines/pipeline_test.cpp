#include "inference/pipelines/pipeline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "inference/models/fixtures.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::pipelines {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

class Pipelines : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    root_ = testing::torch_fixtures_dir(&why);
    if (root_ == "!") FAIL() << why;
    if (root_.empty()) GTEST_SKIP() << "torch fixtures absent: " << why;
  }
  std::shared_ptr<const Model> load(const std::string& name) {
    auto m = load_model(root_ + "/" + name);
    EXPECT_TRUE(m) << m.error().message;
    EXPECT_NE((*m)->tokenizer(), nullptr);
    return *m;
  }
  static value run(const Model& m, std::string_view task, const value& in, const value& params = nullptr) {
    auto r = run_task(m, task, in, params);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : value();
  }
  // Softmax of the model's logits row computed here, independently of the pipeline.
  static std::vector<double> softmax(const float* p, int64_t n) {
    std::vector<double> v(p, p + n);
    double mx = *std::max_element(v.begin(), v.end()), sum = 0;
    for (auto& x : v) sum += (x = std::exp(x - mx));
    for (auto& x : v) x /= sum;
    return v;
  }
  std::string root_;
};

TEST_F(Pipelines, TextClassificationScoresAllLabelsSorted) {
  auto m = load("bert_seqcls");
  const std::string text = "the cat sat on the mat.";
  value out = run(*m, "text-classification", value(text));
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.as_array().size(), 1u);  // doubly nested
  const array& labels = out.as_array()[0].as_array();
  ASSERT_EQ(labels.size(), 3u);
  auto enc = *m->tokenizer()->encode(text);
  auto logits = *m->logits(Batch{1, int64_t(enc.ids.size()), enc.ids, enc.attention_mask, enc.type_ids});
  auto p = softmax(logits.data(), 3);
  double prev = 2, sum = 0;
  for (const auto& l : labels) {
    double score = l.at("score").as_double();
    std::string label(l.at("label").as_string());
    EXPECT_LE(score, prev);
    prev = score;
    sum += score;
    EXPECT_NEAR(score, p[size_t(label[1] - '0')], 1e-9) << label;
  }
  EXPECT_NEAR(sum, 1.0, 1e-9);

  value top = run(*m, "text-classification", value(text), object{{"top_k", 1}, {"function_to_apply", "none"}});
  ASSERT_EQ(top.as_array()[0].as_array().size(), 1u);
  double best = *std::max_element(logits.data(), logits.data() + 3);
  EXPECT_NEAR(top.as_array()[0].as_array()[0].at("score").as_double(), best, 1e-6);

  value two = run(*m, "text-classification", array{"hello world", "the dog"});
  EXPECT_EQ(two.as_array().size(), 2u);
  EXPECT_EQ(run_task(*m, "text-classification", value(text), object{{"function_to_apply", "x"}}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(run_task(*m, "text-classification", value(42), nullptr).error().code, Errc::invalid_argument);
}

TEST_F(Pipelines, FillMaskRanksVocabularyAtTheMask) {
  auto m = load("bert_mlm_tied_gelu_new");
  const std::string text = "the cat sat on the [MASK].";
  value out = run(*m, "fill-mask", value(text));
  ASSERT_TRUE(out.is_array());
  const array& res = out.as_array();
  ASSERT_EQ(res.size(), 5u);
  auto enc = *m->tokenizer()->encode(text);
  auto logits = *m->logits(Batch{1, int64_t(enc.ids.size()), enc.ids, enc.attention_mask, enc.type_ids});
  size_t pos = size_t(std::find(enc.ids.begin(), enc.ids.end(), 4) - enc.ids.begin());
  auto p = softmax(logits.data() + int64_t(pos) * 120, 120);
  int64_t best = int64_t(std::max_element(p.begin(), p.end()) - p.begin());
  EXPECT_EQ(res[0].at("token").as_int64(), best);
  double prev = 2;
  for (const auto& r : res) {
    int64_t id = r.at("token").as_int64();
    EXPECT_NEAR(r.at("score").as_double(), p[size_t(id)], 1e-9);
    EXPECT_LE(r.at("score").as_double(), prev);
    prev = r.at("score").as_double();
    int32_t one = int32_t(id);
    EXPECT_EQ(r.at("token_str").as_string(), *m->tokenizer()->decode(std::span(&one, 1), false));
    std::string seq(r.at("sequence").as_string());
    EXPECT_EQ(seq.find("[CLS]"), std::string::npos);
    EXPECT_EQ(seq.rfind("the cat sat on the ", 0), 0u) << seq;
  }
  value targeted = run(*m, "fill-mask", value(text), object{{"targets", array{"mat", "dog", "mat"}}});
  ASSERT_EQ(targeted.as_array().size(), 2u);
  EXPECT_EQ(std::string(targeted.as_array()[0].at("sequence").as_string()).substr(0, 19), "the cat sat on the ");
  value two = run(*m, "fill-mask", value("[MASK] cat sat on the [MASK]"), object{{"top_k", 2}});
  ASSERT_EQ(two.as_array().size(), 2u);
  EXPECT_EQ(two.as_array()[0].as_array().size(), 2u);
  auto none = run_task(*m, "fill-mask", value("no mask here"), nullptr);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "No mask_token ([MASK]) found on the input");
}

TEST_F(Pipelines, TokenClassificationOffsetsAndGrouping) {
  auto m = load("bert_tokcls_sharded");
  const std::string text = "Sarah Jessica Parker lives in London";
  value none = run(*m, "token-classification", value(text),
                   object{{"aggregation_strategy", "none"}, {"ignore_labels", array{}}});
  const array& toks = none.as_array();
  ASSERT_EQ(toks.size(), 6u);  // every word is one vocabulary token
  for (size_t i = 0; i < toks.size(); ++i) {
    const auto& t = toks[i].as_object();
    EXPECT_EQ(t.at("index").as_int64(), int64_t(i + 1));  // after [CLS]
    auto s = t.at("start").as_int64(), e = t.at("end").as_int64();
    std::string span = text.substr(size_t(s), size_t(e - s));
    for (auto& c : span) c = char(std::tolower(c));
    EXPECT_EQ(span, t.at("word").as_string());
  }
  // simple: consecutive same-type tokens merge; group names lose their B-/I- prefix.
  value simple = run(*m, "token-classification", value(text), object{{"ignore_labels", array{}}});
  int64_t covered = 0, last_end = -1;
  for (const auto& g : simple.as_array()) {
    std::string name(g.at("entity_group").as_string());
    EXPECT_TRUE(name == "O" || name == "PER") << name;
    EXPECT_GT(g.at("start").as_int64(), last_end - 1);
    last_end = g.at("end").as_int64();
    covered += 1;
  }
  EXPECT_GE(covered, 1);
  EXPECT_LE(covered, 6);
  value filtered = run(*m, "token-classification", value(text));  // ignore_labels ["O"]
  for (const auto& g : filtered.as_array()) EXPECT_NE(g.at("entity_group").as_string(), "O");
  for (const char* agg : {"first", "average", "max"}) {
    value r = run(*m, "token-classification", value("sarahs unbelievable"), object{{"aggregation_strategy", agg}, {"ignore_labels", array{}}});
    int64_t words_end = 0;
    for (const auto& g : r.as_array()) words_end = std::max(words_end, g.at("end").as_int64());
    EXPECT_EQ(words_end, 19) << agg;  // spans cover whole words, subwords merged
  }
  // Code point offsets, not bytes: "é" is 2 bytes in UTF-8.
  value u = run(*m, "token-classification", value("café london"),
                object{{"aggregation_strategy", "none"}, {"ignore_labels", array{}}});
  const auto& last = u.as_array().back().as_object();
  EXPECT_EQ(last.at("start").as_int64(), 5);
  EXPECT_EQ(last.at("end").as_int64(), 11);
}

TEST_F(Pipelines, QuestionAnsweringSpansComeFromTheContext) {
  auto m = load("bert_qa_f16");
  object in{{"question", "where does sarah live?"}, {"context", "sarah lives in london and my name is wolfgang"}};
  value one = run(*m, "question-answering", in);
  ASSERT_TRUE(one.is_object());
  std::string ctx(in.at("context").as_string());
  auto s = one.at("start").as_int64(), e = one.at("end").as_int64();
  EXPECT_EQ(one.at("answer").as_string(), ctx.substr(size_t(s), size_t(e - s)));
  EXPECT_GT(one.at("score").as_double(), 0.0);
  value three = run(*m, "question-answering", in, object{{"top_k", 3}, {"max_answer_len", 2}});
  ASSERT_EQ(three.as_array().size(), 3u);
  double prev = 2;
  for (const auto& a : three.as_array()) {
    EXPECT_LE(a.at("score").as_double(), prev);
    prev = a.at("score").as_double();
    auto a_s = a.at("start").as_int64(), a_e = a.at("end").as_int64();
    EXPECT_EQ(a.at("answer").as_string(), ctx.substr(size_t(a_s), size_t(a_e - a_s)));
    // At most two tokens = at most two words here.
    std::string ans(a.at("answer").as_string());
    EXPECT_LE(std::count(ans.begin(), ans.end(), ' '), 1);
  }
  value imp = run(*m, "question-answering", in, object{{"top_k", 50}, {"handle_impossible_answer", true}});
  bool has_null = false;
  for (const auto& a : imp.as_array()) has_null |= a.at("answer").as_string().empty();
  EXPECT_TRUE(has_null);
  EXPECT_EQ(run_task(*m, "question-answering", object{{"question", ""}, {"context", "x"}}, nullptr).error().code,
            Errc::invalid_argument);
}

TEST_F(Pipelines, QuestionAnsweringSlidesWindowsOverLongContexts) {
  auto m = load("bert_qa_f16");  // 40 positions
  const std::string ctx =
      "sarah lives in london . my name is wolfgang . the cat sat on the mat . paris is the "
      "capital of france . new york and berlin . what does the dog live on ? hello world";
  object in{{"question", "who lives in berlin?"}, {"context", ctx}};
  // 40+ context tokens: without windows this would not fit max_seq_len (nor the model).
  value out = run(*m, "question-answering", in, object{{"top_k", 60}, {"max_seq_len", 24}, {"doc_stride", 6}});
  ASSERT_TRUE(out.is_array());
  ASSERT_GT(out.as_array().size(), 20u);
  bool beyond_first_window = false;
  for (const auto& a : out.as_array()) {
    auto s = a.at("start").as_int64(), e = a.at("end").as_int64();
    EXPECT_EQ(a.at("answer").as_string(), ctx.substr(size_t(s), size_t(e - s)));
    beyond_first_window |= s > 60;
  }
  EXPECT_TRUE(beyond_first_window);  // later windows contribute answers
  // A context that fits one window gives the same answer whatever max_seq_len allows.
  object small{{"question", "who lives in berlin?"}, {"context", "sarah lives in london"}};
  value a = run(*m, "question-answering", small);
  value b = run(*m, "question-answering", small, object{{"max_seq_len", 30}, {"doc_stride", 2}});
  EXPECT_EQ(serialize(a), serialize(b));
  EXPECT_EQ(run_task(*m, "question-answering", in, object{{"max_seq_len", 24}, {"doc_stride", 30}}).error().code,
            Errc::invalid_argument);
}

TEST_F(Pipelines, FeatureExtractionShapes) {
  auto st = load("bert_model_noprefix_st");
  value e = run(*st, "feature-extraction", value("hello world"));
  ASSERT_EQ(e.as_array().size(), 32u);
  double ss = 0;
  for (const auto& x : e.as_array()) ss += x.as_double() * x.as_double();
  EXPECT_NEAR(ss, 1.0, 1e-5);  // the model ships a Normalize module
  value two = run(*st, "feature-extraction", array{"hello", "the cat"});
  ASSERT_EQ(two.as_array().size(), 2u);
  EXPECT_EQ(two.as_array()[1].as_array().size(), 32u);
  auto plain = load("bert_model_hidden");
  value h = run(*plain, "feature-extraction", value("hello world"));
  ASSERT_EQ(h.as_array().size(), 1u);
  EXPECT_EQ(h.as_array()[0].as_array().size(), 4u);  // [CLS] hello world [SEP]
  EXPECT_EQ(h.as_array()[0].as_array()[0].as_array().size(), 32u);
}

TEST_F(Pipelines, SentenceSimilarityIsCosineOfEmbeddings) {
  auto st = load("bert_model_noprefix_st");
  value out = run(*st, "sentence-similarity",
                  object{{"source_sentence", "the cat sat"}, {"sentences", array{"the cat sat", "hello world"}}});
  ASSERT_EQ(out.as_array().size(), 2u);
  EXPECT_NEAR(out.as_array()[0].as_double(), 1.0, 1e-6);  // identical sentence
  value a = run(*st, "feature-extraction", value("the cat sat"));
  value b = run(*st, "feature-extraction", value("hello world"));
  double dot = 0;  // both unit length (Normalize module)
  for (size_t i = 0; i < 32; ++i) dot += a.as_array()[i].as_double() * b.as_array()[i].as_double();
  EXPECT_NEAR(out.as_array()[1].as_double(), dot, 1e-6);
  EXPECT_EQ(run_task(*st, "sentence-similarity", value("x"), nullptr).error().code, Errc::invalid_argument);
}

TEST_F(Pipelines, ZeroShotScoresEntailmentAcrossLabels) {
  auto m = load("bert_seqcls");  // labels L0..L2: none starts with "entail", so the last is
  const std::string text = "the cat sat on the mat";
  const std::vector<std::string> labels{"cat", "dog", "paris"};
  std::vector<std::vector<double>> logits;  // per label, the NLI pair's logits, computed here
  for (const auto& l : labels) {
    auto enc = *m->tokenizer()->encode_pair(text, "This example is " + l + ".");
    auto t = *m->logits(Batch{1, int64_t(enc.ids.size()), enc.ids, enc.attention_mask, enc.type_ids});
    logits.emplace_back(t.data(), t.data() + 3);
  }
  value single = run(*m, "zero-shot-classification", value(text), object{{"candidate_labels", "cat, dog,paris"}});
  ASSERT_TRUE(single.is_object());
  EXPECT_EQ(single.at("sequence").as_string(), text);
  std::vector<float> ent{float(logits[0][2]), float(logits[1][2]), float(logits[2][2])};
  auto p = softmax(ent.data(), 3);
  double prev = 2;
  for (size_t i = 0; i < 3; ++i) {
    std::string label(single.at("labels").as_array()[i].as_string());
    double score = single.at("scores").as_array()[i].as_double();
    size_t k = size_t(std::find(labels.begin(), labels.end(), label) - labels.begin());
    ASSERT_LT(k, 3u) << label;
    EXPECT_NEAR(score, p[k], 1e-6) << label;
    EXPECT_LE(score, prev);
    prev = score;
  }
  // multi_label: per label softmax of [contradiction (column 0), entailment (column 2)].
  value multi = run(*m, "zero-shot-classification", array{text, text},
                    object{{"candidate_labels", array{"dog"}}, {"hypothesis_template", "This example is {}."}});
  ASSERT_EQ(multi.as_array().size(), 2u);
  double want = 1 / (1 + std::exp(logits[1][0] - logits[1][2]));
  EXPECT_NEAR(multi.as_array()[1].at("scores").as_array()[0].as_double(), want, 1e-6);
  auto err = [&](const value& params) { return run_task(*m, "zero-shot-classification", value(text), params).error().code; };
  EXPECT_EQ(err(nullptr), Errc::invalid_argument);
  EXPECT_EQ(err(object{{"candidate_labels", array{}}}), Errc::invalid_argument);
  EXPECT_EQ(err(object{{"candidate_labels", 3}}), Errc::invalid_argument);
  EXPECT_EQ(err(object{{"candidate_labels", "a"}, {"hypothesis_template", "no slot"}}), Errc::invalid_argument);
  EXPECT_EQ(err(object{{"candidate_labels", "a"}, {"hypothesis_template", "{name}"}}), Errc::invalid_argument);
  // A premise longer than the model's 40 positions is truncated (only_first), not refused.
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "the cat sat ";
  value cut = run(*m, "zero-shot-classification", value(long_text), object{{"candidate_labels", "cat,dog"}});
  EXPECT_EQ(cut.at("labels").as_array().size(), 2u);
}

TEST_F(Pipelines, ListInputsGiveOneAnswerEach) {
  auto tc = load("bert_tokcls_sharded");
  value two = run(*tc, "token-classification", array{"sarah lives in london", "the cat"});
  ASSERT_EQ(two.as_array().size(), 2u);
  EXPECT_TRUE(two.as_array()[0].is_array());
  // An unknown word keeps its text in the grouped word (transformers uses the input span).
  value unk = run(*tc, "token-classification", value("Zzyzx"), object{{"ignore_labels", array{}}});
  ASSERT_EQ(unk.as_array().size(), 1u);
  EXPECT_EQ(unk.as_array()[0].at("word").as_string(), "Zzyzx");
  auto mlm = load("bert_mlm_tied_gelu_new");
  value one = run(*mlm, "fill-mask", array{"the [MASK] sat"});
  EXPECT_TRUE(one.as_array()[0].is_object());  // a one-element list answers as its element
  value pair = run(*mlm, "fill-mask", array{"the [MASK] sat", "a [MASK]"});
  EXPECT_TRUE(pair.as_array()[1].is_array());
  EXPECT_EQ(run_task(*mlm, "fill-mask", array{}, nullptr).error().code, Errc::invalid_argument);
}

TEST_F(Pipelines, WrongTaskOrHead) {
  auto m = load("bert_seqcls");
  EXPECT_EQ(run_task(*m, "fill-mask", value("[MASK]"), nullptr).error().code, Errc::unsupported);
  EXPECT_EQ(run_task(*m, "image-classification", value("x"), nullptr).error().code, Errc::unsupported);
  EXPECT_EQ(run_task(*m, "text-classification", value("x"), value(3)).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace hub::inference::pipelines
