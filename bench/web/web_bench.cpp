// Server time of each web page for a repo with 1,000 files (issue 9: target < 50 ms). Runs the
// page handlers in-process through the real router (no sockets, so only server work is timed):
// the first request (cold: per-commit summary built) and the median / max of warm requests.
// Reports, never fails. Usage: web_bench [FILES=1000] [REPS=20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/time.h"
#include "http/router.h"
#include "services/accounts.h"
#include "services/auth.h"
#include "services/hub.h"
#include "services/refs_changed.h"
#include "services/repos.h"
#include "storage/git/commit_builder.h"
#include "web/routes.h"

using namespace hub;

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Timing {
  int status = 0;
  size_t bytes = 0;
  double ms = 0;
  std::string body;
};

Timing run(http::Router& router, const std::string& target, const std::string& cookie) {
  http::Request req;
  req.method = "GET";
  req.target = target;
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view qs = std::string_view(target).substr(q + 1);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      size_t eq = kv.find('=');
      req.query.emplace_back(std::string(kv.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1)));
      qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    }
  }
  req.headers.emplace_back("Cookie", "hubd_session=" + cookie);
  auto t0 = std::chrono::steady_clock::now();
  const http::Route* route = nullptr;
  Timing t;
  if (router.match(req, &route) != http::Router::Match::found) {
    t.status = 404;
    return t;
  }
  http::Response res = route->handler(req);
  t.ms = ms_since(t0);
  t.status = res.status;
  t.bytes = res.body.size();
  t.body = std::move(res.body);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int n_files = argc > 1 ? std::atoi(argv[1]) : 1000;
  int reps = argc > 2 ? std::atoi(argv[2]) : 20;
  auto dir = std::filesystem::temp_directory_path() / ("hubd-web-bench-" + std::to_string(::getpid()));
  services::HubConfig cfg;
  cfg.data_dir = dir.string();
  auto hub = services::Hub::open(cfg);
  if (!hub) return std::fprintf(stderr, "hub: %s\n", hub.error().message.c_str()), 1;
  services::NewUser u{"alice", "bench-password-1", "Alice", "", false};
  if (!services::create_user(**hub, u)) return 1;
  auto sess = services::login(**hub, "alice", u.password, "127.0.0.1");
  services::Credentials creds;
  creds.session_cookie = sess->cookie;
  auto who = services::authenticate(**hub, creds);
  auto repo = services::create_repo(**hub, *who, {"model", "alice", "big", false});
  if (!repo) return std::fprintf(stderr, "repo: %s\n", repo.error().message.c_str()), 1;

  // 1,000 files: 60% at the root (the widest tree page), the rest in sub/, plus card and config.
  auto git = storage::git::Repo::open(repo->path);
  auto head = git->resolve_revision("main");
  auto b = storage::git::CommitBuilder::start(*git, *head);
  std::string card = "---\nlicense: mit\npipeline_tag: text-classification\nlanguage: en\ntags: [bench]\n---\n# Big\n\n";
  for (int i = 0; i < 200; ++i) card += "Paragraph " + std::to_string(i) + " with **bold** and a [link](file_1.py).\n\n";
  (void)b->put_file("README.md", card);
  (void)b->put_file("config.json", R"({"architectures":["BertForSequenceClassification"],"model_type":"bert"})");
  std::string code;
  for (int l = 0; l < 200; ++l) code += "def f" + std::to_string(l) + "(x):\n    return x * " + std::to_string(l) + "  # line\n";
  for (int i = 0; i < n_files - 2; ++i) {
    std::string path = i < n_files * 6 / 10 ? "file_" + std::to_string(i) + ".py" : "sub/f_" + std::to_string(i) + ".json";
    (void)b->put_file(path, i == 1 ? code : "{\"i\": " + std::to_string(i) + "}\n");
  }
  storage::git::CommitOptions opts;
  opts.summary = "1,000 files";
  opts.author = {"alice", "alice@x", 0};
  auto c1 = b->commit_to("refs/heads/main", opts);
  // A second commit changing 100 files, for the commit diff page.
  auto b2 = storage::git::CommitBuilder::start(*git, *c1);
  for (int i = 0; i < 100; ++i) (void)b2->put_file("file_" + std::to_string(i) + ".py", "changed " + std::to_string(i) + "\n");
  opts.summary = "change 100 files";
  auto c2 = b2->commit_to("refs/heads/main", opts);
  services::on_refs_updated(**hub, *repo, {{repo->row.id, "refs/heads/main", *head, *c2, now_ms()}});

  http::Router router;
  auto site = web::add_routes(router, **hub);
  if (!site) return std::fprintf(stderr, "web: %s\n", site.error().message.c_str()), 1;

  std::vector<std::string> pages = {
      "/", "/models", "/models?search=big&pipeline_tag=text-classification", "/datasets", "/alice",
      "/alice/big", "/alice/big/tree/main", "/alice/big/tree/main/sub", "/alice/big/blob/main/file_1.py",
      "/alice/big/blob/main/README.md", "/alice/big/commits/main", "/alice/big/commit/" + *c2,
      "/alice/big/settings", "/alice/big/upload/main", "/settings/tokens", "/new", "/login"};
  std::printf("web pages, repo of %d files, %d warm runs each (in-process, no network)\n", n_files, reps);
  std::printf("%-62s %6s %9s %9s %9s %9s\n", "page", "status", "bytes", "cold ms", "median ms", "max ms");
  double worst = 0;
  for (auto& p : pages) {
    Timing cold = run(router, p, sess->cookie);
    std::vector<double> warm;
    Timing last;
    for (int r = 0; r < reps; ++r) {
      last = run(router, p, sess->cookie);
      warm.push_back(last.ms);
    }
    std::sort(warm.begin(), warm.end());
    double med = warm[warm.size() / 2];
    worst = std::max(worst, med);
    std::printf("%-62s %6d %9zu %9.2f %9.2f %9.2f\n", p.substr(0, 62).c_str(), last.status, last.bytes, cold.ms, med,
                warm.back());
  }
  if (const char* dump = std::getenv("WEB_BENCH_DUMP")) std::fputs(run(router, dump, sess->cookie).body.c_str(), stderr);
  std::printf("slowest warm median: %.2f ms = %.2fx the 50 ms target\n", worst, worst / 50.0);
  std::filesystem::remove_all(dir);
  return 0;
}
