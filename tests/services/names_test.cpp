#include "services/names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hub::services {
namespace {

TEST(Names, RepoNamesFollowTheHubRules) {
  for (const std::string& ok :
       std::vector<std::string>{"bert", "bert-base-uncased", "gpt2_v1.0", "A", "x.y-z_1", std::string(96, 'a')})
    EXPECT_TRUE(validate_repo_name(ok).has_value()) << ok;
  for (const std::string& bad : std::vector<std::string>{"", "../x", "a/b", "-x", "x-", ".x", "x.", "x--y", "x..y",
                                                         "x.git", "sp ace", "é", "a\\b", std::string(97, 'a')}) {
    auto r = validate_repo_name(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::invalid_argument);
    }
  }
}

TEST(Names, ReservedAccountNames) {
  for (auto bad : {"api", "API", "datasets", "spaces", "models", "login", "settings"})
    EXPECT_FALSE(validate_account_name(bad).has_value()) << bad;
  EXPECT_TRUE(validate_account_name("alice").has_value());
}

TEST(Names, RepoTypesAndPrefixes) {
  EXPECT_EQ(*parse_repo_type(""), "model");
  EXPECT_EQ(*parse_repo_type("datasets"), "dataset");
  EXPECT_EQ(*parse_repo_type("space"), "space");
  EXPECT_FALSE(parse_repo_type("kernel").has_value());
  EXPECT_EQ(repo_url_prefix("model"), "");
  EXPECT_EQ(repo_url_prefix("dataset"), "datasets/");
}

}  // namespace
}  // namespace hub::services
