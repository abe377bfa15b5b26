#include "storage/git/repo.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "git_test_util.h"
#include "storage/git/commit_builder.h"

namespace hub::storage::git {
namespace {
using namespace testing;
namespace fs = std::filesystem;

class RepoTest : public GitTest {
 protected:
  // A bare repo from init_bare plus a clone of it in "work".
  void make_repo() {
    auto r = Repo::init_bare(path("srv/ns/model.git"));
    ASSERT_TRUE(r) << r.error().message;
    bare_ = path("srv/ns/model.git");
    auto c = sh("git clone -q " + quote(bare_) + " " + quote(path("work")));
    ASSERT_EQ(c.rc, 0) << c.out;
  }
  std::string git(const std::string& args) {
    auto r = sh(git_cmd(path("work")) + args);
    EXPECT_EQ(r.rc, 0) << args << "\n" << r.out;
    return trim(r.out);
  }
  std::string commit_file(const std::string& name, const std::string& text) {
    write_text(path("work/" + name), text);
    git("add -A");
    git("commit -q -m " + quote("add " + name));
    return git("rev-parse HEAD");
  }
  Repo open() {
    auto r = Repo::open(bare_);
    EXPECT_TRUE(r) << r.error().message;
    return std::move(*r);
  }
  std::string bare_;
};

TEST_F(RepoTest, InitBareMakesInitialCommitWithGitattributes) {
  RepoInitOptions opts;
  opts.author = {"Hub Bot", "bot@hub.local", 1700000000000};
  auto repo = Repo::init_bare(path("repos/models/acme/m1.git"), opts);
  ASSERT_TRUE(repo) << repo.error().message;
  std::string bare = path("repos/models/acme/m1.git");
  EXPECT_EQ(trim(sh("git --git-dir=" + quote(bare) + " symbolic-ref HEAD").out), "refs/heads/main");
  EXPECT_EQ(trim(sh("git --git-dir=" + quote(bare) + " rev-parse --is-bare-repository").out), "true");
  EXPECT_EQ(trim(sh("git --git-dir=" + quote(bare) + " config receive.fsckObjects").out), "true");
  auto fsck = sh("git --git-dir=" + quote(bare) + " fsck --strict");
  EXPECT_EQ(fsck.rc, 0) << fsck.out;

  auto clone = sh("git clone -q " + quote("file://" + bare) + " " + quote(path("c")));
  ASSERT_EQ(clone.rc, 0) << clone.out;
  EXPECT_EQ(trim(sh(git_cmd(path("c")) + "log --format=%s%x00%an%x00%ae%x00%at").out),
            std::string("initial commit") + '\0' + "Hub Bot" + '\0' + "bot@hub.local" + '\0' +
                "1700000000");
  EXPECT_EQ(trim(sh(git_cmd(path("c")) + "ls-files").out), ".gitattributes");
  std::string attrs = read_text(path("c/.gitattributes"));
  EXPECT_EQ(attrs, default_gitattributes());
  EXPECT_NE(attrs.find("*.safetensors filter=lfs diff=lfs merge=lfs -text\n"), std::string::npos);
  EXPECT_NE(attrs.find("*.bin filter=lfs diff=lfs merge=lfs -text\n"), std::string::npos);
  EXPECT_NE(attrs.find("*tfevents* filter=lfs diff=lfs merge=lfs -text\n"), std::string::npos);
  // git itself agrees the patterns route weights to LFS.
  EXPECT_NE(sh(git_cmd(path("c")) + "check-attr filter -- model.safetensors").out.find("lfs"),
            std::string::npos);
  EXPECT_NE(sh(git_cmd(path("c")) + "check-attr filter -- README.md").out.find("unspecified"),
            std::string::npos);

  auto head = repo->resolve_revision("main");
  ASSERT_TRUE(head);
  auto info = repo->commit_info(*head);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->title, "initial commit");
  EXPECT_EQ(info->date, "2023-11-14T22:13:20.000Z");
  EXPECT_TRUE(info->parents.empty());
}

TEST_F(RepoTest, InitBareRefusesExistingAndLeavesNoTempDirs) {
  ASSERT_TRUE(Repo::init_bare(path("r.git")));
  auto again = Repo::init_bare(path("r.git"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u);
  // An existing empty directory is taken over.
  fs::create_directories(path("empty.git"));
  EXPECT_TRUE(Repo::init_bare(path("empty.git")));
}

TEST_F(RepoTest, InitBareWithoutCommitHasUnbornMain) {
  RepoInitOptions opts;
  opts.initial_commit = false;
  auto repo = Repo::init_bare(path("e.git"), opts);
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->default_branch().value_or(""), "main");
  auto r = repo->resolve_revision("main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, Detail::RevisionNotFound);
  EXPECT_TRUE(repo->list_refs()->branches.empty());
}

TEST_F(RepoTest, OpenMissingIsNotFound) {
  auto r = Repo::open(path("nope.git"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
}

TEST_F(RepoTest, ResolveRevisionTable) {
  make_repo();
  std::string c1 = git("rev-parse HEAD");
  std::string c2 = commit_file("a.txt", "a\n");
  git("tag v1 " + c1);
  git("tag -a v2 -m release " + c2);
  git("branch dev " + c1);
  git("push -q origin main dev v1 v2 HEAD:refs/pr/1 " + c1 + ":refs/convert/parquet");
  std::string blob = git("rev-parse HEAD:a.txt");
  Repo repo = open();

  struct Case { std::string rev, want; };
  for (const Case& c : std::vector<Case>{
           {"main", c2}, {"dev", c1}, {"v1", c1}, {"v2", c2}, {c2, c2}, {c2.substr(0, 7), c2},
           {c1.substr(0, 12), c1}, {"refs/heads/dev", c1}, {"refs/tags/v2", c2},
           {"refs/pr/1", c2}, {"refs/convert/parquet", c1}, {"HEAD", c2}}) {
    auto r = repo.resolve_revision(c.rev);
    ASSERT_TRUE(r) << c.rev << ": " << r.error().message;
    EXPECT_EQ(*r, c.want) << c.rev;
  }
  for (const std::string& bad : std::vector<std::string>{"nope", "main~1", "main^", "", "refs/heads/nope", "refs/pr/2",
                          c2.substr(0, 6), std::string(40, '0'), blob, "refs/heads/../x", "@"}) {
    auto r = repo.resolve_revision(bad);
    ASSERT_FALSE(r) << bad << " resolved to " << *r;
    EXPECT_EQ(r.error().code, Errc::not_found) << bad;
    EXPECT_EQ(r.error().detail, Detail::RevisionNotFound) << bad;
  }
}

TEST_F(RepoTest, AmbiguousShortShaIsAnError) {
  make_repo();
  // Find two blob contents whose ids share 7 hex digits (a birthday search over sha1).
  std::map<std::string, std::string> seen;
  std::string a, b;
  for (int i = 0; a.empty() && i < 2000000; ++i) {
    std::string content = std::to_string(i);
    std::string header = "blob " + std::to_string(content.size());
    header.push_back('\0');
    std::string prefix = sha1_hex(header + content).substr(0, 7);
    auto [it, fresh] = seen.emplace(prefix, content);
    if (!fresh) a = it->second, b = content;
  }
  ASSERT_FALSE(a.empty());
  Repo repo = open();
  auto head = repo.resolve_revision("main");
  auto builder = CommitBuilder::start(repo, *head);
  ASSERT_TRUE(builder);
  ASSERT_TRUE(builder->put_file("a", a));
  ASSERT_TRUE(builder->put_file("b", b));
  ASSERT_TRUE(builder->commit_to("refs/heads/main", {"two blobs", "", {"t", "t@x", 0}, std::nullopt}));
  auto entry = repo.stat_path(*repo.resolve_revision("main"), "a");
  ASSERT_TRUE(entry);
  auto r = repo.resolve_revision(entry->oid.substr(0, 7));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, Detail::RevisionNotFound);
  EXPECT_NE(r.error().message.find("ambiguous"), std::string::npos) << r.error().message;
}

TEST_F(RepoTest, ListRefsByKind) {
  make_repo();
  std::string c1 = git("rev-parse HEAD");
  std::string c2 = commit_file("a.txt", "a\n");
  git("tag -a v2 -m release " + c1);
  git("push -q origin main v2 HEAD:refs/heads/dev HEAD:refs/pr/3 " + c1 + ":refs/convert/parquet");
  Repo repo = open();
  auto refs = repo.list_refs();
  ASSERT_TRUE(refs) << refs.error().message;
  ASSERT_EQ(refs->branches.size(), 2u);
  EXPECT_EQ(refs->branches[0].name, "dev");
  EXPECT_EQ(refs->branches[1].name, "main");
  EXPECT_EQ(refs->branches[1].ref, "refs/heads/main");
  EXPECT_EQ(refs->branches[1].target, c2);
  ASSERT_EQ(refs->tags.size(), 1u);
  EXPECT_EQ(refs->tags[0].name, "v2");
  EXPECT_EQ(refs->tags[0].target, c1);  // peeled, not the tag object
  ASSERT_EQ(refs->pull_requests.size(), 1u);
  EXPECT_EQ(refs->pull_requests[0].ref, "refs/pr/3");
  EXPECT_EQ(refs->pull_requests[0].name, "3");
  ASSERT_EQ(refs->converts.size(), 1u);
  EXPECT_EQ(refs->converts[0].name, "parquet");
  EXPECT_EQ(refs->converts[0].target, c1);
}

TEST_F(RepoTest, BranchAndTagWrites) {
  make_repo();
  std::string c1 = git("rev-parse HEAD");
  Repo repo = open();
  ASSERT_TRUE(repo.create_branch("dev", c1));
  auto dup = repo.create_branch("dev", c1);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::already_exists);
  for (const std::string& bad : std::vector<std::string>{"refs/pr/5", "refs/heads/x", "HEAD", "a..b", "-x", "x.lock", "a b",
                          "", std::string(40, 'a')}) {
    auto r = repo.create_branch(bad, c1);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
  }
  auto missing = repo.create_branch("x", std::string(40, '1'));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().detail, Detail::RevisionNotFound);
  EXPECT_EQ(repo.resolve_revision("dev").value_or(""), c1);

  ASSERT_TRUE(repo.create_tag("v1", c1));
  ASSERT_TRUE(repo.create_tag("v2", c1, "Release 2", {"Rel", "rel@x", 0}));
  EXPECT_EQ(trim(sh("git --git-dir=" + quote(bare_) + " cat-file -t v1").out), "commit");
  EXPECT_EQ(trim(sh("git --git-dir=" + quote(bare_) + " cat-file -t v2").out), "tag");
  EXPECT_EQ(repo.resolve_revision("v2").value_or(""), c1);
  EXPECT_EQ(repo.create_tag("v1", c1).error().code, Errc::already_exists);

  EXPECT_EQ(repo.delete_branch("main").error().code, Errc::invalid_argument);  // default branch
  ASSERT_TRUE(repo.delete_branch("dev"));
  EXPECT_EQ(repo.delete_branch("dev").error().code, Errc::not_found);
  ASSERT_TRUE(repo.delete_tag("v2"));
  auto gone = repo.delete_tag("v2");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().detail, Detail::RevisionNotFound);
  EXPECT_FALSE(repo.resolve_revision("v2"));
}

