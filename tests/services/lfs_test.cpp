// services/lfs and lfs_access: batch decisions (dedup, proof of possession, per-object errors),
// signed hrefs, streamed uploads that publish nothing unless verified, the one object-linking
// rule (which uploads, commits, verifies and pushed pointers link an object to a repo; reads
// only through links, one error for absent / not linked / another size) and the backfill of
// pre-existing repos, on a real Hub (SQLite + local blob store + bare git repos) in a temp
// directory.
#include "services/lfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <tuple>

#include "core/hash.h"
#include "services/accounts.h"
#include "services/refs_changed.h"
#include "storage/git/commit_builder.h"
#include "storage/git/lfs_pointer.h"
#include "storage/git/repo.h"

namespace hub::services {
namespace {

namespace lfs = storage::lfs;
constexpr int64_t kNow = 1'800'000'000;

class LfsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-lfs-service-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    HubConfig cfg;
    cfg.data_dir = dir_;
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
    alice_ = user("alice");
    bob_ = user("bob");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Principal user(const std::string& name) {
    auto a = create_user(*hub_, NewUser{name, name + "-password", "", "", false});
    EXPECT_TRUE(a) << a.error().message;
    auto t = create_token(*hub_, a->id, "t", "write");
    EXPECT_TRUE(t);
    std::string auth = "Bearer " + t->secret;
    auto p = authenticate(*hub_, Credentials{std::string_view(auth), ""});
    EXPECT_TRUE(p);
    return *p;
  }
  RepoHandle repo(const Principal& p, const std::string& name, bool is_private = false) {
    auto r = create_repo(*hub_, p, NewRepo{"model", "", name, is_private});
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  std::vector<LfsObjectResult> batch(const Principal& p, const RepoHandle& r, LfsOp op,
                                     std::vector<LfsObjectRequest> objs) {
    auto res = lfs_batch(*hub_, p, r, op, objs, {"http://hub", "http://hub/x/y.git/info/lfs"}, kNow);
    EXPECT_TRUE(res) << res.error().message;
    return res.value_or(std::vector<LfsObjectResult>{});
  }
  // Uploads through the href the batch gave, as a client would.
  Result<void> put_via_href(const LfsObjectResult& r, std::string_view bytes) {
    std::string href = r.upload->href;
    auto q = href.find('?');
    std::string repo = href.substr(q + 6, href.find('&') - q - 6);
    std::string token = href.substr(href.find("token=") + 6);
    HUB_TRY(g, lfs_check_token(*hub_, lfs::UrlOp::upload, r.oid, repo, token, kNow));
    size_t off = 0;
    return lfs_receive_upload(*hub_, g, [&](char* buf, size_t cap) -> Result<size_t> {
      size_t n = std::min(cap, bytes.size() - off);
      std::memcpy(buf, bytes.data() + off, n);
      off += n;
      return n;
    });
  }
  // A commit on main adding a pointer to (oid, size) at path; then the push bookkeeping
  // (unless bookkeeping is false: a repo as an older hubd left it).
  void push_pointer(const RepoHandle& r, const std::string& path, const std::string& oid, uint64_t size,
                    bool bookkeeping = true) {
    auto before = snapshot_refs(r.path);
    ASSERT_TRUE(before);
    auto g = storage::git::Repo::open(r.path);
    ASSERT_TRUE(g);
    auto head = g->resolve_revision("main");
    ASSERT_TRUE(head);
    auto b = storage::git::CommitBuilder::start(*g, *head);
    ASSERT_TRUE(b);
    ASSERT_TRUE(b->put_lfs_pointer(path, oid, size));
    ASSERT_TRUE(b->commit_to("refs/heads/main", {"add " + path, "", {"t", "t@x", 0}, {}}));
    if (bookkeeping) {
      ASSERT_TRUE(after_push(*hub_, r, *before));
    }
  }

  std::string dir_;
  std::unique_ptr<Hub> hub_;
  Principal alice_, bob_;
};

const std::string kBytes = "the large file's bytes";
const std::string kOid = sha256_hex(kBytes);

TEST_F(LfsServiceTest, PerObjectErrors) {
  auto r = repo(alice_, "m");
  auto res = batch(alice_, r, LfsOp::upload,
                   {{"abc", 1}, {std::string(64, 'A'), 1}, {"../../" + kOid.substr(6), 1}, {kOid, -1}, {kOid, 22}});
  ASSERT_EQ(res.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(res[i].error_code, 422) << i;
  EXPECT_EQ(res[4].error_code, 0);
  EXPECT_TRUE(res[4].upload && res[4].verify);
  EXPECT_NE(res[4].upload->href.find("http://hub/api/lfs-objects/" + kOid + "?repo="), std::string::npos);
  EXPECT_EQ(res[4].upload->expires_in, kLfsHrefTtlSeconds);
  EXPECT_EQ(batch(alice_, r, LfsOp::download, {{kOid, 22}})[0].error_code, 404);
}

TEST_F(LfsServiceTest, UploadPublishesOnlyVerifiedBytesAndLinksTheRepo) {
  auto r = repo(alice_, "m");
  auto up = batch(alice_, r, LfsOp::upload, {{kOid, int64_t(kBytes.size())}})[0];
  auto wrong = put_via_href(up, std::string(kBytes.size(), 'x'));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::corrupt);
  auto shorter = put_via_href(up, kBytes.substr(1));
  ASSERT_FALSE(shorter);
  EXPECT_FALSE(hub_->blobs().stat(kOid));
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, r.row.id, kOid));

