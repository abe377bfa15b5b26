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
    // Buckets that refill in hours, so counts do not depend on how fast argon2 runs here.
    cfg.login_limits.account = {10, 0.01};
    cfg.login_limits.address = {30, 0.01};
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
  // Passwords are for the web log-in only (issue 14 #9): git and the API are told to use a token.
  std::string pw = "Basic " + base64_encode("alice:alicepass1");
  auto refused = authenticate(*hub, {std::string_view(pw), ""});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::unauthenticated);
  EXPECT_NE(refused.error().message.find("use an access token"), std::string::npos) << refused.error().message;

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
  auto s = login(*hub, "alice", "alicepass1", "10.0.0.1");
  ASSERT_TRUE(s.has_value());
  auto p = authenticate(*hub, {std::nullopt, s->cookie});
  EXPECT_EQ(p->account->name, "alice");
  EXPECT_EQ(p->csrf, s->csrf);
  ASSERT_TRUE(logout(*hub, s->cookie).has_value());
  EXPECT_TRUE(authenticate(*hub, {std::nullopt, s->cookie})->anonymous());
  EXPECT_FALSE(login(*hub, "alice", "nope", "10.0.0.1").has_value());
  EXPECT_FALSE(login(*hub, "acme", "whatever1", "10.0.0.1").has_value());  // orgs cannot log in
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
  EXPECT_EQ(hidden.error().detail, Detail::RepoNotFound);
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
  EXPECT_EQ(r.error().detail, Detail::RepoMoved);
  EXPECT_EQ(r.error().message, "acme/new");
  EXPECT_EQ(open_repo(*hub, pb, "model", "alice", "old", Access::read).error().detail, Detail::RepoNotFound);
  ASSERT_TRUE(delete_repo(*hub, pa, "model", "acme", "new").has_value());
  EXPECT_FALSE(std::filesystem::exists(moved->path));
}

// Read tokens read, nothing else (issue 14 #7): every use case that changes state refuses them
// with the same clear 403, on their own repos and on others' (opening a pull request, liking).
TEST_F(AuthTest, ReadTokensCannotWriteAnything) {
  auto pa = login_token(alice), pb = login_token(bob);
  auto pa_read = login_token(alice, "read"), pb_read = login_token(bob, "read");
  ASSERT_TRUE(create_repo(*hub, pa, {"model", "", "pub", false}).has_value());

  auto refused = [](const auto& r) { return !r.has_value() && r.error().code == Errc::forbidden &&
                                            r.error().message == kReadOnlyTokenMessage; };
  EXPECT_TRUE(refused(require_write_scope(pa_read)));
  EXPECT_TRUE(require_write_scope(pa).has_value());
  EXPECT_EQ(require_write_scope(Principal{}).error().code, Errc::unauthenticated);
  EXPECT_TRUE(refused(create_repo(*hub, pa_read, {"model", "", "x", false})));
  EXPECT_TRUE(refused(open_repo(*hub, pa_read, "model", "alice", "pub", Access::write)));
  EXPECT_TRUE(refused(delete_repo(*hub, pa_read, "model", "alice", "pub")));
  EXPECT_TRUE(refused(move_repo(*hub, pa_read, "model", "alice/pub", "alice/moved")));
  EXPECT_TRUE(refused(update_repo_settings(*hub, pa_read, "model", "alice", "pub", true, std::nullopt)));
  // Contributing to someone else's repo (a pull request, a like) needs write scope too.
  EXPECT_TRUE(refused(open_repo(*hub, pb_read, "model", "alice", "pub", Access::contribute)));
  EXPECT_TRUE(open_repo(*hub, pb, "model", "alice", "pub", Access::contribute).has_value());
  EXPECT_TRUE(open_repo(*hub, pb_read, "model", "alice", "pub", Access::read).has_value());
  EXPECT_EQ(open_repo(*hub, Principal{}, "model", "alice", "pub", Access::contribute).error().code,
            Errc::unauthenticated);
  // Nothing changed: still public, still there.
  auto still = open_repo(*hub, pa, "model", "alice", "pub", Access::read);
  ASSERT_TRUE(still.has_value());
  EXPECT_FALSE(still->row.is_private);
  // A private repo stays invisible to a read token of another user, not "forbidden".
  ASSERT_TRUE(create_repo(*hub, pa, {"model", "", "hidden", true}).has_value());
  EXPECT_EQ(open_repo(*hub, pb_read, "model", "alice", "hidden", Access::contribute).error().detail, Detail::RepoNotFound);
}

