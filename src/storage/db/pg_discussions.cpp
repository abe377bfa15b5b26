// Discussions, pull requests and their events in PostgreSQL (issue 17), with the semantics of
// sqlite_discussions.cpp: numbers per repo (max + 1, at least min_num) allocated in the same
// transaction as the insert, newest first listings, events in insertion order.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
constexpr const char* kDiscussionSelect =
    "SELECT d.id, d.repo_id, d.num, d.author_id, COALESCE(a.name, ''), d.title, d.is_pr, d.status, "
    "d.target_branch, d.merge_commit, d.created_at, d.updated_at, "
    "(SELECT COUNT(*) FROM discussion_events e WHERE e.discussion_id = d.id AND e.type = 'comment') "
    "FROM discussions d LEFT JOIN accounts a ON a.id = d.author_id ";

DiscussionRow discussion_from(const pg::Rows& r, int i) {
  DiscussionRow d;
  d.id = r.i64(i, 0);
  d.repo_id = r.i64(i, 1);
  d.num = r.i64(i, 2);
  d.author_id = r.i64(i, 3);
  d.author_name = r.str(i, 4);
  d.title = r.str(i, 5);
  d.is_pr = r.i64(i, 6) != 0;
  d.status = r.str(i, 7);
  d.target_branch = r.str(i, 8);
  d.merge_commit = r.str(i, 9);
  d.created_at = r.i64(i, 10);
  d.updated_at = r.i64(i, 11);
  d.num_comments = r.i64(i, 12);
  return d;
}

constexpr const char* kEventSelect =
    "SELECT e.id, e.discussion_id, e.uid, e.type, e.author_id, COALESCE(a.name, ''), e.text, e.extra, e.hidden, "
    "e.created_at, e.updated_at FROM discussion_events e LEFT JOIN accounts a ON a.id = e.author_id ";

DiscussionEventRow event_from(const pg::Rows& r, int i) {
  DiscussionEventRow e;
  e.id = r.i64(i, 0);
  e.discussion_id = r.i64(i, 1);
  e.uid = r.str(i, 2);
  e.type = r.str(i, 3);
  e.author_id = r.i64(i, 4);
  e.author_name = r.str(i, 5);
  e.text = r.str(i, 6);
  e.extra = r.str(i, 7);
  e.hidden = r.i64(i, 8) != 0;
  e.created_at = r.i64(i, 9);
  e.updated_at = r.i64(i, 10);
  return e;
}

// Inserts e; answers its id and the author's current name (NULL when the account is gone).
Result<pg::Rows> insert_event(PGconn* c, const DiscussionEventRow& e) {
  return pg::exec(c,
                  "INSERT INTO discussion_events(discussion_id, uid, type, author_id, text, extra, hidden, "
                  "created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id, "
                  "(SELECT name FROM accounts a WHERE a.id = discussion_events.author_id)",
                  pg::Params()
                      .add(e.discussion_id)
                      .add(e.uid)
                      .add(e.type)
                      .add(e.author_id)
                      .add(e.text)
                      .add(e.extra)
                      .add(e.hidden)
                      .add(e.created_at)
                      .add(e.updated_at));
}
}  // namespace

Result<std::pair<DiscussionRow, DiscussionEventRow>> PgDatabase::create_discussion(const DiscussionRow& d,
                                                                                   const DiscussionEventRow& first,
                                                                                   int64_t min_num) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  DiscussionRow out = d;
  DiscussionEventRow ev = first;
  auto res = pg::in_transaction(c->get(), [&]() -> Result<void> {
    // SQLite's BEGIN IMMEDIATE serialises every writer; here two creators on one repo would
    // both read the same MAX(num) and one would fail on UNIQUE (repo_id, num). Locking the
    // repo row makes them take turns per repo (READ COMMITTED: the second then sees the
    // first's row), and the FK insert below still refuses a repo that is gone.
    if (auto e = pg::run(c->get(), "SELECT 1 FROM repos WHERE id = $1 FOR UPDATE", pg::Params().add(d.repo_id)); !e)
      return e;
    auto mx = pg::exec(c->get(), "SELECT COALESCE(MAX(num), 0) FROM discussions WHERE repo_id = $1",
                       pg::Params().add(d.repo_id));
    if (!mx) return std::unexpected(mx.error());
    out.num = std::max(mx->i64(0, 0) + 1, min_num);
    auto ins = pg::exec(c->get(),
                        "INSERT INTO discussions(repo_id, num, author_id, title, is_pr, status, target_branch, "
                        "merge_commit, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
                        pg::Params()
                            .add(out.repo_id)
                            .add(out.num)
                            .add(out.author_id)
                            .add(out.title)
                            .add(out.is_pr)
                            .add(out.status)
                            .add(out.target_branch)
                            .add(out.merge_commit)
                            .add(out.created_at)
                            .add(out.updated_at));
    if (!ins) return std::unexpected(ins.error());
    out.id = ins->i64(0, 0);
    ev.discussion_id = out.id;
    auto e = insert_event(c->get(), ev);
    if (!e) return std::unexpected(e.error());
    ev.id = e->i64(0, 0);
    return {};
  });
  if (!res) return std::unexpected(res.error());
  out.num_comments = ev.type == "comment" ? 1 : 0;
  return std::pair{out, ev};
}

