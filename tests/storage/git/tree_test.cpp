// Tree, blob and history reading (Repo::list_tree, stat_path, read_blob, log, last commits)
// (LFS pointer text: tests/core/lfs_pointer_test.cpp).
#include "storage/git/repo.h"

#include <gtest/gtest.h>

#include "git_test_util.h"

namespace hub::storage::git {
namespace {
using namespace testing;

const std::string kSha = std::string(64, 'a');
const std::string kPointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + kSha +
                             "\nsize 548105171\n";

class TreeTest : public GitTest {
 protected:
  void SetUp() override {
    GitTest::SetUp();
    bare_ = path("r.git");
    ASSERT_TRUE(Repo::init_bare(bare_));
    ASSERT_EQ(sh("git clone -q " + quote(bare_) + " " + quote(path("w"))).rc, 0);
    c0_ = git("rev-parse HEAD");
    write_text(path("w/README.md"), "# hello\n");
    write_text(path("w/sub/a.txt"), "aaa\n");
    write_text(path("w/sub/deep/model.bin"), kPointer);
    write_text(path("w/sub/fake.bin"), "version https://git-lfs.github.com/spec/v1\nnope\n");
    write_text(path("w/run.sh"), "#!/bin/sh\n");
    std::filesystem::permissions(path("w/run.sh"), std::filesystem::perms::owner_exec,
                                 std::filesystem::perm_options::add);
    git("add -A");
    git("commit -q -m " + quote("add files"));
    c1_ = git("rev-parse HEAD");
    write_text(path("w/README.md"), "# hello again\n");
    git("commit -q -am " + quote("edit readme"));
    c2_ = git("rev-parse HEAD");
    write_text(path("w/sub/a.txt"), "bbb\n");
    git("commit -q -am " + quote("edit sub"));
    c3_ = git("rev-parse HEAD");
    git("push -q origin main");
    auto r = Repo::open(bare_);
    ASSERT_TRUE(r);
    repo_ = std::make_unique<Repo>(std::move(*r));
  }
  std::string git(const std::string& args) {
    auto r = sh(git_cmd(path("w")) + args);
    EXPECT_EQ(r.rc, 0) << args << "\n" << r.out;
    return trim(r.out);
  }
  std::string bare_, c0_, c1_, c2_, c3_;
  std::unique_ptr<Repo> repo_;
};

std::vector<std::string> paths_of(const std::vector<TreeEntry>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.path);
  return out;
}

TEST_F(TreeTest, ListRootAndRecursive) {
  auto root = repo_->list_tree(c3_, "", false);
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(paths_of(*root),
            (std::vector<std::string>{".gitattributes", "README.md", "run.sh", "sub"}));
  for (const auto& e : *root) {
    EXPECT_EQ(e.oid, git("rev-parse HEAD:" + e.path)) << e.path;
    if (e.type == EntryType::file) {
      EXPECT_EQ(std::to_string(e.size), git("cat-file -s HEAD:" + e.path));
    }
  }
  EXPECT_EQ((*root)[3].type, EntryType::directory);
  EXPECT_TRUE((*root)[2].executable);

  auto all = repo_->list_tree(c3_, "/", true);
  ASSERT_TRUE(all);
  EXPECT_EQ(paths_of(*all),
            (std::vector<std::string>{".gitattributes", "README.md", "run.sh", "sub", "sub/a.txt",
                                      "sub/deep", "sub/deep/model.bin", "sub/fake.bin"}));
  const TreeEntry& lfs = (*all)[6];
  ASSERT_TRUE(lfs.lfs);
  EXPECT_EQ(lfs.lfs->oid, kSha);
  EXPECT_EQ(lfs.lfs->size, 548105171u);
  EXPECT_EQ(lfs.lfs->pointer_size, kPointer.size());
  EXPECT_EQ(lfs.size, kPointer.size());
  EXPECT_FALSE((*all)[7].lfs);  // starts like a pointer, is not one

  auto sub = repo_->list_tree(c3_, "sub/", false);
  ASSERT_TRUE(sub);
  EXPECT_EQ(paths_of(*sub), (std::vector<std::string>{"sub/a.txt", "sub/deep", "sub/fake.bin"}));
  // At an older commit the old content is listed.
  auto old = repo_->stat_path(c1_, "sub/a.txt");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->oid, git("rev-parse " + c1_ + ":sub/a.txt"));

