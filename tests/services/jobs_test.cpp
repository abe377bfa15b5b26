// The durable job runner (services/jobs.h) and webhooks' rules (services/webhooks.h,
// webhook_http.h): retries with backoff, giving up, dropping a payload that can never run,
// two runners (two nodes) on one database running each job once; which addresses deliveries
// may reach and which URLs may be saved (malformed ones included); webhook settings
// validation; and that a private repo's events reach only hooks whose owner can read it.
#include "services/jobs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "core/time.h"
#include "services/accounts.h"
#include "services/repos.h"
#include "services/webhook_http.h"
#include "services/webhooks.h"

namespace hub::services {
namespace {

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-jobs-service-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    HubConfig cfg;
    cfg.data_dir = dir_;
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
  }
  void TearDown() override {
    stop_job_runner(*hub_);
    std::filesystem::remove_all(dir_);
  }
  // Waits (bounded) until no job of kind is left; true when none is.
  bool settle(std::string_view kind) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      auto js = hub_->db().list_jobs(kind, 1000);
      if (js && js->empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  Principal login(const std::string& name) {
    auto a = create_user(*hub_, NewUser{name, name + "-password", "", "", false});
    EXPECT_TRUE(a) << a.error().message;
    auto t = create_token(*hub_, a->id, "t", "write");
    std::string auth = "Bearer " + t->secret;
    auto p = authenticate(*hub_, Credentials{std::string_view(auth), ""});
    EXPECT_TRUE(p);
    return *p;
  }
  std::string dir_;
  std::unique_ptr<Hub> hub_;
};

JobRunner::Options fast(size_t threads) {
  JobRunner::Options o;
  o.threads = threads;
  o.poll = std::chrono::milliseconds(5);
  return o;
}

TEST_F(JobsTest, RetriesWithBackoffThenSucceedsOrGivesUp) {
  std::mutex mu;
  std::map<std::string, int> calls;
  JobRunner r(*hub_, fast(2));
  r.handle("t", [&](Hub&, const storage::db::JobRow& j) -> Result<void> {
    std::lock_guard lock(mu);
    int n = ++calls[j.payload];
    EXPECT_EQ(j.attempts, n);
    if (j.payload == "flaky" && n < 3) return fail(Errc::io, "not yet");
    if (j.payload == "never") return fail(Errc::io, "down");
    if (j.payload == "bad") return fail(Errc::invalid_argument, "cannot parse");
    return {};
  }, JobPolicy{4, 1, 4});
  r.start();
  for (auto p : {"ok", "flaky", "never", "bad"}) ASSERT_TRUE(r.enqueue("t", "", p));
  ASSERT_TRUE(settle("t"));
  r.stop();
  EXPECT_EQ(calls["ok"], 1);
  EXPECT_EQ(calls["flaky"], 3);
  EXPECT_EQ(calls["never"], 4) << "max_attempts, then given up";
  EXPECT_EQ(calls["bad"], 1) << "invalid_argument is never retried";
  EXPECT_EQ(JobRunner::backoff_for(JobPolicy{8, 100, 1000}, 1), 100);
  EXPECT_EQ(JobRunner::backoff_for(JobPolicy{8, 100, 1000}, 3), 400);
  EXPECT_EQ(JobRunner::backoff_for(JobPolicy{8, 100, 1000}, 30), 1000);
}

// Two runners on one database are two nodes: every job runs exactly once, and jobs of one key
// never overlap.
TEST_F(JobsTest, TwoRunnersRunEachJobOnceAndKeysNeverOverlap) {
  std::mutex mu;
  std::map<std::string, int> runs;
  std::atomic<int> in_key{0}, overlap{0};
  auto handler = [&](Hub&, const storage::db::JobRow& j) -> Result<void> {
    if (!j.key.empty()) {
      if (in_key.fetch_add(1) != 0) overlap++;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      in_key.fetch_sub(1);
    }
    std::lock_guard lock(mu);
    runs[j.payload]++;
    return {};
  };
  JobRunner a(*hub_, fast(2)), b(*hub_, fast(2));
  a.handle("t", handler);
  b.handle("t", handler);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(a.enqueue("t", "", "job" + std::to_string(i)));
  a.start();
  b.start();
  for (int i = 0; i < 10; ++i) (void)b.enqueue("t", "k", "keyed" + std::to_string(i));
  ASSERT_TRUE(settle("t"));
  a.stop();
  b.stop();
  for (int i = 0; i < 40; ++i) EXPECT_EQ(runs["job" + std::to_string(i)], 1) << i;
  EXPECT_EQ(overlap.load(), 0);
  EXPECT_NE(a.owner(), b.owner());
}

// A job running longer than its lease keeps it: the runner's heartbeat renews the lease while
// the handler runs (the handler waits until it sees the renewal in the database).
TEST_F(JobsTest, HeartbeatRenewsTheLeaseOfARunningJob) {
  JobRunner::Options o = fast(1);
  o.lease_ms = 90;  // heartbeat every 30 ms
  JobRunner r(*hub_, o);
  std::atomic<bool> renewed{false};
  r.handle("long", [&](Hub& h, const storage::db::JobRow& j) -> Result<void> {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      auto js = h.db().list_jobs("long", 10);
      if (js && js->size() == 1 && js->front().lease_until > j.lease_until) {
        renewed = true;
        return {};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {};
  });
  r.start();
  ASSERT_TRUE(r.enqueue("long", "", "x"));
  ASSERT_TRUE(settle("long"));
  r.stop();
  EXPECT_TRUE(renewed.load());
}

TEST_F(JobsTest, StopLeavesUnstartedWorkQueued) {
  JobRunner r(*hub_, fast(0));  // enqueues only
  r.handle("t", [](Hub&, const storage::db::JobRow&) -> Result<void> { return {}; });
  r.start();
  ASSERT_TRUE(r.enqueue("t", "1", "a"));
  EXPECT_FALSE(*r.enqueue("t", "1", "b")) << "coalesced";
  EXPECT_FALSE(r.wait_key("t", "1", std::chrono::milliseconds(0)));
  r.stop();
  EXPECT_EQ(hub_->db().list_jobs("t", 10)->size(), 1u);
  JobRunner next(*hub_, fast(1));
  next.handle("t", [](Hub&, const storage::db::JobRow&) -> Result<void> { return {}; });
  next.start();
  EXPECT_TRUE(next.wait_key("t", "1", std::chrono::seconds(30)));
}

TEST(WebhookHttp, AddressRules) {
  for (auto ip : {"127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                  "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12::1",
                  "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "ff02::1", "fec0::1"})
    EXPECT_FALSE(is_public_ip_text(ip)) << ip;
  for (auto ip : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8"})
    EXPECT_TRUE(is_public_ip_text(ip)) << ip;
  for (auto junk : {"", "1.2.3", "256.1.1.1", "example.com", "::g", "1.2.3.4 "}) EXPECT_FALSE(is_public_ip_text(junk)) << junk;
}

TEST(WebhookHttp, UrlsSavedOnlyWhenSafe) {
  for (auto ok : {"https://example.com/hook", "http://example.com:8080/x?y=1", "https://8.8.8.8/", "https://[2606:4700::1111]/"})
    EXPECT_TRUE(check_webhook_url(ok, false)) << ok;
  for (auto bad : {"ftp://example.com/", "file:///etc/passwd", "gopher://x", "http://", "https:///path", "example.com",
                   "http://127.0.0.1/", "http://localhost:80/", "http://LOCALHOST./", "http://a.localhost/",
                   "http://[::1]:8080/", "http://10.0.0.1/", "http://169.254.169.254/latest", "http://127.1/",
                   "http://2130706433/", "http://user:pw@example.com/", "http://exa mple.com/", "http://[::1/",
                   "http://example.com/\n"})
    EXPECT_FALSE(check_webhook_url(bad, false)) << bad;
  EXPECT_TRUE(check_webhook_url("http://127.0.0.1:9/", true)) << "allowed with HUBD_WEBHOOKS_ALLOW_PRIVATE";
  EXPECT_FALSE(check_webhook_url("ftp://127.0.0.1/", true));
  EXPECT_FALSE(check_webhook_url(std::string(3000, 'a'), true));
}

// Deliveries refused by the address rule fail at once (no retries) with the reason logged.
TEST(WebhookHttp, DeliveryToAPrivateAddressIsRefusedAtConnect) {
  auto r = post_json("http://127.0.0.1:9/", "{}", {}, std::chrono::milliseconds(2000), false);
  EXPECT_TRUE(r.refused);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("127.0.0.1"), std::string::npos) << r.error;
}

TEST_F(JobsTest, WebhookSettingsValidation) {
  auto alice = login("alice");
  auto body = [](std::string s) { return json::parse(s)->as_object(); };
  auto made = create_webhook(*hub_, alice, body(R"({"url":"https://example.com/h","watched":[{"type":"user","name":"alice"}],"domains":["repo","discussions"],"secret":"s"})"));
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->domains, R"(["repo","discussion"])");
  EXPECT_EQ(made->uid.size(), 24u);
  for (auto bad : {R"({"watched":[]})", R"({"url":"https://example.com","watched":[{"type":"repo","name":"a/b"}]})",
                   R"({"url":"https://example.com","watched":[{"type":"model","name":"nons"}]})",
                   R"({"url":"https://example.com","watched":[{"type":"user","name":"a/b"}]})",
                   R"({"url":"https://example.com","watched":"alice"})", R"({"url":"https://example.com"})",
                   R"({"url":"https://example.com","watched":[],"domains":["git"]})",
                   R"({"url":"https://example.com","watched":[],"secret":5})", R"({"url":5,"watched":[]})",
                   R"({"jobSourceId":"x","watched":[]})"})
    EXPECT_EQ(create_webhook(*hub_, alice, body(bad)).error().code, Errc::invalid_argument) << bad;
  auto bob = login("bob");
  EXPECT_EQ(get_webhook(*hub_, bob, made->uid).error().code, Errc::not_found) << "another user's hook is invisible";
  EXPECT_EQ(delete_webhook(*hub_, bob, made->uid).error().code, Errc::not_found);
  EXPECT_EQ(set_webhook_disabled(*hub_, bob, made->uid, true).error().code, Errc::not_found);
  auto upd = update_webhook(*hub_, alice, made->uid, body(R"({"watched":[{"type":"model","name":"alice/m"}]})"));
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->url, "https://example.com/h") << "absent fields keep their value";
  EXPECT_EQ(upd->secret, "s");
  Principal anon;
  EXPECT_EQ(list_webhooks(*hub_, anon).error().code, Errc::unauthenticated);
}

// bob watches alice; alice's private repo's events reach alice's own hook only.
TEST_F(JobsTest, PrivateRepoEventsReachOnlyHooksWhoseOwnerCanRead) {
  auto alice = login("alice"), bob = login("bob");
  job_runner(*hub_);  // the server's runner (this process runs the jobs)
  auto body = [](std::string s) { return json::parse(s)->as_object(); };
  std::string watch = R"({"url":"http://127.0.0.1:9/","watched":[{"type":"user","name":"alice"}]})";
  ::setenv("HUBD_WEBHOOKS_ALLOW_PRIVATE", "1", 1);
  auto mine = create_webhook(*hub_, alice, body(watch));
  auto theirs = create_webhook(*hub_, bob, body(watch));
  ::unsetenv("HUBD_WEBHOOKS_ALLOW_PRIVATE");  // deliveries are refused at connect: no network needed
  ASSERT_TRUE(mine && theirs);
  ASSERT_TRUE(create_repo(*hub_, alice, NewRepo{"model", "", "secret-m", true}));
  ASSERT_TRUE(create_repo(*hub_, alice, NewRepo{"model", "", "open-m", false}));
  ASSERT_TRUE(settle("webhook_event"));
  ASSERT_TRUE(settle("webhook_delivery"));
  auto log_of = [&](const storage::db::WebhookRow& w) {
    std::vector<std::string> out;
    auto ds = hub_->db().webhook_deliveries(w.id, 10);
    EXPECT_TRUE(ds);
    for (auto& d : ds.value_or(std::vector<storage::db::WebhookDeliveryRow>{})) {
      auto doc = json::parse(d.payload);
      out.push_back(std::string(doc->as_object().at("repo").as_object().at("name").as_string()));
      EXPECT_EQ(d.state, "failed");
      EXPECT_NE(d.error.find("refused"), std::string::npos) << d.error;
      EXPECT_EQ(d.attempts, 1) << "a refused address is not retried";
    }
    return out;
  };
  EXPECT_EQ(log_of(*mine), (std::vector<std::string>{"alice/open-m", "alice/secret-m"}));
  EXPECT_EQ(log_of(*theirs), (std::vector<std::string>{"alice/open-m"}));
}

}  // namespace
}  // namespace hub::services
