// The durable job queue and webhooks in SQLite (migration 7, issue 17/18). A claim is one
// BEGIN IMMEDIATE transaction (SQLite has one writer at a time), so two claimers, threads or
// processes on one file, never lease the same job.
#include <set>

#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {
constexpr const char* kJobColumns =
    "id, kind, key, payload, run_after, attempts, lease_owner, lease_until, last_error, created_at";

JobRow job_from(const Stmt& st) {
  JobRow j;
  j.id = st.i64(0);
  j.kind = st.str(1);
  j.key = st.str(2);
  j.payload = st.str(3);
  j.run_after = st.i64(4);
  j.attempts = st.i64(5);
  j.lease_owner = st.str(6);
  j.lease_until = st.i64(7);
  j.last_error = st.str(8);
  j.created_at = st.i64(9);
  return j;
}

constexpr const char* kHookColumns = "id, uid, owner_id, url, watched, domains, secret, disabled, created_at, updated_at";

WebhookRow hook_from(const Stmt& st) {
  WebhookRow w;
  w.id = st.i64(0);
  w.uid = st.str(1);
  w.owner_id = st.i64(2);
  w.url = st.str(3);
  w.watched = st.str(4);
  w.domains = st.str(5);
  w.secret = st.str(6);
  w.disabled = st.i64(7) != 0;
  w.created_at = st.i64(8);
  w.updated_at = st.i64(9);
  return w;
}

constexpr const char* kDeliveryColumns =
    "id, webhook_id, event, payload, state, status, error, attempts, created_at, updated_at";

WebhookDeliveryRow delivery_from(const Stmt& st) {
  WebhookDeliveryRow d;
  d.id = st.i64(0);
  d.webhook_id = st.i64(1);
  d.event = st.str(2);
  d.payload = st.str(3);
  d.state = st.str(4);
  d.status = st.i64(5);
  d.error = st.str(6);
  d.attempts = st.i64(7);
  d.created_at = st.i64(8);
  d.updated_at = st.i64(9);
  return d;
}

template <class T, class F>
Result<std::vector<T>> all_rows(Stmt& st, F from) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(from(st));
  }
}
}  // namespace

Result<bool> SqliteDatabase::enqueue_job(const JobRow& j) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // The partial unique index jobs_pending_key turns a second pending job of one key into a no-op.
  Stmt st(c->get(),
          "INSERT INTO jobs(kind, key, payload, run_after, created_at) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING");
  st.bind(1, j.kind).bind(2, j.key).bind(3, j.payload).bind(4, j.run_after).bind(5, j.created_at);
  if (auto r = st.exec(); !r) return std::unexpected(r.error());
  return sqlite3_changes(c->get()) > 0;
}

Result<std::vector<JobRow>> SqliteDatabase::claim_jobs(std::string_view owner, const std::vector<std::string>& kinds,
                                                       int64_t now, int64_t lease_ms, int limit) {
  if (owner.empty()) return fail(Errc::invalid_argument, "a job lease needs an owner");
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (auto e = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !e) return std::unexpected(e.error());
  auto body = [&]() -> Result<std::vector<JobRow>> {
    // Due: pending and run_after reached, or leased by a node whose lease ran out. Skipped: a
    // key another live lease holds (jobs of one key never run at once).
    std::string kind_filter;
    for (size_t i = 0; i < kinds.size(); ++i)
      kind_filter += (i ? ",?" : "AND j.kind IN (?") + std::to_string(i + 3) + (i + 1 == kinds.size() ? ") " : "");
    Stmt st(c->get(), std::string("SELECT ") + kJobColumns +
                          " FROM jobs j WHERE ((j.lease_owner = '' AND j.run_after <= ?1) OR "
                          "(j.lease_owner <> '' AND j.lease_until <= ?1)) AND (j.key = '' OR NOT EXISTS ("
                          "SELECT 1 FROM jobs r WHERE r.kind = j.kind AND r.key = j.key AND r.id <> j.id AND "
                          "r.lease_owner <> '' AND r.lease_until > ?1)) " +
                          kind_filter +
                          "ORDER BY CASE WHEN j.lease_owner = '' THEN j.run_after ELSE j.lease_until END, j.id "
                          "LIMIT ?2");
    st.bind(1, now).bind(2, int64_t(limit) * 2 + 8);
    for (size_t i = 0; i < kinds.size(); ++i) st.bind(int(i) + 3, kinds[i]);
    HUB_TRY(cands, all_rows<JobRow>(st, job_from));
    std::vector<JobRow> out;
    std::set<std::pair<std::string, std::string>> keys;
    for (auto& j : cands) {
      if (int(out.size()) >= limit) break;
      if (!j.key.empty() && !keys.insert({j.kind, j.key}).second) continue;  // one per key per batch
      Stmt up(c->get(), "UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?");
      up.bind(1, owner).bind(2, now + lease_ms).bind(3, j.id);
      if (auto r = up.exec(); !r) return std::unexpected(r.error());
      j.lease_owner = std::string(owner);
      j.lease_until = now + lease_ms;
      j.attempts += 1;
      out.push_back(std::move(j));
    }
    return out;
  };
  auto r = body();
  auto end = sqlite::exec_script(c->get(), r ? "COMMIT;" : "ROLLBACK;");
  if (r && !end) {
    sqlite::exec_script(c->get(), "ROLLBACK;");
    return std::unexpected(end.error());
  }
  return r;
}

