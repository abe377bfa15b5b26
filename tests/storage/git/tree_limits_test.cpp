// Tree limits (tree_limits.h): a "tree bomb" (one subtree reused at every level, a few objects
// describing 10^5 paths) is counted by its distinct objects and refused past the limits, by
// check_tree, the push check, CommitBuilder::write and every walk (list_tree, the LFS pointer
// scan); pages of a listing; super-squash's root commit keeps modes.
#include "storage/git/tree_limits.h"

#include <gtest/gtest.h>

#include "git_test_util.h"
#include "storage/git/commit_builder.h"
#include "storage/git/diff.h"
#include "storage/git/lfs_pointer.h"
#include "storage/git/repo.h"

namespace hub::storage::git {
namespace {
using namespace testing;

const std::string kPointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(64, 'b') +
                             "\nsize 12345\n";

class TreeLimitsTest : public GitTest {
 protected:
  void SetUp() override {
    GitTest::SetUp();
    saved_ = tree_limits();
    bare_ = path("r.git");
    ASSERT_TRUE(Repo::init_bare(bare_));
  }
  void TearDown() override {
    set_tree_limits(saved_);
    GitTest::TearDown();
  }
  std::string git(const std::string& args, const std::string& input = "") {
    std::string cmd = git_cmd(bare_) + args;
    if (!input.empty()) cmd = "printf '%s' " + quote(input) + " | " + cmd;
    auto r = sh(cmd);
    EXPECT_EQ(r.rc, 0) << cmd << "\n" << r.out;
    return trim(r.out);
  }
  // A tree of `levels` levels, each folder holding `fanout` copies of the level below; the
  // bottom holds `fanout` files of one blob. fanout^levels files from levels+1 tree objects.
  std::string bomb_tree(int levels, int fanout, const std::string& blob_text = "x") {
    std::string blob = git("hash-object -w --stdin", blob_text);
    std::string lines;
    for (int i = 0; i < fanout; ++i) lines += "100644 blob " + blob + "\tf" + std::to_string(i) + "\n";
    std::string tree = git("mktree", lines);
    for (int l = 1; l < levels; ++l) {
      lines.clear();
      for (int i = 0; i < fanout; ++i) lines += "040000 tree " + tree + "\td" + std::to_string(i) + "\n";
      tree = git("mktree", lines);
    }
    return tree;
  }
  std::string commit_of(const std::string& tree, const std::string& parent = "") {
    return git("commit-tree " + tree + (parent.empty() ? "" : " -p " + parent) + " -m bomb");
  }

