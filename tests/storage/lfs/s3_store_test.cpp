#include "storage/lfs/s3_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

#include "core/fs.h"
#include "core/hash.h"
#include "storage/lfs/test_support.h"

namespace hub::storage::lfs {
namespace {

using hub::test::random_data;
using hub::test::TempDir;

constexpr uint64_t kPart = uint64_t(5) << 20;  // the S3 minimum, so tests go multipart cheaply

// A real s3rver (node) on a free loopback port with its own directory, per test.
class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string script = std::string(HUBD_SOURCE_DIR) + "/tests/node_modules/s3rver/bin/s3rver.js";
    ASSERT_TRUE(std::filesystem::exists(script)) << "npm install in tests/ first";
    server_ = std::make_unique<hub::test::Child>(std::vector<std::string>{
        "node", script, "-d", data_.path(), "-a", "127.0.0.1", "-p", "0", "-s"});
    ASSERT_TRUE(server_->started());
    ASSERT_TRUE(server_->wait_for("\n", 30000) && server_->wait_for("listening on")) << server_->output();
    ASSERT_TRUE(server_->wait_for("\n", 5000));
    const std::string& out = server_->output();
    size_t colon = out.rfind(':', out.find('\n', out.find("listening on")));
    port_ = std::stoi(out.substr(colon + 1));
    endpoint_ = "http://127.0.0.1:" + std::to_string(port_);
    store_ = make_store();
    ASSERT_TRUE(store_->ensure_bucket());
    ASSERT_TRUE(store_->ensure_bucket());  // idempotent
  }

  std::unique_ptr<S3Store> make_store(std::string extra = "") {
    auto s = S3Store::open("s3://hubd-test?endpoint=" + endpoint_ +
                           "&region=us-east-1&access_key=S3RVER&secret_key=S3RVER&part_size=" +
                           std::to_string(kPart) + "&spool_dir=" + spool_.path() + extra);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  // Objects in the bucket, as s3rver stores them (one ._S3rver_object file each).
  size_t stored_objects() {
    size_t n = 0;
    std::error_code ec;
    for (auto& e : std::filesystem::recursive_directory_iterator(data_.path(), ec))
      if (e.path().filename().string().ends_with("._S3rver_object")) ++n;
    return n;
  }

  static Result<void> put_streamed(BlobStore& s, const std::string& data, const PutOptions& opts,
                                   std::string_view oid, size_t chunk = 1 << 20) {
    HUB_TRY(w, s.begin_put(opts));
    for (size_t off = 0; off < data.size(); off += chunk)
      if (auto r = w->write(std::string_view(data).substr(off, chunk)); !r) return r;
    return w->commit(oid, data.size());
  }

  TempDir data_, spool_;
  std::unique_ptr<hub::test::Child> server_;
  int port_ = 0;
  std::string endpoint_;
  std::unique_ptr<S3Store> store_;
};

TEST_F(S3StoreTest, PutGetStatExistsRemoveSmall) {
  std::string data = random_data(100'000);
  std::string oid = sha256_hex(data);
  EXPECT_FALSE(*store_->exists(oid));
  ASSERT_TRUE(put_blob(*store_, oid, data));
  EXPECT_TRUE(*store_->exists(oid));
  EXPECT_EQ(*store_->stat(oid), data.size());
  EXPECT_EQ(*read_blob(*store_, oid), data);
  EXPECT_EQ(stored_objects(), 1u);
  ASSERT_TRUE(store_->remove(oid));
  EXPECT_FALSE(*store_->exists(oid));
  EXPECT_EQ(store_->stat(oid).error().code, Errc::not_found);
  EXPECT_EQ(store_->get(oid).error().code, Errc::not_found);
  EXPECT_EQ(store_->remove(oid).error().code, Errc::not_found);
  EXPECT_EQ(store_->kind(), "s3");
}

TEST_F(S3StoreTest, EmptyObject) {
  std::string oid = sha256_hex("");
  ASSERT_TRUE(put_blob(*store_, oid, ""));
  EXPECT_EQ(*store_->stat(oid), 0u);
  EXPECT_EQ(*read_blob(*store_, oid), "");
}

TEST_F(S3StoreTest, MultipartWithKnownOidAndRanges) {
  std::string data = random_data(size_t(2 * kPart + 12345));  // 3 parts
  std::string oid = sha256_hex(data);
  auto put = put_streamed(*store_, data, PutOptions{oid, data.size()}, oid, 777'777);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(*store_->stat(oid), data.size());
  EXPECT_EQ(*read_blob(*store_, oid, {}, 64 << 20), data);
  // Ranges across part boundaries and across the reader's 8 MiB window.
  for (auto [off, len] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 1}, {kPart - 10, 20}, {(8u << 20) - 3, 9}, {data.size() - 5, 100}, {data.size(), 0}}) {
    auto got = read_blob(*store_, oid, {off, len}, 64 << 20);
    ASSERT_TRUE(got) << off << ": " << got.error().message;
    EXPECT_EQ(*got, data.substr(off, len)) << off;
  }
  auto past = store_->get(oid, {data.size() + 1, std::nullopt});
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().detail, Detail::RangeNotSatisfiable);
}

