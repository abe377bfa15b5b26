// Private to storage/db: the SQLite implementation of Database. Methods are split by table
// (sqlite_accounts.cpp, sqlite_repos.cpp); schema and migrations live in migrations.cpp.
#pragma once

#include "storage/db/database.h"
#include "storage/db/sqlite_conn.h"

namespace hub::storage::db {

// Repo rows as every query selects them (sqlite_repos.cpp).
extern const char* const kRepoColumns;  // "id, uid, type, ns, name, private, gated, created_at, updated_at"
RepoRow repo_from_row(const sqlite::Stmt& st);

// Migrations, in order; version N is migrations()[N-1]. Append only, never edit a shipped one.
const std::vector<const char*>& migrations();

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::string path) : pool_(std::move(path), 8) {}
  Result<void> init();

  int schema_version() override;

  Result<Account> create_account(const Account& a) override;
  Result<Account> account_by_name(std::string_view name) override;
  Result<Account> account_by_id(int64_t id) override;
  Result<int64_t> count_accounts(AccountKind kind) override;
  Result<void> add_member(int64_t org_id, int64_t user_id, std::string_view role) override;
  Result<std::string> member_role(int64_t org_id, int64_t user_id) override;
  Result<std::vector<Account>> orgs_of(int64_t user_id) override;

  Result<Token> create_token(const Token& t) override;
  Result<Token> token_by_hash(std::string_view hash) override;
  Result<std::vector<Token>> tokens_of(int64_t account_id) override;
  Result<void> delete_token(int64_t account_id, int64_t token_id) override;
  Result<void> touch_token(int64_t token_id, int64_t at) override;

  Result<void> create_session(const WebSession& s) override;
  Result<WebSession> session_by_hash(std::string_view id_hash) override;
  Result<void> delete_session(std::string_view id_hash) override;

  Result<RepoRow> create_repo(const RepoRow& r) override;
  Result<RepoRow> repo_by_name(std::string_view type, std::string_view ns, std::string_view name) override;
  Result<RepoRow> repo_by_id(int64_t id) override;
  Result<std::vector<RepoRow>> repos_of(std::string_view ns) override;
  Result<void> delete_repo(int64_t id) override;
  Result<void> move_repo(int64_t id, std::string_view new_ns, std::string_view new_name) override;
  Result<std::optional<RepoRow>> redirect_of(std::string_view type, std::string_view ns,
                                             std::string_view name) override;
  Result<void> update_repo_settings(int64_t id, std::optional<bool> is_private,
                                    std::optional<std::string> gated) override;
  Result<void> touch_repo(int64_t id, int64_t at) override;

  Result<void> record_ref_update(const RefUpdate& u) override;
  Result<std::vector<RefUpdate>> ref_updates(int64_t repo_id, int limit) override;

  // sqlite_xet.cpp
  Result<bool> put_xet_xorb(const XetXorbRow& x, int64_t repo_id, int64_t uploader_id) override;
  Result<XetXorbRow> xet_xorb(std::string_view hash) override;
  Result<std::vector<int64_t>> xet_xorb_repos(std::string_view hash, int limit) override;
  Result<bool> put_xet_shard(const XetShardUpload& s) override;
  Result<XetFileRow> xet_file(std::string_view hash) override;
  Result<bool> repo_has_xet_file(int64_t repo_id, std::string_view hash) override;
  Result<std::vector<XetFileRow>> xet_files_by_sha256(int64_t repo_id, std::string_view sha256) override;
  Result<std::vector<std::string>> xet_dedup_xorbs(std::string_view chunk, int limit) override;
  // sqlite_lfs.cpp
  Result<void> link_lfs_objects(int64_t repo_id, const std::vector<LfsObjectRef>& objects, int64_t at) override;
  Result<bool> repo_has_lfs_object(int64_t repo_id, std::string_view oid) override;
  Result<std::vector<int64_t>> lfs_object_repos(std::string_view oid, int limit) override;
  Result<std::vector<int64_t>> lfs_backfill_queue(int limit) override;
  Result<void> lfs_backfill_done(int64_t repo_id) override;

  // sqlite_index.cpp (issue 5)
  Result<void> put_repo_index(const std::vector<RepoIndexRow>& rows) override;
  Result<std::optional<RepoIndexRow>> repo_index(int64_t repo_id) override;
  Result<std::vector<RepoRow>> unindexed_repos(std::string_view type, int limit) override;
  Result<std::vector<int64_t>> reindex_queue(int limit) override;
  Result<void> reindex_done(int64_t repo_id) override;
  Result<std::vector<RepoHit>> query_repos(const RepoQuery& q) override;
  Result<std::vector<std::string>> public_tags(std::string_view type, int limit) override;
  // sqlite_counters.cpp (issue 5)
  Result<void> add_downloads(const std::vector<DownloadCount>& counts, int64_t today) override;
  Result<void> refresh_stats(int64_t today) override;
  Result<RepoStats> repo_stats(int64_t repo_id) override;
  Result<bool> set_like(int64_t account_id, int64_t repo_id, bool like, int64_t at) override;
  Result<std::vector<LikeRow>> likes_of_account(int64_t account_id, std::optional<LikeRow> before,
                                                int limit) override;
  Result<std::vector<LikeRow>> likers_of_repo(int64_t repo_id, std::optional<LikeRow> before, int limit) override;

  // sqlite_discussions.cpp (issue 17)
  Result<std::pair<DiscussionRow, DiscussionEventRow>> create_discussion(const DiscussionRow& d,
                                                                         const DiscussionEventRow& first,
                                                                         int64_t min_num) override;
  Result<void> delete_discussion(int64_t id) override;
  Result<DiscussionRow> discussion_by_num(int64_t repo_id, int64_t num) override;
  Result<DiscussionPage> list_discussions(const DiscussionQuery& q) override;
  Result<void> update_discussion(int64_t id, std::optional<std::string> title, std::optional<std::string> status,
                                 std::optional<std::string> merge_commit, int64_t at) override;
  Result<DiscussionEventRow> add_discussion_event(const DiscussionEventRow& e) override;
  Result<std::vector<DiscussionEventRow>> discussion_events(int64_t discussion_id) override;
  Result<DiscussionEventRow> discussion_event(int64_t discussion_id, std::string_view uid) override;
  Result<void> update_discussion_event(const DiscussionEventRow& e) override;
  // sqlite_access.cpp (issue 17: gated repos)
  Result<void> create_access_request(const AccessRequestRow& r) override;
  Result<AccessRequestRow> access_request(int64_t repo_id, int64_t account_id) override;
  Result<void> set_access_status(int64_t repo_id, int64_t account_id, std::string_view status,
                                 std::string_view rejection_reason, int64_t at) override;
  Result<std::vector<AccessRequestRow>> access_requests(int64_t repo_id, std::string_view status, int limit) override;

  // Several nodes on one database (issue 18): sqlite_cluster.cpp.
  Result<std::unique_ptr<Lock>> lock(std::string_view name) override;
  Result<std::string> setting_or_init(std::string_view key, std::string_view value) override;
  Result<std::vector<bool>> open_download_windows(const std::vector<DownloadVisit>& visits,
                                                  int64_t window_ms) override;
  Result<int64_t> ref_update_seq(int64_t repo_id) override;
  // sqlite_jobs.cpp (issue 17)
  Result<bool> enqueue_job(const JobRow& j) override;
  Result<std::vector<JobRow>> claim_jobs(std::string_view owner, const std::vector<std::string>& kinds, int64_t now,
                                         int64_t lease_ms, int limit) override;
  Result<void> complete_job(int64_t id, std::string_view owner) override;
  Result<void> renew_job_lease(int64_t id, std::string_view owner, int64_t lease_until) override;
  Result<void> fail_job(int64_t id, std::string_view owner, int64_t run_after, std::string_view error) override;
  Result<std::vector<JobRow>> list_jobs(std::string_view kind, int limit) override;
  Result<WebhookRow> create_webhook(const WebhookRow& w) override;
  Result<WebhookRow> webhook_by_uid(std::string_view uid) override;
  Result<std::vector<WebhookRow>> list_webhooks(std::optional<int64_t> owner_id) override;
  Result<void> update_webhook(const WebhookRow& w) override;
  Result<void> delete_webhook(int64_t id) override;
  Result<WebhookDeliveryRow> add_webhook_delivery(const WebhookDeliveryRow& d) override;
  Result<WebhookDeliveryRow> webhook_delivery(int64_t id) override;
  Result<void> update_webhook_delivery(const WebhookDeliveryRow& d) override;
  Result<std::vector<WebhookDeliveryRow>> webhook_deliveries(int64_t webhook_id, int limit) override;

 private:
  sqlite::Pool pool_;
  int version_ = 0;
};

}  // namespace hub::storage::db
