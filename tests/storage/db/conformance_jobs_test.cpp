// Conformance cases (both backends, see conformance_test.cpp) for the durable job queue and
// webhooks of issue 17 (migration 7): coalescing, claiming with leases, reclaiming expired
// leases, completion and failure by the lease owner only, one job per key at a time, two
// claimers never sharing a job; webhook rows and their delivery log.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "storage/db/conformance_fixture.h"

namespace hub::storage::db {
namespace {

class ConformanceJobs : public testing::Conformance {
 protected:
  bool enqueue(std::string kind, std::string key, std::string payload, int64_t run_after = 0, Database* on = nullptr) {
    JobRow j;
    j.kind = std::move(kind);
    j.key = std::move(key);
    j.payload = std::move(payload);
    j.run_after = run_after;
    j.created_at = 1;
    auto r = (on ? on : db.get())->enqueue_job(j);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r && *r;
  }
  std::vector<JobRow> claim(std::string owner, int64_t now, int limit = 10, int64_t lease = 100,
                            std::vector<std::string> kinds = {}) {
    auto r = db->claim_jobs(owner, kinds, now, lease, limit);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : std::vector<JobRow>{};
  }
};

TEST_P(ConformanceJobs, CoalesceClaimCompleteFail) {
  EXPECT_TRUE(enqueue("post_push", "7", "{\"first\":1}", 10));
  EXPECT_FALSE(enqueue("post_push", "7", "{\"second\":1}", 5)) << "joins the pending job of the key";
  EXPECT_TRUE(enqueue("post_push", "8", "{}", 10));
  EXPECT_TRUE(enqueue("other", "7", "{}", 10)) << "keys are per kind";
  EXPECT_TRUE(enqueue("hook", "", "{\"a\":1}", 10));
  EXPECT_TRUE(enqueue("hook", "", "{\"a\":1}", 10)) << "an empty key never coalesces";
  EXPECT_EQ(db->list_jobs("", 100)->size(), 5u);
  EXPECT_EQ(db->list_jobs("hook", 100)->size(), 2u);

  EXPECT_TRUE(claim("n1", 9).empty()) << "nothing due before run_after";
  auto got = claim("n1", 10, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].kind, "post_push");
  EXPECT_EQ(got[0].key, "7");
  EXPECT_EQ(got[0].payload, "{\"first\":1}") << "the coalesced job keeps the first payload";
  EXPECT_EQ(got[0].attempts, 1);
  EXPECT_EQ(got[0].lease_owner, "n1");
  EXPECT_EQ(got[0].lease_until, 110);

  // A leased job is not pending: a new job of its key is queued beside it, and waits for it.
  EXPECT_TRUE(enqueue("post_push", "7", "{\"third\":1}", 10));
  auto rest = claim("n2", 20);
  ASSERT_EQ(rest.size(), 3u);  // other/7 and the two hooks; post_push/7 waits for n1's lease
  for (auto& j : rest) EXPECT_FALSE(j.kind == "post_push") << j.key;

  // Only the lease owner completes or fails.
  EXPECT_EQ(db->complete_job(got[0].id, "n2").error().code, Errc::not_found);
  ASSERT_TRUE(db->complete_job(got[0].id, "n1").has_value());
  EXPECT_EQ(db->complete_job(got[0].id, "n1").error().code, Errc::not_found);
  auto third = claim("n2", 20);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].payload, "{\"third\":1}");

  // Failing puts it back, due later, with the error and the attempt count.
  ASSERT_TRUE(db->fail_job(third[0].id, "n2", 50, "boom").has_value());
  EXPECT_EQ(db->fail_job(third[0].id, "n2", 50, "again").error().code, Errc::not_found) << "no longer leased";
  EXPECT_TRUE(claim("n1", 49).empty());
  auto retry = claim("n1", 50);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].id, third[0].id);
  EXPECT_EQ(retry[0].attempts, 2);
  EXPECT_EQ(retry[0].last_error, "boom");

  // A failed job whose key got a new pending job meanwhile folds into it.
  EXPECT_TRUE(enqueue("post_push", "7", "{\"fourth\":1}", 0));
  ASSERT_TRUE(db->fail_job(retry[0].id, "n1", 60, "x").has_value());
  auto left = db->list_jobs("post_push", 100);
  ASSERT_TRUE(left.has_value());
  std::vector<std::string> payloads;
  for (auto& j : *left) payloads.push_back(j.payload);
  EXPECT_EQ(payloads, (std::vector<std::string>{"{}", "{\"fourth\":1}"}));  // key 8 (leased by n1) and the new one
}

// A node that died keeps its lease until it expires; then any node takes the job again, and
// the dead node's late completion is refused.
TEST_P(ConformanceJobs, ExpiredLeasesAreReclaimed) {
  EXPECT_TRUE(enqueue("k", "r1", "{}", 0));
  auto first = claim("dead", 100, 10, 30);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(claim("alive", 129).empty()) << "the lease still holds";
  EXPECT_TRUE(enqueue("k", "r1", "{}", 130)) << "a new pending job of the key is queued beside the leased one";
  auto again = claim("alive", 130);
  ASSERT_EQ(again.size(), 1u) << "one job of the key at a time, even when both are due";
  EXPECT_EQ(again[0].id, first[0].id) << "both due at 130: the older job first";
  EXPECT_EQ(again[0].attempts, 2);
  EXPECT_EQ(db->complete_job(first[0].id, "dead").error().code, Errc::not_found);
  ASSERT_TRUE(db->complete_job(again[0].id, "alive").has_value());
  auto next = claim("alive", 130);
  ASSERT_EQ(next.size(), 1u) << "then the key's pending job";
  EXPECT_NE(next[0].id, first[0].id);
  EXPECT_EQ(db->claim_jobs("", {}, 1, 1, 1).error().code, Errc::invalid_argument);

  // A heartbeat keeps a long job's lease: renewed, it is not due when the first lease ends.
  ASSERT_TRUE(db->complete_job(next[0].id, "alive").has_value());
  EXPECT_TRUE(enqueue("k", "r2", "{}", 0));
  auto longjob = claim("busy", 200, 10, 30);
  ASSERT_EQ(longjob.size(), 1u);
  ASSERT_TRUE(db->renew_job_lease(longjob[0].id, "busy", 300).has_value());
  EXPECT_EQ(db->renew_job_lease(longjob[0].id, "other", 400).error().code, Errc::not_found);
  EXPECT_TRUE(claim("thief", 250).empty()) << "renewed to 300";
  EXPECT_EQ(claim("thief", 300).size(), 1u) << "then it lapses like any lease";
  EXPECT_EQ(db->renew_job_lease(longjob[0].id, "busy", 400).error().code, Errc::not_found) << "retaken";
}

