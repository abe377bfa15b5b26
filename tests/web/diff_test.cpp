// storage/git/diff.h as the commit page uses it: text hunks, LFS and binary summaries, limits.
#include "storage/git/diff.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/lfs_pointer.h"
#include "storage/git/commit_builder.h"

namespace hub::storage::git {
namespace {

class DiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hubd-diff-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto r = Repo::init_bare(dir_.string());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    repo_.emplace(std::move(*r));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string commit(const std::function<void(CommitBuilder&)>& ops) {
    auto head = repo_->resolve_revision("main");
    auto b = CommitBuilder::start(*repo_, *head);
    ops(*b);
    CommitOptions o;
    o.summary = "change";
    o.author = {"t", "t@x", 0};
    auto id = b->commit_to("refs/heads/main", o);
    EXPECT_TRUE(id.has_value()) << id.error().message;
    return *id;
  }

  std::filesystem::path dir_;
  std::optional<Repo> repo_;
};

TEST_F(DiffTest, TextChangesBecomeHunks) {
  commit([](CommitBuilder& b) { ASSERT_TRUE(b.put_file("a.txt", "one\ntwo\nthree\n").has_value()); });
  auto id = commit([](CommitBuilder& b) {
    ASSERT_TRUE(b.put_file("a.txt", "one\n2\nthree\nfour\n").has_value());
    ASSERT_TRUE(b.put_file("new.txt", "hello\n").has_value());
  });
  auto d = diff_commit(*repo_, id);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_EQ(d->files.size(), 2u);
  const FileDiff& a = d->files[0];
  EXPECT_EQ(a.new_path, "a.txt");
  EXPECT_EQ(a.status, 'M');
  EXPECT_EQ(a.additions, 2u);
  EXPECT_EQ(a.deletions, 1u);
  ASSERT_EQ(a.hunks.size(), 1u);
  bool saw_removed = false, saw_added = false;
  for (auto& l : a.hunks[0].lines) {
    saw_removed |= l.origin == '-' && l.text == "two" && l.old_lineno == 2;
    saw_added |= l.origin == '+' && l.text == "four" && l.new_lineno == 4;
  }
  EXPECT_TRUE(saw_removed);
  EXPECT_TRUE(saw_added);
  EXPECT_EQ(d->files[1].status, 'A');
  EXPECT_EQ(d->parent.size(), 40u);
}

TEST_F(DiffTest, LfsAndBinaryChangesAreSummarised) {
  std::string oid(64, 'a');
  auto id = commit([&](CommitBuilder& b) {
    ASSERT_TRUE(b.put_lfs_pointer("model.bin", oid, 123456).has_value());
    ASSERT_TRUE(b.put_file("blob.dat", std::string("\0\1\2\3binary", 10)).has_value());
  });
  auto d = diff_commit(*repo_, id);
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->files.size(), 2u);
  for (auto& f : d->files) {
    EXPECT_TRUE(f.hunks.empty()) << f.new_path;
    if (f.new_path == "model.bin") {
      ASSERT_TRUE(f.new_lfs.has_value());
      EXPECT_EQ(f.new_lfs->oid, oid);
      EXPECT_EQ(f.new_lfs->size, 123456u);
    } else {
      EXPECT_TRUE(f.binary);
    }
  }
}

TEST_F(DiffTest, LimitsCutTheDiff) {
  std::string big;
  for (int i = 0; i < 500; ++i) big += "line " + std::to_string(i) + "\n";
  auto id = commit([&](CommitBuilder& b) {
    ASSERT_TRUE(b.put_file("big.txt", big).has_value());
    ASSERT_TRUE(b.put_file("b.txt", "x\n").has_value());
    ASSERT_TRUE(b.put_file("c.txt", "y\n").has_value());
  });
  DiffLimits lim;
  lim.max_lines_per_file = 100;
  lim.max_files = 2;
  auto d = diff_commit(*repo_, id, lim);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->truncated);
  EXPECT_EQ(d->files.size(), 2u);
  const FileDiff& f = d->files[1].new_path == "big.txt" ? d->files[1] : d->files[0];
  EXPECT_TRUE(f.truncated);
  EXPECT_EQ(f.additions, 500u);  // counted in full even when lines are cut
  size_t shown = 0;
  for (auto& h : f.hunks) shown += h.lines.size();
  EXPECT_EQ(shown, 100u);
}

TEST_F(DiffTest, UnknownCommitIsNotFound) {
  auto d = diff_commit(*repo_, std::string(40, '1'));
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, Errc::not_found);
}

}  // namespace
}  // namespace hub::storage::git
