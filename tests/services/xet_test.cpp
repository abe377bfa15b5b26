// services/xet on a real Hub (SQLite + local blob store) in a temp directory: tokens decided by
// the repo's access rules, CAS authorization, xorb and shard uploads (validation, idempotence,
// nothing registered on failure), the sha256 lookup commits use, reconstruction plans and the
// byte bridge (whole and ranged), transfer URL signatures, and dedup answers that never reveal
// another user's private chunks.
#include "services/xet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/hash.h"
#include "services/accounts.h"
#include "storage/xet/chunker.h"
#include "storage/xet/shard.h"
#include "storage/xet/xorb.h"

namespace hub::services {
namespace {

namespace xet = storage::xet;
constexpr int64_t kNow = 1'800'000'000;

// A file's bytes, as one xorb and the shard an honest client uploads for it.
struct Upload {
  std::string data;
  std::vector<uint8_t> xorb;
  xet::MerkleHash xorb_hash, file_hash;
  std::vector<uint8_t> shard;
};

Upload make_upload(size_t n, uint64_t seed) {
  Upload u;
  std::mt19937_64 rng(seed);
  u.data.resize(n);
  for (auto& c : u.data) c = char(rng());
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(u.data.data()), n);
  std::vector<std::span<const uint8_t>> chunks;
  size_t pos = 0;
  for (size_t len : xet::chunk_lengths(bytes)) {
    chunks.push_back(bytes.subspan(pos, len));
    pos += len;
  }
  u.xorb = xet::serialize_xorb(chunks);
  auto idx = *xet::parse_xorb(u.xorb);
  u.xorb_hash = idx.hash;
  xet::ShardXorb block{idx.hash, 0, 0, 0, {}};
  std::vector<xet::ChunkRef> leaves;
  std::vector<xet::MerkleHash> hashes;
  for (auto& c : idx.chunks) {
    block.chunks.push_back({c.hash, block.num_bytes_in_xorb, c.uncompressed_size, 0});
    block.num_bytes_in_xorb += c.uncompressed_size;
    leaves.push_back({c.hash, c.uncompressed_size});
    hashes.push_back(c.hash);
  }
  xet::ShardFile f;
  f.flags = xet::kFileFlagVerification | xet::kFileFlagMetadataExt;
  f.terms.push_back({idx.hash, 0, uint32_t(n), 0, uint32_t(idx.chunks.size())});
  f.verification.push_back(xet::verification_hash(hashes));
  f.file_hash = xet::file_hash(leaves);
  f.sha256 = xet::parse_xhex(sha256_hex(u.data));
  u.file_hash = f.file_hash;
  xet::Shard s;
  s.files.push_back(f);
  s.xorbs.push_back(block);
  u.shard = xet::serialize_shard(s);
  return u;
}

class XetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-xet-service-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    HubConfig cfg;
    cfg.data_dir = dir_;
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
    alice_ = user("alice");
    bob_ = user("bob");
    ASSERT_TRUE(create_repo(*hub_, alice_, NewRepo{"model", "", "priv", true}));
    ASSERT_TRUE(create_repo(*hub_, alice_, NewRepo{"model", "", "pub", false}));
    ASSERT_TRUE(create_repo(*hub_, bob_, NewRepo{"model", "", "mine", false}));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Principal user(const std::string& name) {
    auto a = create_user(*hub_, NewUser{name, name + "-password", "", "", false});
    EXPECT_TRUE(a) << a.error().message;
    auto t = create_token(*hub_, a->id, "t", "write");
    std::string auth = "Bearer " + t->secret;
    auto p = authenticate(*hub_, Credentials{std::string_view(auth), ""});
    EXPECT_TRUE(p);
    return *p;
  }
  Result<XetCaller> caller(const Principal& p, std::string_view ns, std::string_view name, xet::CasOp op) {
    auto t = xet_issue_token(*hub_, p, "model", ns, name, op, false, "main", "http://hub", kNow);
    if (!t) return std::unexpected(t.error());
    EXPECT_EQ(t->cas_url, "http://hub/xet-cas");
    EXPECT_EQ(t->exp, kNow + kXetTokenTtlSeconds);
    return xet_authorize(*hub_, "Bearer " + t->access_token, op, kNow + 1);
  }
  std::string read_all(XetByteReader& r) {
    std::string out;
    char buf[7000];
    for (;;) {
      auto n = r(buf, sizeof buf);
      EXPECT_TRUE(n) << n.error().message;
      if (!n || *n == 0) return out;
      out.append(buf, *n);
    }
  }

  std::string dir_;
  std::unique_ptr<Hub> hub_;
  Principal alice_, bob_;
};

