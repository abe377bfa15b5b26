#include "storage/lfs/local_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/hash.h"
#include "storage/lfs/test_support.h"

namespace hub::storage::lfs {
namespace {

using hub::test::count_files;
using hub::test::random_data;
using hub::test::TempDir;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = LocalStore::open(dir_.path());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  size_t temps() const { return count_files(dir_.path() + "/tmp"); }
  size_t objects() const { return count_files(dir_.path() + "/lfs"); }

  TempDir dir_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, PutGetStatExistsRemove) {
  std::string data = random_data(100'000);
  std::string oid = sha256_hex(data);
  EXPECT_FALSE(*store_->exists(oid));
  ASSERT_TRUE(put_blob(*store_, oid, data));
  EXPECT_TRUE(*store_->exists(oid));
  EXPECT_EQ(*store_->stat(oid), data.size());
  EXPECT_EQ(*read_blob(*store_, oid), data);
  // The documented layout.
  std::string path = dir_.path() + "/lfs/" + oid.substr(0, 2) + "/" + oid.substr(2, 2) + "/" + oid;
  EXPECT_EQ(*store_->object_path(oid), path);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
  EXPECT_EQ(temps(), 0u);

  ASSERT_TRUE(store_->remove(oid));
  EXPECT_FALSE(*store_->exists(oid));
  EXPECT_EQ(store_->stat(oid).error().code, Errc::not_found);
  EXPECT_EQ(store_->get(oid).error().code, Errc::not_found);
  EXPECT_EQ(store_->remove(oid).error().code, Errc::not_found);
  EXPECT_EQ(store_->kind(), "local");
  EXPECT_FALSE(store_->presign_get(oid, std::chrono::seconds(60)));
  EXPECT_FALSE(store_->presign_put(oid, 1, std::chrono::seconds(60), "repo-1"));
  EXPECT_EQ(store_->finalize_presigned_put(oid, 1, "repo-1").error().code, Errc::unsupported);
}

TEST_F(LocalStoreTest, EmptyObject) {
  std::string oid = sha256_hex("");
  ASSERT_TRUE(put_blob(*store_, oid, ""));
  EXPECT_EQ(*store_->stat(oid), 0u);
  EXPECT_EQ(*read_blob(*store_, oid), "");
}

TEST_F(LocalStoreTest, StreamsInOddChunksAndSurvivesReopen) {
  std::string data = random_data(5'000'003);
  std::string oid = sha256_hex(data);
  auto w = store_->begin_put();
  ASSERT_TRUE(w);
  size_t off = 0, step = 1;
  while (off < data.size()) {
    size_t n = std::min(step, data.size() - off);
    ASSERT_TRUE((*w)->write(std::string_view(data).substr(off, n)));
    off += n;
    step = step * 3 + 7;
  }
  EXPECT_EQ((*w)->bytes_written(), data.size());
  EXPECT_FALSE(*store_->exists(oid));  // not visible before commit
  ASSERT_TRUE((*w)->commit(oid, data.size()));
  EXPECT_FALSE((*w)->write("more"));    // finished

  auto reopened = LocalStore::open(dir_.path());
  ASSERT_TRUE(reopened);
  auto r = (*reopened)->get(oid);
  ASSERT_TRUE(r);
  Sha256 h;
  char buf[65536];
  uint64_t total = 0;
  for (;;) {
    auto n = (*r)->read(buf, sizeof buf);
    ASSERT_TRUE(n);
    if (*n == 0) break;
    h.update(buf, *n);
    total += *n;
  }
  EXPECT_EQ(total, data.size());
  EXPECT_EQ(h.finish_hex(), oid);
}

TEST_F(LocalStoreTest, RangesAndFileRegion) {
  std::string data = random_data(10'000);
  std::string oid = sha256_hex(data);
  ASSERT_TRUE(put_blob(*store_, oid, data));

  EXPECT_EQ(*read_blob(*store_, oid, {0, 1}), data.substr(0, 1));
  EXPECT_EQ(*read_blob(*store_, oid, {1234, 100}), data.substr(1234, 100));
  EXPECT_EQ(*read_blob(*store_, oid, {9990, std::nullopt}), data.substr(9990));
  EXPECT_EQ(*read_blob(*store_, oid, {9990, 500}), data.substr(9990));  // clipped
  EXPECT_EQ(*read_blob(*store_, oid, {10'000, std::nullopt}), "");      // empty at the end
  auto past = store_->get(oid, {10'001, std::nullopt});
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, Errc::invalid_argument);
  EXPECT_EQ(past.error().detail, Detail::RangeNotSatisfiable);

  auto r = store_->get(oid, {500, 300});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)->object_size(), 10'000u);
  EXPECT_EQ((*r)->range_offset(), 500u);
  EXPECT_EQ((*r)->range_length(), 300u);
  auto region = (*r)->file_region();
  ASSERT_TRUE(region);
  EXPECT_EQ(region->offset, 500u);
  EXPECT_EQ(region->length, 300u);
  std::string via_fd(300, '\0');
  ASSERT_EQ(::pread(region->fd, via_fd.data(), 300, 500), 300);
  EXPECT_EQ(via_fd, data.substr(500, 300));
}

TEST_F(LocalStoreTest, WrongOidOrSizeOnCommitLeavesNothing) {
  std::string data = random_data(70'000);
  std::string oid = sha256_hex(data);
  std::string wrong = sha256_hex("something else");
  {
    auto w = *store_->begin_put();
    ASSERT_TRUE(w->write(data));
    auto r = w->commit(wrong, data.size());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::corrupt);
    EXPECT_EQ(r.error().detail, Detail::HashMismatch);
    EXPECT_FALSE(w->commit(oid, data.size()));  // a failed commit finishes the writer
  }
  {
    auto w = *store_->begin_put();
    ASSERT_TRUE(w->write(data));
    auto r = w->commit(oid, data.size() + 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().detail, Detail::SizeMismatch);
  }
  {
    auto w = *store_->begin_put();
    ASSERT_TRUE(w->write(data));
    auto r = w->commit(oid.substr(1) + "g", data.size());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().detail, Detail::InvalidLfsOid);
  }
  EXPECT_FALSE(*store_->exists(oid));
  EXPECT_FALSE(*store_->exists(wrong));
  EXPECT_EQ(objects(), 0u);
  EXPECT_EQ(temps(), 0u);
}

TEST_F(LocalStoreTest, AbortedOrDestroyedWriterLeavesNothing) {
  std::string data = random_data(50'000);
  std::string oid = sha256_hex(data);
  {
    auto w = *store_->begin_put();
    ASSERT_TRUE(w->write(data));
    EXPECT_EQ(temps(), 1u);  // the upload really was on disk
    w->abort();
    EXPECT_EQ(temps(), 0u);
    EXPECT_FALSE(w->commit(oid, data.size()));
  }
  {
    auto w = *store_->begin_put();
    ASSERT_TRUE(w->write(data));
    EXPECT_EQ(temps(), 1u);
  }  // destroyed without commit
  EXPECT_EQ(temps(), 0u);
  EXPECT_EQ(objects(), 0u);
  EXPECT_FALSE(*store_->exists(oid));
}

TEST_F(LocalStoreTest, DeclaredSizeAndOidAreEnforced) {
  std::string data = random_data(1000);
  std::string oid = sha256_hex(data);
  {
    auto w = *store_->begin_put(PutOptions{std::nullopt, 999});
    auto r = w->write(data);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::too_large);
  }
  {
    auto w = *store_->begin_put(PutOptions{sha256_hex("x"), std::nullopt});
    ASSERT_TRUE(w->write(data));
    EXPECT_FALSE(w->commit(oid, data.size()));  // not the oid the upload was begun for
  }
  EXPECT_FALSE(store_->begin_put(PutOptions{"../../etc/passwd", std::nullopt}));
  EXPECT_EQ(temps(), 0u);
  EXPECT_EQ(objects(), 0u);
}

TEST_F(LocalStoreTest, InvalidOidsAreRejectedEverywhere) {
  std::string good = sha256_hex("x");
  std::string upper = good;
  upper[5] = 'A';
  std::string traversal = "../../../../etc/passwd";
  traversal += std::string(64 - traversal.size(), 'a');
  std::string slash = good.substr(0, 10) + "/" + good.substr(11);
  for (const std::string& oid : {std::string(""), good.substr(1), good + "0", upper, traversal,
                                 slash, std::string(64, 'g'), std::string(64, '.')}) {
    EXPECT_EQ(store_->stat(oid).error().detail, Detail::InvalidLfsOid) << oid;
    EXPECT_FALSE(store_->exists(oid)) << oid;
    EXPECT_EQ(store_->get(oid).error().detail, Detail::InvalidLfsOid) << oid;
    EXPECT_EQ(store_->remove(oid).error().detail, Detail::InvalidLfsOid) << oid;
    EXPECT_FALSE(store_->object_path(oid)) << oid;
    EXPECT_FALSE(put_blob(*store_, oid, "x")) << oid;
  }
  EXPECT_EQ(objects(), 0u);
  EXPECT_EQ(temps(), 0u);
}

TEST_F(LocalStoreTest, ConcurrentPutsOfTheSameObject) {
  std::string data = random_data(1 << 20);
  std::string oid = sha256_hex(data);
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto w = store_->begin_put(PutOptions{oid, data.size()});
      if (!w) return;
      size_t chunk = 4096 * size_t(t + 1);
      for (size_t off = 0; off < data.size(); off += chunk)
        if (!(*w)->write(std::string_view(data).substr(off, chunk))) return;
      if ((*w)->commit(oid, data.size())) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(*read_blob(*store_, oid, {}, 2 << 20), data);
  EXPECT_EQ(objects(), 1u);
  EXPECT_EQ(temps(), 0u);
}

TEST_F(LocalStoreTest, ConcurrentPutsAndReadsOfDifferentObjects) {
  constexpr int kThreads = 6;
  std::vector<std::string> blobs;
  for (int i = 0; i < kThreads; ++i) blobs.push_back(random_data(200'000 + size_t(i)));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        std::string oid = sha256_hex(blobs[t]);
        if (!put_blob(*store_, oid, blobs[t])) return;
        auto back = read_blob(*store_, oid);
        if (!back || *back != blobs[t]) return;
        if (round < 4 && !store_->remove(oid)) return;
      }
      ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(objects(), size_t(kThreads));
  EXPECT_EQ(temps(), 0u);
}

TEST_F(LocalStoreTest, CleanupRemovesOnlyOurLeftoverTemps) {
  std::string tmp = dir_.path() + "/tmp";
  std::ofstream(tmp + "/lfs-deadbeef.part") << "partial upload from a crash";
  std::ofstream(tmp + "/lfs-cafe.part") << "another";
  std::ofstream(tmp + "/other-module.tmp") << "not ours";
  // A live upload in progress must survive an age-limited sweep.
  EXPECT_EQ(store_->cleanup_temps(std::chrono::hours(1)), 0u);
  EXPECT_EQ(temps(), 3u);

  auto reopened = open_blob_store("file://" + dir_.path());  // sweeps at open
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->kind(), "local");
  EXPECT_FALSE(std::filesystem::exists(tmp + "/lfs-deadbeef.part"));
  EXPECT_FALSE(std::filesystem::exists(tmp + "/lfs-cafe.part"));
  EXPECT_TRUE(std::filesystem::exists(tmp + "/other-module.tmp"));
}

TEST_F(LocalStoreTest, CleanupSparesTempsOfLiveWriters) {
  auto w = store_->begin_put();
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->write("in flight"));
  // Another process opening the store (e.g. a CLI command while serve runs) sweeps at open.
  auto other = open_blob_store(dir_.path());
  ASSERT_TRUE(other);
  EXPECT_EQ(temps(), 1u);
  const std::string data = "in flight";
  ASSERT_TRUE((*w)->commit(sha256_hex(data), data.size()));
  EXPECT_EQ(temps(), 0u);
  EXPECT_TRUE(*store_->exists(sha256_hex(data)));
}

TEST(LocalStoreOpen, FailsOnUnwritableRoot) {
  TempDir dir;
  std::string file = dir.path() + "/not-a-dir";
  std::ofstream(file) << "x";
  auto s = LocalStore::open(file);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_FALSE(open_blob_store(""));
}

}  // namespace
}  // namespace hub::storage::lfs
