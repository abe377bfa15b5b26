#include "services/metadata/model_card.h"

#include <gtest/gtest.h>

#include <string>

namespace md = hub::services::metadata;
namespace json = hub::json;

namespace {
std::string data_of(const md::ModelCard& card) { return json::serialize(card.data); }
}  // namespace

TEST(ModelCard, SplitsFrontMatterAndBody) {
  auto card = md::parse_model_card("---\nlicense: mit\ntags:\n- a\n- b\n---\n# Title\nbody\n");
  ASSERT_TRUE(card.has_front_matter);
  EXPECT_TRUE(card.errors.empty());
  EXPECT_EQ(data_of(card), R"({"license":"mit","tags":["a","b"]})");
  EXPECT_EQ(card.body, "# Title\nbody\n");
}

TEST(ModelCard, CrlfLineEnds) {
  auto card = md::parse_model_card("---\r\nlicense: mit\r\nlanguage: en\r\n---\r\nHello\r\n");
  ASSERT_TRUE(card.has_front_matter);
  EXPECT_EQ(data_of(card), R"({"license":"mit","language":"en"})");
  EXPECT_EQ(card.body, "Hello\r\n");
}

TEST(ModelCard, ByteOrderMarkAndLeadingBlankLines) {
  auto card = md::parse_model_card("\xEF\xBB\xBF\n  \n---\nlicense: mit\n---\nx");
  ASSERT_TRUE(card.has_front_matter);
  EXPECT_EQ(data_of(card), R"({"license":"mit"})");
  EXPECT_EQ(card.body, "x");
}

TEST(ModelCard, DelimiterWithTrailingSpacesAndNoFinalNewline) {
  auto card = md::parse_model_card("---  \nlicense: mit\n--- ");
  ASSERT_TRUE(card.has_front_matter);
  EXPECT_EQ(data_of(card), R"({"license":"mit"})");
  EXPECT_EQ(card.body, "");
}

TEST(ModelCard, NoClosingDelimiterKeepsWholeTextAsBody) {
  std::string text = "---\nlicense: mit\n# no end\n";
  auto card = md::parse_model_card(text);
  EXPECT_FALSE(card.has_front_matter);
  EXPECT_TRUE(card.data.empty());
  EXPECT_EQ(card.body, text);
  ASSERT_EQ(card.errors.size(), 1u);
  EXPECT_NE(card.errors[0].find("never closed"), std::string::npos);
}

TEST(ModelCard, EmptyFrontMatterAndEmptyReadme) {
  auto card = md::parse_model_card("---\n---\nbody");
  EXPECT_TRUE(card.has_front_matter);
  EXPECT_TRUE(card.data.empty());
  EXPECT_TRUE(card.errors.empty());
  EXPECT_EQ(card.body, "body");
  auto empty = md::parse_model_card("");
  EXPECT_FALSE(empty.has_front_matter);
  EXPECT_TRUE(empty.body.empty());
  EXPECT_TRUE(empty.errors.empty());
}

TEST(ModelCard, NotAtStartIsNotFrontMatter) {
  auto card = md::parse_model_card("# Title\n---\nlicense: mit\n---\n");
  EXPECT_FALSE(card.has_front_matter);
  EXPECT_TRUE(card.data.empty());
  // "----" is a Markdown rule, not a delimiter.
  EXPECT_FALSE(md::parse_model_card("----\nlicense: mit\n----\n").has_front_matter);
}

TEST(ModelCard, CoreSchemaTyping) {
  auto card = md::parse_model_card(
      "---\na: 5\nb: -7\nc: 1.5\nd: true\ne: no\nf: ~\ng: '5'\nh: 0x1F\ni: 1e3\nj: .inf\n"
      "k: 99999999999999999999\nl: \"true\"\nm:\nn: !!str 12\n---\n");
  ASSERT_TRUE(card.errors.empty()) << card.errors[0];
  EXPECT_EQ(card.data.at("a"), json::value(5));
  EXPECT_EQ(card.data.at("b"), json::value(-7));
  EXPECT_EQ(card.data.at("c"), json::value(1.5));
  EXPECT_EQ(card.data.at("d"), json::value(true));
  EXPECT_EQ(card.data.at("e"), json::value("no"));  // YAML 1.2: Norwegian stays a string
  EXPECT_TRUE(card.data.at("f").is_null());
  EXPECT_EQ(card.data.at("g"), json::value("5"));
  EXPECT_EQ(card.data.at("h"), json::value(31));
  EXPECT_EQ(card.data.at("i"), json::value(1000.0));
  EXPECT_EQ(card.data.at("j"), json::value(".inf"));
  EXPECT_TRUE(card.data.at("k").is_uint64() || card.data.at("k").is_double());
  EXPECT_EQ(card.data.at("l"), json::value("true"));
  EXPECT_TRUE(card.data.at("m").is_null());
  EXPECT_EQ(card.data.at("n"), json::value("12"));
}

