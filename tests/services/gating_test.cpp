// Gated repos (services/gating.h): the one content-access decision for each kind of caller
// (anonymous, stranger, pending, rejected, accepted, owner, org members of each role, admin,
// read tokens), open_repo(Access::content), requests (auto/manual, the form's answers), the
// writers' decisions, and the card's request form read from untrusted, malformed cardData.
#include "services/gating.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/hash.h"
#include "services/accounts.h"
#include "services/repos.h"

namespace hub::services {
namespace {

class GatingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("hubd-gating-" + hex_encode(random_bytes(6)));
    HubConfig cfg;
    cfg.data_dir = dir.string();
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h.has_value()) << h.error().message;
    hub = std::move(*h);
    alice = *create_user(*hub, {"alice", "alicepass1", "", "", false});
    bob = *create_user(*hub, {"bob", "bobpass123", "", "", false});
    carol = *create_user(*hub, {"carol", "carolpass1", "", "", false});
    admin = *create_user(*hub, {"root", "rootpass12", "", "", true});
    ASSERT_TRUE(create_org(*hub, "acme", "Acme", {"alice"}).has_value());
    ASSERT_TRUE(hub->db().add_member(hub->db().account_by_name("acme")->id, carol.id, "read").has_value());
  }
  void TearDown() override {
    hub.reset();
    std::filesystem::remove_all(dir);
  }
  Principal as(const storage::db::Account& a, std::string role = "write") {
    auto t = create_token(*hub, a.id, "t", role);
    std::string bearer = "Bearer " + t->secret;
    auto p = authenticate(*hub, {std::string_view(bearer), ""});
    EXPECT_TRUE(p.has_value());
    return *p;
  }
  storage::db::RepoRow gated_repo(std::string ns, std::string name, std::string mode) {
    auto r = create_repo(*hub, as(alice), {"model", ns, name, false});
    EXPECT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(update_repo_settings(*hub, as(alice), "model", r->row.ns, name, std::nullopt, mode).has_value());
    return *hub->db().repo_by_name("model", r->row.ns, name);
  }
  static std::string why(const Result<void>& r) { return r ? "ok" : r.error().message; }
  std::filesystem::path dir;
  std::unique_ptr<Hub> hub;
  storage::db::Account alice, bob, carol, admin;
};

TEST_F(GatingTest, DecisionForEachCaller) {
  auto repo = gated_repo("", "m", "manual");
  Principal anon;
  auto a = check_content_access(*hub, anon, repo);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code, Errc::unauthenticated);
  EXPECT_EQ(a.error().detail, Detail::GatedRepo);
  auto b = check_content_access(*hub, as(bob), repo);
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, Errc::forbidden);
  EXPECT_EQ(b.error().detail, Detail::GatedRepo);
  EXPECT_NE(b.error().message.find("Access to model alice/m is restricted and you are not in the authorized list"),
            std::string::npos);
  EXPECT_TRUE(check_content_access(*hub, as(alice), repo)) << "the owner";
  EXPECT_TRUE(check_content_access(*hub, as(alice, "read"), repo)) << "the owner's read token";
  EXPECT_TRUE(check_content_access(*hub, as(admin), repo)) << "an admin";

  // open_repo: metadata for everyone, content past the gate.
  EXPECT_TRUE(open_repo(*hub, as(bob), "model", "alice", "m", Access::read).has_value());
  auto o = open_repo(*hub, as(bob), "model", "alice", "m", Access::content);
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().detail, Detail::GatedRepo);

  // bob asks (manual: pending), is rejected, then accepted.
  auto req = request_access(*hub, as(bob), repo, {}, {});
  ASSERT_TRUE(req.has_value()) << req.error().message;
  EXPECT_EQ(req->status, "pending");
  EXPECT_NE(why(check_content_access(*hub, as(bob), repo)).find("awaiting a review"), std::string::npos);
  EXPECT_EQ(request_access(*hub, as(bob), repo, {}, {}).error().code, Errc::conflict);
  ASSERT_TRUE(handle_access_request(*hub, as(alice), "model", "alice", "m", "bob", "rejected", "no").has_value());
  EXPECT_NE(why(check_content_access(*hub, as(bob), repo)).find("has been rejected"), std::string::npos);
  ASSERT_TRUE(handle_access_request(*hub, as(alice), "model", "alice", "m", "bob", "accepted", "").has_value());
  EXPECT_TRUE(check_content_access(*hub, as(bob), repo));
  EXPECT_TRUE(check_content_access(*hub, as(bob, "read"), repo)) << "an accepted user's read token reads";
  EXPECT_TRUE(open_repo(*hub, as(bob), "model", "alice", "m", Access::content).has_value());

  // Who decides: not bob, not the owner's read token.
  EXPECT_EQ(handle_access_request(*hub, as(bob), "model", "alice", "m", "bob", "pending", "").error().code,
            Errc::forbidden);
  EXPECT_EQ(handle_access_request(*hub, as(alice, "read"), "model", "alice", "m", "bob", "pending", "").error().code,
            Errc::forbidden);
  EXPECT_EQ(list_access_requests(*hub, as(bob), "model", "alice", "m", "accepted").error().code, Errc::forbidden);
  EXPECT_EQ(list_access_requests(*hub, as(alice), "model", "alice", "m", "accepted")->size(), 1u);

  // Off: everyone reads; the request API answers 400.
  ASSERT_TRUE(update_repo_settings(*hub, as(alice), "model", "alice", "m", std::nullopt, "").has_value());
  repo = *hub->db().repo_by_name("model", "alice", "m");
  EXPECT_TRUE(check_content_access(*hub, anon, repo));
  EXPECT_EQ(list_access_requests(*hub, as(alice), "model", "alice", "m", "accepted").error().code,
            Errc::invalid_argument);
}

