// Discussions, pull requests and their events in SQLite (issue 17).
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {
constexpr const char* kDiscussionSelect =
    "SELECT d.id, d.repo_id, d.num, d.author_id, COALESCE(a.name, ''), d.title, d.is_pr, d.status, "
    "d.target_branch, d.merge_commit, d.created_at, d.updated_at, "
    "(SELECT COUNT(*) FROM discussion_events e WHERE e.discussion_id = d.id AND e.type = 'comment') "
    "FROM discussions d LEFT JOIN accounts a ON a.id = d.author_id ";

DiscussionRow discussion_from(const Stmt& st) {
  DiscussionRow d;
  d.id = st.i64(0);
  d.repo_id = st.i64(1);
  d.num = st.i64(2);
  d.author_id = st.i64(3);
  d.author_name = st.str(4);
  d.title = st.str(5);
  d.is_pr = st.i64(6) != 0;
  d.status = st.str(7);
  d.target_branch = st.str(8);
  d.merge_commit = st.str(9);
  d.created_at = st.i64(10);
  d.updated_at = st.i64(11);
  d.num_comments = st.i64(12);
  return d;
}

constexpr const char* kEventSelect =
    "SELECT e.id, e.discussion_id, e.uid, e.type, e.author_id, COALESCE(a.name, ''), e.text, e.extra, e.hidden, "
    "e.created_at, e.updated_at FROM discussion_events e LEFT JOIN accounts a ON a.id = e.author_id ";

DiscussionEventRow event_from(const Stmt& st) {
  DiscussionEventRow e;
  e.id = st.i64(0);
  e.discussion_id = st.i64(1);
  e.uid = st.str(2);
  e.type = st.str(3);
  e.author_id = st.i64(4);
  e.author_name = st.str(5);
  e.text = st.str(6);
  e.extra = st.str(7);
  e.hidden = st.i64(8) != 0;
  e.created_at = st.i64(9);
  e.updated_at = st.i64(10);
  return e;
}

Result<int64_t> insert_event(sqlite3* c, const DiscussionEventRow& e) {
  Stmt st(c,
          "INSERT INTO discussion_events(discussion_id, uid, type, author_id, text, extra, hidden, created_at, "
          "updated_at) VALUES (?,?,?,?,?,?,?,?,?)");
  st.bind(1, e.discussion_id).bind(2, e.uid).bind(3, e.type).bind(4, e.author_id).bind(5, e.text);
  st.bind(6, e.extra).bind(7, e.hidden).bind(8, e.created_at).bind(9, e.updated_at);
  if (auto r = st.exec(); !r) return std::unexpected(r.error());
  return int64_t(sqlite3_last_insert_rowid(c));
}
}  // namespace

Result<std::pair<DiscussionRow, DiscussionEventRow>> SqliteDatabase::create_discussion(const DiscussionRow& d,
                                                                                       const DiscussionEventRow& first,
                                                                                       int64_t min_num) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (auto e = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !e) return std::unexpected(e.error());
  auto body = [&]() -> Result<std::pair<DiscussionRow, DiscussionEventRow>> {
    Stmt mx(c->get(), "SELECT COALESCE(MAX(num), 0) FROM discussions WHERE repo_id = ?");
    mx.bind(1, d.repo_id);
    auto row = mx.step();
    if (!row) return std::unexpected(row.error());
    DiscussionRow out = d;
    out.num = std::max(mx.i64(0) + 1, min_num);
    Stmt st(c->get(),
            "INSERT INTO discussions(repo_id, num, author_id, title, is_pr, status, target_branch, merge_commit, "
            "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, out.repo_id).bind(2, out.num).bind(3, out.author_id).bind(4, out.title).bind(5, out.is_pr);
    st.bind(6, out.status).bind(7, out.target_branch).bind(8, out.merge_commit).bind(9, out.created_at);
    st.bind(10, out.updated_at);
    if (auto e = st.exec(); !e) return std::unexpected(e.error());
    out.id = sqlite3_last_insert_rowid(c->get());
    DiscussionEventRow ev = first;
    ev.discussion_id = out.id;
    HUB_TRY(eid, insert_event(c->get(), ev));
    ev.id = eid;
    out.num_comments = ev.type == "comment" ? 1 : 0;
    return std::pair{out, ev};
  };
  auto r = body();
  sqlite::exec_script(c->get(), r ? "COMMIT;" : "ROLLBACK;");
  return r;
}

