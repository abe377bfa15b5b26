// Pushes and repo creation under pressure (issue 14): the post-push job records and indexes a
// push off the request path, coalescing pushes to one repo, and survives a restart (issue 17:
// the job is durable); the pre-receive hook's check
// refuses a tree bomb with a message naming the knob; concurrent creates of one name leave
// exactly one repo and never delete the winner's directory; an orphan directory is moved aside.
#include "services/post_push.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "services/accounts.h"
#include "services/jobs.h"
#include "services/receive_checks.h"
#include "storage/git/commit_builder.h"
#include "storage/git/repo.h"
#include "storage/git/tree_limits.h"

namespace hub::services {
namespace {

namespace stdfs = std::filesystem;

class PushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-push-service-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    HubConfig cfg;
    cfg.data_dir = dir_;
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
    auto a = create_user(*hub_, NewUser{"alice", "alice-password", "", "", false});
    ASSERT_TRUE(a);
    auto t = create_token(*hub_, a->id, "t", "write");
    ASSERT_TRUE(t);
    std::string auth = "Bearer " + t->secret;
    auto p = authenticate(*hub_, Credentials{std::string_view(auth), ""});
    ASSERT_TRUE(p);
    alice_ = *p;
  }
  void TearDown() override {
    stop_job_runner(*hub_);
    stdfs::remove_all(dir_);
  }
  // A commit on main made behind the hub's back, as git receive-pack makes one.
  std::string commit_file(const RepoHandle& r, const std::string& path, const std::string& text) {
    auto g = storage::git::Repo::open(r.path);
    EXPECT_TRUE(g);
    auto head = g->resolve_revision("main");
    auto b = storage::git::CommitBuilder::start(*g, *head);
    EXPECT_TRUE(b);
    EXPECT_TRUE(b->put_file(path, text));
    auto id = b->commit_to("refs/heads/main", {"add " + path, "", {"t", "t@x", 0}, {}});
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or("");
  }

  // A commit on top of main that no ref names yet: what a pre-receive hook sees.
  std::string loose_commit(const RepoHandle& r, const std::vector<std::string>& paths) {
    auto g = storage::git::Repo::open(r.path);
    EXPECT_TRUE(g);
    auto b = storage::git::CommitBuilder::start(*g, *g->resolve_revision("main"));
    EXPECT_TRUE(b);
    for (const auto& p : paths) EXPECT_TRUE(b->put_file(p, p));
    auto id = b->write({"pushed", "", {"t", "t@x", 0}, {}});
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or("");
  }

  std::string dir_;
  std::unique_ptr<Hub> hub_;
  Principal alice_;
};

TEST_F(PushTest, QueueRecordsAndIndexesPushesAndCoalescesPerRepo) {
  auto r = create_repo(*hub_, alice_, NewRepo{"model", "", "m", false});
  ASSERT_TRUE(r) << r.error().message;
  job_runner(*hub_);  // the server's runner
  auto before = snapshot_refs(r->path);
  ASSERT_TRUE(before);
  std::string c1 = commit_file(*r, "README.md", "---\npipeline_tag: fill-mask\n---\n");
  auto t1 = submit_post_push(*hub_, *r, *before);
  auto mid = snapshot_refs(r->path);
  std::string c2 = commit_file(*r, "b.txt", "b");
  auto t2 = submit_post_push(*hub_, *r, *mid);
  ASSERT_TRUE(t1.wait_for(std::chrono::seconds(30)));
  ASSERT_TRUE(t2.wait_for(std::chrono::seconds(30)));
  job_runner(*hub_).drain();
  EXPECT_TRUE(hub_->db().list_jobs("post_push", 10)->empty());
  auto updates = hub_->db().ref_updates(r->row.id, 10);
  ASSERT_TRUE(updates);
  // Whether the second push joined the first job or ran after it, main's move is recorded once
  // per job and ends at c2; the index shows the head.
  ASSERT_FALSE(updates->empty());
  bool saw_c2 = false;
  for (auto& u : *updates) saw_c2 = saw_c2 || u.new_oid == c2;
  EXPECT_TRUE(saw_c2);
  auto row = hub_->db().repo_index(r->row.id);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->commit, c2);
  EXPECT_EQ((*row)->pipeline_tag.value_or(""), "fill-mask");
  (void)c1;
}

