// POST /api/{type}s/{id}/commit/{rev} through the in-process router against a real Hub:
// operations, LFS pointers and .gitattributes, errors in the Hub's shape, parentCommit (412),
// pull requests, and lost races rebuilt without losing a commit.
#include <gtest/gtest.h>

#include "api/commit_test_env.h"
#include "core/hash.h"
#include "services/commits.h"

namespace hub::api::testing {
namespace {

using storage::git::EntryType;

class CommitApi : public WriteApiTest {};

TEST_F(CommitApi, CommitsFilesAndAnswersTheHubShape) {
  auto h = make_repo(alice_, "m");
  auto r = post_commit("/api/models/alice/m/commit/main", alice_,
                       {header_line("Add files", "with a body"), file_line("README.md", "# hi\n"),
                        file_line("sub/data.bin", std::string("\0\1\2", 3)), utf8_line("notes.txt", "plain")});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body_json(r).as_object();
  std::string oid(*json::get_string(j, "commitOid"));
  EXPECT_EQ(*json::get_string(j, "commitUrl"), "http://hub.test/alice/m/commit/" + oid);
  EXPECT_EQ(*json::get_string(j, "hookOutput"), "");
  EXPECT_FALSE(j.contains("pullRequestUrl"));
  auto repo = storage::git::Repo::open(h.path);
  EXPECT_EQ(*repo->resolve_revision("main"), oid);
  EXPECT_EQ(*repo->read_blob(oid, "sub/data.bin", 100), std::string("\0\1\2", 3));
  EXPECT_EQ(*repo->read_blob(oid, "notes.txt", 100), "plain");
  auto info = repo->commit_info(oid);
  EXPECT_EQ(info->title, "Add files");
  EXPECT_EQ(info->message, "Add files\n\nwith a body\n");
  EXPECT_EQ(info->author_name, "alice");
  // The ref change went through on_refs_updated.
  auto updates = hub_->db().ref_updates(h.row.id, 10);
  ASSERT_TRUE(updates);
  ASSERT_FALSE(updates->empty());
  EXPECT_EQ(updates->front().new_oid, oid);
}

TEST_F(CommitApi, DatasetUrlsCarryThePrefix) {
  make_repo(alice_, "d", false, "dataset");
  auto r = post_commit("/api/datasets/alice/d/commit/main", alice_, {header_line("x"), file_line("a.csv", "1,2\n")});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::get_string(body_json(r).as_object(), "commitUrl")->starts_with("http://hub.test/datasets/alice/d/commit/"));
}

TEST_F(CommitApi, DeletesFilesAndFolders) {
  auto h = make_repo(alice_, "m");
  commit(h, {{"logs/a.txt", "a"}, {"logs/deep/b.txt", "b"}, {"keep.txt", "k"}, {"old.txt", "o"}});
  auto r = post_commit("/api/models/alice/m/commit/main", alice_,
                       {header_line("clean"), R"({"key":"deletedFile","value":{"path":"old.txt"}})",
                        R"({"key":"deletedFolder","value":{"path":"logs/"}})"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto repo = storage::git::Repo::open(h.path);
  auto head = *repo->resolve_revision("main");
  EXPECT_FALSE(repo->stat_path(head, "old.txt"));
  EXPECT_FALSE(repo->stat_path(head, "logs"));
  EXPECT_TRUE(repo->stat_path(head, "keep.txt"));
}

TEST_F(CommitApi, DeletingAMissingFileIsEntryNotFound) {
  auto h = make_repo(alice_, "m");
  std::string before = *storage::git::Repo::open(h.path)->resolve_revision("main");
  auto r = post_commit("/api/models/alice/m/commit/main", alice_,
                       {header_line("x"), file_line("a.txt", "a"), R"({"key":"deletedFile","value":{"path":"nope.txt"}})"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header(r, "X-Error-Code"), "EntryNotFound");
  EXPECT_NE(header(r, "X-Error-Message").find("A file with this name doesn't exist"), std::string::npos);
  EXPECT_EQ(*storage::git::Repo::open(h.path)->resolve_revision("main"), before);  // nothing moved
}

TEST_F(CommitApi, PayloadErrors) {
  make_repo(alice_, "m");
  const std::string url = "/api/models/alice/m/commit/main";
  struct Case {
    std::vector<std::string> lines;
    int status;
  } cases[] = {
      {{"{not json"}, 400},
      {{header_line("x"), "{\"key\":\"file\",\"value\":"}, 400},
      {{file_line("a.txt", "a")}, 400},                                  // no header first
      {{header_line("x"), header_line("y")}, 400},                       // two headers
      {{header_line("")}, 400},                                          // empty summary
      {{}, 400},                                                         // empty body
      {{header_line("x"), R"({"key":"file","value":{"path":"a","content":"%%%","encoding":"base64"}})"}, 400},
      {{header_line("x"), file_line("../escape", "a")}, 422},
      {{header_line("x"), file_line("/abs", "a")}, 422},
      {{header_line("x"), file_line(".git/hooks/post-update", "a")}, 422},
      {{header_line("x"), R"({"key":"file","value":{"path":"a\\b","content":"","encoding":"utf-8"}})"}, 422},
      {{header_line("x"), file_line("same", "a"), file_line("same/inner.txt", "b")}, 422},
      {{header_line("x"), file_line("dir/f.txt", "a"), file_line("dir", "b")}, 422},
      {{header_line("x"), lfs_line("m.bin", std::string(64, 'c'), 10)}, 422},  // never uploaded
  };
  for (auto& c : cases) {
    auto r = post_commit(url, alice_, c.lines);
    std::string what = c.lines.empty() ? "<empty>" : c.lines.back();
    EXPECT_EQ(r.status, c.status) << what << " -> " << r.body;
    EXPECT_FALSE(header(r, "X-Error-Message").empty()) << what;
    auto j = body_json(r);
    EXPECT_TRUE(j.is_object() && j.as_object().contains("error")) << what;
  }
}

TEST_F(CommitApi, PermissionsAndMissingThings) {
  make_repo(alice_, "m");
  make_repo(alice_, "priv", true);
  std::vector<std::string> ok = {header_line("x"), file_line("a.txt", "a")};
  EXPECT_EQ(post_commit("/api/models/alice/m/commit/main", bob_, ok).status, 403);
  EXPECT_EQ(post_commit("/api/models/alice/m/commit/main", "", ok).status, 401);
  auto priv = post_commit("/api/models/alice/priv/commit/main", bob_, ok);
  EXPECT_EQ(priv.status, 404);
  EXPECT_EQ(header(priv, "X-Error-Code"), "RepoNotFound");
  auto nobranch = post_commit("/api/models/alice/m/commit/nope", alice_, ok);
  EXPECT_EQ(nobranch.status, 404);
  EXPECT_EQ(header(nobranch, "X-Error-Code"), "RevisionNotFound");
  auto norepo = post_commit("/api/models/alice/none/commit/main", alice_, ok);
  EXPECT_EQ(header(norepo, "X-Error-Code"), "RepoNotFound");
}

TEST_F(CommitApi, LfsFilesWritePointersAndRulesOnlyWhenNeeded) {
  auto h = make_repo(alice_, "m");
  std::string big(5000, 'w'), other = "other content";
  std::string oid = put_lfs(big, h), oid2 = put_lfs(other, h);
  // *.bin is in the Hub's default .gitattributes; weights.dat is not; size may be missing.
  auto r = post_commit("/api/models/alice/m/commit/main", alice_,
                       {header_line("lfs"), lfs_line("model.bin", oid, big.size()), lfs_line("my weights.dat", oid2, -1)});
  ASSERT_EQ(r.status, 200) << r.body;
  auto repo = storage::git::Repo::open(h.path);
  auto head = *repo->resolve_revision("main");
  auto e = repo->stat_path(head, "model.bin");
  ASSERT_TRUE(e && e->lfs);
  EXPECT_EQ(e->lfs->oid, oid);
  EXPECT_EQ(e->lfs->size, big.size());
  auto e2 = repo->stat_path(head, "my weights.dat");
  ASSERT_TRUE(e2 && e2->lfs);
  EXPECT_EQ(e2->lfs->size, other.size());  // from the blob store
  std::string attrs = *repo->read_blob(head, ".gitattributes", 1 << 20);
  EXPECT_EQ(attrs.find("model.bin"), std::string::npos) << "a matching rule exists already";
  EXPECT_NE(attrs.find("my[[:space:]]weights.dat filter=lfs diff=lfs merge=lfs -text\n"), std::string::npos) << attrs;
  EXPECT_TRUE(*repo->is_lfs_tracked(head, "my weights.dat"));
  EXPECT_FALSE(*repo->is_lfs_tracked(head, "my_weights.dat"));
  // A size that disagrees with the store is refused.
  auto bad = post_commit("/api/models/alice/m/commit/main", alice_, {header_line("x"), lfs_line("z.bin", oid, 1)});
  EXPECT_EQ(bad.status, 422);
}

TEST_F(CommitApi, ParentCommitGuardsTheBranch) {
  auto h = make_repo(alice_, "m");
  auto repo = storage::git::Repo::open(h.path);
  std::string base = *repo->resolve_revision("main");
  auto first = post_commit("/api/models/alice/m/commit/main", alice_, {header_line("one", "", base.substr(0, 7)), file_line("a", "1")});
  ASSERT_EQ(first.status, 200) << first.body;  // a short sha is accepted
  auto stale = post_commit("/api/models/alice/m/commit/main", alice_, {header_line("two", "", base), file_line("b", "2")});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(header(stale, "X-Error-Message"),
            "A commit has happened since. Please refresh and try again. "
            "The branch was updated since you opened this page. Please refresh and try again.");
  auto unknown = post_commit("/api/models/alice/m/commit/main", alice_,
                             {header_line("two", "", std::string(40, 'f')), file_line("b", "2")});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(header(unknown, "X-Error-Code"), "RevisionNotFound");
}

TEST_F(CommitApi, CreatePrMakesNumberedRefsAndLaterCommitsGoThere) {
  auto h = make_repo(alice_, "m");
  auto repo = storage::git::Repo::open(h.path);
  std::string main_before = *repo->resolve_revision("main");
  auto pr1 = post_commit("/api/models/alice/m/commit/main?create_pr=1", bob_, {header_line("pr one"), file_line("p.txt", "1")});
  ASSERT_EQ(pr1.status, 200) << pr1.body;  // read access is enough to open a PR
  EXPECT_EQ(*json::get_string(body_json(pr1).as_object(), "pullRequestUrl"), "http://hub.test/alice/m/discussions/1");
  auto pr2 = post_commit("/api/models/alice/m/commit/main?create_pr=true", alice_, {header_line("pr two"), file_line("q.txt", "2")});
  ASSERT_EQ(pr2.status, 200) << pr2.body;
  EXPECT_EQ(*json::get_string(body_json(pr2).as_object(), "pullRequestUrl"), "http://hub.test/alice/m/discussions/2");
  EXPECT_EQ(*repo->resolve_revision("main"), main_before);
  auto more = post_commit("/api/models/alice/m/commit/refs%2Fpr%2F1", alice_, {header_line("more"), file_line("r.txt", "3")});
  ASSERT_EQ(more.status, 200) << more.body;
  std::string pr1_head = *repo->resolve_revision("refs/pr/1");
  EXPECT_EQ(*json::get_string(body_json(more).as_object(), "commitOid"), pr1_head);
  EXPECT_TRUE(repo->stat_path(pr1_head, "p.txt"));
  EXPECT_TRUE(repo->stat_path(pr1_head, "r.txt"));
  EXPECT_FALSE(repo->stat_path(pr1_head, "q.txt"));
  EXPECT_EQ(post_commit("/api/models/alice/m/commit/main?create_pr=1", "", {header_line("anon"), file_line("x", "1")}).status, 401);
}

TEST_F(CommitApi, OlderJsonFormIsAccepted) {
  auto h = make_repo(alice_, "m");
  auto r = call("POST", "/api/models/alice/m/commit/main", {{"Authorization", "Bearer " + alice_}},
                R"({"summary":"json form","files":[{"path":"j.txt","content":"aGk=","encoding":"base64"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto repo = storage::git::Repo::open(h.path);
  EXPECT_EQ(*repo->read_blob(*repo->resolve_revision("main"), "j.txt", 10), "hi");
}

// Two sessions race for one branch without parentCommit: the loser rebuilds on the winner's
// commit, so both changes end up in the history.
TEST_F(CommitApi, LostRaceIsRebuiltNotLost) {
  auto h = make_repo(alice_, "m");
  auto p = principal(alice_);
  services::CommitTarget t{"main", false};
  auto a = services::CommitSession::begin(*hub_, p, h, t, {"a", "", ""});
  auto b = services::CommitSession::begin(*hub_, p, h, t, {"b", "", ""});
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->apply({services::CommitOp::Kind::file, "a.txt", "from a", "", {}}));
  ASSERT_TRUE(b->apply({services::CommitOp::Kind::file, "b.txt", "from b", "", {}}));
  auto ra = a->finish();
  auto rb = b->finish();
  ASSERT_TRUE(ra && rb) << (ra ? rb.error().message : ra.error().message);
  auto repo = storage::git::Repo::open(h.path);
  auto head = *repo->resolve_revision("main");
  EXPECT_EQ(head, rb->commit_oid);
  EXPECT_EQ(*repo->read_blob(head, "a.txt", 100), "from a");
  EXPECT_EQ(*repo->read_blob(head, "b.txt", 100), "from b");
  EXPECT_EQ(repo->commit_info(head)->parents, std::vector<std::string>{ra->commit_oid});
  // With parentCommit the same race is a 412 for the loser.
  auto c = services::CommitSession::begin(*hub_, p, h, t, {"c", "", head});
  auto d = services::CommitSession::begin(*hub_, p, h, t, {"d", "", head});
  ASSERT_TRUE(c && d);
  ASSERT_TRUE(c->finish());
  auto rd = d->finish();
  ASSERT_FALSE(rd);
  EXPECT_EQ(rd.error().code, Errc::precondition_failed);
}

TEST_F(CommitApi, ManyFilesInOneCommit) {
  auto h = make_repo(alice_, "m");
  std::vector<std::string> lines = {header_line("many")};
  for (int i = 0; i < 3000; ++i) lines.push_back(file_line("d" + std::to_string(i % 30) + "/f" + std::to_string(i) + ".txt", std::to_string(i)));
  auto r = post_commit("/api/models/alice/m/commit/main", alice_, lines);
  ASSERT_EQ(r.status, 200) << r.body;
  auto repo = storage::git::Repo::open(h.path);
  auto tree = repo->list_tree(*repo->resolve_revision("main"), "", true);
  ASSERT_TRUE(tree);
  size_t files = 0;
  for (auto& e : *tree) files += e.type == EntryType::file;
  EXPECT_EQ(files, 3001u);  // plus .gitattributes
}

}  // namespace
}  // namespace hub::api::testing