TEST(ModelCard, MalformedYamlRecordsErrorAndKeepsBody) {
  auto card = md::parse_model_card("---\nlicense: [mit\ntags: {a\n---\nThe body\n");
  EXPECT_TRUE(card.has_front_matter);
  EXPECT_TRUE(card.data.empty());
  ASSERT_FALSE(card.errors.empty());
  EXPECT_NE(card.errors[0].find("YAML"), std::string::npos);
  EXPECT_EQ(card.body, "The body\n");
}

TEST(ModelCard, TabIndentationAndBadIndentAreErrorsNotCrashes) {
  for (const char* yaml : {"a:\n\t- b\n", "a: b\n  c: d\n", "- a\nb: c\n", "a: &x\nb: *y\n",
                           "? [a, b]\n: c\n", "a: !<tag> 1\n", "\"unterminated\n", "a: |\n  x\n y\n"}) {
    auto card = md::parse_model_card(std::string("---\n") + yaml + "---\nbody");
    EXPECT_EQ(card.body, "body") << yaml;
  }
}

TEST(ModelCard, NonMappingFrontMatterIsIgnored) {
  auto card = md::parse_model_card("---\n- a\n- b\n---\n");
  EXPECT_TRUE(card.data.empty());
  ASSERT_EQ(card.errors.size(), 1u);
  EXPECT_NE(card.errors[0].find("not a YAML mapping"), std::string::npos);
}

TEST(ModelCard, ComplexKeysAreSkipped) {
  auto card = md::parse_model_card("---\n? [a, b]\n: c\nlicense: mit\n---\n");
  EXPECT_EQ(data_of(card), R"({"license":"mit"})");
  EXPECT_EQ(card.errors.size(), 1u);
}

TEST(ModelCard, DeepFlowNestingIsRejectedBeforeYamlCpp) {
  std::string yaml = "a: " + std::string(10'000, '[') + std::string(10'000, ']') + "\n";
  auto card = md::parse_model_card("---\n" + yaml + "---\nbody");
  EXPECT_TRUE(card.data.empty());
  ASSERT_FALSE(card.errors.empty());
  EXPECT_NE(card.errors[0].find("nests deeper"), std::string::npos);
  EXPECT_EQ(card.body, "body");
}

TEST(ModelCard, DeepBlockSequenceNestingIsRejected) {
  std::string yaml = "a: ";
  for (int i = 0; i < 10'000; ++i) yaml += "- ";
  yaml += "x\n";
  auto card = md::parse_model_card("---\n" + yaml + "---\n");
  EXPECT_TRUE(card.data.empty());
  EXPECT_FALSE(card.errors.empty());
}

TEST(ModelCard, DeepIndentedMappingsAreRejected) {
  std::string yaml;
  for (int i = 0; i < 10'000; ++i) yaml += std::string(i % 300, ' ') + "k:\n";
  auto card = md::parse_model_card("---\n" + yaml + "---\n");
  EXPECT_TRUE(card.data.empty());
  EXPECT_FALSE(card.errors.empty());
}

TEST(ModelCard, ModeratelyDeepValueOverJsonDepthDropsOnlyThatKey) {
  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto card = md::parse_model_card("---\nlicense: mit\ndeep: " + deep + "\n---\n");
  EXPECT_EQ(data_of(card), R"({"license":"mit"})");
  ASSERT_EQ(card.errors.size(), 1u);
  EXPECT_NE(card.errors[0].find("cardData.deep dropped"), std::string::npos);
}

TEST(ModelCard, BillionLaughsIsStoppedByNodeBudget) {
  std::string yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, char(c - 1));
    yaml += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ",*" : "*") + prev;
    yaml += "]\n";
  }
  yaml += "license: mit\n";
  auto card = md::parse_model_card("---\n" + yaml + "---\nok");
  EXPECT_TRUE(card.has_front_matter);
  EXPECT_FALSE(card.errors.empty());
  EXPECT_FALSE(card.data.contains("j"));  // 9^10 values never materialise
  EXPECT_TRUE(card.data.contains("a"));   // small keys before the bomb survive
  EXPECT_EQ(card.body, "ok");
}

TEST(ModelCard, ManyKeysAliasingOneAnchorShareTheBudget) {
  std::string yaml = "big: &b [" + std::string("x,", 0);
  for (int i = 0; i < 5000; ++i) yaml += i ? ",1" : "1";
  yaml += "]\n";
  for (int i = 0; i < 5000; ++i) yaml += "k" + std::to_string(i) + ": *b\n";
  md::CardLimits limits;
  auto card = md::parse_model_card("---\n" + yaml + "---\n", limits);
  EXPECT_LE(card.data.size(), limits.max_nodes / 5000 + 1);
  EXPECT_EQ(card.errors.size(), limits.max_errors);
}