  ASSERT_TRUE(put_via_href(up, kBytes));
  EXPECT_EQ(*hub_->blobs().stat(kOid), kBytes.size());
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, r.row.id, kOid));
  // Now stored and linked: no actions on upload, a download action on download.
  EXPECT_FALSE(batch(alice_, r, LfsOp::upload, {{kOid, int64_t(kBytes.size())}})[0].upload);
  auto down = batch(alice_, r, LfsOp::download, {{kOid, int64_t(kBytes.size())}})[0];
  ASSERT_TRUE(down.download);
  EXPECT_EQ(batch(alice_, r, LfsOp::download, {{kOid, 5}})[0].error_code, 422);
  EXPECT_TRUE(lfs_verify(*hub_, r.row.id, kOid, kBytes.size()));
  EXPECT_EQ(lfs_verify(*hub_, r.row.id, kOid, 3).error().code, Errc::corrupt);
  EXPECT_EQ(lfs_verify(*hub_, r.row.id, sha256_hex("other"), 5).error().code, Errc::not_found);
}

TEST_F(LfsServiceTest, TokensAreBoundToRepoOidAndOperation) {
  auto r = repo(alice_, "m");
  auto up = batch(alice_, r, LfsOp::upload, {{kOid, 22}})[0];
  std::string token = up.upload->href.substr(up.upload->href.find("token=") + 6);
  std::string id = std::to_string(r.row.id);
  EXPECT_TRUE(lfs_check_token(*hub_, lfs::UrlOp::upload, kOid, id, token, kNow));
  EXPECT_EQ(lfs_check_token(*hub_, lfs::UrlOp::upload, kOid, id + "0", token, kNow).error().code,
            Errc::unauthenticated);
  EXPECT_EQ(lfs_check_token(*hub_, lfs::UrlOp::download, kOid, id, token, kNow).error().code, Errc::forbidden);
  EXPECT_EQ(lfs_check_token(*hub_, lfs::UrlOp::upload, sha256_hex("x"), id, token, kNow).error().code,
            Errc::forbidden);
  EXPECT_EQ(lfs_check_token(*hub_, lfs::UrlOp::upload, kOid, id, token, kNow + kLfsHrefTtlSeconds).error().detail,
            Detail::TokenExpired);
  EXPECT_EQ(lfs_check_token(*hub_, lfs::UrlOp::upload, kOid, "", token, kNow).error().code, Errc::unauthenticated);
}

