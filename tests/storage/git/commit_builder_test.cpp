#include "storage/git/commit_builder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "commit_builder_fixture.h"
#include "core/lfs_pointer.h"
#include "storage/git/paths.h"

namespace hub::storage::git {
namespace {
using namespace testing;

TEST_F(CommitBuilderTest, PutsFilesAndPointersThenCloneSeesThem) {
  auto b = builder(main_);
  ASSERT_TRUE(b.put_file("README.md", "# card\n"));
  ASSERT_TRUE(b.put_file("configs/a/config.json", "{}"));
  ASSERT_TRUE(b.put_file("run.sh", "#!/bin/sh\n", /*executable=*/true));
  ASSERT_TRUE(b.put_lfs_pointer("model.safetensors", std::string(64, 'c'), 1234));
  ASSERT_TRUE(b.put_file("README.md", "# card v2\n"));  // later operations win
  EXPECT_EQ(b.operation_count(), 5u);
  auto id = b.commit_to("refs/heads/main", {"Upload model", "With a body.", kAlice, std::nullopt});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(repo_->resolve_revision("main").value_or(""), *id);

  auto info = repo_->commit_info(*id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->title, "Upload model");
  EXPECT_EQ(info->message, "Upload model\n\nWith a body.\n");
  EXPECT_EQ(info->parents, std::vector<std::string>{main_});
  EXPECT_EQ(info->author_name, "Alice");
  EXPECT_EQ(info->date, "2024-05-01T12:34:56.000Z");

  ASSERT_EQ(sh("git --git-dir=" + quote(bare_) + " fsck --strict").rc, 0);
  ASSERT_EQ(sh("git clone -q " + quote(bare_) + " " + quote(path("c"))).rc, 0);
  EXPECT_EQ(read_text(path("c/README.md")), "# card v2\n");
  EXPECT_EQ(read_text(path("c/configs/a/config.json")), "{}");
  EXPECT_EQ(read_text(path("c/.gitattributes")), default_gitattributes());
  EXPECT_EQ(read_text(path("c/model.safetensors")), format_lfs_pointer(std::string(64, 'c'), 1234));
  EXPECT_EQ(trim(sh(git_cmd(path("c")) + "ls-files -s run.sh").out).substr(0, 6), "100755");
  auto lfs = repo_->stat_path(*id, "model.safetensors");
  ASSERT_TRUE(lfs && lfs->lfs);
  EXPECT_EQ(lfs->lfs->size, 1234u);
}

TEST_F(CommitBuilderTest, DeletesFilesAndFolders) {
  auto b = builder(main_);
  for (const char* p : {"a/1.txt", "a/2.txt", "a/b/3.txt", "c/4.txt", "keep.txt"}) {
    ASSERT_TRUE(b.put_file(p, p));
  }
  auto c1 = b.commit_to("refs/heads/main", {"add", "", kAlice, std::nullopt});
  ASSERT_TRUE(c1);

  auto d = builder(*c1);
  ASSERT_TRUE(d.delete_file("a/1.txt"));
  ASSERT_TRUE(d.delete_folder("a/b/"));
  ASSERT_TRUE(d.delete_file("c/4.txt"));  // leaves c/ empty: the folder disappears
  for (const char* missing : {"a/1.txt", "nope.txt", "a", "zz/y.txt", "keep.txt/x"}) {
    auto r = d.delete_file(missing);
    ASSERT_FALSE(r) << missing;
    EXPECT_EQ(r.error().code, Errc::not_found) << missing;
    EXPECT_EQ(r.error().detail, Detail::EntryNotFound) << missing;
  }
  EXPECT_EQ(d.delete_folder("keep.txt").error().detail, Detail::EntryNotFound);
  EXPECT_EQ(d.delete_folder("a/b").error().detail, Detail::EntryNotFound);
  EXPECT_EQ(d.type_at("a/2.txt").value(), EntryType::file);
  EXPECT_EQ(d.type_at("a").value(), EntryType::directory);
  EXPECT_FALSE(d.type_at("c").value());
  EXPECT_EQ(d.delete_folder("c").error().detail, Detail::EntryNotFound);  // already gone
  auto c2 = d.commit_to("refs/heads/main", {"delete", "", kAlice, kAlice});
  ASSERT_TRUE(c2) << c2.error().message;
  EXPECT_EQ(files_at(*c2), (std::vector<std::string>{".gitattributes", "a/2.txt", "keep.txt"}));
  EXPECT_EQ(repo_->stat_path(*c2, "c").error().detail, Detail::EntryNotFound);
  // Unchanged subtrees are reused, not rewritten.
  EXPECT_EQ(repo_->stat_path(*c2, "keep.txt")->oid, repo_->stat_path(*c1, "keep.txt")->oid);

  auto e = builder(*c2);
  ASSERT_TRUE(e.delete_folder("a"));
  ASSERT_TRUE(e.delete_file("keep.txt"));
  ASSERT_TRUE(e.delete_file(".gitattributes"));
  auto c3 = e.commit_to("refs/heads/main", {"empty it", "", kAlice, std::nullopt});
  ASSERT_TRUE(c3) << c3.error().message;
  EXPECT_TRUE(repo_->list_tree(*c3, "", true)->empty());
}

TEST_F(CommitBuilderTest, RejectsBadPathsAndFileFolderClashes) {
  auto b = builder(main_);
  for (const std::string& bad : std::vector<std::string>{
           "", "/a", "a/", "a//b", "../a", "a/../b", "./a", "a/.", ".git/config", "a/.GIT/x",
           ".Git", "a\\b", std::string("a\0b", 3), "a\nb", std::string(300, 'x')}) {
    auto r = b.put_file(bad, "x");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
    EXPECT_FALSE(validate_repo_path(bad)) << bad;
  }
  EXPECT_TRUE(validate_repo_path(".gitattributes"));
  EXPECT_TRUE(validate_repo_path("a/.github/x.yml"));
  EXPECT_TRUE(validate_repo_path("a..b/c"));

  ASSERT_TRUE(b.put_file("x", "file"));
  EXPECT_EQ(b.put_file("x/y", "under a file").error().code, Errc::invalid_argument);
  ASSERT_TRUE(b.put_file("d/e", "in folder"));
  EXPECT_EQ(b.put_file("d", "over a folder").error().code, Errc::invalid_argument);
  EXPECT_EQ(b.put_lfs_pointer("w.bin", std::string(64, 'A'), 1).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(b.write({"", "", kAlice, std::nullopt}).error().code, Errc::invalid_argument);
  EXPECT_EQ(CommitBuilder::start(*repo_, std::string(40, '9')).error().detail, Detail::RevisionNotFound);
}

TEST_F(CommitBuilderTest, ConcurrentWritersNeverLoseACommit) {
  auto first = builder(main_);
  auto second = builder(main_);
  ASSERT_TRUE(first.put_file("one.txt", "1"));
  ASSERT_TRUE(second.put_file("two.txt", "2"));
  auto a = first.commit_to("refs/heads/main", {"first", "", kAlice, std::nullopt});
  ASSERT_TRUE(a);
  auto b = second.commit_to("refs/heads/main", {"second", "", kAlice, std::nullopt});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::conflict);
  EXPECT_EQ(repo_->resolve_revision("main").value_or(""), *a);
  // Retrying on the new head keeps both.
  auto retry = builder(*a);
  ASSERT_TRUE(retry.put_file("two.txt", "2"));
  auto c = retry.commit_to("refs/heads/main", {"second", "", kAlice, std::nullopt});
  ASSERT_TRUE(c);
  EXPECT_EQ(files_at(*c), (std::vector<std::string>{".gitattributes", "one.txt", "two.txt"}));

  // Root commits (no parent) only create a ref that does not exist yet.
  auto orphan = builder("");
  ASSERT_TRUE(orphan.put_file("o.txt", "o"));
  auto o = orphan.commit_to("refs/heads/orphan", {"orphan", "", kAlice, std::nullopt});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(repo_->commit_info(*o)->parents.empty());
  auto again = builder("");
  EXPECT_EQ(again.commit_to("refs/heads/orphan", {"x", "", kAlice, std::nullopt}).error().code,
            Errc::conflict);
}

TEST_F(CommitBuilderTest, ThreadsRacingOnOneBranchKeepEveryCommit) {
  constexpr int kThreads = 4, kCommits = 8;
  std::vector<std::thread> threads;
  std::atomic<int> conflicts{0}, failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto repo = Repo::open(bare_);  // one Repo per thread
      if (!repo) return void(++failures);
      for (int i = 0; i < kCommits; ++i) {
        for (;;) {  // the retry loop a service runs on conflict
          auto head = repo->resolve_revision("main");
          auto b = CommitBuilder::start(*repo, *head);
          if (!b || !b->put_file("t" + std::to_string(t) + "/" + std::to_string(i), "x")) {
            return void(++failures);
          }
          auto id = b->commit_to("refs/heads/main", {"c", "", kAlice, std::nullopt});
          if (id) break;
          if (id.error().code != Errc::conflict) return void(++failures);
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  RecordProperty("conflicts", conflicts.load());  // how often the race was actually lost
  EXPECT_EQ(failures, 0);
  auto head = repo_->resolve_revision("main");
  ASSERT_TRUE(head);
  EXPECT_EQ(repo_->log(*head, 0, 1)->total, 1u + kThreads * kCommits);  // linear, none lost
  EXPECT_EQ(files_at(*head).size(), 1u + kThreads * kCommits);
  EXPECT_EQ(sh("git --git-dir=" + quote(bare_) + " fsck --strict").rc, 0);
}

TEST_F(CommitBuilderTest, LfsTrackingFollowsTheCommitsGitattributes) {
  for (const char* p : {"model.safetensors", "sub/pytorch_model.bin", "saved_model/v/x.pb",
                        "saved_model/v/variables/data", "events.out.tfevents.1.host", "a.tar.gz"}) {
    EXPECT_TRUE(repo_->is_lfs_tracked(main_, p).value_or(false)) << p;
  }
  for (const char* p : {"README.md", "config.json", "sub/a.txt", "binx"}) {
    EXPECT_FALSE(repo_->is_lfs_tracked(main_, p).value_or(true)) << p;
  }
  auto b = builder(main_);
  ASSERT_TRUE(b.put_file("sub/.gitattributes", "*.txt filter=lfs diff=lfs merge=lfs -text\n"));
  ASSERT_TRUE(b.put_file(".gitattributes", "big.json filter=lfs diff=lfs merge=lfs -text\n"));
  auto id = b.commit_to("refs/heads/main", {"attrs", "", kAlice, std::nullopt});
  ASSERT_TRUE(id);
  EXPECT_TRUE(repo_->is_lfs_tracked(*id, "sub/a.txt").value_or(false));
  EXPECT_TRUE(repo_->is_lfs_tracked(*id, "big.json").value_or(false));
  EXPECT_FALSE(repo_->is_lfs_tracked(*id, "a.txt").value_or(true));
  EXPECT_FALSE(repo_->is_lfs_tracked(*id, "model.safetensors").value_or(true));  // rule removed
  EXPECT_TRUE(repo_->is_lfs_tracked(main_, "model.safetensors").value_or(false));  // old commit
}

}  // namespace
}  // namespace hub::storage::git
