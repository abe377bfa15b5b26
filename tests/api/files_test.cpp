// Resolve and raw through the in-process router: the headers Python's metadata HEAD and the JS
// client's Range probe rely on (HUB_API.md §4), for a regular file, an LFS file and misses.
#include <gtest/gtest.h>

#include "api/handlers/handlers.h"
#include "api_test_env.h"
#include "core/hash.h"
#include "core/lfs_pointer.h"

namespace hub::api::testing {
namespace {

class FilesTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = make_repo(alice_, "m1");
    config_ = R"({"model_type": "bert", "architectures": ["BertForMaskedLM"]})";
    weights_ = std::string(100000, '\0');
    for (size_t i = 0; i < weights_.size(); ++i) weights_[i] = char(i * 7 + 3);
    sha_ = commit(repo_, {{"config.json", config_}, {"sub dir/notes.txt", "hello\n"}, {"empty.txt", ""}},
                  {{"model.safetensors", weights_}});
  }
  services::RepoHandle repo_;
  std::string config_, weights_, sha_;
};

TEST_F(FilesTest, RegularFileHeaders) {
  auto r = call("HEAD", "/alice/m1/resolve/main/config.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "X-Repo-Commit"), sha_);
  EXPECT_EQ(header(r, "ETag"), "\"" + sha1_hex("blob " + std::to_string(config_.size()) + '\0' + config_) + "\"");
  EXPECT_EQ(header(r, "X-Linked-Etag"), "");
  EXPECT_EQ(header(r, "Accept-Ranges"), "bytes");
  EXPECT_EQ(r.content_length, config_.size());
  EXPECT_NE(header(r, "Content-Disposition").find("filename=\"config.json\""), std::string::npos);
  EXPECT_TRUE(r.body.empty());  // HEAD: headers only

  auto g = get("/alice/m1/resolve/main/config.json");
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(body_bytes(g), config_);
  // Path segments are decoded one by one.
  auto s = get("/alice/m1/resolve/main/sub%20dir/notes.txt");
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(body_bytes(s), "hello\n");
}

TEST_F(FilesTest, LfsFileServedDirectlyWithLinkedHeaders) {
  std::string oid = sha256_hex(weights_);
  auto r = call("HEAD", "/alice/m1/resolve/main/model.safetensors");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "X-Repo-Commit"), sha_);
  EXPECT_EQ(header(r, "ETag"), "\"" + oid + "\"");
  EXPECT_EQ(header(r, "X-Linked-Etag"), "\"" + oid + "\"");
  EXPECT_EQ(header(r, "X-Linked-Size"), std::to_string(weights_.size()));
  EXPECT_EQ(r.content_length, weights_.size());
  EXPECT_FALSE(r.file);  // HEAD opens nothing
  for (auto& [k, v] : r.headers) EXPECT_EQ(k.find("Xet"), std::string::npos) << k;

  auto g = get("/alice/m1/resolve/main/model.safetensors");
  ASSERT_EQ(g.status, 200);
  ASSERT_TRUE(g.file);  // local store: sendfile
  EXPECT_EQ(body_bytes(g), weights_);

  // /raw/ serves the pointer the git tree holds.
  auto raw = get("/alice/m1/raw/main/model.safetensors");
  ASSERT_EQ(raw.status, 200);
  EXPECT_EQ(body_bytes(raw), format_lfs_pointer(oid, weights_.size()));
  EXPECT_EQ(header(raw, "X-Linked-Etag"), "");
}

TEST_F(FilesTest, Ranges) {
  auto probe = get("/alice/m1/resolve/main/model.safetensors", "", {{"Range", "bytes=0-0"}});
  ASSERT_EQ(probe.status, 206);
  EXPECT_EQ(header(probe, "Content-Range"), "bytes 0-0/" + std::to_string(weights_.size()));
  EXPECT_EQ(body_bytes(probe), weights_.substr(0, 1));

  auto mid = get("/alice/m1/resolve/main/model.safetensors", "", {{"Range", "bytes=1000-1999"}});
  ASSERT_EQ(mid.status, 206);
  EXPECT_EQ(mid.content_length, 1000u);
  EXPECT_EQ(body_bytes(mid), weights_.substr(1000, 1000));

  auto tail = get("/alice/m1/resolve/main/model.safetensors", "", {{"Range", "bytes=99990-"}});
  ASSERT_EQ(tail.status, 206);
  EXPECT_EQ(body_bytes(tail), weights_.substr(99990));
  auto suffix = get("/alice/m1/resolve/main/config.json", "", {{"Range", "bytes=-5"}});
  ASSERT_EQ(suffix.status, 206);
  EXPECT_EQ(body_bytes(suffix), config_.substr(config_.size() - 5));

  auto past = get("/alice/m1/resolve/main/config.json", "", {{"Range", "bytes=100000-"}});
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(header(past, "Content-Range"), "bytes */" + std::to_string(config_.size()));

  // An empty file answers the JS probe with its size instead of a 416.
  auto empty = get("/alice/m1/resolve/main/empty.txt", "", {{"Range", "bytes=0-0"}});
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(header(empty, "Content-Range"), "bytes */0");
}

