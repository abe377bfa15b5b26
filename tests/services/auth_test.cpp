// Credentials -> Principal, and who may read/write which repo (private repos, orgs, roles).
#include "services/auth.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "core/hash.h"
#include "services/accounts.h"
#include "services/repos.h"

namespace hub::services {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("hubd-auth-" + hex_encode(random_bytes(6)));
    HubConfig cfg;
    cfg.data_dir = dir.string();
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h.has_value()) << h.error().message;
    hub = std::move(*h);
    alice = *create_user(*hub, {"alice", "alicepass1", "", "", false});
    bob = *create_user(*hub, {"bob", "bobpass123", "", "", false});
    carol = *create_user(*hub, {"carol", "carolpass1", "", "", false});
    admin = *create_user(*hub, {"root", "rootpass12", "", "", true});
    auto org = create_org(*hub, "acme", "Acme", {"alice"});
    ASSERT_TRUE(org.has_value());
    acme = *org;
    ASSERT_TRUE(hub->db().add_member(acme.id, carol.id, "read").has_value());
  }
  void TearDown() override {
    hub.reset();
    std::filesystem::remove_all(dir);
  }
  Principal login_token(const storage::db::Account& a, std::string role = "write") {
    auto t = create_token(*hub, a.id, "t", role);
    auto p = authenticate(*hub, {std::string_view("Bearer " + t->secret), ""});
    EXPECT_TRUE(p.has_value());
    return *p;
  }
  std::filesystem::path dir;
  std::unique_ptr<Hub> hub;
  storage::db::Account alice, bob, carol, admin, acme;
};

TEST_F(AuthTest, TokensPasswordsAndBadCredentials) {
  auto t = create_token(*hub, alice.id, "laptop", "write");
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->secret.starts_with("hf_"));
  EXPECT_EQ(t->secret.size(), 37u);
  EXPECT_NE(t->token.hash, t->secret);  // stored hashed
  std::string bearer = "Bearer " + t->secret;
  auto p = authenticate(*hub, {std::string_view(bearer), ""});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->account->name, "alice");
  EXPECT_EQ(p->kind, AuthKind::token);

  std::string basic = "Basic " + base64_encode("anything:" + t->secret);
  EXPECT_EQ(authenticate(*hub, {std::string_view(basic), ""})->account->name, "alice");
  std::string pw = "Basic " + base64_encode("alice:alicepass1");
  EXPECT_EQ(authenticate(*hub, {std::string_view(pw), ""})->kind, AuthKind::password);

  for (std::string bad : std::vector<std::string>{"Bearer hf_wrong", "Basic " + base64_encode("alice:wrongpass"), "Basic !!!",
                          "Basic " + base64_encode("nocolon"), "Digest abc"}) {
    auto r = authenticate(*hub, {std::string_view(bad), ""});
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::unauthenticated);
  }
  EXPECT_TRUE(authenticate(*hub, {})->anonymous());
  EXPECT_TRUE(authenticate(*hub, {std::nullopt, "stale-cookie"})->anonymous());
  EXPECT_FALSE(create_token(*hub, alice.id, "x", "admin").has_value());
}

TEST_F(AuthTest, PasswordHashesAreArgon2idAndSalted) {
  auto a = hash_password("correct horse");
  auto b = hash_password("correct horse");
  EXPECT_TRUE(a.starts_with("$argon2id$"));
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "correct horse"));
  EXPECT_FALSE(verify_password(a, "correct horsE"));
  EXPECT_FALSE(verify_password("", "x"));
}

TEST_F(AuthTest, SessionsLogInAndOut) {
  auto s = login(*hub, "alice", "alicepass1");
  ASSERT_TRUE(s.has_value());
  auto p = authenticate(*hub, {std::nullopt, s->cookie});
  EXPECT_EQ(p->account->name, "alice");
  EXPECT_EQ(p->csrf, s->csrf);
  ASSERT_TRUE(logout(*hub, s->cookie).has_value());
  EXPECT_TRUE(authenticate(*hub, {std::nullopt, s->cookie})->anonymous());
  EXPECT_FALSE(login(*hub, "alice", "nope").has_value());
  EXPECT_FALSE(login(*hub, "acme", "whatever1").has_value());  // orgs cannot log in
}

TEST_F(AuthTest, PrivateReposAndOrgRoles) {
  auto pa = login_token(alice), pb = login_token(bob), pc = login_token(carol), proot = login_token(admin);
  auto pa_read = login_token(alice, "read");
  Principal anon;

  auto priv = create_repo(*hub, pa, {"model", "", "secret", true});
  ASSERT_TRUE(priv.has_value()) << priv.error().message;
  auto orgrepo = create_repo(*hub, pa, {"model", "acme", "shared", true});
  ASSERT_TRUE(orgrepo.has_value());
  EXPECT_EQ(create_repo(*hub, pb, {"model", "acme", "x", false}).error().code, Errc::forbidden);
  EXPECT_EQ(create_repo(*hub, pc, {"model", "acme", "x", false}).error().code, Errc::forbidden);  // read role
  EXPECT_EQ(create_repo(*hub, pa_read, {"model", "", "x", false}).error().code, Errc::forbidden);
  EXPECT_EQ(create_repo(*hub, anon, {"model", "", "x", false}).error().code, Errc::unauthenticated);

  const auto& s = priv->row;
  EXPECT_TRUE(can_read(*hub, pa, s));
  EXPECT_FALSE(can_read(*hub, pb, s));
  EXPECT_FALSE(can_read(*hub, anon, s));
  EXPECT_TRUE(can_read(*hub, proot, s));
  EXPECT_TRUE(can_read(*hub, pc, orgrepo->row));   // org member with read role
  EXPECT_FALSE(can_write(*hub, pc, orgrepo->row));
  EXPECT_TRUE(can_write(*hub, pa, orgrepo->row));
  EXPECT_FALSE(can_write(*hub, pa_read, s));

  // Invisible, not forbidden: the same answer as for a repo that does not exist.
  auto hidden = open_repo(*hub, pb, "model", "alice", "secret", Access::read);
  auto missing = open_repo(*hub, pb, "model", "alice", "nothing", Access::read);
  EXPECT_EQ(hidden.error().detail, "RepoNotFound");
  EXPECT_EQ(hidden.error().message, missing.error().message);
  EXPECT_EQ(open_repo(*hub, pa_read, "model", "alice", "secret", Access::write).error().code, Errc::forbidden);
}

TEST_F(AuthTest, MovedReposRedirectOnlyForThoseWhoMayRead) {
  auto pa = login_token(alice), pb = login_token(bob);
  ASSERT_TRUE(create_repo(*hub, pa, {"model", "", "old", true}).has_value());
  auto moved = move_repo(*hub, pa, "model", "alice/old", "acme/new");
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_TRUE(std::filesystem::exists(moved->path));
  auto r = open_repo(*hub, pa, "model", "alice", "old", Access::read);
  EXPECT_EQ(r.error().detail, "RepoMoved");
  EXPECT_EQ(r.error().message, "acme/new");
  EXPECT_EQ(open_repo(*hub, pb, "model", "alice", "old", Access::read).error().detail, "RepoNotFound");
  ASSERT_TRUE(delete_repo(*hub, pa, "model", "acme", "new").has_value());
  EXPECT_FALSE(std::filesystem::exists(moved->path));
}

}  // namespace
}  // namespace hub::services
