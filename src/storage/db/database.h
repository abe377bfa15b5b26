// Database: the metadata store behind one interface. SQLite (sqlite.cpp) is the embedded
// default; PostgreSQL (pg.cpp) serves several nodes, without changing callers, so nothing SQL-
// specific leaks out of here: callers see typed rows and Result errors (not_found,
// already_exists, conflict). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hub::storage::db {

enum class AccountKind { user, org };

struct Account {
  int64_t id = 0;
  AccountKind kind = AccountKind::user;
  std::string name;
  std::string fullname;
  std::string email;
  std::string password_hash;  // users only; argon2id encoded string
  bool is_admin = false;
  int64_t created_at = 0;     // unix ms
};

struct Token {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name;           // display name
  std::string role;           // "read" | "write"
  std::string hash;           // sha256 hex of the secret; the secret itself is never stored
  std::string prefix;         // first characters of the secret, for the UI ("hf_abc...")
  int64_t created_at = 0;
  int64_t last_used_at = 0;
};

struct WebSession {
  std::string id_hash;
  int64_t account_id = 0;
  std::string csrf;
  int64_t expires_at = 0;
};

struct RepoRow {
  int64_t id = 0;
  std::string uid;            // the API's opaque "_id"
  std::string type;           // "model" | "dataset" | "space"
  std::string ns;             // namespace (account name)
  std::string name;
  bool is_private = false;
  std::string gated;          // "" (not gated) | "auto" | "manual"
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string full_id() const { return ns + "/" + name; }
};

struct RefUpdate {
  int64_t repo_id = 0;
  std::string ref;
  std::string old_oid;
  std::string new_oid;
  int64_t at = 0;
};

struct LfsObjectRef {
  std::string oid;  // sha256, 64 lowercase hex
  uint64_t size = 0;
};

}  // namespace hub::storage::db
#include "storage/db/index_types.h"  // search index and counter rows (issue 5)
#include "storage/db/discussion_types.h"  // discussions and pull requests (issue 17)
#include "storage/db/xet_types.h"  // Xet CAS (issue 16)
#include "storage/db/job_types.h"  // background jobs and webhooks (issue 17)
#include "storage/db/access_types.h"  // gated repos: access requests (issue 17)
namespace hub::storage::db {

class Database {
 public:
  // "sqlite:PATH" or a plain path to the SQLite file, or "postgres://USER@HOST:PORT/DB"
  // (any libpq URL; ?pool=N sets the connection count, default 8). Runs pending migrations.
  static Result<std::unique_ptr<Database>> open(const std::string& url);
  virtual ~Database() = default;

  virtual int schema_version() = 0;

  // Accounts (users and organisations share one namespace, as on the Hub).
  virtual Result<Account> create_account(const Account& a) = 0;
  virtual Result<Account> account_by_name(std::string_view name) = 0;
  virtual Result<Account> account_by_id(int64_t id) = 0;
  virtual Result<int64_t> count_accounts(AccountKind kind) = 0;
  virtual Result<void> add_member(int64_t org_id, int64_t user_id, std::string_view role) = 0;
  // The member's role in the org ("admin", "write", "read"), or not_found.
  virtual Result<std::string> member_role(int64_t org_id, int64_t user_id) = 0;
  virtual Result<std::vector<Account>> orgs_of(int64_t user_id) = 0;

  // Tokens.
  virtual Result<Token> create_token(const Token& t) = 0;
  virtual Result<Token> token_by_hash(std::string_view hash) = 0;
  virtual Result<std::vector<Token>> tokens_of(int64_t account_id) = 0;
  virtual Result<void> delete_token(int64_t account_id, int64_t token_id) = 0;
  virtual Result<void> touch_token(int64_t token_id, int64_t at) = 0;

  // Web sessions (cookie login).
  virtual Result<void> create_session(const WebSession& s) = 0;
  virtual Result<WebSession> session_by_hash(std::string_view id_hash) = 0;
  virtual Result<void> delete_session(std::string_view id_hash) = 0;

