#include "services/indexer.h"

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/time.h"
#include "services/counters.h"
#include "services/lfs_access.h"
#include "services/jobs.h"
#include "services/post_push.h"
#include "services/repo_view.h"
#include "services/weights_info.h"
#include "storage/git/repo.h"

namespace hub::services {

namespace git = storage::git;
using storage::db::RepoIndexRow;
using storage::db::RepoRow;

namespace {

constexpr uint64_t kMaxSmallFile = 4u << 20;      // repo_view reads README/config up to this
constexpr uint64_t kMaxGitWeightBlob = 32u << 20;  // non-LFS weight files read whole up to this
constexpr size_t kMaxWeightFiles = 256;            // safetensors shards summarized per repo
constexpr size_t kMaxErrors = 32;
constexpr size_t kMaxSearchText = 8 * 1024;

// One mutex per repo id stripe: two indexers of the same repo run one after the other, and the
// later one reads the later head.
std::mutex& repo_lock(int64_t repo_id) {
  static std::array<std::mutex, 64> locks;
  return locks[size_t(repo_id) % locks.size()];
}

ReadAt reader_for(Hub& hub, const git::Repo& repo, int64_t repo_id, const RepoViewFile& f) {
  if (f.lfs) {
    // Only an object linked to this repo and stored with the pointer's size (lfs_access.h);
    // reads are clipped to the stored object.
    return [&hub, repo_id, oid = f.sha256, size = f.size](uint64_t off, uint64_t len) -> Result<std::string> {
      if (off >= size) return std::string();
      return lfs_read_object(hub, repo_id, oid, size, storage::lfs::ByteRange{off, len}, size_t(len));
    };
  }
  // A git blob is read whole (libgit2 has no partial read), once, and only when small enough.
  auto cache = std::make_shared<std::optional<Result<std::string>>>();
  return [&repo, oid = f.blob_id, size = f.size, cache](uint64_t off, uint64_t len) -> Result<std::string> {
    if (size > kMaxGitWeightBlob) return fail(Errc::too_large, "weight file stored in git (not LFS) is too large to read");
    if (!*cache) *cache = repo.read_blob_oid(oid, kMaxGitWeightBlob);
    const auto& all = **cache;
    if (!all) return std::unexpected(all.error());
    if (off >= all->size()) return std::string();
    return all->substr(size_t(off), size_t(std::min<uint64_t>(len, all->size() - off)));
  };
}

void add_error(std::vector<std::string>& errors, std::string e) {
  if (errors.size() < kMaxErrors) errors.push_back(std::move(e));
}

bool has_suffix_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}

// Safetensors parameter counts summed over every *.safetensors file (shards of one model), and
// the first GGUF file's header. Files that cannot be read are reported and left out.
void weight_summaries(Hub& hub, const git::Repo& repo, int64_t repo_id, const RepoView& view, json::object& extra,
                      std::vector<std::string>& errors) {
  SafetensorsInfo st;
  size_t st_files = 0, seen = 0;
  bool gguf_done = false;
  for (const auto& f : view.files) {
    if (has_suffix_ci(f.path, ".safetensors")) {
      if (++seen > kMaxWeightFiles) continue;
      auto info = read_safetensors_info(reader_for(hub, repo, repo_id, f), f.size);
      if (!info) {
        add_error(errors, f.path + ": " + info.error().message);
        continue;
      }
      for (const auto& [k, v] : info->parameters) st.parameters[k] += v;
      st.total += info->total;
      ++st_files;
    } else if (has_suffix_ci(f.path, ".gguf") && !gguf_done) {
      auto info = read_gguf_info(reader_for(hub, repo, repo_id, f), f.size);
      if (!info) {
        add_error(errors, f.path + ": " + info.error().message);
        continue;
      }
      extra["gguf"] = gguf_json(*info);
      gguf_done = true;
    }
  }
  if (st_files) extra["safetensors"] = safetensors_json(st);
}

std::string search_text_of(const metadata::RepoMetadata& md) {
  std::string text;
  for (const auto& t : md.tags) text += t + " ";
  // The card's prose, bounded: enough for "what is this model about", not the whole page.
  std::string_view body = md.card.body;
  if (body.size() > kMaxSearchText) {
    body = body.substr(0, kMaxSearchText);
    // Do not cut a UTF-8 sequence in half.
    while (!body.empty() && (static_cast<unsigned char>(body.back()) & 0xC0) == 0x80) body.remove_suffix(1);
    if (!body.empty() && static_cast<unsigned char>(body.back()) >= 0xC0) body.remove_suffix(1);
  }
  text += body;
  return text;
}

}  // namespace

