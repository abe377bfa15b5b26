// Fixture shared by the CommitBuilder tests: a fresh bare repo from init_bare.
#pragma once

#include "git_test_util.h"
#include "storage/git/commit_builder.h"

namespace hub::storage::git::testing {

inline const Signature kAlice{"Alice", "alice@example.com", 1714566896000};

class CommitBuilderTest : public GitTest {
 protected:
  void SetUp() override {
    GitTest::SetUp();
    bare_ = path("r.git");
    auto r = Repo::init_bare(bare_);
    ASSERT_TRUE(r);
    repo_ = std::make_unique<Repo>(std::move(*r));
    main_ = *repo_->resolve_revision("main");
  }
  CommitBuilder builder(const std::string& parent) {
    auto b = CommitBuilder::start(*repo_, parent);
    EXPECT_TRUE(b) << b.error().message;
    return std::move(*b);
  }
  std::vector<std::string> files_at(const std::string& commit) {
    std::vector<std::string> out;
    auto entries = repo_->list_tree(commit, "", true);  // named: range-for must not dangle
    EXPECT_TRUE(entries);
    if (!entries) return out;
    for (const auto& e : *entries) {
      if (e.type == EntryType::file) out.push_back(e.path);
    }
    return out;
  }
  std::string bare_, main_;
  std::unique_ptr<Repo> repo_;
};

}  // namespace hub::storage::git::testing