  TreeLimits saved_;
  std::string bare_;
};

TEST_F(TreeLimitsTest, SharedSubtreesAreCountedOnceAndRefusedPastTheLimit) {
  std::string tree = bomb_tree(5, 10);  // 10^5 files + 11110 folders, 5 tree objects
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  auto ok = check_tree(*repo, tree, TreeLimits{200'000, 64});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->entries, 111'110u);
  EXPECT_EQ(ok->depth, 4u);
  auto over = check_tree(*repo, tree, TreeLimits{100'000, 64});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::too_large);
  EXPECT_EQ(over.error().detail, Detail::TreeTooLarge);
  EXPECT_NE(over.error().message.find("more than 100000 files and folders"), std::string::npos) << over.error().message;
  auto deep = check_tree(*repo, tree, TreeLimits{200'000, 3});
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message.find("deeper than 3"), std::string::npos) << deep.error().message;
}

TEST_F(TreeLimitsTest, AFolderTooBigForTheLimitIsRefusedBeforeParsing) {
  std::string tree = bomb_tree(1, 2000);  // one folder of 2000 files
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  auto r = check_tree(*repo, tree, TreeLimits{50, 64});  // a 50-entry folder is ~19 KB at most
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too many entries"), std::string::npos) << r.error().message;
}

TEST_F(TreeLimitsTest, PushCheckRefusesOnlyNewCommitsOverTheLimit) {
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  std::string main = *repo->resolve_revision("main");
  std::string small = commit_of(bomb_tree(2, 10), main);  // 110 entries
  std::string bomb = commit_of(bomb_tree(5, 10), small);
  PushCheckOptions opts;
  opts.limits = TreeLimits{1000, 64};
  auto refs = parse_pushed_refs(main + " " + bomb + " refs/heads/main\n");
  ASSERT_TRUE(refs);
  auto r = check_push(bare_, *refs, opts);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
  EXPECT_NE(r.error().message.find("commit " + bomb.substr(0, 12)), std::string::npos) << r.error().message;
  // A bomb buried in history is found too: the tip is small again.
  std::string after = commit_of(bomb_tree(1, 3), bomb);
  EXPECT_FALSE(check_push(bare_, *parse_pushed_refs(main + " " + after + " refs/heads/main\n"), opts));
  // Within the limits; deleting a ref checks nothing.
  EXPECT_TRUE(check_push(bare_, *parse_pushed_refs(main + " " + small + " refs/heads/main\n"), opts));
  EXPECT_TRUE(check_push(bare_, *parse_pushed_refs(main + " " + std::string(40, '0') + " refs/heads/x\n"), opts));
  // What a ref already reaches is not checked again (it was checked when it arrived).
  git("update-ref refs/heads/old " + bomb);
  EXPECT_TRUE(check_push(bare_, *parse_pushed_refs(std::string(40, '0') + " " + bomb + " refs/heads/copy\n"), opts));
  opts.max_ref_updates = 1;
  EXPECT_FALSE(check_push(bare_, *parse_pushed_refs(main + " " + small + " refs/heads/a\n" + main + " " + small +
                                                    " refs/heads/b\n"),
                          opts));
  EXPECT_FALSE(parse_pushed_refs("not a ref line\n"));
}

TEST_F(TreeLimitsTest, WalksAreBoundedAndPaged) {
  std::string bomb = commit_of(bomb_tree(5, 10));
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  set_tree_limits(TreeLimits{1000, 64});
  auto all = repo->list_tree(bomb, "", true);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().detail, Detail::TreeTooLarge);
  // Pages read only what they return; the walk before them is bounded all the same.
  auto page = repo->list_tree_page(bomb, "", true, 3, 5);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->entries.size(), 5u);
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->entries[0].path, "d0/d0/d0/d0");  // d0, d0/d0, d0/d0/d0 skipped
  auto far = repo->list_tree_page(bomb, "", true, 5000, 5);
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().detail, Detail::TreeTooLarge);
  auto last = repo->list_tree_page(bomb, "d3/d3/d3/d3", false, 8, 5);
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(last->entries.size(), 2u);
  EXPECT_FALSE(last->more);
}

TEST_F(TreeLimitsTest, LfsScanComparesEachTreeOnceAndStopsAtItsBudget) {
  std::string bomb = commit_of(bomb_tree(5, 10, kPointer));  // 10^5 paths, one pointer blob
  auto scan = scan_lfs_pointers(bare_, {bomb}, {});
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_FALSE(scan->truncated);
  ASSERT_EQ(scan->pointers.size(), 1u);
  EXPECT_EQ(scan->pointers[0].oid, std::string(64, 'b'));
  LfsScanLimits tight;
  tight.max_entries = 5;
  auto cut = scan_lfs_pointers(bare_, {bomb}, {}, tight);
  ASSERT_TRUE(cut);
  EXPECT_TRUE(cut->truncated);
}

TEST_F(TreeLimitsTest, CommitDiffOfABombIsBounded) {
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  std::string bomb = commit_of(bomb_tree(5, 10), *repo->resolve_revision("main"));
  // Within the tree limits: the first max_files changes, and the rest said to be left out.
  auto d = diff_commit(*repo, bomb);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->files.size(), DiffLimits{}.max_files);
  EXPECT_TRUE(d->truncated);
  // Past them: refused, not flattened.
  set_tree_limits(TreeLimits{1000, 64});
  auto over = diff_commit(*repo, bomb);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().detail, Detail::TreeTooLarge);
}

TEST_F(TreeLimitsTest, CommitBuilderRefusesATreeOverTheLimit) {
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  set_tree_limits(TreeLimits{5, 64});
  auto b = CommitBuilder::start(*repo, *repo->resolve_revision("main"));
  ASSERT_TRUE(b);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->put_file("f" + std::to_string(i), "x"));  // + .gitattributes
  auto w = b->write({"too many", "", {"t", "t@x", 0}, {}});
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, Errc::too_large);
  ASSERT_TRUE(b->delete_file("f4"));
  EXPECT_TRUE(b->write({"just right", "", {"t", "t@x", 0}, {}}));
}

TEST_F(TreeLimitsTest, RootCommitWithTreeOfKeepsEveryMode) {
  std::string blob = git("hash-object -w --stdin", "target.txt");
  std::string lines = "120000 blob " + blob + "\tlink\n100755 blob " + blob + "\trun.sh\n100644 blob " + blob + "\tplain\n";
  std::string head = commit_of(git("mktree", lines), *Repo::open(bare_)->resolve_revision("main"));
  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  auto id = write_root_commit_with_tree_of(*repo, head, {"squash", "", {"t", "t@x", 0}, {}});
  ASSERT_TRUE(id) << id.error().message;
  auto info = repo->commit_info(*id);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->parents.empty());
  EXPECT_EQ(git("rev-parse " + *id + "^{tree}"), git("rev-parse " + head + "^{tree}"));
  auto files = repo->list_tree(*id, "", false);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 3u);
  EXPECT_TRUE((*files)[0].symlink);     // link
  EXPECT_FALSE((*files)[1].executable); // plain
  EXPECT_TRUE((*files)[2].executable);  // run.sh
}

}  // namespace
}  // namespace hub::storage::git