Result<void> SqliteDatabase::delete_discussion(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM discussions WHERE id = ?");
  st.bind(1, id);
  return st.exec();
}

Result<DiscussionRow> SqliteDatabase::discussion_by_num(int64_t repo_id, int64_t num) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string(kDiscussionSelect) + "WHERE d.repo_id = ? AND d.num = ?");
  st.bind(1, repo_id).bind(2, num);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Discussion not found");
  return discussion_from(st);
}

Result<DiscussionPage> SqliteDatabase::list_discussions(const DiscussionQuery& q) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  std::string where = "WHERE d.repo_id = ?";
  if (q.author_id) where += " AND d.author_id = ?";
  if (q.is_pr) where += " AND d.is_pr = ?";
  if (q.open) where += *q.open ? " AND d.status IN ('open','draft')" : " AND d.status IN ('closed','merged')";
  auto bind_filters = [&](Stmt& st) {
    int i = 1;
    st.bind(i++, q.repo_id);
    if (q.author_id) st.bind(i++, *q.author_id);
    if (q.is_pr) st.bind(i++, *q.is_pr);
    return i;
  };
  DiscussionPage page;
  Stmt count(c->get(), "SELECT COUNT(*) FROM discussions d " + where);
  bind_filters(count);
  auto crow = count.step();
  if (!crow) return std::unexpected(crow.error());
  page.total = count.i64(0);
  Stmt st(c->get(), std::string(kDiscussionSelect) + where + " ORDER BY d.num DESC LIMIT ? OFFSET ?");
  int i = bind_filters(st);
  st.bind(i, q.limit).bind(i + 1, q.offset);
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    page.items.push_back(discussion_from(st));
  }
  return page;
}

Result<void> SqliteDatabase::update_discussion(int64_t id, std::optional<std::string> title,
                                               std::optional<std::string> status,
                                               std::optional<std::string> merge_commit, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "UPDATE discussions SET title = COALESCE(?, title), status = COALESCE(?, status), "
          "merge_commit = COALESCE(?, merge_commit), updated_at = ? WHERE id = ?");
  if (title) st.bind(1, *title); else st.bind_null(1);
  if (status) st.bind(2, *status); else st.bind_null(2);
  if (merge_commit) st.bind(3, *merge_commit); else st.bind_null(3);
  st.bind(4, at).bind(5, id);
  if (auto e = st.exec(); !e) return e;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "Discussion not found");
  return {};
}

Result<DiscussionEventRow> SqliteDatabase::add_discussion_event(const DiscussionEventRow& e) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  HUB_TRY(id, insert_event(c->get(), e));
  DiscussionEventRow out = e;
  out.id = id;
  Stmt name(c->get(), "SELECT name FROM accounts WHERE id = ?");
  name.bind(1, e.author_id);
  if (auto row = name.step(); row && *row) out.author_name = name.str(0);
  return out;
}

Result<std::vector<DiscussionEventRow>> SqliteDatabase::discussion_events(int64_t discussion_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string(kEventSelect) + "WHERE e.discussion_id = ? ORDER BY e.id");
  st.bind(1, discussion_id);
  std::vector<DiscussionEventRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(event_from(st));
  }
  return out;
}

Result<DiscussionEventRow> SqliteDatabase::discussion_event(int64_t discussion_id, std::string_view uid) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string(kEventSelect) + "WHERE e.discussion_id = ? AND e.uid = ?");
  st.bind(1, discussion_id).bind(2, uid);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Comment not found");
  return event_from(st);
}

Result<void> SqliteDatabase::update_discussion_event(const DiscussionEventRow& e) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "UPDATE discussion_events SET text = ?, extra = ?, hidden = ?, updated_at = ? WHERE id = ?");
  st.bind(1, e.text).bind(2, e.extra).bind(3, e.hidden).bind(4, e.updated_at).bind(5, e.id);
  return st.exec();
}

}  // namespace hub::storage::db
