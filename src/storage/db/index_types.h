// Rows of the listing/search index and the counters (issue 5), as the Database interface
// passes them: plain data, no SQL. The index keeps, per repo, what its default branch head
// says (pipeline_tag, library_name, tags, cardData, config, extra API fields as JSON text,
// card errors, searchable text); counters keep downloads per day and likes. RepoQuery is the
// one query the listing API needs, described by its parts so any SQL engine can plan it.
// Included by database.h after RepoRow; include database.h, not this file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


namespace hub::storage::db {

struct RepoIndexRow {
  int64_t repo_id = 0;
  std::string commit;                      // indexed head of the default branch ("" = none)
  std::optional<std::string> pipeline_tag;
  std::optional<std::string> library_name;
  std::vector<std::string> tags;
  // Extra filter postings not shown as tags: facet("pipeline_tag", x), facet("language", x).
  std::vector<std::string> facets;
  std::string card_data = "{}";            // JSON text of cardData
  std::string config = "{}";               // JSON text of the API `config` subset
  std::string extra = "{}";                // JSON text: other API fields (safetensors, gguf, ...)
  std::string errors = "[]";               // JSON text: array of card/indexing error strings
  std::string search_text;                 // free text for full-text search (tags, card text)
  int64_t indexed_at = 0;                  // unix ms
  // Write order across nodes: Database::ref_update_seq read before the head was. put_repo_index
  // leaves a stored row with a higher seq alone, so a slow indexer never overwrites a newer head.
  int64_t seq = 0;
};

// A filter posting that is not a tag (pipeline_tag exact match, card languages): a control
// character keeps it apart from anything a card can declare as a tag.
inline std::string facet(std::string_view kind, std::string_view value) {
  return "\x1f" + std::string(kind) + ":" + std::string(value);
}
inline bool is_facet(std::string_view tag) { return !tag.empty() && tag[0] == '\x1f'; }

struct RepoStats {
  int64_t downloads = 0;      // last 30 days (day buckets, today included)
  int64_t downloads_all = 0;  // all time
  int64_t likes = 0;
  int64_t trending = 0;       // downloads + likes of the last 7 days
};

enum class RepoSort { downloads, likes, trending, last_modified, created_at, id };

// Keyset position: the sort key of the last row returned (num for numeric keys, str for id)
// and its repo id, which breaks ties.
struct RepoCursor {
  int64_t num = 0;
  std::string str;
  int64_t repo_id = 0;
};

struct RepoQuery {
  std::string type;                    // "model" | "dataset" | "space"
  std::string search;                  // case-insensitive substring of "ns/name"; also full-text
  std::string author;                  // exact namespace (canonical case); empty = any
  std::optional<bool> gated;           // true: gated repos only; false: not gated only (issue 17)
  std::vector<std::string> tags;       // all must be present (tags or facets)
  bool all_private = false;            // admin: every private repo is visible
  std::vector<std::string> private_namespaces;  // private repos under these are visible
  RepoSort sort = RepoSort::downloads;
  bool descending = true;
  std::optional<RepoCursor> after;
  int limit = 20;
  bool with_index = true;              // also load the RepoIndexRow of each hit
};

struct RepoHit {
  RepoRow repo;
  RepoStats stats;
  std::optional<RepoIndexRow> index;   // absent when never indexed (or !with_index)
  RepoCursor cursor;                   // position of this row, for the next page
};

struct DownloadCount {
  int64_t repo_id = 0;
  int64_t day = 0;  // unix day (ms / 86'400'000)
  int64_t n = 0;
};

// One dataset file request, for the download dedup window (Database::open_download_windows).
struct DownloadVisit {
  int64_t repo_id = 0;
  std::string visitor;  // client address
  int64_t at = 0;       // unix ms
};

struct LikeRow {
  int64_t repo_id = 0;
  int64_t account_id = 0;
  int64_t at = 0;  // unix ms
};

}  // namespace hub::storage::db