Result<void> SqliteDatabase::complete_job(int64_t id, std::string_view owner) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM jobs WHERE id = ? AND lease_owner = ?");
  st.bind(1, id).bind(2, owner);
  if (auto r = st.exec(); !r) return r;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "job not leased by this owner");
  return {};
}

Result<void> SqliteDatabase::renew_job_lease(int64_t id, std::string_view owner, int64_t lease_until) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND lease_owner <> ''");
  st.bind(1, lease_until).bind(2, id).bind(3, owner);
  if (auto r = st.exec(); !r) return r;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "job not leased by this owner");
  return {};
}

Result<void> SqliteDatabase::fail_job(int64_t id, std::string_view owner, int64_t run_after, std::string_view error) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "UPDATE jobs SET lease_owner = '', lease_until = 0, run_after = ?, last_error = ? WHERE id = ? AND "
          "lease_owner = ?");
  st.bind(1, run_after).bind(2, error).bind(3, id).bind(4, owner);
  auto r = st.exec();
  if (!r && r.error().code == Errc::already_exists) {
    // A newer pending job of the same key exists and covers this one's work.
    Stmt del(c->get(), "DELETE FROM jobs WHERE id = ? AND lease_owner = ?");
    del.bind(1, id).bind(2, owner);
    if (auto d = del.exec(); !d) return d;
  } else if (!r) {
    return r;
  }
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "job not leased by this owner");
  return {};
}

Result<std::vector<JobRow>> SqliteDatabase::list_jobs(std::string_view kind, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kJobColumns + " FROM jobs WHERE (?1 = '' OR kind = ?1) ORDER BY id LIMIT ?2");
  st.bind(1, kind).bind(2, int64_t(limit));
  return all_rows<JobRow>(st, job_from);
}

Result<WebhookRow> SqliteDatabase::create_webhook(const WebhookRow& w) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "INSERT INTO webhooks(uid, owner_id, url, watched, domains, secret, disabled, created_at, updated_at) "
          "VALUES (?,?,?,?,?,?,?,?,?)");
  st.bind(1, w.uid).bind(2, w.owner_id).bind(3, w.url).bind(4, w.watched).bind(5, w.domains).bind(6, w.secret);
  st.bind(7, w.disabled).bind(8, w.created_at).bind(9, w.updated_at);
  if (auto r = st.exec(); !r) return std::unexpected(r.error());
  WebhookRow out = w;
  out.id = sqlite3_last_insert_rowid(c->get());
  return out;
}

Result<WebhookRow> SqliteDatabase::webhook_by_uid(std::string_view uid) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kHookColumns + " FROM webhooks WHERE uid = ?");
  st.bind(1, uid);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Webhook not found");
  return hook_from(st);
}

Result<std::vector<WebhookRow>> SqliteDatabase::list_webhooks(std::optional<int64_t> owner_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kHookColumns + " FROM webhooks" +
                        (owner_id ? " WHERE owner_id = ?" : "") + " ORDER BY id");
  if (owner_id) st.bind(1, *owner_id);
  return all_rows<WebhookRow>(st, hook_from);
}

Result<void> SqliteDatabase::update_webhook(const WebhookRow& w) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "UPDATE webhooks SET url = ?, watched = ?, domains = ?, secret = ?, disabled = ?, updated_at = ? WHERE id = ?");
  st.bind(1, w.url).bind(2, w.watched).bind(3, w.domains).bind(4, w.secret).bind(5, w.disabled);
  st.bind(6, w.updated_at).bind(7, w.id);
  if (auto r = st.exec(); !r) return r;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "Webhook not found");
  return {};
}

Result<void> SqliteDatabase::delete_webhook(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM webhooks WHERE id = ?");
  st.bind(1, id);
  if (auto r = st.exec(); !r) return r;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "Webhook not found");
  return {};
}

Result<WebhookDeliveryRow> SqliteDatabase::add_webhook_delivery(const WebhookDeliveryRow& d) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "INSERT INTO webhook_deliveries(webhook_id, event, payload, state, status, error, attempts, created_at, "
          "updated_at) VALUES (?,?,?,?,?,?,?,?,?)");
  st.bind(1, d.webhook_id).bind(2, d.event).bind(3, d.payload).bind(4, d.state).bind(5, d.status);
  st.bind(6, d.error).bind(7, d.attempts).bind(8, d.created_at).bind(9, d.updated_at);
  if (auto r = st.exec(); !r) return std::unexpected(r.error());
  WebhookDeliveryRow out = d;
  out.id = sqlite3_last_insert_rowid(c->get());
  return out;
}

Result<WebhookDeliveryRow> SqliteDatabase::webhook_delivery(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = ?");
  st.bind(1, id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Delivery not found");
  return delivery_from(st);
}

Result<void> SqliteDatabase::update_webhook_delivery(const WebhookDeliveryRow& d) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "UPDATE webhook_deliveries SET state = ?, status = ?, error = ?, attempts = ?, updated_at = ? WHERE id = ?");
  st.bind(1, d.state).bind(2, d.status).bind(3, d.error).bind(4, d.attempts).bind(5, d.updated_at).bind(6, d.id);
  if (auto r = st.exec(); !r) return r;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "Delivery not found");
  return {};
}

Result<std::vector<WebhookDeliveryRow>> SqliteDatabase::webhook_deliveries(int64_t webhook_id, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kDeliveryColumns +
                        " FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?");
  st.bind(1, webhook_id).bind(2, int64_t(limit));
  return all_rows<WebhookDeliveryRow>(st, delivery_from);
}

}  // namespace hub::storage::db
