// Several hubd nodes on one database and one shared data directory (issue 18), as two Hub
// objects in one process: the signing secret is the database's (and an older hub's file is
// imported), node-local work goes to each node's scratch, start-up leaves other work in the
// shared tmp/ alone, and a dataset visitor alternating between nodes counts once.
#include <fstream>

#include "explore_fixture.h"
#include "services/counters.h"
#include "services/receive_checks.h"

namespace hub::services {
namespace {

namespace stdfs = std::filesystem;

class NodesTest : public testing::ExploreTest {
 protected:
  // Another node: the same database and shared directory, its own scratch.
  std::unique_ptr<Hub> second_node(const std::string& scratch) {
    HubConfig cfg = hub_->config();
    cfg.scratch_dir = scratch;
    cfg.limits.hook_binary = "/bin/true";  // as serve sets it: receive_pack_setup installs the hook
    auto h = Hub::open(cfg);
    EXPECT_TRUE(h) << h.error().message;
    return h ? std::move(*h) : nullptr;
  }
};

TEST_F(NodesTest, OneSecretInTheDatabaseSharedByEveryNode) {
  EXPECT_EQ(hub_->secret().size(), 64u);
  EXPECT_FALSE(stdfs::exists(dir_ + "/secret")) << "the secret lives in the database, not the shared dir";
  auto b = second_node(dir_ + "/scratch-b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->secret(), hub_->secret());
}

TEST_F(NodesTest, AnOlderHubsSecretFileIsImported) {
  std::string old = dir_ + "/older";
  stdfs::create_directories(old);
  std::string secret(64, 'k');
  std::ofstream(old + "/secret") << secret;
  HubConfig cfg;
  cfg.data_dir = old;  // its own SQLite database
  auto h = Hub::open(cfg);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ((*h)->secret(), secret) << "URLs the older hub signed stay valid";
  // Once imported the database decides: a changed file is not read again.
  std::ofstream(old + "/secret") << std::string(64, 'z');
  h->reset();
  auto again = Hub::open(cfg);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->secret(), secret);
}

TEST_F(NodesTest, NodeLocalWorkGoesToScratchAndStartUpLeavesSharedWorkAlone) {
  // Another node's repo being created, and its upload in progress (held: a live writer).
  stdfs::create_directories(dir_ + "/tmp/new-0123456789abcdef.git/objects");
  auto writer = hub_->blobs().begin_put();
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write("partial"));
  size_t temps_before = 0;
  for (auto& e : stdfs::directory_iterator(dir_ + "/tmp")) temps_before += e.path().filename().string().starts_with("lfs-");
  ASSERT_EQ(temps_before, 1u);

  auto b = second_node(dir_ + "/scratch-b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->scratch_dir(), dir_ + "/scratch-b");
  EXPECT_EQ(b->data_dir(), hub_->data_dir());
  EXPECT_TRUE(stdfs::exists(dir_ + "/tmp/new-0123456789abcdef.git/objects")) << "another node's work was removed";
  size_t temps_after = 0;
  for (auto& e : stdfs::directory_iterator(dir_ + "/tmp")) temps_after += e.path().filename().string().starts_with("lfs-");
  EXPECT_EQ(temps_after, 1u) << "a live upload's temp was removed";

  auto setup = receive_pack_setup(*b);
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_TRUE(stdfs::exists(dir_ + "/scratch-b/hooks"));
  EXPECT_FALSE(stdfs::exists(dir_ + "/hooks")) << "the hook names this node's binary: node-local";
  // Without --scratch, node-local work stays under --data (one node: the same layout as before).
  EXPECT_EQ(hub_->scratch_dir(), hub_->data_dir());
}

TEST_F(NodesTest, ADatasetVisitorAlternatingBetweenNodesCountsOnce) {
  auto alice = user("alice");
  auto data = repo(alice, "reviews", false, "dataset");
  auto b = second_node(dir_ + "/scratch-b");
  ASSERT_TRUE(b);
  count_file_request(*hub_, data.row, "train.csv", "10.0.0.1");
  ASSERT_TRUE(flush_counters(*hub_));
  count_file_request(*b, data.row, "test.csv", "10.0.0.1");
  ASSERT_TRUE(flush_counters(*b));
  EXPECT_EQ(repo_counters(*b, data.row.id).downloads, 1);
  EXPECT_EQ(repo_counters(*hub_, data.row.id).downloads, 1);
  count_file_request(*b, data.row, "train.csv", "10.0.0.2");  // another visitor counts
  ASSERT_TRUE(flush_counters(*b));
  EXPECT_EQ(repo_counters(*hub_, data.row.id).downloads, 2);
  stop_counter_flusher(*b);
}

}  // namespace
}  // namespace hub::services