TEST_F(LfsServiceTest, DedupAcrossReposOnlyForWhatTheCallerCanRead) {
  auto pub = repo(alice_, "pub");
  auto priv = repo(alice_, "priv", true);
  auto mine = repo(bob_, "mine");
  // Alice's object lives only in her private repo.
  ASSERT_TRUE(put_via_href(batch(alice_, priv, LfsOp::upload, {{kOid, 22}})[0], kBytes));
  // Bob knows the oid: he is asked for the bytes, and cannot download it through his repo.
  EXPECT_TRUE(batch(bob_, mine, LfsOp::upload, {{kOid, 22}})[0].upload);
  EXPECT_EQ(batch(bob_, mine, LfsOp::download, {{kOid, 22}})[0].error_code, 404);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, mine.row.id, kOid));
  // Alice can read it, so her public repo gets it without an upload.
  EXPECT_FALSE(batch(alice_, pub, LfsOp::upload, {{kOid, 22}})[0].upload);
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, pub.row.id, kOid));
  // Now that it is public, bob's upload batch dedups too.
  EXPECT_FALSE(batch(bob_, mine, LfsOp::upload, {{kOid, 22}})[0].upload);
  EXPECT_TRUE(batch(bob_, mine, LfsOp::download, {{kOid, 22}})[0].download);
}

TEST_F(LfsServiceTest, CommitApiMayUseOnlyUploadedOrReadableObjects) {
  auto priv = repo(alice_, "priv", true);
  auto mine = repo(bob_, "mine");
  auto hers = repo(alice_, "hers");
  auto commit = [&](const Principal& p, const RepoHandle& r, std::optional<uint64_t> size) {
    auto res = lfs_commit_object(*hub_, p, r.row.id, kOid, size);
    EXPECT_TRUE(res) << res.error().message;
    return res.value_or(std::nullopt);
  };
  EXPECT_EQ(commit(bob_, mine, 22), std::nullopt) << "never uploaded";
  EXPECT_EQ(commit(bob_, mine, std::nullopt), std::nullopt) << "never uploaded, no size";
  ASSERT_TRUE(put_via_href(batch(alice_, priv, LfsOp::upload, {{kOid, 22}})[0], kBytes));
  EXPECT_EQ(commit(alice_, priv, 22), 22u) << "uploaded to this repo";
  EXPECT_EQ(commit(alice_, priv, std::nullopt), 22u) << "uploaded to this repo, size from the store";
  EXPECT_EQ(commit(alice_, priv, 21), std::nullopt) << "another size";
  EXPECT_EQ(commit(bob_, mine, 22), std::nullopt) << "alice's private object";
  EXPECT_EQ(commit(bob_, mine, std::nullopt), std::nullopt) << "alice's private object, no size (Python copy)";
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, mine.row.id, kOid));
  EXPECT_EQ(commit(alice_, hers, 22), 22u) << "alice can read it elsewhere";
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, hers.row.id, kOid));
  EXPECT_EQ(lfs_commit_object(*hub_, alice_, hers.row.id, "../x", 1).error().code, Errc::invalid_argument);
  // Now public through alice/hers: bob may use it too (he can read it there).
  EXPECT_EQ(commit(bob_, mine, std::nullopt), 22u);
}

TEST_F(LfsServiceTest, PushedPointersLinkOnlyWhatEveryWriterCanRead) {
  auto priv = repo(alice_, "priv", true);
  auto other = repo(alice_, "other", true);
  auto mine = repo(bob_, "mine");
  ASSERT_TRUE(put_via_href(batch(alice_, priv, LfsOp::upload, {{kOid, 22}})[0], kBytes));
  push_pointer(mine, "stolen.bin", kOid, 22);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, mine.row.id, kOid)) << "another owner's private object";
  push_pointer(other, "w.bin", kOid, 21);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, other.row.id, kOid)) << "a pointer with another size";
  push_pointer(other, "w.bin", kOid, 22);
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, other.row.id, kOid)) << "same namespace";
  const std::string missing = sha256_hex("not stored");
  push_pointer(other, "m.bin", missing, 10);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, other.row.id, missing)) << "not stored: linked on upload instead";
  // An object no repo claims (e.g. the last repo holding it was deleted) is not claimed by a
  // pointer: only by uploading its bytes.
  ASSERT_TRUE(lfs::put_blob(hub_->blobs(), sha256_hex("orphan"), "orphan"));
  push_pointer(mine, "o.bin", sha256_hex("orphan"), 6);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, mine.row.id, sha256_hex("orphan")));
}

