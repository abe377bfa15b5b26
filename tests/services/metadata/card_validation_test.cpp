// README.md validation shared by POST /api/validate-yaml and commits (card_validation.h),
// including malformed and hostile input: it must answer, never crash or throw.
#include "services/metadata/card_validation.h"

#include <gtest/gtest.h>

#include <random>

using namespace hub::services::metadata;

TEST(CardValidation, GoodCardHasNothingToSay) {
  auto v = validate_card(
      "---\nlicense: mit\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n---\n# Hi\n");
  EXPECT_TRUE(v.errors.empty());
  EXPECT_TRUE(v.warnings.empty());
}

TEST(CardValidation, EmptyOrMissingMetadataWarns) {
  for (std::string_view card : {"This is a modelcard without metadata", "---\n---\ntext", "", "---\n\n---\n"}) {
    auto v = validate_card(card);
    EXPECT_TRUE(v.errors.empty()) << card;
    ASSERT_EQ(v.warnings.size(), 1u) << card;
    EXPECT_EQ(v.warnings[0], kEmptyMetadataWarning);
  }
}

TEST(CardValidation, MalformedModelIndexIsAnError) {
  // huggingface_hub's INVALID_MODELCARD, which starts with a blank line.
  auto v = validate_card("\n---\nmodel-index: foo\n---\n\nThis is a modelcard with an invalid metadata section.\n");
  ASSERT_EQ(v.errors.size(), 1u);
  EXPECT_EQ(v.errors[0], "\"model-index\" must be an array");
  EXPECT_EQ(validate_card("---\nmodel-index:\n- foo\n---\n").errors.at(0), "\"model-index[0]\" must be of type object");
  EXPECT_EQ(validate_card("---\nmodel-index:\n- name: x\n---\n").errors.at(0), "\"model-index[0].results\" is required");
  EXPECT_EQ(validate_card("---\nmodel-index:\n- results: 3\n---\n").errors.at(0),
            "\"model-index[0].results\" must be an array");
  EXPECT_EQ(validate_card("---\nmodel-index:\n- results: [{}]\n---\n").errors.at(0),
            "\"model-index[0].results[0].task\" must be of type object");
}

TEST(CardValidation, InvalidYamlAndNonMappingsAreErrors) {
  EXPECT_FALSE(validate_card("---\nlicense: [mit\n---\n").errors.empty());
  EXPECT_FALSE(validate_card("---\n- a\n- b\n---\n").errors.empty());
  EXPECT_FALSE(validate_card("---\njust a string\n---\n").errors.empty());
}

TEST(CardValidation, HostileInputNeverThrows) {
  std::mt19937 rng(15);
  const std::string alphabet = "-:[]{}\n\t #&*!|>'\"%@`,?model-index\xff\xfe";
  for (int i = 0; i < 2000; ++i) {
    std::string s = "---\n";
    size_t n = rng() % 200;
    for (size_t k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    if (rng() % 2) s += "\n---\n";
    EXPECT_NO_THROW(validate_card(s));
  }
  EXPECT_NO_THROW(validate_card(std::string(100000, '[')));
  EXPECT_NO_THROW(validate_card("---\n" + std::string(5000, '[') + "\n---\n"));
  EXPECT_NO_THROW(validate_card("---\na: &x [*x]\n---\n"));
}