TEST_F(XetServiceTest, TokensFollowRepoAccess) {
  EXPECT_TRUE(caller(alice_, "alice", "priv", xet::CasOp::write));
  EXPECT_EQ(caller(bob_, "alice", "priv", xet::CasOp::read).error().detail, Detail::RepoNotFound);
  EXPECT_EQ(caller(bob_, "alice", "pub", xet::CasOp::write).error().code, Errc::forbidden);
  EXPECT_TRUE(caller(bob_, "alice", "pub", xet::CasOp::read));
  EXPECT_TRUE(caller(Principal{}, "alice", "pub", xet::CasOp::read));  // anonymous read of a public repo
  // A PR needs only contribute rights.
  EXPECT_TRUE(xet_issue_token(*hub_, bob_, "model", "alice", "pub", xet::CasOp::write, true, "None", "http://hub", kNow));
  // CAS side: a read token cannot write; tampered, expired and missing tokens are refused.
  auto t = xet_issue_token(*hub_, alice_, "model", "alice", "pub", xet::CasOp::read, false, "main", "http://hub", kNow);
  ASSERT_TRUE(t);
  EXPECT_EQ(xet_authorize(*hub_, "Bearer " + t->access_token, xet::CasOp::write, kNow).error().code, Errc::forbidden);
  EXPECT_EQ(xet_authorize(*hub_, "Bearer " + t->access_token, xet::CasOp::read, t->exp).error().code,
            Errc::unauthenticated);
  std::string bad = t->access_token;
  bad[bad.size() / 2] ^= 1;
  EXPECT_EQ(xet_authorize(*hub_, "Bearer " + bad, xet::CasOp::read, kNow).error().code, Errc::unauthenticated);
  EXPECT_EQ(xet_authorize(*hub_, std::nullopt, xet::CasOp::read, kNow).error().code, Errc::unauthenticated);
}

TEST_F(XetServiceTest, UploadRegisterPlanAndBridge) {
  auto c = caller(alice_, "alice", "priv", xet::CasOp::write);
  ASSERT_TRUE(c);
  Upload u = make_upload(900000, 1);
  std::string name = xet::to_xhex(u.xorb_hash);
  // The shard first: its xorb is not stored yet, nothing gets registered.
  auto early = xet_put_shard(*hub_, *c, u.shard, kNow);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().detail, Detail::XorbNotFound);
  // Bad xorbs: another name, truncated, garbage.
  EXPECT_EQ(xet_put_xorb(*hub_, *c, std::string(64, '1'), u.xorb, kNow).error().detail, Detail::InvalidXorb);
  EXPECT_EQ(xet_put_xorb(*hub_, *c, "zz", u.xorb, kNow).error().code, Errc::invalid_argument);
  EXPECT_FALSE(xet_put_xorb(*hub_, *c, name, std::span(u.xorb).first(u.xorb.size() - 1), kNow));
  EXPECT_FALSE(hub_->db().xet_xorb(name));  // nothing stored
  auto ok = xet_put_xorb(*hub_, *c, name, u.xorb, kNow);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(*ok);
  EXPECT_FALSE(*xet_put_xorb(*hub_, *c, name, u.xorb, kNow));  // again: was_inserted false
  auto reg = xet_put_shard(*hub_, *c, u.shard, kNow);
  ASSERT_TRUE(reg) << reg.error().message;
  EXPECT_TRUE(*reg);
  EXPECT_FALSE(*xet_put_shard(*hub_, *c, u.shard, kNow));
  // Commits find it by sha256, in this repo only.
  std::string sha = sha256_hex(u.data);
  auto f = xet_file_for_sha256(*hub_, c->repo.id, sha);
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->size, u.data.size());
  EXPECT_EQ((*f)->hash, xet::to_xhex(u.file_hash));
  auto pub = caller(alice_, "alice", "pub", xet::CasOp::read);
  EXPECT_FALSE(*xet_file_for_sha256(*hub_, pub->repo.id, sha));
  // Plans: through the repo it was registered for; another repo's token sees nothing.
  auto plan = xet_plan(*hub_, *c, xet::to_xhex(u.file_hash), std::nullopt);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->file_size, u.data.size());
  EXPECT_EQ(xet_plan(*hub_, *pub, xet::to_xhex(u.file_hash), std::nullopt).error().code, Errc::not_found);
  EXPECT_EQ(xet_plan(*hub_, *c, xet::to_xhex(u.file_hash), xet::RangeRequest{900000, std::nullopt}).error().detail,
            Detail::RangeNotSatisfiable);
  // The bridge: whole and ranged.
  auto all = xet_open_file(*hub_, **f, 0, u.data.size());
  ASSERT_TRUE(all);
  EXPECT_EQ(read_all(*all), u.data);
  auto mid = xet_open_file(*hub_, **f, 123457, 400001);
  ASSERT_TRUE(mid);
  EXPECT_EQ(read_all(*mid), u.data.substr(123457, 400001));
  // Transfer URLs: signed, expiring, range-bound.
  std::string url = xet_fetch_url(*hub_, "http://hub/xet-cas", u.xorb_hash, 10, 99, kNow + 60);
  EXPECT_TRUE(url.starts_with("http://hub/xet-cas/v1/xorb-data/" + name + "?range=10-99&exp="));
  std::string sig = url.substr(url.find("sig=") + 4);
  auto g = xet_check_fetch(*hub_, name, "10-99", std::to_string(kNow + 60), sig, kNow);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->first, 10u);
  EXPECT_EQ(g->last, 99u);
  EXPECT_EQ(xet_check_fetch(*hub_, name, "10-100", std::to_string(kNow + 60), sig, kNow).error().code, Errc::forbidden);
  EXPECT_EQ(xet_check_fetch(*hub_, name, "10-99", std::to_string(kNow + 60), sig, kNow + 60).error().code,
            Errc::forbidden);
}