// Failed log-ins are refused the same way, and cost one argon2 run, whether or not the user
// exists (timing is measured end to end in tests/e2e/security_auth_test.sh).
TEST_F(AuthTest, FailedLoginsLookTheSameForAbsentUsers) {
  auto wrong = login(*hub, "alice", "not-her-password", "10.0.0.2");
  auto absent = login(*hub, "nobody-here", "not-her-password", "10.0.0.3");
  auto org = login(*hub, "acme", "not-her-password", "10.0.0.4");
  ASSERT_FALSE(wrong.has_value());
  ASSERT_FALSE(absent.has_value());
  ASSERT_FALSE(org.has_value());
  for (const auto* f : {&wrong.error(), &absent.error(), &org.error()}) {
    EXPECT_EQ(f->error.code, Errc::unauthenticated);
    EXPECT_EQ(f->error.message, wrong.error().error.message);
    EXPECT_EQ(f->retry_after_s, 0);
  }
  EXPECT_FALSE(verify_password_constant_cost(nullptr, "x"));
  std::string empty;
  EXPECT_FALSE(verify_password_constant_cost(&empty, "x"));
  std::string real = hash_password("right one");
  EXPECT_TRUE(verify_password_constant_cost(&real, "right one"));
  EXPECT_FALSE(verify_password_constant_cost(&real, "wrong one"));
}

// Guessing is throttled per account (whatever the address) and per address (whatever the
// account); a throttled attempt is refused before the password is looked at.
TEST_F(AuthTest, LoginIsThrottledPerAccountAndPerAddress) {
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(login(*hub, "alice", "guess" + std::to_string(i), "10.1.0." + std::to_string(i)).has_value());
  auto limited = login(*hub, "alice", "alicepass1", "10.1.1.1");  // even the right password
  ASSERT_FALSE(limited.has_value());
  EXPECT_GT(limited.error().retry_after_s, 0);
  EXPECT_EQ(limited.error().error.detail, Detail::TooManyRequests);
  EXPECT_TRUE(login(*hub, "bob", "bobpass123", "10.1.1.1").has_value());  // other accounts are not

  // One address spraying many accounts.
  int refused_at = -1;
  for (int i = 0; i < 40 && refused_at < 0; ++i) {
    auto r = login(*hub, "user" + std::to_string(i), "pw", "10.9.9.9");
    if (!r && r.error().retry_after_s > 0) refused_at = i;
  }
  EXPECT_EQ(refused_at, 30);
  EXPECT_TRUE(login(*hub, "carol", "carolpass1", "10.9.9.10").has_value());
}

TEST(LoginThrottleTest, BucketsRefillAndSuccessesDoNotCount) {
  LoginThrottle t({{3, 6}, {100, 100}, 1000});  // account: 3 at once, then 6 a minute
  int64_t now = 1'000'000;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.try_acquire("Alice", "a", now).has_value());
  auto wait = t.try_acquire("ALICE", "b", now);  // names are case-insensitive
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 10);  // one token every 10 s
  EXPECT_TRUE(t.try_acquire("alice", "a", now + 9'000).has_value());
  EXPECT_FALSE(t.try_acquire("alice", "a", now + 10'500).has_value());
  EXPECT_TRUE(t.try_acquire("alice", "a", now + 10'500).has_value());
  // A success gives its token back.
  EXPECT_FALSE(t.try_acquire("bob", "a", now).has_value());
  t.refund("bob", "a", now);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.try_acquire("bob", "a", now).has_value());
  EXPECT_TRUE(t.try_acquire("bob", "a", now).has_value());
}

TEST(LoginThrottleTest, MemoryStaysBoundedUnderAFloodOfNames) {
  LoginThrottle t({{5, 5}, {1e9, 1e9}, 1000});
  for (int i = 0; i < 100'000; ++i) (void)t.try_acquire("name" + std::to_string(i), "addr", int64_t(i));
  EXPECT_LE(t.entries(), 1000u);
  // Long names cost no more than 128 bytes of key each.
  EXPECT_FALSE(t.try_acquire(std::string(1 << 20, 'x'), "addr", 0).has_value());
}

}  // namespace
}  // namespace hub::services
