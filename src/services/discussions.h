// Discussions and pull requests (issue 17), as the Hub's API and pages use them: list, open,
// comment, edit/hide a comment, rename, open/close, merge; plus the two hooks other use cases
// call: the commit use case opens the PR discussion behind `create_pr=1` (open_pr_for_commit),
// and every ref change reports commits pushed to refs/pr/N (record_pr_commits, from
// refs_changed). Numbers are per repo and shared by discussions and PRs; PR N lives at
// refs/pr/N and merges into its target branch (fast-forward when it can, else a merge commit
// from libgit2's in-memory three-way merge; conflicts refuse the merge). The diff and the
// conflict list are computed against the target branch as it is now.
// Permissions: reading needs read access to the repo (private repos stay RepoNotFound);
// opening and commenting need contribute access (logged in, write-scoped credentials); editing
// a comment needs to be its author; hiding one, renaming and opening/closing need to be the
// author or a repo writer; merging needs write access. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/db/database.h"

namespace hub::services {

struct RepoRef {
  std::string_view type, ns, name;
};

struct DiscussionFilter {
  std::string author;  // "" = anyone
  std::string type;    // "" | "all" | "discussion" | "pull_request"
  std::string status;  // "" | "all" | "open" | "closed"
  int64_t page = 0;    // 0-based
};
inline constexpr int64_t kDiscussionsPerPage = 50;

struct DiscussionList {
  storage::db::RepoRow repo;
  storage::db::DiscussionPage page;
  int64_t start = 0;
};

struct DiscussionDetails {
  storage::db::RepoRow repo;
  storage::db::DiscussionRow discussion;
  std::vector<storage::db::DiscussionEventRow> events;
  // Pull requests only:
  std::string head;                    // refs/pr/N now ("" when the ref is gone)
  std::string target_head;             // the target branch now
  std::string diff_from;               // what the PR's changes are diffed against ("" = none):
                                       // the merge base with the target (for a merged PR, with
                                       // the target before the merge)
  std::vector<std::string> conflicts;  // files a merge now would conflict on
  std::optional<std::string> diff;     // with_diff: unified patch, merge base -> head
  bool can_write = false;              // the caller may merge / moderate
};

// Errors: invalid_argument for a bad filter value.
Result<DiscussionList> list_discussions(Hub& hub, const Principal& p, RepoRef r, const DiscussionFilter& f);
// Title 3..200 characters after trimming. A PR gets refs/pr/N at the default branch's head,
// status "draft" (as on the Hub for PRs opened this way).
Result<storage::db::DiscussionRow> create_discussion(Hub& hub, const Principal& p, RepoRef r, std::string_view title,
                                                     std::string_view description, bool pull_request);
// not_found "Discussion not found" for a missing number.
Result<DiscussionDetails> discussion_details(Hub& hub, const Principal& p, RepoRef r, int64_t num, bool with_diff);
Result<storage::db::DiscussionEventRow> comment_discussion(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                           std::string_view text);
Result<storage::db::DiscussionEventRow> edit_discussion_comment(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                                std::string_view comment_id, std::string_view text);
Result<storage::db::DiscussionEventRow> hide_discussion_comment(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                                std::string_view comment_id);
Result<storage::db::DiscussionEventRow> rename_discussion(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                          std::string_view title);
// status "open" | "closed"; an optional comment is posted first.
Result<storage::db::DiscussionEventRow> change_discussion_status(Hub& hub, const Principal& p, RepoRef r,
                                                                 int64_t num, std::string_view status,
                                                                 std::string_view comment);
// Refuses (invalid_argument) a discussion, a PR not open, one with nothing to merge, and
// conflicts (conflict, with the files named). Returns the "merged" status-change event.
Result<storage::db::DiscussionEventRow> merge_pull_request(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                           std::string_view comment);

// For create_pr=1 (commits.cpp): the PR's discussion, numbered at least min_num, opened by p
// with the commit's summary as title and its description as first comment. The caller then
// creates refs/pr/N (and drops the row with drop_discussion if it cannot).
Result<storage::db::DiscussionRow> open_pr_for_commit(Hub& hub, const Principal& p, const storage::db::RepoRow& repo,
                                                      std::string_view summary, std::string_view description,
                                                      std::string_view target_ref, int64_t min_num);
void drop_discussion(Hub& hub, int64_t discussion_id);
// Whether p may commit to `ref` without write access: ref is refs/pr/N of an open or draft PR
// that p opened (the Hub lets a PR's author push to it).
bool is_own_open_pr(Hub& hub, const Principal& p, const storage::db::RepoRow& repo, std::string_view ref);
// The refs a git push by p may move without write access: refs/pr/N of every open or draft PR
// p opened on the repo (empty for anonymous callers and read tokens).
std::vector<std::string> own_open_pr_refs(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);
// For on_refs_updated: a "commit" event per commit refs/pr/N gained (N an existing PR).
void record_pr_commits(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates);

// The comment event's edit history as stored in DiscussionEventRow::extra.
struct CommentEdit {
  std::string raw;
  int64_t at = 0;
  std::string editor;
};
struct CommentHistory {
  std::string editor;               // who wrote the current text ("" = the author)
  std::vector<CommentEdit> before;  // earlier versions, oldest first
};
CommentHistory comment_history(const storage::db::DiscussionEventRow& e);

}  // namespace hub::services
