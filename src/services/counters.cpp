#include "services/counters.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "core/hash.h"
#include "core/log.h"
#include "core/time.h"
#include "services/repos.h"

namespace hub::services {

using storage::db::DownloadCount;
using storage::db::LikeRow;

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDatasetWindowMs = 5 * 60 * 1000;
constexpr size_t kMaxDatasetVisitors = 1'000'000;  // (repo, ip) windows kept; beyond, oldest go
constexpr int64_t kLibraryTtlMs = 5'000;

std::string_view basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}
std::string_view extension_of(std::string_view path) {
  auto base = basename_of(path);
  auto dot = base.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : base.substr(dot + 1);
}

struct State {
  std::mutex mu;
  std::map<std::pair<int64_t, int64_t>, int64_t> pending;             // (repo, day) -> n
  std::map<std::pair<int64_t, std::string>, int64_t> dataset_windows;  // (repo, ip) -> window start
  // Visits that opened a window here, for the database's windows, which all nodes share: one
  // visitor alternating between nodes opens one window there, so counts once (issue 18).
  std::vector<storage::db::DownloadVisit> visits;
  struct Library {
    std::string name;
    int64_t read_at = 0;
  };
  std::unordered_map<int64_t, Library> libraries;  // repo -> library_name, read at
  int64_t refreshed_day = 0;
  // flusher
  std::thread thread;
  std::condition_variable cv;
  bool stopping = false;
};

std::mutex g_states_mu;
std::map<Hub*, std::shared_ptr<State>>& states() {
  static std::map<Hub*, std::shared_ptr<State>> m;
  return m;
}
std::shared_ptr<State> state_of(Hub& hub) {
  std::lock_guard lock(g_states_mu);
  auto& s = states()[&hub];
  if (!s) s = std::make_shared<State>();
  return s;
}

std::string library_of(Hub& hub, State& st, int64_t repo_id) {
  {
    std::lock_guard lock(st.mu);
    // Another node may re-index the repo (and change its library) without telling this one,
    // so an entry is trusted only briefly.
    if (auto it = st.libraries.find(repo_id); it != st.libraries.end() && now_ms() - it->second.read_at < kLibraryTtlMs)
      return it->second.name;
  }
  std::string lib;
  if (auto row = hub.db().repo_index(repo_id); row && *row && (*row)->library_name) lib = *(*row)->library_name;
  std::lock_guard lock(st.mu);
  if (st.libraries.size() > 100'000) st.libraries.clear();  // a bound, not an LRU: misses are cheap
  st.libraries[repo_id] = {lib, now_ms()};
  return lib;
}

Result<void> flush_state(Hub& hub, State& st) {
  std::vector<DownloadCount> batch;
  std::vector<storage::db::DownloadVisit> visits;
  int64_t now = now_ms(), today = now / kDayMs;
  bool refresh_all = false;
  {
    std::lock_guard lock(st.mu);
    for (auto& [k, n] : st.pending) batch.push_back({k.first, k.second, n});
    st.pending.clear();
    visits.swap(st.visits);
    std::erase_if(st.dataset_windows, [&](const auto& kv) { return now - kv.second >= kDatasetWindowMs; });
    if (st.refreshed_day != today) {
      refresh_all = true;
      st.refreshed_day = today;
    }
  }
  if (!visits.empty()) {
    // One order on every node (repo, visitor; stable, so one key's visits stay in time order):
    // two nodes' transactions then lock rows in the same order and cannot deadlock.
    std::stable_sort(visits.begin(), visits.end(), [](const auto& a, const auto& b) {
      return std::tie(a.repo_id, a.visitor) < std::tie(b.repo_id, b.visitor);
    });
    auto opened = hub.db().open_download_windows(visits, kDatasetWindowMs);
    if (!opened) {
      std::lock_guard lock(st.mu);
      st.visits.insert(st.visits.end(), visits.begin(), visits.end());
      for (auto& d : batch) st.pending[{d.repo_id, d.day}] += d.n;
      return std::unexpected(opened.error());
    }
    std::map<std::pair<int64_t, int64_t>, int64_t> counted;  // one entry per (repo, day) in the batch
    for (auto& d : batch) counted[{d.repo_id, d.day}] += d.n;
    for (size_t i = 0; i < visits.size() && i < opened->size(); ++i)
      if ((*opened)[i]) ++counted[{visits[i].repo_id, visits[i].at / kDayMs}];
    batch.clear();
    for (auto& [k, n] : counted) batch.push_back({k.first, k.second, n});
  }
  if (!batch.empty()) {
    if (auto r = hub.db().add_downloads(batch, today); !r) {
      // Put the counts back: a busy database delays them, it does not lose them.
      std::lock_guard lock(st.mu);
      for (auto& d : batch) st.pending[{d.repo_id, d.day}] += d.n;
      return r;
    }
  }
  if (refresh_all) return hub.db().refresh_stats(today);
  return {};
}

// Cursor of the likes lists: "<at>.<id>" base64url, opaque to clients.
std::string like_cursor(int64_t at, int64_t id) { return base64url_encode(std::to_string(at) + "." + std::to_string(id)); }
Result<std::optional<std::pair<int64_t, int64_t>>> parse_like_cursor(std::string_view c) {
  if (c.empty()) return std::optional<std::pair<int64_t, int64_t>>();
  auto raw = base64url_decode(c.substr(0, 100));
  auto bad = [] { return fail(Errc::invalid_argument, "Invalid cursor"); };
  if (!raw) return bad();
  auto dot = raw->find('.');
  if (dot == std::string::npos) return bad();
  int64_t at = 0, id = 0;
  auto a = std::from_chars(raw->data(), raw->data() + dot, at);
  auto b = std::from_chars(raw->data() + dot + 1, raw->data() + raw->size(), id);
  if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != raw->data() + raw->size()) return bad();
  return std::optional<std::pair<int64_t, int64_t>>(std::pair{at, id});
}

}  // namespace