TEST_F(S3StoreTest, MultipartWithUnknownOidSpools) {
  std::string data = random_data(size_t(kPart + 1000));
  std::string oid = sha256_hex(data);
  auto w = store_->begin_put();
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->write(data));
  EXPECT_FALSE(*store_->exists(oid));
  ASSERT_TRUE((*w)->commit(oid, data.size()));
  EXPECT_EQ(*read_blob(*store_, oid, {}, 64 << 20), data);
  // Small, spooled.
  std::string small = "small spooled object";
  auto w2 = store_->begin_put();
  ASSERT_TRUE((*w2)->write(small));
  ASSERT_TRUE((*w2)->commit(sha256_hex(small), small.size()));
  EXPECT_EQ(*read_blob(*store_, sha256_hex(small)), small);
  EXPECT_EQ(hub::test::count_files(spool_.path()), 0u);  // spool files are unlinked
}

TEST_F(S3StoreTest, WrongHashOrSizeMakesNothingVisible) {
  std::string big = random_data(size_t(kPart + 5000));  // multipart: parts already uploaded
  std::string small = random_data(1000);
  std::string wrong = sha256_hex("not the content");
  for (const std::string* data : {&big, &small}) {
    for (bool known : {true, false}) {
      PutOptions opts;
      if (known) opts.oid = wrong;
      auto r = put_streamed(*store_, *data, opts, wrong);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().detail, Detail::HashMismatch);
      auto w = *store_->begin_put(PutOptions{sha256_hex(*data), std::nullopt});
      ASSERT_TRUE(w->write(*data));
      auto s = w->commit(sha256_hex(*data), data->size() - 1);
      ASSERT_FALSE(s);
      EXPECT_EQ(s.error().detail, Detail::SizeMismatch);
      EXPECT_FALSE(*store_->exists(wrong));
      EXPECT_FALSE(*store_->exists(sha256_hex(*data)));
    }
  }
  EXPECT_EQ(stored_objects(), 0u);
}

TEST_F(S3StoreTest, DestroyedWriterMidMultipartLeavesNothing) {
  std::string data = random_data(size_t(2 * kPart));
  std::string oid = sha256_hex(data);
  {
    auto w = *store_->begin_put(PutOptions{oid, data.size()});
    ASSERT_TRUE(w->write(std::string_view(data).substr(0, kPart + 10)));  // one part sent
  }
  {
    auto w = *store_->begin_put(PutOptions{oid, data.size()});
    ASSERT_TRUE(w->write(data));
    w->abort();
    EXPECT_FALSE(w->commit(oid, data.size()));
  }
  EXPECT_FALSE(*store_->exists(oid));
  EXPECT_EQ(stored_objects(), 0u);
}

