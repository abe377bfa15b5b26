// Branch and tag routes through the in-process router: create from a revision, empty and
// overwrite, the Hub's 409/400/404 codes, tags with messages, super-squash, and every change
// recorded through on_refs_updated.
#include <gtest/gtest.h>

#include "api/commit_test_env.h"

namespace hub::api::testing {
namespace {

class BranchesApi : public WriteApiTest {};

TEST_F(BranchesApi, CreateFromRevisionAndDelete) {
  auto h = make_repo(alice_, "m");
  std::string first = commit(h, {{"a.txt", "1"}});
  std::string second = commit(h, {{"b.txt", "2"}});
  auto r = post_json("/api/models/alice/m/branch/dev", alice_, R"({"startingPoint":")" + first + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto repo = storage::git::Repo::open(h.path);
  EXPECT_EQ(*repo->resolve_revision("refs/heads/dev"), first);
  // Slashes in names, encoded or raw; default starting point is the default branch's head.
  ASSERT_EQ(post_json("/api/models/alice/m/branch/feature%2Fx", alice_, "").status, 200);
  EXPECT_EQ(*repo->resolve_revision("refs/heads/feature/x"), second);
  ASSERT_EQ(post_json("/api/models/alice/m/branch/feature/y", alice_, "{}").status, 200);
  EXPECT_EQ(*repo->resolve_revision("refs/heads/feature/y"), second);

  auto again = post_json("/api/models/alice/m/branch/dev", alice_, "{}");
  EXPECT_EQ(again.status, 409);
  EXPECT_FALSE(header(again, "X-Error-Message").empty());
  auto over = post_json("/api/models/alice/m/branch/dev", alice_, R"({"startingPoint":"main","overwrite":true})");
  ASSERT_EQ(over.status, 200) << over.body;
  EXPECT_EQ(*repo->resolve_revision("refs/heads/dev"), second);

  EXPECT_EQ(post_json("/api/models/alice/m/branch/refs%2Fpr%2F5", alice_, "{}").status, 400);
  EXPECT_EQ(post_json("/api/models/alice/m/branch/bad..name", alice_, "{}").status, 400);
  auto norev = post_json("/api/models/alice/m/branch/x", alice_, R"({"startingPoint":"nope"})");
  EXPECT_EQ(norev.status, 404);
  EXPECT_EQ(header(norev, "X-Error-Code"), "RevisionNotFound");
  EXPECT_EQ(post_json("/api/models/alice/m/branch/x", alice_, "{not json").status, 400);
  EXPECT_EQ(post_json("/api/models/alice/m/branch/x", bob_, "{}").status, 403);

  ASSERT_EQ(post_json("/api/models/alice/m/branch/dev", alice_, "", "DELETE").status, 200);
  EXPECT_FALSE(repo->resolve_revision("refs/heads/dev"));
  auto gone = post_json("/api/models/alice/m/branch/dev", alice_, "", "DELETE");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(header(gone, "X-Error-Code"), "RevisionNotFound");
  EXPECT_EQ(post_json("/api/models/alice/m/branch/main", alice_, "", "DELETE").status, 400);

  auto log = hub_->db().ref_updates(h.row.id, 50);
  ASSERT_TRUE(log);
  bool saw_delete = false;
  for (auto& u : *log) saw_delete |= u.ref == "refs/heads/dev" && u.new_oid == std::string(40, '0');
  EXPECT_TRUE(saw_delete);
}

TEST_F(BranchesApi, EmptyBranchHasNoFiles) {
  auto h = make_repo(alice_, "m");
  ASSERT_EQ(post_json("/api/models/alice/m/branch/blank", alice_, R"({"emptyBranch":true})").status, 200);
  auto repo = storage::git::Repo::open(h.path);
  auto id = repo->resolve_revision("refs/heads/blank");
  ASSERT_TRUE(id);
  EXPECT_TRUE(repo->list_tree(*id, "", true)->empty());
  EXPECT_TRUE(repo->commit_info(*id)->parents.empty());
}

TEST_F(BranchesApi, TagsWithAndWithoutMessage) {
  auto h = make_repo(alice_, "m");
  std::string c = commit(h, {{"a.txt", "1"}});
  ASSERT_EQ(post_json("/api/models/alice/m/tag/main", alice_, R"({"tag":"v1","message":"first"})").status, 200);
  ASSERT_EQ(post_json("/api/models/alice/m/tag/" + c.substr(0, 10), alice_, R"({"tag":"light"})").status, 200);
  auto repo = storage::git::Repo::open(h.path);
  EXPECT_EQ(*repo->resolve_revision("refs/tags/v1"), c);
  EXPECT_EQ(*repo->resolve_revision("refs/tags/light"), c);
  EXPECT_EQ(post_json("/api/models/alice/m/tag/main", alice_, R"({"tag":"v1"})").status, 409);
  EXPECT_EQ(post_json("/api/models/alice/m/tag/main", alice_, R"({})").status, 400);
  EXPECT_EQ(post_json("/api/models/alice/m/tag/main", alice_, R"({"tag":"a b"})").status, 400);
  auto norev = post_json("/api/models/alice/m/tag/nope", alice_, R"({"tag":"v2"})");
  EXPECT_EQ(norev.status, 404);
  EXPECT_EQ(header(norev, "X-Error-Code"), "RevisionNotFound");
  ASSERT_EQ(post_json("/api/models/alice/m/tag/v1", alice_, "", "DELETE").status, 200);
  EXPECT_FALSE(repo->resolve_revision("refs/tags/v1"));
  auto gone = post_json("/api/models/alice/m/tag/v1", alice_, "", "DELETE");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(header(gone, "X-Error-Code"), "RevisionNotFound");
}

TEST_F(BranchesApi, SuperSquashKeepsTheTree) {
  auto h = make_repo(alice_, "m");
  commit(h, {{"a.txt", "1"}});
  std::string head = commit(h, {{"dir/b.txt", "2"}}, {{"w.bin", "lfs bytes"}});
  auto repo = storage::git::Repo::open(h.path);
  auto before = repo->stat_path(head, "");
  auto r = post_json("/api/models/alice/m/super-squash/main", alice_, R"({"message":"squashed"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto now = *repo->resolve_revision("main");
  EXPECT_NE(now, head);
  EXPECT_TRUE(repo->commit_info(now)->parents.empty());
  EXPECT_EQ(repo->commit_info(now)->title, "squashed");
  EXPECT_EQ(repo->stat_path(now, "")->oid, before->oid);  // same root tree id
}

}  // namespace
}  // namespace hub::api::testing