// The read side of the rule: every way an object can be missing through a repo is one error.
TEST_F(LfsServiceTest, ReadsOnlyThroughLinksWithOneErrorForEveryMiss) {
  auto priv = repo(alice_, "priv", true);
  auto mine = repo(bob_, "mine");
  ASSERT_TRUE(put_via_href(batch(alice_, priv, LfsOp::upload, {{kOid, 22}})[0], kBytes));
  EXPECT_EQ(*lfs_object_size(*hub_, priv.row.id, kOid, 22), 22u);
  EXPECT_EQ(*lfs_read_object(*hub_, priv.row.id, kOid, 22, {4, 5}, 5), kBytes.substr(4, 5));
  auto reader = lfs_open_object(*hub_, priv.row.id, kOid, 22, {0, 22});
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->range_length(), 22u);
  EXPECT_EQ(lfs_read_object(*hub_, priv.row.id, kOid, 22, {}, 21).error().code, Errc::too_large);

  const Error want{Errc::not_found, std::string(kLfsNotStored), Detail::EntryNotFound};
  auto same = [&](const auto& r, const char* what) {
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, want.code) << what;
    EXPECT_EQ(r.error().message, want.message) << what;
    EXPECT_EQ(r.error().detail, want.detail) << what;
  };
  const std::string absent = sha256_hex("absent");
  for (auto [repo_id, oid, size, what] :
       std::vector<std::tuple<int64_t, std::string, uint64_t, const char*>>{
           {mine.row.id, kOid, 22, "stored, linked to another repo only"},
           {mine.row.id, absent, 6, "absent"},
           {priv.row.id, kOid, 500'000'000, "linked, but the pointer claims another size"},
           {priv.row.id, kOid, 21, "linked, a smaller claimed size"},
           {priv.row.id, "../../etc/passwd", 1, "not an oid"}}) {
    same(lfs_object_size(*hub_, repo_id, oid, size), what);
    same(lfs_open_object(*hub_, repo_id, oid, size), what);
    same(lfs_open_object(*hub_, repo_id, oid, size, {100, 10}), what);
    same(lfs_read_object(*hub_, repo_id, oid, size, {}, 1 << 20), what);
  }
}

TEST_F(LfsServiceTest, VerifyLinksOnlyWhatWasUploadedThroughThisRepo) {
  auto priv = repo(alice_, "priv", true);
  auto mine = repo(bob_, "mine");
  ASSERT_TRUE(put_via_href(batch(alice_, priv, LfsOp::upload, {{kOid, 22}})[0], kBytes));
  // Bob got an upload grant for his own repo (he is asked for the bytes) but verifies without
  // uploading: the object is stored (alice's), yet absent to his repo, in the same words.
  auto up = batch(bob_, mine, LfsOp::upload, {{kOid, 22}})[0];
  ASSERT_TRUE(up.verify);
  auto v = lfs_verify(*hub_, mine.row.id, kOid, 22);
  auto absent = lfs_verify(*hub_, mine.row.id, sha256_hex("absent"), 6);
  ASSERT_FALSE(v);
  ASSERT_FALSE(absent);
  EXPECT_EQ(v.error().code, Errc::not_found);
  EXPECT_EQ(v.error().message, absent.error().message);
  EXPECT_EQ(v.error().detail, absent.error().detail);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, mine.row.id, kOid));
  EXPECT_EQ(lfs_verify(*hub_, mine.row.id, kOid, 21).error().code, Errc::not_found) << "no size oracle either";
  // Once bob uploads the bytes through his grant, verify succeeds and he can read it.
  ASSERT_TRUE(put_via_href(up, kBytes));
  EXPECT_TRUE(lfs_verify(*hub_, mine.row.id, kOid, 22));
  EXPECT_EQ(*lfs_object_size(*hub_, mine.row.id, kOid, 22), 22u);
}

TEST_F(LfsServiceTest, WebUploadStoresAndLinks) {
  auto mine = repo(bob_, "mine");
  ASSERT_TRUE(lfs_put_object(*hub_, mine.row.id, kOid, kBytes));
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, mine.row.id, kOid));
  EXPECT_EQ(lfs_put_object(*hub_, mine.row.id, sha256_hex("x"), "y").error().code, Errc::corrupt);
}