bool is_model_query_file(std::string_view path, std::string_view lib) {
  auto base = basename_of(path);
  auto ext = extension_of(path);
  bool top = base.size() == path.size();
  if (ext == "gguf") return true;  // every GGUF counts, whatever the library
  // Libraries whose countDownloads rule (@huggingface/tasks model-libraries.ts) replaces the
  // default; the common ones.
  if (lib == "peft" || lib == "adapter-transformers") return path == "adapter_config.json";
  if (lib == "diffusers") return path == "model_index.json" || base == "config.json";
  if (lib == "timm") return path == "pytorch_model.bin" || path == "model.safetensors";
  if (lib == "open_clip")
    return path == "open_clip_model.safetensors" || path == "model.safetensors" ||
           path == "open_clip_pytorch_model.bin" || path == "pytorch_model.bin";
  if (lib == "sklearn") return path == "sklearn_model.joblib";
  if (lib == "speechbrain") return path == "hyperparams.yaml";
  if (lib == "keras") return path == "config.json" || ext == "keras";
  if (lib == "tf-keras") return path == "saved_model.pb";
  if (lib == "flair" || lib == "asteroid") return path == "pytorch_model.bin";
  if (lib == "gliner") return path == "gliner_config.json";
  if (lib == "stable-baselines3") return ext == "zip";
  if (lib == "ultralytics") return ext == "pt";
  if (lib == "ml-agents") return ext == "onnx";
  if (lib == "spacy") return ext == "whl";
  if (lib == "nemo") return ext == "nemo" || path == "model_config.yaml" || ext == "json";
  // The Hub's default query files, at the repo root.
  return top && (base == "config.json" || base == "config.yaml" || base == "hyperparams.yaml" ||
                 base == "params.json" || base == "meta.yaml");
}

void count_file_request(Hub& hub, const storage::db::RepoRow& repo, std::string_view path, std::string_view ip) {
  if (repo.type == "space") return;
  auto st = state_of(hub);
  int64_t now = now_ms();
  if (repo.type == "model") {
    if (!is_model_query_file(path, library_of(hub, *st, repo.id))) return;
    std::lock_guard lock(st->mu);
    ++st->pending[{repo.id, now / kDayMs}];
    return;
  }
  std::lock_guard lock(st->mu);
  auto key = std::pair{repo.id, std::string(ip)};
  auto it = st->dataset_windows.find(key);
  if (it != st->dataset_windows.end() && now - it->second < kDatasetWindowMs) return;
  if (it == st->dataset_windows.end() && st->dataset_windows.size() >= kMaxDatasetVisitors)
    st->dataset_windows.clear();  // a flood of distinct IPs: forget windows rather than grow
  st->dataset_windows[key] = now;
  st->visits.push_back({repo.id, std::string(ip), now});
}

