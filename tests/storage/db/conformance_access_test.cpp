// Conformance cases (both backends, see conformance_test.cpp) for the access requests of gated
// repos (issue 17, migration 7).
#include "storage/db/conformance_fixture.h"

namespace hub::storage::db {
namespace {

class ConformanceAccess : public testing::Conformance {
 protected:
  AccessRequestRow req(const RepoRow& r, const Account& a, std::string status, int64_t at) {
    AccessRequestRow x;
    x.repo_id = r.id;
    x.account_id = a.id;
    x.status = std::move(status);
    x.created_at = x.updated_at = at;
    return x;
  }
  std::vector<std::string> listed(const RepoRow& r, std::string_view status) {
    auto l = db->access_requests(r.id, status, -1);
    EXPECT_TRUE(l.has_value()) << l.error().message;
    std::vector<std::string> out;
    if (l)
      for (auto& x : *l) out.push_back(x.user_name);
    return out;
  }
};

// Create once per (repo, user); the joined user columns; status moves as compare-and-set;
// the rejection reason lives only while rejected; listings by status, oldest change first.
TEST_P(ConformanceAccess, CreateMoveAndList) {
  auto owner = user("owner");
  Account ann;
  ann.name = "ann";
  ann.fullname = "Ann Example";
  ann.email = "ann@example.com";
  ann.created_at = 1;
  ann = *db->create_account(ann);
  auto bob = user("bob");
  auto r = repo("owner", "m");
  auto other = repo("owner", "n");

  auto a = req(r, ann, "pending", 10);
  a.fields = R"({"company":"X"})";
  ASSERT_TRUE(db->create_access_request(a).has_value());
  auto again = db->create_access_request(a);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::already_exists);
  auto b = req(r, bob, "accepted", 5);
  b.granted = true;
  ASSERT_TRUE(db->create_access_request(b).has_value());

  auto got = db->access_request(r.id, ann.id);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(got->user_name, "ann");
  EXPECT_EQ(got->user_fullname, "Ann Example");
  EXPECT_EQ(got->user_email, "ann@example.com");
  EXPECT_EQ(got->status, "pending");
  EXPECT_EQ(got->fields, R"({"company":"X"})");
  EXPECT_FALSE(got->granted);
  EXPECT_EQ(got->created_at, 10);
  EXPECT_TRUE(db->access_request(r.id, bob.id)->granted);
  EXPECT_EQ(db->access_request(other.id, ann.id).error().code, Errc::not_found);
  EXPECT_EQ(db->access_request(r.id, owner.id).error().code, Errc::not_found);

  EXPECT_EQ(listed(r, "pending"), std::vector<std::string>{"ann"});
  EXPECT_EQ(listed(r, "accepted"), std::vector<std::string>{"bob"});
  EXPECT_TRUE(listed(r, "rejected").empty());
  EXPECT_TRUE(listed(other, "pending").empty());

  // Reject with a reason; the same move again is a conflict; a missing row is not_found.
  ASSERT_TRUE(db->set_access_status(r.id, ann.id, "rejected", "no", 20).has_value());
  auto same = db->set_access_status(r.id, ann.id, "rejected", "again", 21);
  ASSERT_FALSE(same.has_value());
  EXPECT_EQ(same.error().code, Errc::conflict);
  EXPECT_EQ(db->set_access_status(other.id, ann.id, "accepted", "", 22).error().code, Errc::not_found);
  got = db->access_request(r.id, ann.id);
  EXPECT_EQ(got->status, "rejected");
  EXPECT_EQ(got->rejection_reason, "no");
  EXPECT_EQ(got->updated_at, 20);
  EXPECT_EQ(got->created_at, 10);
  EXPECT_EQ(got->fields, R"({"company":"X"})") << "a decision keeps the answers";

  // Accept: the reason goes; ann (changed at 30) lists after bob (5).
  ASSERT_TRUE(db->set_access_status(r.id, ann.id, "accepted", "ignored", 30).has_value());
  got = db->access_request(r.id, ann.id);
  EXPECT_EQ(got->rejection_reason, "");
  EXPECT_EQ(listed(r, "accepted"), (std::vector<std::string>{"bob", "ann"}));
  EXPECT_EQ(db->access_requests(r.id, "accepted", 1)->size(), 1u);

  // A status outside the three is refused by the schema.
  EXPECT_FALSE(db->set_access_status(r.id, bob.id, "maybe", "", 40).has_value());
  EXPECT_EQ(db->access_request(r.id, bob.id)->status, "accepted");

  // Deleting the repo deletes its requests.
  ASSERT_TRUE(db->delete_repo(r.id).has_value());
  EXPECT_EQ(db->access_request(r.id, ann.id).error().code, Errc::not_found);
}

// The listing's gated=true|false filter (list_models(gated=...)), with the visibility rules.
TEST_P(ConformanceAccess, ListingFiltersOnGated) {
  user("alice");
  auto a = repo("alice", "open", false, 1);
  auto b = repo("alice", "auto", false, 2);
  auto c = repo("alice", "manual", false, 3);
  auto d = repo("alice", "hidden", true, 4);
  ASSERT_TRUE(db->update_repo_settings(b.id, std::nullopt, "auto").has_value());
  ASSERT_TRUE(db->update_repo_settings(c.id, std::nullopt, "manual").has_value());
  ASSERT_TRUE(db->update_repo_settings(d.id, std::nullopt, "manual").has_value());
  for (auto* r : {&a, &b, &c, &d}) index(r->id, {}, "");
  RepoQuery q;
  q.type = "model";
  q.sort = RepoSort::created_at;
  q.descending = false;
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/open", "alice/auto", "alice/manual"}));
  q.gated = true;
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/auto", "alice/manual"})) << "a private gated repo stays hidden";
  q.private_namespaces = {"alice"};
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/auto", "alice/manual", "alice/hidden"}));
  q.gated = false;
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/open"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceAccess, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