// A node claims only the kinds it can run (nodes of several versions share one queue).
TEST_P(ConformanceJobs, ClaimsOnlyTheKindsAsked) {
  EXPECT_TRUE(enqueue("a", "", "1"));
  EXPECT_TRUE(enqueue("b", "", "2"));
  EXPECT_TRUE(enqueue("c", "", "3"));
  EXPECT_TRUE(claim("n", 5, 10, 100, {"z"}).empty());
  auto got = claim("n", 5, 10, 100, {"c", "a"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].kind, "a");
  EXPECT_EQ(got[1].kind, "c");
  auto rest = claim("n", 5);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].kind, "b");
}

// Claimers on two handles (two nodes) draining one queue at once: every job is leased exactly
// once.
TEST_P(ConformanceJobs, TwoClaimersNeverShareAJob) {
  auto second = Database::open(url);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i) enqueue("d", "", std::to_string(i));
  std::mutex mu;
  std::map<int64_t, int> seen;
  std::atomic<int> errors{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      Database& d = (t % 2) ? **second : *db;
      std::string owner = "node" + std::to_string(t);
      for (;;) {
        auto got = d.claim_jobs(owner, {"d"}, 1000, 60000, 3);
        if (!got) {
          errors++;
          continue;
        }
        if (got->empty()) return;
        for (auto& j : *got) {
          {
            std::lock_guard lock(mu);
            seen[j.id]++;
          }
          if (!d.complete_job(j.id, owner)) errors++;
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(int(seen.size()), kJobs);
  for (auto& [id, n] : seen) EXPECT_EQ(n, 1) << "job " << id << " leased " << n << " times";
  EXPECT_TRUE(db->list_jobs("", 100)->empty());
}

TEST_P(ConformanceJobs, WebhooksAndDeliveries) {
  auto alice = user("alice"), bob = user("bob");
  WebhookRow w;
  w.uid = std::string(24, 'a');
  w.owner_id = alice.id;
  w.url = "http://example.com/h";
  w.watched = R"([{"type":"user","name":"alice"}])";
  w.domains = R"(["repo"])";
  w.secret = "s";
  w.created_at = w.updated_at = 3;
  auto made = db->create_webhook(w);
  ASSERT_TRUE(made.has_value()) << made.error().message;
  EXPECT_GT(made->id, 0);
  EXPECT_EQ(db->create_webhook(w).error().code, Errc::already_exists) << "uids are unique";
  WebhookRow w2 = w;
  w2.uid = std::string(24, 'b');
  w2.owner_id = bob.id;
  ASSERT_TRUE(db->create_webhook(w2).has_value());
  EXPECT_EQ(db->list_webhooks(alice.id)->size(), 1u);
  EXPECT_EQ(db->list_webhooks(std::nullopt)->size(), 2u);
  auto got = db->webhook_by_uid(w.uid);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->watched, w.watched);
  EXPECT_EQ(got->secret, "s");
  EXPECT_FALSE(got->disabled);
  got->disabled = true;
  got->url = "http://example.com/2";
  got->updated_at = 4;
  ASSERT_TRUE(db->update_webhook(*got).has_value());
  auto upd = db->webhook_by_uid(w.uid);
  EXPECT_TRUE(upd->disabled);
  EXPECT_EQ(upd->url, "http://example.com/2");
  EXPECT_EQ(upd->updated_at, 4);
  EXPECT_EQ(db->webhook_by_uid("nope").error().code, Errc::not_found);

  WebhookDeliveryRow d;
  d.webhook_id = made->id;
  d.event = "repo.content.update";
  d.payload = "{}";
  d.state = "pending";
  d.created_at = d.updated_at = 5;
  auto d1 = db->add_webhook_delivery(d);
  ASSERT_TRUE(d1.has_value()) << d1.error().message;
  auto d2 = db->add_webhook_delivery(d);
  d1->state = "ok";
  d1->status = 200;
  d1->attempts = 2;
  ASSERT_TRUE(db->update_webhook_delivery(*d1).has_value());
  auto back = db->webhook_delivery(d1->id);
  EXPECT_EQ(back->state, "ok");
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(back->attempts, 2);
  auto log = db->webhook_deliveries(made->id, 10);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].id, d2->id) << "newest first";
  EXPECT_EQ(db->webhook_deliveries(made->id, 1)->size(), 1u);

  // Deleting the hook (or its owner) takes its log with it.
  ASSERT_TRUE(db->delete_webhook(made->id).has_value());
  EXPECT_EQ(db->delete_webhook(made->id).error().code, Errc::not_found);
  EXPECT_EQ(db->webhook_delivery(d1->id).error().code, Errc::not_found);
  EXPECT_EQ(db->list_webhooks(std::nullopt)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceJobs, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