  // Repositories. Names compare case-insensitively, as on the Hub.
  virtual Result<RepoRow> create_repo(const RepoRow& r) = 0;
  virtual Result<RepoRow> repo_by_name(std::string_view type, std::string_view ns, std::string_view name) = 0;
  virtual Result<RepoRow> repo_by_id(int64_t id) = 0;
  virtual Result<std::vector<RepoRow>> repos_of(std::string_view ns) = 0;
  virtual Result<void> delete_repo(int64_t id) = 0;
  // Renames; the old name keeps redirecting to the repo (until a new repo takes it).
  virtual Result<void> move_repo(int64_t id, std::string_view new_ns, std::string_view new_name) = 0;
  virtual Result<std::optional<RepoRow>> redirect_of(std::string_view type, std::string_view ns,
                                                     std::string_view name) = 0;
  virtual Result<void> update_repo_settings(int64_t id, std::optional<bool> is_private,
                                            std::optional<std::string> gated) = 0;
  virtual Result<void> touch_repo(int64_t id, int64_t at) = 0;

  // Pushed refs, recorded after every successful push or API commit.
  virtual Result<void> record_ref_update(const RefUpdate& u) = 0;
  virtual Result<std::vector<RefUpdate>> ref_updates(int64_t repo_id, int limit) = 0;

  // LFS objects a repo may serve (services/lfs.h): linked when an upload to the repo is
  // verified or a pushed/committed tree points to them. Linking again is a no-op.
  virtual Result<void> link_lfs_objects(int64_t repo_id, const std::vector<LfsObjectRef>& objects, int64_t at) = 0;
  virtual Result<bool> repo_has_lfs_object(int64_t repo_id, std::string_view oid) = 0;
  // Ids of (at most limit) repos linked to oid.
  virtual Result<std::vector<int64_t>> lfs_object_repos(std::string_view oid, int limit) = 0;
  // Repos queued (migration 4) for the one-time link backfill, at most limit; and dequeuing one.
  virtual Result<std::vector<int64_t>> lfs_backfill_queue(int limit) = 0;
  virtual Result<void> lfs_backfill_done(int64_t repo_id) = 0;

  // Listing/search index (issue 5, sqlite_index.cpp). put_repo_index replaces each repo's row,
  // tags and searchable text in one transaction. Rename, delete and privacy need no call: the
  // query reads names and visibility from the repos table.
  virtual Result<void> put_repo_index(const std::vector<RepoIndexRow>& rows) = 0;
  virtual Result<std::optional<RepoIndexRow>> repo_index(int64_t repo_id) = 0;
  // Repos of `type` never indexed (no index row), at most limit, oldest first.
  virtual Result<std::vector<RepoRow>> unindexed_repos(std::string_view type, int limit) = 0;
  // Repos queued for a one-time re-index because the indexing rules changed (migration 6:
  // config.json decides the task, issue 15), at most limit, by id; and dequeuing one. A later
  // rule change queues repos again with INSERT OR IGNORE in its own migration.
  virtual Result<std::vector<int64_t>> reindex_queue(int limit) = 0;
  virtual Result<void> reindex_done(int64_t repo_id) = 0;
  virtual Result<std::vector<RepoHit>> query_repos(const RepoQuery& q) = 0;
  // Tags of `type` carried by at least one public repo, most used first, at most limit.
  virtual Result<std::vector<std::string>> public_tags(std::string_view type, int limit) = 0;

  // Counters (issue 5, sqlite_counters.cpp). add_downloads adds day buckets (repos gone since
  // are skipped) and refreshes those repos' windowed figures; refresh_stats recomputes the
  // windowed figures of every repo for `today` (run once a day).
  virtual Result<void> add_downloads(const std::vector<DownloadCount>& counts, int64_t today) = 0;
  virtual Result<void> refresh_stats(int64_t today) = 0;
  virtual Result<RepoStats> repo_stats(int64_t repo_id) = 0;
  // Returns whether anything changed (liking twice is a no-op).
  virtual Result<bool> set_like(int64_t account_id, int64_t repo_id, bool like, int64_t at) = 0;
  // Newest first, keyset pagination on (at, id): `before` is the last row of the previous page.
  virtual Result<std::vector<LikeRow>> likes_of_account(int64_t account_id, std::optional<LikeRow> before,
                                                        int limit) = 0;
  virtual Result<std::vector<LikeRow>> likers_of_repo(int64_t repo_id, std::optional<LikeRow> before,
                                                      int limit) = 0;