// A node that dies between a push and its bookkeeping: the job is in the database, and the
// next runner (a restart, or another node) does the work. Pushes before it runs coalesce.
TEST_F(PushTest, PostPushWorkSurvivesARestart) {
  auto r = create_repo(*hub_, alice_, NewRepo{"model", "", "m", false});
  ASSERT_TRUE(r);
  ::setenv("HUBD_JOBS_THREADS", "0", 1);  // this "node" only enqueues
  job_runner(*hub_);
  auto before = snapshot_refs(r->path);
  std::string c1 = commit_file(*r, "x.txt", "x");
  auto t = submit_post_push(*hub_, *r, *before);
  auto mid = snapshot_refs(r->path);
  std::string c2 = commit_file(*r, "y.txt", "y");
  (void)submit_post_push(*hub_, *r, *mid);
  ::unsetenv("HUBD_JOBS_THREADS");
  EXPECT_FALSE(t.wait_for(std::chrono::milliseconds(0)));
  auto queued = hub_->db().list_jobs("post_push", 10);
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->size(), 1u) << "two pushes before the job ran: one job";
  stop_job_runner(*hub_);  // the "crash": nothing ran, the job stays queued
  auto idx = hub_->db().repo_index(r->row.id);
  ASSERT_TRUE(idx && *idx);
  EXPECT_NE((*idx)->commit, c2);
  job_runner(*hub_);  // the restart: a fresh runner (2 threads) picks the job up
  ASSERT_TRUE(t.wait_for(std::chrono::seconds(30)));
  auto row = hub_->db().repo_index(r->row.id);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->commit, c2);
  auto updates = hub_->db().ref_updates(r->row.id, 10);
  ASSERT_TRUE(updates);
  bool covered = false;  // one diff from the first snapshot covers both pushes
  for (auto& u : *updates) covered = covered || (u.ref == "refs/heads/main" && u.new_oid == c2 && u.old_oid == (*before)["refs/heads/main"]);
  EXPECT_TRUE(covered);
  (void)c1;
}

TEST_F(PushTest, PreReceiveHookRefusesATreeBombWithAClearMessage) {
  auto r = create_repo(*hub_, alice_, NewRepo{"model", "", "m", false});
  ASSERT_TRUE(r);
  auto g = storage::git::Repo::open(r->path);
  std::string main = *g->resolve_revision("main");
  std::string ok = loose_commit(*r, {"a.txt"});
  std::string updates = main + " " + ok + " refs/heads/main\n";
  auto limit = [](const char* value) {
    return [value](const char* k) -> const char* {
      return std::string_view(k) == "HUBD_MAX_TREE_ENTRIES" ? value : nullptr;
    };
  };
  std::string message;
  // .gitattributes and a.txt: within a limit of 2, over a limit of 1.
  EXPECT_EQ(run_pre_receive_hook(r->path, updates, limit("2"), message), 0) << message;
  message.clear();
  EXPECT_EQ(run_pre_receive_hook(r->path, updates, limit("1"), message), 1);
  auto env3 = limit("3");
  std::string more = loose_commit(*r, {"a.txt", "dir/b.txt"});  // + dir: 4 entries
  message.clear();
  EXPECT_EQ(run_pre_receive_hook(r->path, main + " " + more + " refs/heads/main\n", env3, message), 1);
  EXPECT_NE(message.find("hubd: push refused:"), std::string::npos) << message;
  EXPECT_NE(message.find("more than 3 files and folders"), std::string::npos) << message;
  EXPECT_NE(message.find("HUBD_MAX_TREE_ENTRIES"), std::string::npos) << message;
}