Result<void> flush_counters(Hub& hub) { return flush_state(hub, *state_of(hub)); }

void forget_repo_library(Hub& hub, int64_t repo_id) {
  auto st = state_of(hub);
  std::lock_guard lock(st->mu);
  st->libraries.erase(repo_id);
}

void start_counter_flusher(Hub& hub) {
  auto st = state_of(hub);
  std::lock_guard lock(st->mu);
  if (st->thread.joinable()) return;
  st->stopping = false;
  st->thread = std::thread([&hub, st] {
    std::unique_lock lock(st->mu);
    while (!st->stopping) {
      st->cv.wait_for(lock, std::chrono::seconds(1));
      lock.unlock();
      if (auto r = flush_state(hub, *st); !r) log::warn("cannot write download counts", {{"error", r.error().message}});
      lock.lock();
    }
  });
}

void stop_counter_flusher(Hub& hub) {
  std::shared_ptr<State> st;
  {
    std::lock_guard lock(g_states_mu);
    auto it = states().find(&hub);
    if (it == states().end()) return;
    st = it->second;
  }
  {
    std::lock_guard lock(st->mu);
    st->stopping = true;
  }
  st->cv.notify_all();
  if (st->thread.joinable()) st->thread.join();
  if (auto r = flush_state(hub, *st); !r) log::warn("cannot write download counts", {{"error", r.error().message}});
  std::lock_guard lock(g_states_mu);
  states().erase(&hub);
}

storage::db::RepoStats repo_counters(Hub& hub, int64_t repo_id) {
  auto s = hub.db().repo_stats(repo_id);
  return s ? *s : storage::db::RepoStats{};
}

Result<int64_t> set_repo_like(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                              std::string_view name, bool like) {
  if (p.anonymous()) return fail(Errc::unauthenticated, "You must be signed in to like a repo");
  HUB_TRY(h, open_repo(hub, p, type, ns, name, Access::contribute));
  HUB_TRY(changed, hub.db().set_like(p.account->id, h.row.id, like, now_ms()));
  (void)changed;
  HUB_TRY(stats, hub.db().repo_stats(h.row.id));
  return stats.likes;
}

Result<LikesPage> liked_repos(Hub& hub, const Principal& p, std::string_view user, std::string_view cursor,
                              int limit) {
  HUB_TRY(account, hub.db().account_by_name(user));
  HUB_TRY(after, parse_like_cursor(cursor));
  std::optional<LikeRow> before;
  if (after) before = LikeRow{after->second, account.id, after->first};
  LikesPage page;
  // Likes of repos p cannot read are skipped, so one read may not fill the page; read on until
  // the page is full with a row left over (then there is a next page) or the list ends.
  for (;;) {
    HUB_TRY(rows, hub.db().likes_of_account(account.id, before, limit + 1));
    for (const auto& r : rows) {
      if (int(page.items.size()) == limit) {
        page.next_cursor = like_cursor(before->at, before->repo_id);
        return page;
      }
      before = r;
      auto repo = hub.db().repo_by_id(r.repo_id);
      if (repo && can_read(hub, p, *repo)) page.items.push_back({*repo, r.at});
    }
    if (int(rows.size()) < limit + 1) return page;
  }
}

Result<LikersPage> repo_likers(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                               std::string_view name, std::string_view cursor, int limit) {
  HUB_TRY(h, open_repo(hub, p, type, ns, name, Access::read));
  HUB_TRY(after, parse_like_cursor(cursor));
  std::optional<LikeRow> before;
  if (after) before = LikeRow{h.row.id, after->second, after->first};
  HUB_TRY(rows, hub.db().likers_of_repo(h.row.id, before, limit + 1));
  LikersPage page;
  for (size_t i = 0; i < rows.size() && int(i) < limit; ++i) {
    auto acc = hub.db().account_by_id(rows[i].account_id);
    if (acc) page.items.push_back({*acc, rows[i].at});
  }
  if (int(rows.size()) > limit) page.next_cursor = like_cursor(rows[limit - 1].at, rows[limit - 1].account_id);
  return page;
}

}  // namespace hub::services
