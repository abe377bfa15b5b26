#include "storage/xet/cas_token.h"

#include <gtest/gtest.h>

#include "core/hash.h"

namespace hub::storage::xet {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";

CasGrant grant() { return {CasOp::write, "model", "alice/llm", "refs/pr/3", "alice", 2000}; }

TEST(XetCasToken, RoundTripsTheGrant) {
  auto t = sign_cas_token(kSecret, grant());
  ASSERT_TRUE(t) << t.error().message;
  // Usable in an Authorization header and a URL as is.
  EXPECT_EQ(t->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), std::string::npos);
  auto g = verify_cas_token(kSecret, *t, 1999);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->op, CasOp::write);
  EXPECT_EQ(g->repo_type, "model");
  EXPECT_EQ(g->repo_id, "alice/llm");
  EXPECT_EQ(g->rev, "refs/pr/3");
  EXPECT_EQ(g->user, "alice");
  EXPECT_EQ(g->expires_unix, 2000);
  CasGrant anon{CasOp::read, "dataset", "org/data", "main", "", 50};
  auto a = verify_cas_token(kSecret, *sign_cas_token(kSecret, anon), 0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->op, CasOp::read);
  EXPECT_EQ(a->user, "");
}

TEST(XetCasToken, ExpiresAtTheExpiryInstant) {
  auto t = *sign_cas_token(kSecret, grant());
  EXPECT_TRUE(verify_cas_token(kSecret, t, 1999));
  auto r = verify_cas_token(kSecret, t, 2000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unauthenticated);
  EXPECT_EQ(r.error().detail, "TokenExpired");
}

TEST(XetCasToken, TamperingAnyByteOrTheSecretIsRefused) {
  auto t = *sign_cas_token(kSecret, grant());
  for (size_t i = 0; i < t.size(); ++i) {
    std::string bad = t;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto r = verify_cas_token(kSecret, bad, 0);
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_EQ(r.error().detail, "InvalidToken");
  }
  EXPECT_FALSE(verify_cas_token("another-secret-of-32-bytes-000000", t, 0));
  EXPECT_FALSE(verify_cas_token(kSecret, "", 0));
  EXPECT_FALSE(verify_cas_token(kSecret, "xet1.", 0));
  EXPECT_FALSE(verify_cas_token(kSecret, t.substr(5), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, t + "A", 0));
  EXPECT_FALSE(verify_cas_token(kSecret, std::string(5000, 'a'), 0));
}

// A token minted by the same secret for LFS URLs (another context) never verifies here, nor does
// a correctly MACed payload of the wrong shape.
TEST(XetCasToken, OnlyWellFormedPayloadsUnderThisContextVerify) {
  auto forge = [](std::string payload) {
    std::string b64 = base64url_encode(payload);
    std::string msg = "hubd-xet-cas-token-v1\n" + b64;
    auto mac = hmac_sha256(kSecret, msg);
    return "xet1." + b64 + "." + base64url_encode({reinterpret_cast<const char*>(mac.data()), mac.size()});
  };
  EXPECT_TRUE(verify_cas_token(kSecret, forge("v1\nread\nmodel\na/b\nmain\n\n99"), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, forge("v2\nread\nmodel\na/b\nmain\n\n99"), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, forge("v1\nadmin\nmodel\na/b\nmain\n\n99"), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, forge("v1\nread\nmodel\na/b\nmain\n99"), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, forge("v1\nread\nmodel\na/b\nmain\n\n99\n"), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, forge("v1\nread\nmodel\na/b\nmain\n\n099"), 0));
  EXPECT_FALSE(verify_cas_token(kSecret, forge("v1\nread\nmodel\na/b\nmain\n\n-5"), 0));
  std::string lfs_context_mac;
  {
    std::string b64 = base64url_encode("v1\nread\nmodel\na/b\nmain\n\n99");
    auto mac = hmac_sha256(kSecret, "hubd-lfs-url-v1\n" + b64);
    lfs_context_mac = "xet1." + b64 + "." + base64url_encode({reinterpret_cast<const char*>(mac.data()), mac.size()});
  }
  EXPECT_FALSE(verify_cas_token(kSecret, lfs_context_mac, 0));
}

TEST(XetCasToken, FieldsThatWouldBreakThePayloadAreRefusedAtSigning) {
  auto g = grant();
  g.rev = "main\nwrite";
  EXPECT_FALSE(sign_cas_token(kSecret, g));
  g = grant();
  g.user = std::string("a\0b", 3);
  EXPECT_FALSE(sign_cas_token(kSecret, g));
  g = grant();
  g.repo_id = std::string(3000, 'x');
  EXPECT_FALSE(sign_cas_token(kSecret, g));
  g = grant();
  g.repo_id.clear();
  EXPECT_FALSE(sign_cas_token(kSecret, g));
}

}  // namespace
}  // namespace hub::storage::xet
