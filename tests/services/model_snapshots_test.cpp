// services/model_snapshots: snapshots under <data>/cache/models are trimmed least recently
// used first down to the limit, counting only the bytes they alone hold (hard links into the
// LFS store are free), and a pinned snapshot (a model loading or loaded from it) is never
// removed; the last unpin trims. Real Hub on a temp dir.
#include "services/model_snapshots.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace hub::services {
namespace {

namespace stdfs = std::filesystem;

class ModelSnapshotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-snapshots-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    HubConfig cfg;
    cfg.data_dir = dir_;
    cfg.model_snapshot_bytes = 0;  // keep nothing that is not in use
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  // A snapshot with `bytes` of its own, last used `age` minutes ago.
  std::string snapshot(const std::string& uid, const std::string& commit, size_t bytes, int age) {
    std::string d = dir_ + "/cache/models/" + uid + "/" + commit;
    stdfs::create_directories(d);
    std::ofstream(d + "/config.json") << std::string(bytes, 'x');
    stdfs::last_write_time(d, stdfs::file_time_type::clock::now() - std::chrono::minutes(age));
    return d;
  }

  std::string dir_;
  std::unique_ptr<Hub> hub_;
};

TEST_F(ModelSnapshotsTest, TrimsLeastRecentlyUsedFirstCountingOnlyOwnBytes) {
  auto old1 = snapshot("u1", "c1", 1000, 30);
  auto mid = snapshot("u1", "c2", 1000, 20);
  auto linked = snapshot("u2", "c3", 10, 10);
  // A 5000-byte weight file hard-linked from "the LFS store": it costs the snapshot nothing.
  std::ofstream(dir_ + "/blob") << std::string(5000, 'w');
  stdfs::create_hard_link(dir_ + "/blob", linked + "/model.safetensors");

  auto t = trim_model_snapshots(*hub_, 2010);
  EXPECT_EQ(t.removed, 0);
  EXPECT_EQ(t.bytes_left, 2010u);

  t = trim_model_snapshots(*hub_, 1500);  // the oldest goes first
  EXPECT_EQ(t.removed, 1);
  EXPECT_FALSE(stdfs::exists(old1));
  EXPECT_TRUE(stdfs::exists(mid));
  EXPECT_TRUE(stdfs::exists(linked));
  EXPECT_EQ(t.bytes_left, 1010u);
  EXPECT_TRUE(stdfs::exists(dir_ + "/blob")) << "removing a snapshot never touches the store's object";
}

TEST_F(ModelSnapshotsTest, APinnedSnapshotIsNeverRemovedAndTheLastUnpinTrims) {
  auto a = snapshot("u1", "a", 100, 30);
  auto b = snapshot("u2", "b", 100, 20);
  {
    auto pin = pin_model_snapshot(*hub_, a);
    auto pin2 = pin_model_snapshot(*hub_, a);  // two loads of the same snapshot
    auto t = trim_model_snapshots(*hub_, 0);
    EXPECT_EQ(t.removed, 1);
    EXPECT_TRUE(stdfs::exists(a)) << "pinned: in use by a model";
    EXPECT_FALSE(stdfs::exists(b));
    EXPECT_FALSE(stdfs::exists(dir_ + "/cache/models/u2")) << "an emptied repo folder goes too";
    { auto gone = std::move(pin2); }
    EXPECT_TRUE(stdfs::exists(a)) << "still pinned once";
  }
  EXPECT_FALSE(stdfs::exists(a)) << "the last unpin trims to the limit (0 here)";
}

TEST_F(ModelSnapshotsTest, PinningMarksASnapshotRecentlyUsed) {
  auto a = snapshot("u1", "a", 100, 30);
  auto b = snapshot("u1", "b", 100, 20);
  { auto touch = pin_model_snapshot(*hub_, a); }  // unpinning trims with limit 0: both go...
  EXPECT_FALSE(stdfs::exists(a));
  a = snapshot("u1", "a", 100, 30);
  b = snapshot("u1", "b", 100, 20);
  {
    auto pin = pin_model_snapshot(*hub_, a);
    EXPECT_GT(stdfs::last_write_time(a), stdfs::last_write_time(b));
    auto t = trim_model_snapshots(*hub_, 150);  // room for one: the older (b) goes
    EXPECT_EQ(t.removed, 1);
    EXPECT_FALSE(stdfs::exists(b));
  }
}

TEST_F(ModelSnapshotsTest, APinMayPrecedeItsDirectory) {
  std::string d = dir_ + "/cache/models/u9/c9";
  auto pin = pin_model_snapshot(*hub_, d);  // before materializing
  stdfs::create_directories(d);
  std::ofstream(d + "/config.json") << "{}";
  EXPECT_EQ(trim_model_snapshots(*hub_, 0).removed, 0);
  EXPECT_TRUE(stdfs::exists(d));
}

}  // namespace
}  // namespace hub::services