Result<RepoIndexRow> build_index_row(Hub& hub, const RepoRow& row, const std::string& repo_path) {
  RepoIndexRow out;
  out.repo_id = row.id;
  out.indexed_at = now_ms();
  HUB_TRY(repo, git::Repo::open(repo_path));
  auto branch = repo.default_branch();
  if (!branch) return std::unexpected(branch.error());
  auto head = repo.resolve_revision("refs/heads/" + *branch);
  if (!head) {
    if (head.error().code == Errc::not_found) return out;  // no commit yet: an empty row
    return std::unexpected(head.error());
  }
  HUB_TRY(view, cached_repo_view(row, repo_path, *head));
  const auto& md = view->metadata;
  out.commit = *head;
  out.pipeline_tag = md.pipeline_tag;
  out.library_name = md.library_name;
  out.tags = md.tags;
  if (md.pipeline_tag) out.facets.push_back(storage::db::facet("pipeline_tag", *md.pipeline_tag));
  for (const auto& l : md.fields.languages) out.facets.push_back(storage::db::facet("language", l));
  std::vector<std::string> errors;
  for (const auto& e : md.errors) add_error(errors, e);
  if (view->files_truncated)
    add_error(errors, "the file list was cut at " + std::to_string(view->files.size()) +
                          " entries (HUBD_MAX_TREE_ENTRIES); files beyond it were not indexed");
  for (const auto& f : view->files) {
    if (f.path != "README.md") continue;
    if (f.lfs) add_error(errors, "README.md is stored in LFS and was not read");
    else if (f.size > kMaxSmallFile)
      add_error(errors, "README.md is larger than " + std::to_string(kMaxSmallFile >> 20) + " MiB and was not read");
  }
  json::object extra;
  for (const auto& [k, v] : view->api_metadata) {
    if (k == "pipeline_tag" || k == "library_name" || k == "tags" || k == "cardData" || k == "config") continue;
    extra[k] = v;
  }
  weight_summaries(hub, repo, row.id, *view, extra, errors);
  if (md.card.has_front_matter) out.card_data = json::serialize(md.card.data);
  if (!md.config.empty()) out.config = json::serialize(md.config);
  out.extra = json::serialize(extra);
  json::array errs;
  for (auto& e : errors) errs.emplace_back(e);
  out.errors = json::serialize(errs);
  out.search_text = search_text_of(md);
  return out;
}

Result<void> index_repo(Hub& hub, const RepoRow& row) {
  std::lock_guard lock(repo_lock(row.id));
  // Read before the head: an indexer on another node that read an older head has a lower or
  // equal seq, and put_repo_index keeps the row with the higher one (RepoIndexRow::seq). Equal
  // seqs may still land out of order, but the ref update behind the newest head is recorded
  // before its own index pass starts, and that pass reads a higher seq.
  HUB_TRY(seq, hub.db().ref_update_seq(row.id));
  HUB_TRY(built, build_index_row(hub, row, hub.repo_path(row.type, row.ns, row.name)));
  built.seq = seq;
  auto r = hub.db().put_repo_index({built});
  forget_repo_library(hub, row.id);
  return r;
}