  // Discussions and pull requests (issue 17, sqlite_discussions.cpp). create_discussion takes
  // the next number of the repo, at least min_num (numbers refs/pr/N already use are skipped),
  // and stores the opening comment `first` with it, in one transaction; both come back filled.
  virtual Result<std::pair<DiscussionRow, DiscussionEventRow>> create_discussion(
      const DiscussionRow& d, const DiscussionEventRow& first, int64_t min_num) = 0;
  virtual Result<void> delete_discussion(int64_t id) = 0;
  virtual Result<DiscussionRow> discussion_by_num(int64_t repo_id, int64_t num) = 0;
  virtual Result<DiscussionPage> list_discussions(const DiscussionQuery& q) = 0;
  // Sets the given fields and updated_at.
  virtual Result<void> update_discussion(int64_t id, std::optional<std::string> title,
                                         std::optional<std::string> status,
                                         std::optional<std::string> merge_commit, int64_t at) = 0;
  virtual Result<DiscussionEventRow> add_discussion_event(const DiscussionEventRow& e) = 0;
  // Oldest first.
  virtual Result<std::vector<DiscussionEventRow>> discussion_events(int64_t discussion_id) = 0;
  virtual Result<DiscussionEventRow> discussion_event(int64_t discussion_id, std::string_view uid) = 0;
  // Rewrites a comment's text, history, hidden flag and updated_at.
  virtual Result<void> update_discussion_event(const DiscussionEventRow& e) = 0;

  // Xet CAS (issue 16, sqlite_xet.cpp / pg_xet.cpp). put_xet_xorb stores the row if new (true)
  // and links the xorb to repo_id either way; links record the repo and uploader that brought or
  // used a xorb or file, which is what access to them is decided by (services/xet.h).
  virtual Result<bool> put_xet_xorb(const XetXorbRow& x, int64_t repo_id, int64_t uploader_id) = 0;
  virtual Result<XetXorbRow> xet_xorb(std::string_view hash) = 0;  // not_found
  // Ids of (at most limit) repos a xorb is linked to.
  virtual Result<std::vector<int64_t>> xet_xorb_repos(std::string_view hash, int limit) = 0;
  // Registers a shard's files, xorb links and dedup entries at once; false (nothing new) when this
  // shard was registered before. Files already known keep their row and gain the repo link.
  virtual Result<bool> put_xet_shard(const XetShardUpload& s) = 0;
  virtual Result<XetFileRow> xet_file(std::string_view hash) = 0;  // not_found
  virtual Result<bool> repo_has_xet_file(int64_t repo_id, std::string_view hash) = 0;
  // Files with this sha256 registered through repo_id, newest first (one sha256 can have two Xet
  // hashes: the JS and xet-core chunkers cut differently).
  virtual Result<std::vector<XetFileRow>> xet_files_by_sha256(int64_t repo_id, std::string_view sha256) = 0;
  // Xorbs (at most limit) whose dedup-eligible chunk this is.
  virtual Result<std::vector<std::string>> xet_dedup_xorbs(std::string_view chunk, int limit) = 0;
  // Several nodes on one database (issue 18; sqlite_cluster.cpp, pg_cluster.cpp).
  // A cluster-wide exclusive lock on `name`, held until the returned object is destroyed;
  // waits while another holder has it. PostgreSQL: a session advisory lock on a connection of
  // its own (outside the pool, so a holder can still run queries without starving the pool);
  // SQLite (one server process per file): an in-process mutex per name. Not re-entrant.
  class Lock {
   public:
    virtual ~Lock() = default;
  };
  virtual Result<std::unique_ptr<Lock>> lock(std::string_view name) = 0;
  // The value stored under `key`, storing `value` first when there is none. Atomic: of several
  // nodes initialising at once, every one gets the value the first one stored.
  virtual Result<std::string> setting_or_init(std::string_view key, std::string_view value) = 0;
  // Dedup windows of dataset downloads: for each visit, opens the (repo, visitor) window at
  // visit.at unless one opened less than window_ms before; true where a window opened (the
  // visit counts). Windows older than window_ms are forgotten. Visits are applied in order.
  virtual Result<std::vector<bool>> open_download_windows(const std::vector<DownloadVisit>& visits,
                                                          int64_t window_ms) = 0;
  // The id of the repo's newest recorded ref update, 0 if none: read before an indexer reads
  // the head, it orders index rows (RepoIndexRow::seq; put_repo_index keeps the newer).
  virtual Result<int64_t> ref_update_seq(int64_t repo_id) = 0;
  // Durable background jobs (issue 17/18, sqlite_jobs.cpp; job_types.h has the states).
  // enqueue_job: true when a job was added, false when it joined the pending job of the same
  // non-empty (kind, key) (that job keeps its payload and due time).
  virtual Result<bool> enqueue_job(const JobRow& j) = 0;
  // Leases at most limit due jobs of the given kinds (empty: any kind) (pending with run_after <= now, or leased with an expired
  // lease) to owner until now + lease_ms, oldest due first, counting an attempt on each. A job
  // whose (kind, key) has another job under a live lease is skipped (one per key at a time).
  // Two claimers never get the same job.
  virtual Result<std::vector<JobRow>> claim_jobs(std::string_view owner, const std::vector<std::string>& kinds,
                                                 int64_t now, int64_t lease_ms, int limit) = 0;
  // Removes the job; not_found when owner no longer holds its lease (it expired and was retaken).
  virtual Result<void> complete_job(int64_t id, std::string_view owner) = 0;
  // Back to pending, due at run_after, with the error; not_found as complete_job. If a pending
  // job of the same (kind, key) appeared meanwhile, this one is dropped into it.
  virtual Result<void> fail_job(int64_t id, std::string_view owner, int64_t run_after, std::string_view error) = 0;
  // Extends a lease its owner still holds to lease_until (a long job's heartbeat); not_found
  // when owner no longer holds it.
  virtual Result<void> renew_job_lease(int64_t id, std::string_view owner, int64_t lease_until) = 0;
  // Jobs of kind ("" = all), pending and leased; oldest first, at most limit (tests, the UI).
  virtual Result<std::vector<JobRow>> list_jobs(std::string_view kind, int limit) = 0;