// A file of two terms from two xorbs, the second starting at chunk 0 again: the bridge must
// restart at each term's first chunk.
TEST_F(XetServiceTest, BridgeAcrossTermsAndXorbs) {
  auto c = caller(alice_, "alice", "pub", xet::CasOp::write);
  Upload a = make_upload(500000, 3), b = make_upload(400000, 4);
  ASSERT_TRUE(xet_put_xorb(*hub_, *c, xet::to_xhex(a.xorb_hash), a.xorb, kNow));
  ASSERT_TRUE(xet_put_xorb(*hub_, *c, xet::to_xhex(b.xorb_hash), b.xorb, kNow));
  xet::ShardFile f;
  f.flags = xet::kFileFlagVerification | xet::kFileFlagMetadataExt;
  std::vector<xet::ChunkRef> leaves;
  for (const Upload* u : {&a, &b}) {
    auto idx = *xet::parse_xorb(u->xorb);
    std::vector<xet::MerkleHash> hashes;
    for (auto& ch : idx.chunks) {
      leaves.push_back({ch.hash, ch.uncompressed_size});
      hashes.push_back(ch.hash);
    }
    f.terms.push_back({idx.hash, 0, uint32_t(u->data.size()), 0, uint32_t(idx.chunks.size())});
    f.verification.push_back(xet::verification_hash(hashes));
  }
  std::string data = a.data + b.data;
  f.file_hash = xet::file_hash(leaves);
  f.sha256 = xet::parse_xhex(sha256_hex(data));
  xet::Shard s;
  s.files.push_back(f);
  auto reg = xet_put_shard(*hub_, *c, xet::serialize_shard(s), kNow);
  ASSERT_TRUE(reg) << reg.error().message;
  auto row = xet_file_for_sha256(*hub_, c->repo.id, sha256_hex(data));
  ASSERT_TRUE(row && *row);
  auto all = xet_open_file(*hub_, **row, 0, data.size());
  ASSERT_TRUE(all);
  EXPECT_EQ(read_all(*all), data);
  auto across = xet_open_file(*hub_, **row, 450000, 100000);  // spans the term boundary
  ASSERT_TRUE(across);
  EXPECT_EQ(read_all(*across), data.substr(450000, 100000));
}

TEST_F(XetServiceTest, DedupAnswersOnlyWhatTheCallerMayRead) {
  auto c = caller(alice_, "alice", "priv", xet::CasOp::write);
  Upload u = make_upload(300000, 2);
  ASSERT_TRUE(xet_put_xorb(*hub_, *c, xet::to_xhex(u.xorb_hash), u.xorb, kNow));
  ASSERT_TRUE(xet_put_shard(*hub_, *c, u.shard, kNow));
  auto first = xet::parse_xorb(u.xorb)->chunks.front().hash;
  auto mine = xet_dedup_query(*hub_, *c, xet::to_xhex(first), kNow);
  ASSERT_TRUE(mine && *mine);
  auto reply = xet::parse_shard(**mine);
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->xorbs.size(), 1u);
  EXPECT_EQ(reply->xorbs[0].hash, u.xorb_hash);
  ASSERT_TRUE(reply->footer);
  EXPECT_FALSE(reply->footer->chunk_hmac_key.is_zero());
  // Keyed: the raw chunk hash is not in the reply, its HMAC is.
  EXPECT_EQ(reply->xorbs[0].chunks[0].hash, xet::hmac(first, reply->footer->chunk_hmac_key));
  // Alice through another of her repos may use it; bob may not even learn it exists.
  auto other = caller(alice_, "alice", "pub", xet::CasOp::write);
  EXPECT_TRUE(xet_dedup_query(*hub_, *other, xet::to_xhex(first), kNow)->has_value());
  auto stranger = caller(bob_, "bob", "mine", xet::CasOp::write);
  auto none = xet_dedup_query(*hub_, *stranger, xet::to_xhex(first), kNow);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  // Nor register a file over alice's xorb, even knowing every hash.
  EXPECT_EQ(xet_put_shard(*hub_, *stranger, u.shard, kNow).error().detail, Detail::XorbNotFound);
}

}  // namespace
}  // namespace hub::services