TEST(ModelCard, LargeStringAliasedManyTimesIsStoppedByByteBudget) {
  std::string yaml = "s: &s " + std::string(100'000, 'x') + "\nl: [";
  for (int i = 0; i < 1000; ++i) yaml += i ? ",*s" : "*s";
  yaml += "]\n";
  auto card = md::parse_model_card("---\n" + yaml + "---\n");
  EXPECT_TRUE(card.data.contains("s"));
  EXPECT_FALSE(card.data.contains("l"));
  ASSERT_FALSE(card.errors.empty());
  EXPECT_NE(card.errors[0].find("bytes"), std::string::npos);
}

TEST(ModelCard, SelfReferencingAliasTerminates) {
  auto card = md::parse_model_card("---\na: &a [*a]\nb: &b {k: *b}\nlicense: mit\n---\n");
  EXPECT_EQ(card.data.at("license"), json::value("mit"));
}

TEST(ModelCard, OversizedFrontMatterIsIgnoredBodyKept) {
  std::string yaml = "description: \"" + std::string(600 * 1024, 'a') + "\"\n";
  auto card = md::parse_model_card("---\n" + yaml + "---\nbody");
  EXPECT_TRUE(card.data.empty());
  ASSERT_EQ(card.errors.size(), 1u);
  EXPECT_NE(card.errors[0].find("more than"), std::string::npos);
  EXPECT_EQ(card.body, "body");
}

TEST(ModelCard, TenMegabyteReadme) {
  std::string body;
  body.reserve(10 * 1024 * 1024 + 64);
  while (body.size() < 10 * 1024 * 1024) body += "Some markdown text, with [links](x) and `code`.\n";
  auto card = md::parse_model_card("---\nlicense: mit\n---\n" + body);
  EXPECT_EQ(card.data.at("license"), json::value("mit"));
  EXPECT_EQ(card.body.size(), body.size());
  auto no_meta = md::parse_model_card(body);
  EXPECT_FALSE(no_meta.has_front_matter);
  EXPECT_EQ(no_meta.body.size(), body.size());
}

TEST(ModelCard, InvalidUtf8IsReplacedEverywhere) {
  std::string text = "---\nlicense: mit\nname: \"a\xff\xfe" "b\"\n\xc3\x28: v\n---\nbody \xe2\x82 end\xf0\x9f\x98\x80";
  auto card = md::parse_model_card(text);
  ASSERT_FALSE(card.errors.empty());
  EXPECT_NE(card.errors[0].find("UTF-8"), std::string::npos);
  EXPECT_EQ(card.data.at("name"), json::value("a\xEF\xBF\xBD\xEF\xBF\xBD" "b"));
  EXPECT_EQ(card.body, "body \xEF\xBF\xBD\xEF\xBF\xBD end\xf0\x9f\x98\x80");
  // Whatever came in, the JSON we produce round-trips.
  EXPECT_TRUE(json::parse(json::serialize(card.data)).has_value());
}

TEST(ModelCard, Utf8SanitizerRejectsOverlongAndSurrogates) {
  bool replaced = false;
  EXPECT_EQ(md::sanitize_utf8("\xc0\xaf", &replaced), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(replaced);
  EXPECT_EQ(md::sanitize_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(md::sanitize_utf8("\xf4\x90\x80\x80").find("\xf4"), std::string::npos);
  EXPECT_EQ(md::sanitize_utf8("h\xc3\xa9llo", &replaced), "h\xc3\xa9llo");
  EXPECT_FALSE(replaced);
}

// Fuzz-style: mutated cards never crash, always yield valid JSON, and keep the limits.
TEST(ModelCard, RandomMutationsStayWellFormed) {
  const std::string seed =
      "---\nlicense: apache-2.0\nlanguage: [en, fr]\ntags:\n- a\n- &t b\n- *t\nmodel-index:\n"
      "- name: m\n  results:\n  - task: {type: text-classification}\n    metrics:\n"
      "    - {type: acc, value: 0.9}\nwidget:\n- text: \"hi\"\n  example_title: 'x'\n---\nbody\n";
  const std::string alphabet = "-:[]{}&*!|>'\"#?,\n\t \xff\xc3\x80" "ab1";
  uint32_t state = 12345;
  auto next = [&] { state = state * 1664525u + 1013904223u; return state >> 8; };
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = seed;
    int edits = 1 + next() % 8;
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = next() % (text.size() + 1);
      switch (next() % 3) {
        case 0: text.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
        case 1: if (pos < text.size()) text.erase(pos, 1); break;
        default: if (pos < text.size()) text[pos] = alphabet[next() % alphabet.size()]; break;
      }
    }
    auto card = md::parse_model_card(text);
    ASSERT_TRUE(json::parse(json::serialize(card.data)).has_value()) << text;
    ASSERT_LE(card.errors.size(), md::CardLimits{}.max_errors);
  }
}