TEST_F(S3StoreTest, ConcurrentPutsOfTheSameObject) {
  std::string data = random_data(size_t(kPart + 100));
  std::string oid = sha256_hex(data);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      if (put_streamed(*store_, data, PutOptions{oid, data.size()}, oid, 300'000)) ++ok;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(*read_blob(*store_, oid, {}, 64 << 20), data);
}

TEST_F(S3StoreTest, InvalidOidsAreRejected) {
  std::string bad = "../../" + std::string(58, 'a');
  EXPECT_EQ(store_->stat(bad).error().detail, Detail::InvalidLfsOid);
  EXPECT_EQ(store_->get(bad).error().detail, Detail::InvalidLfsOid);
  EXPECT_EQ(store_->remove(bad).error().detail, Detail::InvalidLfsOid);
  EXPECT_FALSE(store_->begin_put(PutOptions{bad, std::nullopt}));
  EXPECT_FALSE(store_->presign_get(bad, std::chrono::seconds(60)));
  EXPECT_FALSE(store_->presign_put(bad, 1, std::chrono::seconds(60), "repo-1"));
  EXPECT_FALSE(put_blob(*store_, std::string(64, 'A'), "x"));
}

TEST_F(S3StoreTest, PresignedGetAndPutWorkWithCurl) {
  TempDir files;
  std::string data = random_data(200'000);
  std::string oid = sha256_hex(data);
  std::string in = files.path() + "/in.bin", out = files.path() + "/out.bin";
  std::ofstream(in, std::ios::binary) << data;

  auto put_url = store_->presign_put(oid, data.size(), std::chrono::seconds(300), "repo-7");
  ASSERT_TRUE(put_url);
  EXPECT_NE(put_url->find("X-Amz-SignedHeaders=content-length%3Bhost"), std::string::npos);
  EXPECT_NE(put_url->find("X-Amz-Expires=300&"), std::string::npos);
  EXPECT_TRUE(put_url->starts_with(endpoint_ + "/hubd-test/lfs/incoming/repo-7/" + oid + "?X-Amz-Algorithm="));
  auto [put_rc, put_out] = hub::test::run({"curl", "-sS", "-f", "-T", in, *put_url});
  ASSERT_EQ(put_rc, 0) << put_out;
  EXPECT_FALSE(*store_->exists(oid));  // staged, not visible before verification
  ASSERT_TRUE(store_->finalize_presigned_put(oid, data.size(), "repo-7"));
  EXPECT_EQ(*store_->stat(oid), data.size());
  EXPECT_EQ(stored_objects(), 1u);  // the staged copy is gone

  auto get_url = store_->presign_get(oid, std::chrono::seconds(300));
  ASSERT_TRUE(get_url);
  auto [get_rc, get_out] = hub::test::run({"curl", "-sS", "-f", "-o", out, *get_url});
  ASSERT_EQ(get_rc, 0) << get_out;
  auto back = hub::fs::read_file(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, data);
  // A range through the presigned URL, as a client resuming a download would send.
  auto [r_rc, r_out] = hub::test::run({"curl", "-sS", "-f", "-r", "100-109", *get_url});
  ASSERT_EQ(r_rc, 0);
  EXPECT_EQ(r_out, data.substr(100, 10));
  // Presigned URLs use the public endpoint when one is configured.
  auto pub = make_store("&public_endpoint=https://blobs.example.com");
  EXPECT_TRUE(pub->presign_get(oid, std::chrono::seconds(5))->starts_with(
      "https://blobs.example.com/hubd-test/lfs/" + oid + "?"));
}

TEST_F(S3StoreTest, PresignedPutIsVerifiedBeforePublishing) {
  TempDir files;
  std::string data = random_data(300'000);
  std::string oid = sha256_hex(data);
  std::string wrong_file = files.path() + "/wrong.bin", right_file = files.path() + "/right.bin";
  std::ofstream(wrong_file, std::ios::binary) << random_data(data.size());
  std::ofstream(right_file, std::ios::binary) << data;

  EXPECT_EQ(store_->finalize_presigned_put(oid, data.size(), "repo-1").error().code, Errc::not_found);
  // Other bytes of the right size: rejected, nothing visible, staging cleaned.
  auto url = *store_->presign_put(oid, data.size(), std::chrono::seconds(60), "repo-1");
  ASSERT_EQ(hub::test::run({"curl", "-sS", "-f", "-T", wrong_file, url}).first, 0);
  auto bad = store_->finalize_presigned_put(oid, data.size(), "repo-1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().detail, Detail::HashMismatch);
  EXPECT_FALSE(*store_->exists(oid));
  EXPECT_EQ(stored_objects(), 0u);
  // Right bytes, wrong declared size.
  ASSERT_EQ(hub::test::run({"curl", "-sS", "-f", "-T", right_file, url}).first, 0);
  auto size = store_->finalize_presigned_put(oid, data.size() + 1, "repo-1");
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().detail, Detail::SizeMismatch);
  EXPECT_EQ(stored_objects(), 0u);
  // Above max_copy_size the staged bytes are re-uploaded through a verified writer.
  auto small_copy = make_store("&max_copy_size=1000");
  ASSERT_EQ(hub::test::run({"curl", "-sS", "-f", "-T", right_file, url}).first, 0);
  ASSERT_TRUE(small_copy->finalize_presigned_put(oid, data.size(), "repo-1"));
  EXPECT_EQ(*read_blob(*store_, oid), data);
  EXPECT_EQ(stored_objects(), 1u);
}

TEST_F(S3StoreTest, OpenBlobStoreDispatchesOnScheme) {
  auto s = open_blob_store("s3://hubd-test?endpoint=" + endpoint_ +
                           "&access_key=S3RVER&secret_key=S3RVER");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->kind(), "s3");
  std::string oid = sha256_hex("via factory");
  ASSERT_TRUE(put_blob(**s, oid, "via factory"));
  EXPECT_EQ(*store_->stat(oid), 11u);
}

TEST(S3Config, ParsesUrlAndEnvironment) {
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "env/secret+x", 1);
  auto c = S3Config::parse("s3://my-bucket/models/blobs?endpoint=http://127.0.0.1:9000/&region=eu-west-1");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->bucket, "my-bucket");
  EXPECT_EQ(c->prefix, "models/blobs/");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c->public_endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(c->credentials.secret_access_key, "env/secret+x");

  auto d = S3Config::parse("s3://b-1?access_key=K&secret_key=a%2Fb+c&part_size=8388608");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->credentials.access_key_id, "K");
  EXPECT_EQ(d->credentials.secret_access_key, "a/b+c");
  EXPECT_EQ(d->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(d->part_size, 8388608u);
  EXPECT_EQ(d->prefix, "lfs/");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");

  for (const char* bad : {"http://b", "s3://B_ad?access_key=k&secret_key=s", "s3://ok-bucket",
                          "s3://ok-bucket?access_key=k&secret_key=s&part_size=1",
                          "s3://ok-bucket?access_key=k&secret_key=s&nope=1",
                          "s3://ok-bucket?access_key=k&secret_key=%zz",
                          "s3://ok-bucket?access_key=k&secret_key=s&endpoint=ftp://x"}) {
    EXPECT_FALSE(S3Config::parse(bad)) << bad;
  }
}

// Uploads of one oid granted for different repos are staged apart: bytes one repo's uploader
// staged can be published only through that repo, and another grant holder can neither publish
// nor overwrite them.
TEST_F(S3StoreTest, StagedUploadsAreScopedToTheirRepo) {
  TempDir files;
  std::string data = random_data(50'000);
  std::string oid = sha256_hex(data);
  std::string right = files.path() + "/right.bin", junk = files.path() + "/junk.bin";
  std::ofstream(right, std::ios::binary) << data;
  std::ofstream(junk, std::ios::binary) << random_data(data.size());

  auto alice = *store_->presign_put(oid, data.size(), std::chrono::seconds(60), "repo-1");
  auto mallory = *store_->presign_put(oid, data.size(), std::chrono::seconds(60), "repo-2");
  EXPECT_NE(alice, mallory);
  ASSERT_EQ(hub::test::run({"curl", "-sS", "-f", "-T", right, alice}).first, 0);
  // Mallory's grant for the same oid sees nothing staged under her repo...
  EXPECT_EQ(store_->finalize_presigned_put(oid, data.size(), "repo-2").error().code, Errc::not_found);
  EXPECT_FALSE(*store_->exists(oid));
  // ...and her junk lands in her own staging area, not over Alice's bytes.
  ASSERT_EQ(hub::test::run({"curl", "-sS", "-f", "-T", junk, mallory}).first, 0);
  EXPECT_EQ(store_->finalize_presigned_put(oid, data.size(), "repo-2").error().detail,
            Detail::HashMismatch);
  ASSERT_TRUE(store_->finalize_presigned_put(oid, data.size(), "repo-1"));
  EXPECT_EQ(*read_blob(*store_, oid), data);
  // Scopes are one safe path segment.
  EXPECT_FALSE(store_->presign_put(oid, 1, std::chrono::seconds(60), ""));
  EXPECT_FALSE(store_->presign_put(oid, 1, std::chrono::seconds(60), "../x"));
  EXPECT_EQ(store_->finalize_presigned_put(oid, 1, "a/b").error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace hub::storage::lfs