  for (const char* missing : {"nope", "README.md", "sub/a.txt/x"}) {
    auto r = repo_->list_tree(c3_, missing, false);
    ASSERT_FALSE(r) << missing;
    EXPECT_EQ(r.error().detail, Detail::EntryNotFound);
  }
  EXPECT_EQ(repo_->list_tree(std::string(40, 'f'), "", false).error().detail, Detail::RevisionNotFound);
}

TEST_F(TreeTest, StatAndReadBlob) {
  auto dir = repo_->stat_path(c3_, "sub/deep");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->type, EntryType::directory);
  EXPECT_EQ(dir->oid, git("rev-parse HEAD:sub/deep"));
  auto root = repo_->stat_path(c3_, "");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->oid, git("rev-parse HEAD^{tree}"));
  EXPECT_EQ(repo_->stat_path(c3_, "sub/nope").error().detail, Detail::EntryNotFound);

  EXPECT_EQ(repo_->read_blob(c3_, "README.md", 100).value_or(""), "# hello again\n");
  EXPECT_EQ(repo_->read_blob(c1_, "README.md", 100).value_or(""), "# hello\n");
  EXPECT_EQ(repo_->read_blob(c3_, "sub/deep/model.bin", 1000).value_or(""), kPointer);
  auto big = repo_->read_blob(c3_, "README.md", 5);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::too_large);
  EXPECT_EQ(repo_->read_blob(c3_, "sub", 100).error().detail, Detail::EntryNotFound);
  EXPECT_EQ(repo_->read_blob(c3_, "missing", 100).error().detail, Detail::EntryNotFound);
}

TEST_F(TreeTest, LogPagesAndFiltersByPath) {
  auto all = repo_->log(c3_, 0, 100);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 4u);
  ASSERT_EQ(all->commits.size(), 4u);
  EXPECT_EQ(all->commits[0].id, c3_);
  EXPECT_EQ(all->commits[3].id, c0_);
  EXPECT_EQ(all->commits[3].title, "initial commit");
  EXPECT_EQ(all->commits[0].author_name, "Tester");
  EXPECT_EQ(all->commits[0].author_email, "tester@example.com");
  EXPECT_EQ(all->commits[0].parents, std::vector<std::string>{c2_});
  EXPECT_TRUE(all->commits[0].date.ends_with("Z"));

  auto page = repo_->log(c3_, 1, 2);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 4u);
  ASSERT_EQ(page->commits.size(), 2u);
  EXPECT_EQ(page->commits[0].id, c2_);
  EXPECT_EQ(page->commits[1].id, c1_);

  auto readme = repo_->log(c3_, 0, 100, "README.md");
  ASSERT_TRUE(readme);
  ASSERT_EQ(readme->total, 2u);
  EXPECT_EQ(readme->commits[0].id, c2_);
  EXPECT_EQ(readme->commits[1].id, c1_);
  auto sub = repo_->log(c3_, 0, 100, "sub");
  ASSERT_TRUE(sub);
  ASSERT_EQ(sub->total, 2u);
  EXPECT_EQ(sub->commits[0].id, c3_);
  EXPECT_EQ(repo_->log(c2_, 0, 100, "sub/a.txt")->total, 1u);
}

TEST_F(TreeTest, LastCommitForPaths) {
  auto r = repo_->last_commits_for_paths(
      c3_, {"README.md", "sub", "sub/deep/model.bin", ".gitattributes", "missing"});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0]->id, c2_);
  EXPECT_EQ((*r)[1]->id, c3_);
  EXPECT_EQ((*r)[2]->id, c1_);
  EXPECT_EQ((*r)[3]->id, c0_);
  EXPECT_EQ((*r)[3]->title, "initial commit");
  EXPECT_FALSE((*r)[4]);
}

}  // namespace
}  // namespace hub::storage::git