// A PR author without write access (issue 17): only the listed refs/pr/N may move, none may go.
TEST_F(PushTest, PreReceiveHookKeepsAPrAuthorToTheirRefs) {
  auto r = create_repo(*hub_, alice_, NewRepo{"model", "", "p", false});
  ASSERT_TRUE(r);
  std::string main = *storage::git::Repo::open(r->path)->resolve_revision("main");
  std::string c = loose_commit(*r, {"a.txt"});
  auto only = [](const char* refs) {
    return [refs](const char* k) -> const char* { return std::string_view(k) == kPushOnlyRefsEnv ? refs : nullptr; };
  };
  std::string zero(40, '0'), message;
  EXPECT_EQ(run_pre_receive_hook(r->path, main + " " + c + " refs/pr/2\n", only("refs/pr/2 refs/pr/5"), message), 0)
      << message;
  EXPECT_EQ(run_pre_receive_hook(r->path, main + " " + c + " refs/pr/5\n", only("refs/pr/2 refs/pr/5"), message), 0)
      << message;
  for (std::string bad : {main + " " + c + " refs/heads/main\n", main + " " + c + " refs/pr/20\n",
                          main + " " + c + " refs/pr/\n", main + " " + c + " refs/pr/2 \n",
                          main + " " + c + " refs/pr/2\n" + main + " " + c + " refs/tags/v1\n",
                          main + " " + zero + " refs/pr/2\n"}) {
    message.clear();
    EXPECT_EQ(run_pre_receive_hook(r->path, bad, only("refs/pr/2 refs/pr/5"), message), 1) << bad;
    EXPECT_NE(message.find("hubd: push refused:"), std::string::npos) << message;
  }
  message.clear();
  EXPECT_EQ(run_pre_receive_hook(r->path, main + " " + c + " refs/heads/main\n", only(""), message), 1)
      << "an empty list allows nothing";
}

TEST_F(PushTest, ConcurrentCreatesOfOneNameLeaveOneIntactRepo) {
  for (int round = 0; round < 3; ++round) {
    std::string name = "race" + std::to_string(round);
    std::atomic<int> created{0}, exists{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        // Mixed case: the name is one repo whatever its case.
        std::string n = i % 2 ? name : std::string("RACE") + std::to_string(round);
        auto r = create_repo(*hub_, alice_, NewRepo{"model", "", n, false});
        if (r) ++created;
        else if (r.error().code == Errc::already_exists) ++exists;
        else ++other;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(exists.load(), 7);
    EXPECT_EQ(other.load(), 0);
    auto h = open_repo(*hub_, alice_, "model", "alice", name, Access::read);
    ASSERT_TRUE(h) << h.error().message;
    auto g = storage::git::Repo::open(h->path);
    ASSERT_TRUE(g) << "the winner's directory must be in place";
    EXPECT_TRUE(g->resolve_revision("main"));
  }
  // Nothing half-made is left behind in tmp/.
  for (auto& e : stdfs::directory_iterator(hub_->tmp_dir()))
    EXPECT_FALSE(e.path().filename().string().starts_with("new-")) << e.path();
}

TEST_F(PushTest, AnOrphanDirectoryIsMovedAsideNotDeleted) {
  std::string path = hub_->repo_path("model", "alice", "orphan");
  stdfs::create_directories(path);
  std::ofstream(path + "/keep.txt") << "someone's data";
  auto r = create_repo(*hub_, alice_, NewRepo{"model", "", "orphan", false});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(storage::git::Repo::open(r->path));
  bool kept = false;
  for (auto& e : stdfs::directory_iterator(hub_->data_dir() + "/orphans"))
    kept = kept || stdfs::exists(e.path() / "keep.txt");
  EXPECT_TRUE(kept);
}

}  // namespace
}  // namespace hub::services
