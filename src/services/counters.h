// Download and like counters (HUB_API.md §4.5, §10).
// Downloads are counted the Hub's way: for models, each GET or HEAD of a "query file" counts 1
// (config.json & co. by default, or the file the repo's library names, e.g. adapter_config.json
// for peft, any *.gguf, diffusers' model_index.json); for datasets, all the files one IP fetches
// from a repo within 5 minutes count 1; spaces are not counted. count_file_request only bumps an
// in-memory batch (a mutex and a map), so downloads are never slowed by the database; a flusher
// thread writes the batch as per-day buckets every second and once a day refreshes the windowed
// figures (downloads = last 30 days, trendingScore = downloads + new likes of the last 7 days).
// Likes are written at once (they are rare and the caller wants the new count).
// Several nodes (issue 18): the counts are summed in the database, and a dataset visitor's
// 5-minute window is the database's (Database::open_download_windows, batched by the flusher;
// each node's own window map only spares it repeated visits), so a visitor whose requests
// alternate between nodes counts once. The library cache is trusted for 5 s only, since another
// node may re-index the repo.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

// Whether a request for `path` in a model repo whose library is `library_name` ("" if none)
// counts as a download.
bool is_model_query_file(std::string_view path, std::string_view library_name);

// Counts a GET/HEAD of `path` in `repo` (after access was granted) from client `ip`.
void count_file_request(Hub& hub, const storage::db::RepoRow& repo, std::string_view path, std::string_view ip);
// Writes the pending batch now (the flusher does this every second; tests call it directly).
Result<void> flush_counters(Hub& hub);
// The indexer calls this when a repo's library may have changed.
void forget_repo_library(Hub& hub, int64_t repo_id);

void start_counter_flusher(Hub& hub);
void stop_counter_flusher(Hub& hub);  // joins, then flushes what is pending

// downloads, downloadsAllTime, likes, trendingScore of a repo (zeros if unknown).
storage::db::RepoStats repo_counters(Hub& hub, int64_t repo_id);

// Likes. like/unlike need a signed-in principal and read access to the repo; return the new
// like count.
Result<int64_t> set_repo_like(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                              std::string_view name, bool like);

struct LikedRepo {
  storage::db::RepoRow repo;
  int64_t at = 0;
};
struct LikesPage {
  std::vector<LikedRepo> items;
  std::optional<std::string> next_cursor;  // opaque; absent on the last page
};
// Repos `user` liked that p may see, newest first.
Result<LikesPage> liked_repos(Hub& hub, const Principal& p, std::string_view user, std::string_view cursor,
                              int limit);

struct Liker {
  storage::db::Account account;
  int64_t at = 0;
};
struct LikersPage {
  std::vector<Liker> items;
  std::optional<std::string> next_cursor;
};
Result<LikersPage> repo_likers(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                               std::string_view name, std::string_view cursor, int limit);

}  // namespace hub::services