TEST_F(GatingTest, OrgMembersOfAnyRoleReadAutoAccepts) {
  auto repo = gated_repo("acme", "om", "auto");
  EXPECT_TRUE(check_content_access(*hub, as(alice), repo)) << "org admin/writer";
  EXPECT_TRUE(check_content_access(*hub, as(carol), repo)) << "org member with the read role";
  EXPECT_FALSE(check_content_access(*hub, as(bob), repo));
  // carol (read role) cannot manage the requests: that needs write.
  EXPECT_EQ(grant_access(*hub, as(carol), "model", "acme", "om", "bob").error().code, Errc::forbidden);
  auto r = request_access(*hub, as(bob), repo, {}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "accepted") << "auto approval";
  EXPECT_TRUE(check_content_access(*hub, as(bob), repo));
  EXPECT_EQ(grant_access(*hub, as(alice), "model", "acme", "om", "bob").error().code, Errc::invalid_argument)
      << "already has access";
  EXPECT_EQ(grant_access(*hub, as(alice), "model", "acme", "om", "acme").error().code, Errc::not_found)
      << "an org is not a user";
  EXPECT_EQ(request_access(*hub, as(carol, "read"), repo, {}, {}).error().code, Errc::forbidden)
      << "a read token cannot ask";
}

TEST_F(GatingTest, FormAnswersAreChecked) {
  auto repo = gated_repo("", "f", "manual");
  auto card = json::parse(R"({"extra_gated_fields":{"Company":"text","Terms":"checkbox",
      "Use":{"type":"select","options":["a",{"label":"B","value":"b"}]},"When":"date_picker"}})");
  ASSERT_TRUE(card.has_value());
  GateForm form = gate_form(card->as_object());
  ASSERT_EQ(form.fields.size(), 4u);
  EXPECT_EQ(form.fields[2].type, "select");
  EXPECT_EQ(form.fields[2].options, (std::vector<std::string>{"a", "b"}));
  using A = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(request_access(*hub, as(bob), repo, form, A{}).error().code, Errc::invalid_argument);
  EXPECT_EQ(request_access(*hub, as(bob), repo, form, A{{"Company", "X"}, {"Use", "a"}, {"When", "2024-01-01"}})
                .error()
                .code,
            Errc::invalid_argument)
      << "the checkbox is not ticked";
  EXPECT_EQ(request_access(*hub, as(bob), repo, form,
                           A{{"Company", "X"}, {"Terms", "on"}, {"Use", "c"}, {"When", "2024-01-01"}})
                .error()
                .code,
            Errc::invalid_argument)
      << "not an option";
  EXPECT_EQ(request_access(*hub, as(bob), repo, form,
                           A{{"Company", std::string(1001, 'x')}, {"Terms", "on"}, {"Use", "a"}, {"When", "d"}})
                .error()
                .code,
            Errc::invalid_argument)
      << "too long";
  auto ok = request_access(*hub, as(bob), repo, form,
                           A{{"Company", "X"}, {"Terms", "on"}, {"Use", "b"}, {"When", "2024-01-01"}, {"extra", "y"}});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  auto stored = json::parse(ok->fields);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(json::serialize(*stored), R"({"Company":"X","Terms":true,"Use":"b","When":"2024-01-01"})")
      << "only the form's fields are kept";
}

// cardData is the user's YAML: every shape must read without a crash, junk skipped.
TEST(GateForm, MalformedCardData) {
  const char* cards[] = {
      R"({})",
      R"({"extra_gated_fields":null})",
      R"({"extra_gated_fields":[1,2,3]})",
      R"({"extra_gated_fields":"text"})",
      R"({"extra_gated_fields":{"":"text","a":null,"b":5,"c":{"type":7},"d":{"type":"select"},"e":{"type":"select","options":"x"},"f":{"type":"select","options":[null,1,{"value":2},{"label":"L"}]},"g":"weird"}})",
      R"({"extra_gated_prompt":5,"extra_gated_heading":[],"extra_gated_button_content":{"a":1}})",
  };
  for (const char* c : cards) {
    auto v = json::parse(c);
    ASSERT_TRUE(v.has_value()) << c;
    GateForm f = gate_form(v->as_object());
    for (const auto& x : f.fields) {
      EXPECT_FALSE(x.name.empty()) << c;
      EXPECT_TRUE(x.type == "text" || x.type == "checkbox" || x.type == "date_picker" || x.type == "country" ||
                  x.type == "select")
          << c;
      if (x.type == "select") EXPECT_FALSE(x.options.empty()) << c;
    }
  }
  auto v = json::parse(cards[4]);
  GateForm f = gate_form(v->as_object());
  ASSERT_EQ(f.fields.size(), 7u);  // "" skipped; the others become text unless well-formed
  EXPECT_EQ(f.fields[3].type, "text") << "select without options";
  EXPECT_EQ(f.fields[5].type, "text") << "select whose options are all junk";
  // Many fields are capped.
  json::object many, fields;
  for (int i = 0; i < 500; ++i) fields["f" + std::to_string(i)] = "text";
  many["extra_gated_fields"] = fields;
  EXPECT_EQ(gate_form(many).fields.size(), 50u);
}

}  // namespace
}  // namespace hub::services