Result<void> PgDatabase::delete_discussion(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::run(c->get(), "DELETE FROM discussions WHERE id = $1", pg::Params().add(id));
}

Result<DiscussionRow> PgDatabase::discussion_by_num(int64_t repo_id, int64_t num) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string(kDiscussionSelect) + "WHERE d.repo_id = $1 AND d.num = $2",
                    pg::Params().add(repo_id).add(num));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "Discussion not found");
  return discussion_from(*r, 0);
}

Result<DiscussionPage> PgDatabase::list_discussions(const DiscussionQuery& q) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  pg::Params p;
  p.add(q.repo_id);
  std::string where = "WHERE d.repo_id = $1";
  if (q.author_id) {
    p.add(*q.author_id);
    where += " AND d.author_id = $" + std::to_string(p.size());
  }
  if (q.is_pr) {
    p.add(*q.is_pr);
    where += " AND d.is_pr = $" + std::to_string(p.size());
  }
  if (q.open) where += *q.open ? " AND d.status IN ('open','draft')" : " AND d.status IN ('closed','merged')";
  DiscussionPage page;
  auto count = pg::exec(c->get(), "SELECT COUNT(*) FROM discussions d " + where, p);
  if (!count) return std::unexpected(count.error());
  page.total = count->i64(0, 0);
  // SQLite reads a negative OFFSET as 0 (PostgreSQL refuses it) and a negative LIMIT as none.
  std::string n = std::to_string(p.size() + 1), off = std::to_string(p.size() + 2);
  p.limit(q.limit).add(std::max<int64_t>(q.offset, 0));
  auto r = pg::exec(c->get(), std::string(kDiscussionSelect) + where + " ORDER BY d.num DESC LIMIT $" + n + " OFFSET $" + off, p);
  if (!r) return std::unexpected(r.error());
  for (int i = 0; i < r->size(); ++i) page.items.push_back(discussion_from(*r, i));
  return page;
}

Result<void> PgDatabase::update_discussion(int64_t id, std::optional<std::string> title,
                                           std::optional<std::string> status, std::optional<std::string> merge_commit,
                                           int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "UPDATE discussions SET title = COALESCE($1, title), status = COALESCE($2, status), "
                    "merge_commit = COALESCE($3, merge_commit), updated_at = $4 WHERE id = $5",
                    pg::Params().add(title).add(status).add(merge_commit).add(at).add(id));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "Discussion not found");
  return {};
}

Result<DiscussionEventRow> PgDatabase::add_discussion_event(const DiscussionEventRow& e) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = insert_event(c->get(), e);
  if (!r) return std::unexpected(r.error());
  DiscussionEventRow out = e;
  out.id = r->i64(0, 0);
  if (!r->is_null(0, 1)) out.author_name = r->str(0, 1);
  return out;
}

Result<std::vector<DiscussionEventRow>> PgDatabase::discussion_events(int64_t discussion_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string(kEventSelect) + "WHERE e.discussion_id = $1 ORDER BY e.id",
                    pg::Params().add(discussion_id));
  if (!r) return std::unexpected(r.error());
  std::vector<DiscussionEventRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(event_from(*r, i));
  return out;
}

Result<DiscussionEventRow> PgDatabase::discussion_event(int64_t discussion_id, std::string_view uid) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string(kEventSelect) + "WHERE e.discussion_id = $1 AND e.uid = $2",
                    pg::Params().add(discussion_id).add(uid));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "Comment not found");
  return event_from(*r, 0);
}

Result<void> PgDatabase::update_discussion_event(const DiscussionEventRow& e) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::run(c->get(), "UPDATE discussion_events SET text = $1, extra = $2, hidden = $3, updated_at = $4 WHERE id = $5",
                 pg::Params().add(e.text).add(e.extra).add(e.hidden).add(e.updated_at).add(e.id));
}

}  // namespace hub::storage::db