// Repos from before reads checked links hold pointers without link rows (the old rules served
// any stored object a pointer named). Migration 4 queues them; Hub::open links what their refs
// point to, once.
TEST_F(LfsServiceTest, BackfillLinksWhatExistingReposPointTo) {
  auto old = repo(alice_, "old");
  auto priv = repo(alice_, "priv", true);
  auto mine = repo(bob_, "mine");
  ASSERT_TRUE(lfs::put_blob(hub_->blobs(), kOid, kBytes));
  ASSERT_TRUE(lfs::put_blob(hub_->blobs(), sha256_hex("other"), "other"));
  ASSERT_TRUE(put_via_href(batch(alice_, priv, LfsOp::upload, {{sha256_hex("p"), 1}})[0], "p"));
  push_pointer(old, "a.bin", kOid, 22, false);
  push_pointer(old, "b.bin", sha256_hex("other"), 6, false);    // another size: not linked
  push_pointer(old, "c.bin", sha256_hex("missing"), 7, false);  // not stored: not linked
  push_pointer(mine, "p.bin", sha256_hex("p"), 1, false);       // served before; linked, and logged
  auto fresh = repo(bob_, "fresh");  // created after the upgrade: not queued
  push_pointer(fresh, "a.bin", kOid, 22, false);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, old.row.id, kOid));

  hub_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/hubd.db").c_str(), &db), SQLITE_OK);
  std::string ids = std::to_string(old.row.id) + "," + std::to_string(priv.row.id) + "," + std::to_string(mine.row.id);
  ASSERT_EQ(sqlite3_exec(db, ("INSERT INTO lfs_link_backfill(repo_id) SELECT id FROM repos WHERE id IN (" + ids + ")").c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  HubConfig cfg;
  cfg.data_dir = dir_;
  auto h = Hub::open(cfg);
  ASSERT_TRUE(h) << h.error().message;
  hub_ = std::move(*h);

  EXPECT_TRUE(*lfs_repo_has_object(*hub_, old.row.id, kOid));
  EXPECT_EQ(*lfs_object_size(*hub_, old.row.id, kOid, 22), 22u);
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, old.row.id, sha256_hex("other")));
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, old.row.id, sha256_hex("missing")));
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, mine.row.id, sha256_hex("p")));
  EXPECT_FALSE(*lfs_repo_has_object(*hub_, fresh.row.id, kOid));
  EXPECT_TRUE(hub_->db().lfs_backfill_queue(10)->empty());
}

TEST_F(LfsServiceTest, ScanSeesOnlyNewCommitsPointers) {
  auto r = repo(alice_, "m");
  auto pub = repo(bob_, "pub");  // public: its objects may be linked by anyone's pointers
  ASSERT_TRUE(lfs_put_object(*hub_, pub.row.id, sha256_hex("a"), "a"));
  ASSERT_TRUE(lfs_put_object(*hub_, pub.row.id, sha256_hex("b"), "b"));
  push_pointer(r, "a.bin", sha256_hex("a"), 1);
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, r.row.id, sha256_hex("a")));
  std::string first = *storage::git::Repo::open(r.path)->resolve_revision("main");
  push_pointer(r, "b.bin", sha256_hex("b"), 1);
  EXPECT_TRUE(*lfs_repo_has_object(*hub_, r.row.id, sha256_hex("b")));
  std::string head = *storage::git::Repo::open(r.path)->resolve_revision("main");
  auto all = storage::git::scan_lfs_pointers(r.path, {head}, {});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->pointers.size(), 2u);
  EXPECT_EQ(all->commits, 3u);  // initial + two
  auto only_new = storage::git::scan_lfs_pointers(r.path, {head}, {first});
  ASSERT_TRUE(only_new);
  ASSERT_EQ(only_new->pointers.size(), 1u);
  EXPECT_EQ(only_new->pointers[0].oid, sha256_hex("b"));
  EXPECT_EQ(only_new->commits, 1u);
  auto capped = storage::git::scan_lfs_pointers(r.path, {head}, {}, {1});
  ASSERT_TRUE(capped);
  EXPECT_TRUE(capped->truncated);
}

}  // namespace
}  // namespace hub::services
