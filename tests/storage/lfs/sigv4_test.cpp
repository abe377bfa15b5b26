#include "storage/lfs/sigv4.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "storage/lfs/test_support.h"

namespace hub::storage::lfs::sigv4 {
namespace {

// The AWS SigV4 test suite's fixed inputs.
const Credentials kSuiteCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const std::string kSuiteDate = "20150830T123600Z";
const Scope kSuiteScope = make_scope(kSuiteDate, "us-east-1", "service");

Request suite_request(std::string method, std::string uri, std::vector<QueryParam> query = {},
                      std::vector<Header> extra = {}) {
  Request r;
  r.method = std::move(method);
  r.canonical_uri = std::move(uri);
  r.query = std::move(query);
  r.headers = {{"Host", "example.amazonaws.com"}};
  for (auto& h : extra) r.headers.push_back(h);
  r.headers.push_back({"X-Amz-Date", kSuiteDate});
  return r;
}

std::string authz(const std::string& signed_headers, const std::string& sig) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" + signed_headers + ", Signature=" + sig;
}

TEST(SigV4Suite, GetVanilla) {
  Request r = suite_request("GET", "/");
  std::string creq = canonical_request(r);
  EXPECT_EQ(creq,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(string_to_sign(kSuiteDate, kSuiteScope, creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, r),
            authz("host;x-amz-date",
                  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4Suite, GetVanillaQueryOrderKeyCase) {
  Request r = suite_request("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}});
  std::string creq = canonical_request(r);
  EXPECT_EQ(creq,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(creq), "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, r),
            authz("host;x-amz-date",
                  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4Suite, PostXWwwFormUrlencoded) {
  // The suite's current form of this case also signs content-length and x-amz-content-sha256.
  std::string body = "Param1=value1";
  Request r;
  r.method = "POST";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"Host", "example.amazonaws.com"},
               {"Content-Length", "13"},
               {"X-Amz-Date", kSuiteDate},
               {"X-Amz-Content-Sha256", sha256_hex(body)}};
  r.payload_hash = sha256_hex(body);
  EXPECT_EQ(r.payload_hash, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  std::string creq = canonical_request(r);
  EXPECT_EQ(creq,
            "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\n"
            "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
            "x-amz-date:20150830T123600Z\n\n"
            "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(sha256_hex(creq), "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb");
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, r),
            authz("content-length;content-type;host;x-amz-content-sha256;x-amz-date",
                  "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"));
}

TEST(SigV4Suite, PostVanillaAndHeaderCases) {
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, suite_request("POST", "/")),
            authz("host;x-amz-date",
                  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
  // get-header-value-trim: leading spaces trimmed, inner runs collapsed.
  Request trim = suite_request("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}});
  EXPECT_EQ(canonical_headers(trim.headers),
            "host:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n");
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, trim),
            authz("host;my-header1;my-header2;x-amz-date",
                  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
  // get-header-key-duplicate: repeated names joined in order.
  Request dup = suite_request("GET", "/", {},
                              {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}});
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, dup),
            authz("host;my-header1;x-amz-date",
                  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(SigV4Suite, EncodingCases) {
  // get-utf8: the path is encoded once.
  EXPECT_EQ(uri_encode("/\xE1\x88\xB4", false), "/%E1%88%B4");
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope,
                                 suite_request("GET", uri_encode("/\xE1\x88\xB4", false))),
            authz("host;x-amz-date",
                  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
  // get-vanilla-utf8-query
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope,
                                 suite_request("GET", "/", {{"\xE1\x88\xB4", "bar"}})),
            authz("host;x-amz-date",
                  "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
  // get-unreserved
  std::string unreserved = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(uri_encode(unreserved, false), unreserved);
  EXPECT_EQ(authorization_header(kSuiteCreds, kSuiteDate, kSuiteScope, suite_request("GET", unreserved)),
            authz("host;x-amz-date",
                  "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
  EXPECT_EQ(uri_encode("a b/c+d=e", true), "a%20b%2Fc%2Bd%3De");
  EXPECT_EQ(canonical_query_string({{"uploads", ""}, {"a", "x y"}}), "a=x%20y&uploads=");
}

TEST(SigV4Suite, PresignedGetVanilla) {
  Request r;
  r.method = "GET";
  r.headers = {{"Host", "example.amazonaws.com"}};
  std::string q = presign_query(kSuiteCreds, kSuiteDate, kSuiteScope, r, 3600);
  EXPECT_EQ(q,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F"
            "service%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&"
            "X-Amz-SignedHeaders=host&X-Amz-Signature="
            "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d");
}

// The two worked examples of the S3 SigV4 documentation.
const Credentials kS3DocCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

TEST(SigV4S3Docs, GetObjectWithRange) {
  std::string date = "20130524T000000Z";
  Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
               {"x-amz-date", date}};
  Scope scope = make_scope(date, "us-east-1", "s3");
  EXPECT_EQ(sha256_hex(canonical_request(r)),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(authorization_header(kS3DocCreds, date, scope, r),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Docs, PresignedGetObject) {
  std::string date = "20130524T000000Z";
  Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"}};
  r.payload_hash = std::string(kUnsignedPayload);
  Scope scope = make_scope(date, "us-east-1", "s3");
  EXPECT_EQ(presign_query(kS3DocCreds, date, scope, r, 86400),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
            "X-Amz-SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, AmzDate) {
  EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
  EXPECT_EQ(make_scope("20150830T123600Z", "eu-west-1", "s3").str(),
            "20150830/eu-west-1/s3/aws4_request");
}

// curl's own signer (--aws-sigv4) against ours, for the same request: a one-shot listener
// captures what curl sent, and we sign the same method/path/query/headers.
struct CurlCase {
  std::string name;
  std::string method;            // for curl -X (HEAD uses -I)
  std::string path;              // as sent
  std::vector<QueryParam> query; // decoded; sent in this order
  std::vector<Header> headers;   // extra -H headers (besides x-amz-date and content sha)
  std::string payload_hash;
  std::string body;
};

TEST(SigV4Curl, MatchesCurlsSigner) {
  const std::string date = "20240102T030405Z";
  const Credentials creds{"AKIDCURLTEST", "curl/secret+key/EXAMPLE", ""};
  const std::string body = "part bytes";
  std::vector<CurlCase> cases = {
      {"get object", "GET", "/bucket/lfs/abc", {}, {}, std::string(kEmptyPayloadHash), ""},
      {"get range", "GET", "/bucket/lfs/abc", {}, {{"Range", "bytes=0-9"}}, std::string(kEmptyPayloadHash), ""},
      {"head", "HEAD", "/bucket/lfs/abc", {}, {}, std::string(kEmptyPayloadHash), ""},
      {"delete", "DELETE", "/bucket/lfs/abc", {}, {}, std::string(kEmptyPayloadHash), ""},
      {"put unsigned part", "PUT", "/bucket/lfs/abc",
       {{"partNumber", "2"}, {"uploadId", "u-1"}}, {}, std::string(kUnsignedPayload), body},
      {"put signed body", "PUT", "/bucket/lfs/" + sha256_hex(body), {}, {}, sha256_hex(body), body},
      {"encoded key", "GET", "/bucket/some%20dir/f%2Bx.bin", {}, {}, std::string(kEmptyPayloadHash), ""},
      {"list", "GET", "/bucket", {{"list-type", "2"}, {"prefix", "lfs/"}}, {}, std::string(kEmptyPayloadHash), ""},
  };
  for (const auto& c : cases) {
    hub::test::OneShotListener listener;
    std::string host = "127.0.0.1:" + std::to_string(listener.port());
    std::string url = "http://" + host + c.path;
    if (!c.query.empty()) url += "?" + canonical_query_string(c.query);
    std::vector<std::string> argv = {"curl", "-s", "-o", "/dev/null", "--max-time", "20",
                                     "--aws-sigv4", "aws:amz:us-east-1:s3",
                                     "--user", creds.access_key_id + ":" + creds.secret_access_key,
                                     "-H", "x-amz-date: " + date,
                                     "-H", "x-amz-content-sha256: " + c.payload_hash};
    for (const auto& h : c.headers) {
      argv.push_back("-H");
      argv.push_back(h.name + ": " + h.value);
    }
    if (c.method == "HEAD") {
      argv.push_back("-I");
    } else {
      argv.push_back("-X");
      argv.push_back(c.method);
    }
    if (!c.body.empty()) {
      argv.push_back("--data-binary");
      argv.push_back(c.body);
    }
    argv.push_back(url);
    auto [rc, out] = hub::test::run(argv);
    ASSERT_EQ(rc, 0) << c.name << ": " << out;
    std::string head = listener.request();
    std::string curl_auth = hub::test::header_value(head, "Authorization");
    ASSERT_FALSE(curl_auth.empty()) << c.name << ": " << head;

    Request r;
    r.method = c.method;
    r.canonical_uri = c.path;
    r.query = c.query;
    r.headers = c.headers;
    r.headers.push_back({"host", host});
    r.headers.push_back({"x-amz-date", date});
    r.headers.push_back({"x-amz-content-sha256", c.payload_hash});
    r.payload_hash = c.payload_hash;
    EXPECT_EQ(authorization_header(creds, date, make_scope(date, "us-east-1", "s3"), r), curl_auth)
        << c.name << "\n" << head;
  }
}

}  // namespace
}  // namespace hub::storage::lfs::sigv4
