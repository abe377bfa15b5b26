// Rows of discussions and pull requests (issue 17), behind the Database interface: one row per
// discussion (numbered per repo, numbers shared by discussions and PRs as on the Hub) and an
// append-mostly list of its events (comments, status and title changes, commits pushed).
// Plain values; account names are joined in by the queries (empty when the account is gone).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hub::storage::db {

struct DiscussionRow {
  int64_t id = 0;
  int64_t repo_id = 0;
  int64_t num = 0;
  int64_t author_id = 0;
  std::string author_name;    // read only (joined)
  std::string title;
  bool is_pr = false;
  std::string status;         // "open" | "closed" | "merged" | "draft"
  std::string target_branch;  // PRs: full ref the PR merges into ("refs/heads/main")
  std::string merge_commit;   // PRs once merged
  int64_t num_comments = 0;   // read only (counted)
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One event. `text` and `extra` by type: comment -> raw markdown, edit history (JSON array,
// oldest first, of {"raw","at","editor"}); status-change -> new status, ""; commit -> subject,
// oid; title-change -> new title, old title.
struct DiscussionEventRow {
  int64_t id = 0;
  int64_t discussion_id = 0;
  std::string uid;            // the API's event id: 24 lowercase hex
  std::string type;           // "comment" | "status-change" | "commit" | "title-change"
  int64_t author_id = 0;
  std::string author_name;    // read only (joined)
  std::string text;
  std::string extra;
  bool hidden = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct DiscussionQuery {
  int64_t repo_id = 0;
  std::optional<int64_t> author_id;
  std::optional<bool> is_pr;
  std::optional<bool> open;  // true: open or draft; false: closed or merged
  int64_t offset = 0;
  int64_t limit = 50;
};

struct DiscussionPage {
  std::vector<DiscussionRow> items;  // newest (highest number) first
  int64_t total = 0;                 // all rows matching the filters
};

}  // namespace hub::storage::db
