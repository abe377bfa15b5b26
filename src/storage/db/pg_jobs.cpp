// The durable job queue and webhooks in PostgreSQL (migration 7, issue 17/18), with the
// semantics of sqlite_jobs.cpp. Claims run on several nodes at once: candidates are locked
// with FOR UPDATE SKIP LOCKED, so a claimer passes over rows another claimer is taking, and
// the locking read re-checks the due condition on the newest row version, so a job another
// node leased and committed a moment ago is not taken twice.
#include <set>

#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
constexpr const char* kJobColumns =
    "id, kind, key, payload, run_after, attempts, lease_owner, lease_until, last_error, created_at";

JobRow job_from(const pg::Rows& r, int i) {
  JobRow j;
  j.id = r.i64(i, 0);
  j.kind = r.str(i, 1);
  j.key = r.str(i, 2);
  j.payload = r.str(i, 3);
  j.run_after = r.i64(i, 4);
  j.attempts = r.i64(i, 5);
  j.lease_owner = r.str(i, 6);
  j.lease_until = r.i64(i, 7);
  j.last_error = r.str(i, 8);
  j.created_at = r.i64(i, 9);
  return j;
}

constexpr const char* kHookColumns = "id, uid, owner_id, url, watched, domains, secret, disabled, created_at, updated_at";

WebhookRow hook_from(const pg::Rows& r, int i) {
  WebhookRow w;
  w.id = r.i64(i, 0);
  w.uid = r.str(i, 1);
  w.owner_id = r.i64(i, 2);
  w.url = r.str(i, 3);
  w.watched = r.str(i, 4);
  w.domains = r.str(i, 5);
  w.secret = r.str(i, 6);
  w.disabled = r.i64(i, 7) != 0;
  w.created_at = r.i64(i, 8);
  w.updated_at = r.i64(i, 9);
  return w;
}

constexpr const char* kDeliveryColumns =
    "id, webhook_id, event, payload, state, status, error, attempts, created_at, updated_at";

WebhookDeliveryRow delivery_from(const pg::Rows& r, int i) {
  WebhookDeliveryRow d;
  d.id = r.i64(i, 0);
  d.webhook_id = r.i64(i, 1);
  d.event = r.str(i, 2);
  d.payload = r.str(i, 3);
  d.state = r.str(i, 4);
  d.status = r.i64(i, 5);
  d.error = r.str(i, 6);
  d.attempts = r.i64(i, 7);
  d.created_at = r.i64(i, 8);
  d.updated_at = r.i64(i, 9);
  return d;
}
}  // namespace

Result<bool> PgDatabase::enqueue_job(const JobRow& j) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "INSERT INTO jobs(kind, key, payload, run_after, created_at) VALUES ($1,$2,$3,$4,$5) "
                    "ON CONFLICT DO NOTHING",
                    pg::Params().add(j.kind).add(j.key).add(j.payload).add(j.run_after).add(j.created_at));
  if (!r) return std::unexpected(r.error());
  return r->affected() > 0;
}

Result<std::vector<JobRow>> PgDatabase::claim_jobs(std::string_view owner, const std::vector<std::string>& kinds,
                                                   int64_t now, int64_t lease_ms, int limit) {
  if (owner.empty()) return fail(Errc::invalid_argument, "a job lease needs an owner");
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  std::vector<JobRow> out;
  auto res = pg::in_transaction(c->get(), [&]() -> Result<void> {
    auto cands = pg::exec(
        c->get(),
        std::string("SELECT ") + kJobColumns +
            " FROM jobs j WHERE ((j.lease_owner = '' AND j.run_after <= $1) OR "
            "(j.lease_owner <> '' AND j.lease_until <= $1)) AND (j.key = '' OR NOT EXISTS ("
            "SELECT 1 FROM jobs r WHERE r.kind = j.kind AND r.key = j.key AND r.id <> j.id AND "
            "r.lease_owner <> '' AND r.lease_until > $1)) " +
            (kinds.empty() ? "" : "AND j.kind = ANY($3::text[]) ") +
            "ORDER BY CASE WHEN j.lease_owner = '' THEN j.run_after ELSE j.lease_until END, j.id "
            "LIMIT $2 FOR UPDATE OF j SKIP LOCKED",
        kinds.empty() ? pg::Params().add(now).add(int64_t(limit) * 2 + 8)
                      : pg::Params().add(now).add(int64_t(limit) * 2 + 8).add(pg::array_literal(kinds)));
    if (!cands) return std::unexpected(cands.error());
    std::set<std::pair<std::string, std::string>> keys;
    for (int i = 0; i < cands->size() && int(out.size()) < limit; ++i) {
      JobRow j = job_from(*cands, i);
      if (!j.key.empty() && !keys.insert({j.kind, j.key}).second) continue;  // one per key per batch
      if (auto e = pg::run(c->get(),
                           "UPDATE jobs SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id = $3",
                           pg::Params().add(owner).add(now + lease_ms).add(j.id));
          !e)
        return e;
      j.lease_owner = std::string(owner);
      j.lease_until = now + lease_ms;
      j.attempts += 1;
      out.push_back(std::move(j));
    }
    return {};
  });
  if (!res) return std::unexpected(res.error());
  return out;
}