  // Webhooks (issue 17, sqlite_jobs.cpp). owner_id nullopt lists every webhook (to match events).
  virtual Result<WebhookRow> create_webhook(const WebhookRow& w) = 0;
  virtual Result<WebhookRow> webhook_by_uid(std::string_view uid) = 0;
  virtual Result<std::vector<WebhookRow>> list_webhooks(std::optional<int64_t> owner_id) = 0;
  // Rewrites url, watched, domains, secret, disabled, updated_at.
  virtual Result<void> update_webhook(const WebhookRow& w) = 0;
  virtual Result<void> delete_webhook(int64_t id) = 0;
  virtual Result<WebhookDeliveryRow> add_webhook_delivery(const WebhookDeliveryRow& d) = 0;
  virtual Result<WebhookDeliveryRow> webhook_delivery(int64_t id) = 0;
  // Rewrites state, status, error, attempts, updated_at.
  virtual Result<void> update_webhook_delivery(const WebhookDeliveryRow& d) = 0;
  // Newest first, at most limit.
  virtual Result<std::vector<WebhookDeliveryRow>> webhook_deliveries(int64_t webhook_id, int limit) = 0;
  // Access requests of gated repos (issue 17, sqlite_access.cpp). create: already_exists when
  // the user has a row for the repo. set_access_status moves an existing row to `status`
  // (rejection_reason kept only for "rejected"; fields untouched): not_found without a row,
  // conflict when the row already has that status (compare-and-set: of two concurrent moves to
  // one status exactly one succeeds). Listing: one status, oldest change first.
  virtual Result<void> create_access_request(const AccessRequestRow& r) = 0;
  virtual Result<AccessRequestRow> access_request(int64_t repo_id, int64_t account_id) = 0;
  virtual Result<void> set_access_status(int64_t repo_id, int64_t account_id, std::string_view status,
                                         std::string_view rejection_reason, int64_t at) = 0;
  virtual Result<std::vector<AccessRequestRow>> access_requests(int64_t repo_id, std::string_view status,
                                                                int limit) = 0;
};

}  // namespace hub::storage::db