void index_after_refs_update(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates) {
  auto r = git::Repo::open(repo.path);
  std::string main = "refs/heads/main";
  if (r)
    if (auto b = r->default_branch()) main = "refs/heads/" + *b;
  bool moved = false;
  for (const auto& u : updates) moved = moved || u.ref == main;
  if (!moved) return;
  // The row may have been renamed since the handle was made: index by the current row.
  auto row = hub.db().repo_by_id(repo.row.id);
  if (!row) return;
  if (auto e = index_repo(hub, *row); !e)
    log::warn("cannot index repo", {{"repo", row->full_id()}, {"error", e.error().message}});
}

size_t index_missing(Hub& hub, size_t max) {
  size_t done = 0;
  while (done < max) {
    auto rows = hub.db().unindexed_repos("", int(std::min<size_t>(100, max - done)));
    if (!rows || rows->empty()) break;
    size_t before = done;
    for (const auto& row : *rows) {
      auto e = index_repo(hub, row);
      if (!e) {
        // Unreadable on disk: write an empty row with the error, so the pass moves on.
        log::warn("cannot index repo", {{"repo", row.full_id()}, {"error", e.error().message}});
        RepoIndexRow empty;
        empty.repo_id = row.id;
        empty.indexed_at = now_ms();
        json::array errs{json::value(e.error().message)};
        empty.errors = json::serialize(errs);
        if (!hub.db().put_repo_index({empty})) continue;
      }
      ++done;
    }
    if (done == before) break;
  }
  return done;
}

Result<size_t> reindex_queued(Hub& hub) {
  size_t done = 0, failed = 0;
  for (;;) {
    HUB_TRY(ids, hub.db().reindex_queue(100));
    if (ids.empty()) break;
    for (int64_t id : ids) {
      if (auto row = hub.db().repo_by_id(id)) {
        if (auto e = index_repo(hub, *row); !e) {
          // The old row stays (the next push re-indexes); a broken repo must not block start-up.
          log::warn("cannot re-index repo", {{"repo", row->full_id()}, {"error", e.error().message}});
          ++failed;
        }
      }
      if (auto r = hub.db().reindex_done(id); !r) return std::unexpected(r.error());
      ++done;
    }
  }
  if (done)
    log::info("re-indexed existing repos under the current metadata rules",
              {{"repos", std::to_string(done)}, {"failed", std::to_string(failed)}});
  return done;
}

namespace {
struct Background {
  std::thread catchup;
  std::atomic<bool> stop{false};
};
std::mutex g_bg_mu;
std::map<Hub*, std::unique_ptr<Background>>& backgrounds() {
  static std::map<Hub*, std::unique_ptr<Background>> m;
  return m;
}
}  // namespace

void start_background(Hub& hub) {
  std::lock_guard lock(g_bg_mu);
  auto& slot = backgrounds()[&hub];
  if (slot) return;
  slot = std::make_unique<Background>();
  auto* bg = slot.get();
  bg->catchup = std::thread([&hub, bg] {
    // One node at a time catches up (issue 18); the others find nothing left when they get it.
    auto held = hub.db().lock("index-catchup");
    if (!held) log::warn("cannot take the index catch-up lock", {{"error", held.error().message}});
    size_t total = 0;
    while (!bg->stop) {
      size_t n = index_missing(hub, 50);
      total += n;
      if (n < 50) break;
    }
    if (total) log::info("indexed repos missing from the search index", {{"count", std::to_string(total)}});
  });
  start_counter_flusher(hub);
  job_runner(hub);  // picks up jobs queued before a restart (or by other nodes)
}

void stop_background(Hub& hub) {
  // Background jobs first (pushes' bookkeeping, webhooks): running ones finish, due ones are
  // drained for a while; the rest stays queued in the database for the next start.
  stop_job_runner(hub);
  std::unique_ptr<Background> bg;
  {
    std::lock_guard lock(g_bg_mu);
    auto it = backgrounds().find(&hub);
    if (it != backgrounds().end()) {
      bg = std::move(it->second);
      backgrounds().erase(it);
    }
  }
  if (bg) {
    bg->stop = true;
    if (bg->catchup.joinable()) bg->catchup.join();
  }
  stop_counter_flusher(hub);
}

}  // namespace hub::services