TEST_F(RepoTest, UpdateRefCompareAndSwap) {
  make_repo();
  std::string c1 = git("rev-parse HEAD");
  std::string c2 = commit_file("a.txt", "a\n");
  git("push -q origin main");
  Repo repo = open();
  // Moves only from the expected value.
  ASSERT_TRUE(repo.update_ref_cas("refs/heads/main", c1, c2));
  auto stale = repo.update_ref_cas("refs/heads/main", c2, c2);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::conflict);
  EXPECT_EQ(repo.resolve_revision("main").value_or(""), c1);
  // "" expected: create only.
  EXPECT_EQ(repo.update_ref_cas("refs/heads/main", c2, "").error().code, Errc::conflict);
  ASSERT_TRUE(repo.update_ref_cas("refs/pr/1", c2, ""));
  EXPECT_EQ(repo.resolve_revision("refs/pr/1").value_or(""), c2);
  // Delete with CAS.
  EXPECT_EQ(repo.update_ref_cas("refs/pr/1", "", c1).error().code, Errc::conflict);
  ASSERT_TRUE(repo.update_ref_cas("refs/pr/1", "", c2));
  EXPECT_FALSE(repo.resolve_revision("refs/pr/1"));
  // Unknown target, bad names.
  EXPECT_EQ(repo.update_ref_cas("refs/heads/main", std::string(40, '2'), c1).error().detail,
            Detail::RevisionNotFound);
  EXPECT_EQ(repo.update_ref_cas("main", c2, c1).error().code, Errc::invalid_argument);
  EXPECT_EQ(repo.update_ref_cas("refs/heads/a..b", c2, c1).error().code, Errc::invalid_argument);
  // A ref moved by a push behind our back is detected.
  std::string c3 = commit_file("b.txt", "b\n");
  git("push -q -f origin main");
  EXPECT_EQ(repo.update_ref_cas("refs/heads/main", c2, c1).error().code, Errc::conflict);
  EXPECT_EQ(repo.resolve_revision("main").value_or(""), c3);
}

}  // namespace
}  // namespace hub::storage::git