Result<void> PgDatabase::complete_job(int64_t id, std::string_view owner) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "DELETE FROM jobs WHERE id = $1 AND lease_owner = $2", pg::Params().add(id).add(owner));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "job not leased by this owner");
  return {};
}

Result<void> PgDatabase::renew_job_lease(int64_t id, std::string_view owner, int64_t lease_until) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND lease_owner <> ''",
                    pg::Params().add(lease_until).add(id).add(owner));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "job not leased by this owner");
  return {};
}

Result<void> PgDatabase::fail_job(int64_t id, std::string_view owner, int64_t run_after, std::string_view error) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "UPDATE jobs SET lease_owner = '', lease_until = 0, run_after = $1, last_error = $2 "
                    "WHERE id = $3 AND lease_owner = $4",
                    pg::Params().add(run_after).add(error).add(id).add(owner));
  if (!r && r.error().code == Errc::already_exists) {
    // A newer pending job of the same key exists and covers this one's work.
    r = pg::exec(c->get(), "DELETE FROM jobs WHERE id = $1 AND lease_owner = $2", pg::Params().add(id).add(owner));
  }
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "job not leased by this owner");
  return {};
}

Result<std::vector<JobRow>> PgDatabase::list_jobs(std::string_view kind, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    std::string("SELECT ") + kJobColumns + " FROM jobs WHERE ($1 = '' OR kind = $1) ORDER BY id LIMIT $2",
                    pg::Params().add(kind).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<JobRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(job_from(*r, i));
  return out;
}

Result<WebhookRow> PgDatabase::create_webhook(const WebhookRow& w) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "INSERT INTO webhooks(uid, owner_id, url, watched, domains, secret, disabled, created_at, "
                    "updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
                    pg::Params()
                        .add(w.uid)
                        .add(w.owner_id)
                        .add(w.url)
                        .add(w.watched)
                        .add(w.domains)
                        .add(w.secret)
                        .add(w.disabled)
                        .add(w.created_at)
                        .add(w.updated_at));
  if (!r) return std::unexpected(r.error());
  WebhookRow out = w;
  out.id = r->i64(0, 0);
  return out;
}

Result<WebhookRow> PgDatabase::webhook_by_uid(std::string_view uid) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kHookColumns + " FROM webhooks WHERE uid = $1",
                    pg::Params().add(uid));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "Webhook not found");
  return hook_from(*r, 0);
}

Result<std::vector<WebhookRow>> PgDatabase::list_webhooks(std::optional<int64_t> owner_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  pg::Params p;
  if (owner_id) p.add(*owner_id);
  auto r = pg::exec(c->get(),
                    std::string("SELECT ") + kHookColumns + " FROM webhooks" + (owner_id ? " WHERE owner_id = $1" : "") +
                        " ORDER BY id",
                    p);
  if (!r) return std::unexpected(r.error());
  std::vector<WebhookRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(hook_from(*r, i));
  return out;
}

Result<void> PgDatabase::update_webhook(const WebhookRow& w) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "UPDATE webhooks SET url = $1, watched = $2, domains = $3, secret = $4, disabled = $5, "
                    "updated_at = $6 WHERE id = $7",
                    pg::Params().add(w.url).add(w.watched).add(w.domains).add(w.secret).add(w.disabled).add(w.updated_at).add(w.id));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "Webhook not found");
  return {};
}

Result<void> PgDatabase::delete_webhook(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "DELETE FROM webhooks WHERE id = $1", pg::Params().add(id));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "Webhook not found");
  return {};
}

Result<WebhookDeliveryRow> PgDatabase::add_webhook_delivery(const WebhookDeliveryRow& d) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "INSERT INTO webhook_deliveries(webhook_id, event, payload, state, status, error, attempts, "
                    "created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
                    pg::Params()
                        .add(d.webhook_id)
                        .add(d.event)
                        .add(d.payload)
                        .add(d.state)
                        .add(d.status)
                        .add(d.error)
                        .add(d.attempts)
                        .add(d.created_at)
                        .add(d.updated_at));
  if (!r) return std::unexpected(r.error());
  WebhookDeliveryRow out = d;
  out.id = r->i64(0, 0);
  return out;
}

Result<WebhookDeliveryRow> PgDatabase::webhook_delivery(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = $1",
                    pg::Params().add(id));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "Delivery not found");
  return delivery_from(*r, 0);
}

Result<void> PgDatabase::update_webhook_delivery(const WebhookDeliveryRow& d) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "UPDATE webhook_deliveries SET state = $1, status = $2, error = $3, attempts = $4, updated_at = $5 "
                    "WHERE id = $6",
                    pg::Params().add(d.state).add(d.status).add(d.error).add(d.attempts).add(d.updated_at).add(d.id));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "Delivery not found");
  return {};
}

Result<std::vector<WebhookDeliveryRow>> PgDatabase::webhook_deliveries(int64_t webhook_id, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    std::string("SELECT ") + kDeliveryColumns +
                        " FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
                    pg::Params().add(webhook_id).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<WebhookDeliveryRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(delivery_from(*r, i));
  return out;
}

}  // namespace hub::storage::db
