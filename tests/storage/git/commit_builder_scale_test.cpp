// CommitBuilder at scale (label "slow"): 10,000 files in one commit.
#include "storage/git/commit_builder.h"

#include <gtest/gtest.h>

#include "commit_builder_fixture.h"

namespace hub::storage::git {
namespace {
using namespace testing;

TEST_F(CommitBuilderTest, TenThousandFilesInOneCommit) {
  auto b = builder(main_);
  for (int i = 0; i < 10000; ++i) {
    std::string p = "data/shard" + std::to_string(i % 50) + "/f" + std::to_string(i) + ".txt";
    ASSERT_TRUE(b.put_file(p, "content " + std::to_string(i) + "\n"));
  }
  ASSERT_TRUE(b.put_file("flat/x", "y"));
  auto id = b.commit_to("refs/heads/main", {"many files", "", kAlice, std::nullopt});
  ASSERT_TRUE(id) << id.error().message;
  auto all = repo_->list_tree(*id, "data", true);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 10000u + 50u);
  EXPECT_EQ(repo_->read_blob(*id, "data/shard7/f9957.txt", 100).value_or(""), "content 9957\n");
  // A follow-up commit touching one file reuses the 49 untouched shard trees.
  auto next = builder(*id);
  ASSERT_TRUE(next.delete_file("data/shard3/f3.txt"));
  auto id2 = next.commit_to("refs/heads/main", {"one less", "", kAlice, std::nullopt});
  ASSERT_TRUE(id2);
  EXPECT_EQ(repo_->stat_path(*id2, "data/shard4")->oid, repo_->stat_path(*id, "data/shard4")->oid);
  EXPECT_NE(repo_->stat_path(*id2, "data/shard3")->oid, repo_->stat_path(*id, "data/shard3")->oid);
  EXPECT_EQ(repo_->list_tree(*id2, "data", true)->size(), 10000u + 50u - 1u);
}

}  // namespace
}  // namespace hub::storage::git