TEST_F(FilesTest, LargeRegularBlobIsStreamedWithRanges) {
  // Above the in-memory cap, a git blob streams from `git cat-file`; a range start is skipped.
  std::string big(9u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char((i * 31) >> 7);
  commit(repo_, {{"big.dat", big}});
  auto g = get("/alice/m1/resolve/main/big.dat");
  ASSERT_EQ(g.status, 200) << g.body;
  ASSERT_TRUE(g.stream);
  EXPECT_EQ(g.content_length, big.size());
  EXPECT_TRUE(body_bytes(g) == big);
  auto r = get("/alice/m1/resolve/main/big.dat", "", {{"Range", "bytes=5000000-5000099"}});
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(body_bytes(r), big.substr(5000000, 100));
}

TEST_F(FilesTest, MissingFileRevisionAndRepo) {
  auto e = call("HEAD", "/alice/m1/resolve/main/nope.bin");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(header(e, "X-Error-Code"), "EntryNotFound");
  EXPECT_EQ(header(e, "X-Repo-Commit"), sha_);  // Python caches misses per commit
  auto dir = get("/alice/m1/resolve/main/sub%20dir");
  EXPECT_EQ(header(dir, "X-Error-Code"), "EntryNotFound");

  auto rev = call("HEAD", "/alice/m1/resolve/nobranch/config.json");
  EXPECT_EQ(rev.status, 404);
  EXPECT_EQ(header(rev, "X-Error-Code"), "RevisionNotFound");

  auto repo = get("/alice/nope/resolve/main/config.json");
  EXPECT_EQ(repo.status, 401);  // anonymous
  EXPECT_EQ(header(repo, "X-Error-Code"), "RepoNotFound");
  auto repo2 = get("/alice/nope/resolve/main/config.json", bob_);
  EXPECT_EQ(repo2.status, 404);
  EXPECT_EQ(header(repo2, "X-Error-Code"), "RepoNotFound");

  auto dots = get("/alice/m1/resolve/main/a/../config.json");
  EXPECT_EQ(dots.status, 400);
}

TEST_F(FilesTest, RevisionsShortShaTagAndPullRequestRefs) {
  auto repo = storage::git::Repo::open(repo_.path);
  ASSERT_TRUE(repo);
  ASSERT_TRUE(repo->create_tag("v1", sha_));
  ASSERT_TRUE(repo->update_ref_cas("refs/pr/1", sha_, ""));
  for (std::string rev : {sha_, sha_.substr(0, 8), std::string("v1"), std::string("refs%2Fpr%2F1"),
                          std::string("refs/pr/1"), std::string("HEAD")}) {
    auto r = call("HEAD", "/alice/m1/resolve/" + rev + "/config.json");
    EXPECT_EQ(r.status, 200) << rev;
    EXPECT_EQ(header(r, "X-Repo-Commit"), sha_) << rev;
  }
}

TEST_F(FilesTest, PrivateRepoNeverLeaks) {
  auto secret = make_repo(alice_, "secret", true);
  commit(secret, {{"a.txt", "top secret"}});
  auto anon = call("HEAD", "/alice/secret/resolve/main/a.txt");
  EXPECT_EQ(anon.status, 401);
  EXPECT_EQ(header(anon, "X-Error-Code"), "RepoNotFound");
  EXPECT_EQ(header(anon, "X-Repo-Commit"), "");
  auto other = get("/alice/secret/raw/main/a.txt", bob_);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(header(other, "X-Error-Code"), "RepoNotFound");
  EXPECT_EQ(other.body.find("top secret"), std::string::npos);
  auto owner = get("/alice/secret/resolve/main/a.txt", alice_);
  ASSERT_EQ(owner.status, 200);
  EXPECT_EQ(body_bytes(owner), "top secret");
}

TEST_F(FilesTest, RenamedRepoRedirectsRelative) {
  auto moved = services::move_repo(*hub_, principal(alice_), "model", "alice/m1", "alice/m2");
  ASSERT_TRUE(moved) << moved.error().message;
  auto r = call("HEAD", "/alice/m1/resolve/main/sub%20dir/notes.txt?download=true");
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(header(r, "Location"), "/alice/m2/resolve/main/sub%20dir/notes.txt?download=true");
  auto api = get("/api/models/alice/m1/tree/main");
  EXPECT_EQ(api.status, 307);
  EXPECT_EQ(header(api, "Location"), "/api/models/alice/m2/tree/main");
}

TEST_F(FilesTest, DatasetPrefix) {
  auto ds = make_repo(alice_, "d1", false, "dataset");
  std::string c = commit(ds, {{"data/train.csv", "a,b\n1,2\n"}});
  auto r = call("HEAD", "/datasets/alice/d1/resolve/main/data/train.csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "X-Repo-Commit"), c);
  // The model route does not serve the dataset.
  EXPECT_EQ(call("HEAD", "/alice/d1/resolve/main/data/train.csv").status, 401);
}

}  // namespace
}  // namespace hub::api::testing
