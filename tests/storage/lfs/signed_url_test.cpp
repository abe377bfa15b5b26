#include "storage/lfs/signed_url.h"

#include <gtest/gtest.h>

namespace hub::storage::lfs {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";
const std::string kOid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
const std::string kOther = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(LfsSignedUrl, RoundTripsTheGrant) {
  std::string token = sign_url_token(kSecret, {UrlOp::upload, kOid, 123456789, 2000});
  auto g = verify_url_token(kSecret, token, 1999);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->op, UrlOp::upload);
  EXPECT_EQ(g->oid, kOid);
  EXPECT_EQ(g->size, 123456789u);
  EXPECT_EQ(g->expires_unix, 2000);
  // URL-safe: usable in a query string as is.
  EXPECT_EQ(token.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
            std::string::npos);
  EXPECT_TRUE(verify_url_token_for(kSecret, token, UrlOp::upload, kOid, 1999));
}

TEST(LfsSignedUrl, ExpiresAtTheExpiryInstant) {
  std::string token = sign_url_token(kSecret, {UrlOp::download, kOid, 5, 2000});
  EXPECT_TRUE(verify_url_token(kSecret, token, 1999));
  auto at = verify_url_token(kSecret, token, 2000);
  ASSERT_FALSE(at);
  EXPECT_EQ(at.error().code, Errc::unauthenticated);
  EXPECT_EQ(at.error().detail, Detail::TokenExpired);
  EXPECT_FALSE(verify_url_token(kSecret, token, 1'000'000));
}

TEST(LfsSignedUrl, AnyChangedCharacterIsRejected) {
  std::string token = sign_url_token(kSecret, {UrlOp::download, kOid, 42, 5000});
  for (size_t i = 0; i < token.size(); ++i) {
    for (char c : std::string("AZaz09-_.")) {
      if (token[i] == c) continue;
      std::string t = token;
      t[i] = c;
      auto r = verify_url_token(kSecret, t, 1000);
      EXPECT_FALSE(r) << "position " << i << " -> " << c;
    }
  }
  EXPECT_FALSE(verify_url_token(kSecret, token + "A", 1000));
  EXPECT_FALSE(verify_url_token(kSecret, token.substr(0, token.size() - 1), 1000));
}

TEST(LfsSignedUrl, ForgedPayloadWithOldMacIsRejected) {
  std::string a = sign_url_token(kSecret, {UrlOp::download, kOid, 42, 5000});
  std::string b = sign_url_token(kSecret, {UrlOp::upload, kOid, 42, 5000});
  // Payload of one token with the MAC of another.
  std::string forged = b.substr(0, b.find('.')) + a.substr(a.find('.'));
  auto r = verify_url_token(kSecret, forged, 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, Detail::InvalidToken);
}

TEST(LfsSignedUrl, WrongSecretIsRejected) {
  std::string token = sign_url_token(kSecret, {UrlOp::download, kOid, 42, 5000});
  EXPECT_FALSE(verify_url_token("fedcba9876543210fedcba9876543210", token, 1000));
}

TEST(LfsSignedUrl, OperationAndOidMustMatch) {
  std::string token = sign_url_token(kSecret, {UrlOp::download, kOid, 42, 5000});
  auto op = verify_url_token_for(kSecret, token, UrlOp::upload, kOid, 1000);
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, Errc::forbidden);
  auto oid = verify_url_token_for(kSecret, token, UrlOp::download, kOther, 1000);
  ASSERT_FALSE(oid);
  EXPECT_EQ(oid.error().code, Errc::forbidden);
}

TEST(LfsSignedUrl, MalformedTokensAreRejected) {
  for (std::string t : {std::string(""), std::string("."), std::string("abc"), std::string("a.b"),
                        std::string(600, 'A'), std::string("!!!.???")}) {
    auto r = verify_url_token(kSecret, t, 0);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().code, Errc::unauthenticated);
  }
}

}  // namespace
}  // namespace hub::storage::lfs
