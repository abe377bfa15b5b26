// storage/git/merge.h: ancestry, commits a ref gained, in-memory three-way merges (issue 17).
#include "storage/git/merge.h"

#include "commit_builder_fixture.h"
#include "storage/git/diff.h"

namespace hub::storage::git::testing {
namespace {

class MergeTest : public CommitBuilderTest {
 protected:
  // A commit on `parent` putting `files` (path, content).
  std::string commit(const std::string& parent, std::vector<std::pair<std::string, std::string>> files,
                     const std::string& summary) {
    auto b = builder(parent);
    for (auto& [p, c] : files) EXPECT_TRUE(b.put_file(p, c));
    auto id = b.write(CommitOptions{summary, "", kAlice, std::nullopt});
    EXPECT_TRUE(id) << id.error().message;
    return *id;
  }
  CommitOptions opts() { return CommitOptions{"Merge", "", kAlice, std::nullopt}; }
};

TEST_F(MergeTest, AncestryAndMergeBase) {
  auto a = commit(main_, {{"a.txt", "a\n"}}, "a");
  auto b = commit(main_, {{"b.txt", "b\n"}}, "b");
  EXPECT_TRUE(*is_ancestor(*repo_, main_, a));
  EXPECT_TRUE(*is_ancestor(*repo_, a, a));
  EXPECT_FALSE(*is_ancestor(*repo_, a, main_));
  EXPECT_FALSE(*is_ancestor(*repo_, a, b));
  EXPECT_EQ(*merge_base(*repo_, a, b), main_);
  EXPECT_FALSE(is_ancestor(*repo_, "not-a-sha", a));
}

TEST_F(MergeTest, CommitsSinceHidesKnownTips) {
  auto a = commit(main_, {{"a.txt", "a\n"}}, "one");
  auto b = commit(a, {{"b.txt", "b\n"}}, "two");
  auto c = commit(b, {{"c.txt", "c\n"}}, "three");
  auto all = commits_since(*repo_, c, {main_}, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].title, "one");  // oldest first
  EXPECT_EQ((*all)[2].title, "three");
  auto newer = commits_since(*repo_, c, {a, std::string(40, '0')}, 10);  // unknown ids are ignored
  ASSERT_TRUE(newer);
  ASSERT_EQ(newer->size(), 2u);
  EXPECT_EQ((*newer)[0].id, b);
  auto capped = commits_since(*repo_, c, {main_}, 1);
  ASSERT_TRUE(capped);
  ASSERT_EQ(capped->size(), 1u);
  EXPECT_EQ((*capped)[0].id, c);  // the newest are kept
}

TEST_F(MergeTest, CleanMergeWritesTwoParentCommit) {
  auto ours = commit(main_, {{"a.txt", "a\n"}, {"shared.txt", "1\n2\n3\n4\n5\n6\n7\n8\n"}}, "ours");
  auto theirs = commit(ours, {{"b.txt", "b\n"}, {"shared.txt", "1\n2\n3\n4\n5\n6\n7\nEIGHT\n"}}, "theirs");
  auto ours2 = commit(ours, {{"shared.txt", "ONE\n2\n3\n4\n5\n6\n7\n8\n"}}, "ours2");
  auto m = merge_commits(*repo_, ours2, theirs, opts());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->conflicts.empty());
  ASSERT_EQ(m->commit.size(), 40u);
  auto info = repo_->commit_info(m->commit);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->parents, (std::vector<std::string>{ours2, theirs}));
  EXPECT_EQ(*repo_->read_blob(m->commit, "shared.txt", 1 << 20), "ONE\n2\n3\n4\n5\n6\n7\nEIGHT\n");
  EXPECT_EQ(*repo_->read_blob(m->commit, "b.txt", 1 << 20), "b\n");
  EXPECT_EQ(*repo_->read_blob(m->commit, "a.txt", 1 << 20), "a\n");
}

TEST_F(MergeTest, ConflictsAreListedAndNothingIsWritten) {
  auto ours = commit(main_, {{"x.txt", "ours\n"}, {"same.txt", "s\n"}}, "ours");
  auto theirs = commit(main_, {{"x.txt", "theirs\n"}, {"same.txt", "s\n"}, {"y.txt", "y\n"}}, "theirs");
  auto m = merge_commits(*repo_, ours, theirs, opts());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->conflicts, (std::vector<std::string>{"x.txt"}));
  EXPECT_TRUE(m->commit.empty());
  auto dry = merge_commits(*repo_, ours, theirs, opts(), true);
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->conflicts, m->conflicts);
}

TEST_F(MergeTest, DiffRangeAndPatchText) {
  auto a = commit(main_, {{"a.txt", "one\n"}}, "a");
  auto b = commit(a, {{"a.txt", "one\ntwo\n"}, {"n.txt", "new\n"}}, "b");
  auto d = diff_range(*repo_, main_, b);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->files.size(), 2u);
  auto text = diff_patch_text(*repo_, a, b, 1 << 20);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("+two"), std::string::npos);
  EXPECT_NE(text->find("+++ b/n.txt"), std::string::npos);
  EXPECT_EQ(text->find("a.txt\n-one"), std::string::npos);
  auto cut = diff_patch_text(*repo_, main_, b, 10);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->size(), 10u);
}

}  // namespace
}  // namespace hub::storage::git::testing
