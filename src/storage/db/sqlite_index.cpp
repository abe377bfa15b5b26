// The listing/search index in SQLite (issue 5): index rows, tag postings, FTS5 text, and the
// one listing query with its small planner.
//
// Plan choice. A listing is "filters + sort + limit". Two ways to answer it:
//  - scan: walk the sort index (repo_search(type, downloads, repo_id), repos(type, updated_at,
//    id), ...) in order, checking each row's filters (tag postings by primary key, id LIKE,
//    FTS5 by rowid), and stop after `limit` hits. Cost ~ limit / selectivity: cheap for common
//    filters, a full scan for rare ones.
//  - driven: start from the rows one selective filter names (a tag's postings, or the id
//    trigram + card-text FTS5 matches of `search`), check the rest, sort them. Cost ~ rows named.
// tag_counts (kept by triggers) and capped FTS5 counts tell which filter is small enough to
// drive; otherwise we scan. Both plans return exactly the same rows.
#include <algorithm>
#include <cctype>
#include <variant>

#include "core/json.h"
#include "storage/db/search_words.h"
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {

// A driver must name at most this many rows; more, and the ordered scan is the better bet.
constexpr int64_t kMaxDriverRows = 4000;

using Bind = std::variant<int64_t, std::string>;

// Prepared once, run many times (bulk index writes).
class Prepared {
 public:
  Prepared(sqlite3* c, const char* sql) : c_(c) { rc_ = sqlite3_prepare_v2(c, sql, -1, &st_, nullptr); }
  ~Prepared() { sqlite3_finalize(st_); }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  void bind(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
  void bind(int i, std::string_view v) { sqlite3_bind_text(st_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
  void bind_opt(int i, const std::optional<std::string>& v) {
    if (v) bind(i, std::string_view(*v));
    else sqlite3_bind_null(st_, i);
  }
  Result<bool> step() {
    if (!st_) return std::unexpected(sqlite::to_error(c_, rc_, "prepare"));
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::unexpected(sqlite::to_error(c_, rc, "step"));
  }
  Result<void> run() {
    auto r = step();
    reset();
    if (!r) return std::unexpected(r.error());
    return {};
  }
  sqlite3_stmt* get() { return st_; }

 private:
  sqlite3* c_;
  sqlite3_stmt* st_ = nullptr;
  int rc_ = SQLITE_OK;
};

std::string col_str(sqlite3_stmt* st, int col) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  return p ? std::string(p, size_t(sqlite3_column_bytes(st, col))) : std::string();
}
std::optional<std::string> col_opt(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return std::nullopt;
  return col_str(st, col);
}

std::vector<std::string> tags_from_json(std::string_view text) {
  std::vector<std::string> out;
  auto v = json::parse(text);
  if (v && v->is_array())
    for (auto& t : v->as_array())
      if (t.is_string()) out.emplace_back(t.get_string());
  return out;
}

std::string tags_to_json(const std::vector<std::string>& tags) {
  json::array a;
  for (auto& t : tags) a.emplace_back(t);
  return json::serialize(a);
}

// FTS5 string literal: double quotes doubled, so user text is never query syntax.
std::string fts_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Words of `search` for the card-text index, cut by the rule both backends share
// (search_words.h), each quoted, AND-ed. Cutting at non-ASCII punctuation here matters: a
// quoted "x—y" would reach FTS5 as a phrase, which detail='none' refuses (an error, not
// an empty result).
std::string fts_words_query(std::string_view search) {
  std::string q;
  for (const auto& w : search_words(search)) {
    if (!q.empty()) q += " AND ";
    q += fts_quote(w);
  }
  return q;
}

std::string like_pattern(std::string_view s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out + "%";
}

Result<int64_t> scalar(sqlite3* c, const std::string& sql, const std::vector<Bind>& binds) {
  Stmt st(c, sql);
  for (size_t i = 0; i < binds.size(); ++i) {
    if (auto* n = std::get_if<int64_t>(&binds[i])) st.bind(int(i + 1), *n);
    else st.bind(int(i + 1), std::get<std::string>(binds[i]));
  }
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  return *row ? st.i64(0) : 0;
}

struct SortSpec {
  const char* key;   // sort column
  const char* tie;   // tie-breaking column (the repo id, from the table that owns the key)
  bool numeric;
};
SortSpec sort_spec(RepoSort s) {
  switch (s) {
    case RepoSort::downloads: return {"s.downloads", "s.repo_id", true};
    case RepoSort::likes: return {"s.likes", "s.repo_id", true};
    case RepoSort::trending: return {"s.trending", "s.repo_id", true};
    case RepoSort::last_modified: return {"r.updated_at", "r.id", true};
    case RepoSort::created_at: return {"r.created_at", "r.id", true};
    case RepoSort::id: return {"r.key_lower", "r.id", false};
  }
  return {"s.downloads", "s.repo_id", true};
}

constexpr const char* kHitCols =
    "r.id, r.uid, r.type, r.ns, r.name, r.private, r.gated, r.created_at, r.updated_at, r.key_lower, "
    "s.downloads, s.downloads_all, s.likes, s.trending";
constexpr const char* kIndexCols =
    ", i.repo_id, i.commit_oid, i.pipeline_tag, i.library_name, i.tags, i.card_data, i.config, i.extra, "
    "i.errors, i.indexed_at";

RepoHit hit_from(sqlite3_stmt* st, bool with_index, RepoSort sort) {
  RepoHit h;
  auto& r = h.repo;
  r.id = sqlite3_column_int64(st, 0);
  r.uid = col_str(st, 1);
  r.type = col_str(st, 2);
  r.ns = col_str(st, 3);
  r.name = col_str(st, 4);
  r.is_private = sqlite3_column_int64(st, 5) != 0;
  r.gated = col_str(st, 6);
  r.created_at = sqlite3_column_int64(st, 7);
  r.updated_at = sqlite3_column_int64(st, 8);
  std::string key_lower = col_str(st, 9);
  h.stats = {sqlite3_column_int64(st, 10), sqlite3_column_int64(st, 11), sqlite3_column_int64(st, 12),
             sqlite3_column_int64(st, 13)};
  if (with_index && sqlite3_column_type(st, 14) != SQLITE_NULL) {
    RepoIndexRow i;
    i.repo_id = r.id;
    i.commit = col_str(st, 15);
    i.pipeline_tag = col_opt(st, 16);
    i.library_name = col_opt(st, 17);
    i.tags = tags_from_json(col_str(st, 18));
    i.card_data = col_str(st, 19);
    i.config = col_str(st, 20);
    i.extra = col_str(st, 21);
    i.errors = col_str(st, 22);
    i.indexed_at = sqlite3_column_int64(st, 23);
    h.index = std::move(i);
  }
  h.cursor.repo_id = r.id;
  switch (sort) {
    case RepoSort::downloads: h.cursor.num = h.stats.downloads; break;
    case RepoSort::likes: h.cursor.num = h.stats.likes; break;
    case RepoSort::trending: h.cursor.num = h.stats.trending; break;
    case RepoSort::last_modified: h.cursor.num = r.updated_at; break;
    case RepoSort::created_at: h.cursor.num = r.created_at; break;
    case RepoSort::id: h.cursor.str = key_lower; break;
  }
  return h;
}

}  // namespace

Result<void> SqliteDatabase::put_repo_index(const std::vector<RepoIndexRow>& rows) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (auto e = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !e) return e;
  auto body = [&]() -> Result<void> {
    Prepared type_of(c->get(), "SELECT type FROM repos WHERE id = ?");
    Prepared upsert(c->get(),
                    "INSERT INTO repo_index(repo_id, commit_oid, pipeline_tag, library_name, tags, card_data, "
                    "config, extra, errors, search_text, indexed_at, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(repo_id) DO UPDATE SET commit_oid = excluded.commit_oid, "
                    "pipeline_tag = excluded.pipeline_tag, library_name = excluded.library_name, "
                    "tags = excluded.tags, card_data = excluded.card_data, config = excluded.config, "
                    "extra = excluded.extra, errors = excluded.errors, search_text = excluded.search_text, "
                    "indexed_at = excluded.indexed_at, seq = excluded.seq "
                    "WHERE repo_index.seq <= excluded.seq");
    Prepared del_tags(c->get(), "DELETE FROM repo_tags WHERE repo_id = ?");
    Prepared add_tag(c->get(), "INSERT OR IGNORE INTO repo_tags(type, tag, repo_id) VALUES (?,?,?)");
    for (const auto& row : rows) {
      type_of.bind(1, row.repo_id);
      auto found = type_of.step();
      if (!found) return std::unexpected(found.error());
      if (!*found) {  // deleted meanwhile: nothing to index
        type_of.reset();
        continue;
      }
      std::string type = col_str(type_of.get(), 0);
      type_of.reset();
      upsert.bind(1, row.repo_id);
      upsert.bind(2, row.commit);
      upsert.bind_opt(3, row.pipeline_tag);
      upsert.bind_opt(4, row.library_name);
      upsert.bind(5, tags_to_json(row.tags));
      upsert.bind(6, row.card_data);
      upsert.bind(7, row.config);
      upsert.bind(8, row.extra);
      upsert.bind(9, row.errors);
      upsert.bind(10, row.search_text);
      upsert.bind(11, row.indexed_at);
      upsert.bind(12, row.seq);
      if (auto e = upsert.run(); !e) return e;
      if (sqlite3_changes(c->get()) == 0) continue;  // a newer row is stored (RepoIndexRow::seq)
      del_tags.bind(1, row.repo_id);
      if (auto e = del_tags.run(); !e) return e;
      std::vector<std::string> postings = row.tags;
      postings.insert(postings.end(), row.facets.begin(), row.facets.end());
      for (const auto& t : postings) {
        add_tag.bind(1, type);
        add_tag.bind(2, t);
        add_tag.bind(3, row.repo_id);
        if (auto e = add_tag.run(); !e) return e;
      }
    }
    return {};
  };
  auto r = body();
  sqlite::exec_script(c->get(), r ? "COMMIT;" : "ROLLBACK;");
  return r;
}

Result<std::optional<RepoIndexRow>> SqliteDatabase::repo_index(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Prepared st(c->get(),
              "SELECT commit_oid, pipeline_tag, library_name, tags, card_data, config, extra, errors, "
              "search_text, indexed_at FROM repo_index WHERE repo_id = ?");
  st.bind(1, repo_id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<RepoIndexRow>();
  RepoIndexRow i;
  auto* s = st.get();
  i.repo_id = repo_id;
  i.commit = col_str(s, 0);
  i.pipeline_tag = col_opt(s, 1);
  i.library_name = col_opt(s, 2);
  i.tags = tags_from_json(col_str(s, 3));
  i.card_data = col_str(s, 4);
  i.config = col_str(s, 5);
  i.extra = col_str(s, 6);
  i.errors = col_str(s, 7);
  i.search_text = col_str(s, 8);
  i.indexed_at = sqlite3_column_int64(s, 9);
  return std::optional<RepoIndexRow>(std::move(i));
}

Result<std::vector<RepoRow>> SqliteDatabase::unindexed_repos(std::string_view type, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "SELECT r.id, r.uid, r.type, r.ns, r.name, r.private, r.gated, r.created_at, r.updated_at FROM repos r "
          "WHERE (? = '' OR r.type = ?) AND NOT EXISTS (SELECT 1 FROM repo_index i WHERE i.repo_id = r.id) "
          "ORDER BY r.id LIMIT ?");
  st.bind(1, type).bind(2, type).bind(3, int64_t(limit));
  std::vector<RepoRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(repo_from_row(st));
  }
  return out;
}

Result<std::vector<int64_t>> SqliteDatabase::reindex_queue(int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT repo_id FROM reindex_queue ORDER BY repo_id LIMIT ?");
  st.bind(1, int64_t(limit));
  std::vector<int64_t> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(st.i64(0));
  }
  return out;
}

Result<void> SqliteDatabase::reindex_done(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM reindex_queue WHERE repo_id = ?");
  st.bind(1, repo_id);
  return st.exec();
}

Result<std::vector<RepoHit>> SqliteDatabase::query_repos(const RepoQuery& q) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  sqlite3* db = c->get();
  SortSpec spec = sort_spec(q.sort);
  std::string search;
  // A NUL byte would end an FTS5 query string early ("unterminated string"); ids never hold
  // one, so it is dropped (as the PostgreSQL backend, whose text cannot hold one, does).
  for (char ch : q.search)
    if (ch != '\0') search += char(std::tolower(static_cast<unsigned char>(ch)));
  std::string words = fts_words_query(search);
  // The trigram index needs 3 bytes to say anything.
  std::string trigram = search.size() >= 3 ? fts_quote(search) : std::string();

  // ---- pick the driver ----
  enum class Driver { scan, tag, search } driver = Driver::scan;
  int64_t best = kMaxDriverRows + 1;
  std::string driver_tag;
  for (const auto& t : q.tags) {
    auto n = scalar(db, "SELECT n FROM tag_counts WHERE type = ? AND tag = ?", {q.type, t});
    if (!n) return std::unexpected(n.error());
    if (*n < best) best = *n, driver = Driver::tag, driver_tag = t;
  }
  // Capped FTS5 counts: whether `search` can drive, and how to check the card-text part per row
  // (a small match set is materialized once; a large one is probed by rowid per row, which
  // costs more per row but nothing up front).
  std::string cap = std::to_string(kMaxDriverRows + 1);
  int64_t text_n = 0;
  if (!words.empty()) {
    auto text = scalar(db, "SELECT count(*) FROM (SELECT rowid FROM repo_fts WHERE repo_fts MATCH ? LIMIT " + cap +
                               ")", {words});
    if (!text) return std::unexpected(text.error());
    text_n = *text;
  }
  bool text_small = text_n <= kMaxDriverRows;
  if (!trigram.empty() && best > 0 && text_small) {
    auto ids = scalar(db, "SELECT count(*) FROM (SELECT rowid FROM repo_id_fts WHERE repo_id_fts MATCH ? LIMIT " +
                              cap + ")", {trigram});
    if (!ids) return std::unexpected(ids.error());
    if (*ids + text_n < best) best = *ids + text_n, driver = Driver::search;
  }

  // ---- build the statement ----
  std::vector<Bind> binds;
  std::string sql = std::string("SELECT ") + kHitCols + (q.with_index ? kIndexCols : "") + " FROM ";
  bool r_first = !spec.numeric || std::string_view(spec.key).starts_with("r.");
  if (driver == Driver::tag) {
    sql += "repo_tags d CROSS JOIN repo_search s ON s.repo_id = d.repo_id JOIN repos r ON r.id = s.repo_id";
  } else if (driver == Driver::search) {
    sql += "(SELECT rowid AS rid FROM repo_id_fts WHERE repo_id_fts MATCH ?";
    binds.push_back(trigram);
    if (!words.empty()) {
      sql += " UNION SELECT rowid FROM repo_fts WHERE repo_fts MATCH ?";
      binds.push_back(words);
    }
    sql += ") d CROSS JOIN repo_search s ON s.repo_id = d.rid JOIN repos r ON r.id = s.repo_id";
  } else if (r_first) {
    sql += "repos r JOIN repo_search s ON s.repo_id = r.id";
  } else {
    sql += "repo_search s JOIN repos r ON r.id = s.repo_id";
  }
  if (q.with_index) sql += " LEFT JOIN repo_index i ON i.repo_id = s.repo_id";
  sql += " WHERE s.type = ? AND r.type = ?";
  binds.push_back(q.type);
  binds.push_back(q.type);
  if (driver == Driver::tag) {
    sql += " AND d.type = ? AND d.tag = ?";
    binds.push_back(q.type);
    binds.push_back(driver_tag);
  }
  if (!q.all_private) {
    sql += " AND (r.private = 0";
    if (!q.private_namespaces.empty()) {
      sql += " OR r.ns IN (";
      for (size_t i = 0; i < q.private_namespaces.size(); ++i) {
        sql += i ? ",?" : "?";
        binds.push_back(q.private_namespaces[i]);
      }
      sql += ")";
    }
    sql += ")";
  }
  if (q.gated) sql += *q.gated ? " AND r.gated <> ''" : " AND r.gated = ''";
  if (!q.author.empty()) {
    sql += " AND r.ns = ?";
    binds.push_back(q.author);
  }
  for (const auto& t : q.tags) {
    if (driver == Driver::tag && t == driver_tag) continue;
    sql += " AND EXISTS (SELECT 1 FROM repo_tags t WHERE t.type = ? AND t.tag = ? AND t.repo_id = s.repo_id)";
    binds.push_back(q.type);
    binds.push_back(t);
  }
  if (!search.empty()) {
    sql += " AND (r.key_lower LIKE ? ESCAPE '\\'";
    binds.push_back(like_pattern(search));
    if (!words.empty()) {
      sql += text_small ? " OR s.repo_id IN (SELECT rowid FROM repo_fts WHERE repo_fts MATCH ?)"
                        : " OR EXISTS (SELECT 1 FROM repo_fts f WHERE repo_fts MATCH ? AND f.rowid = s.repo_id)";
      binds.push_back(words);
    }
    sql += ")";
  }
  const char* cmp = q.descending ? "<" : ">";
  const char* dir = q.descending ? " DESC" : " ASC";
  if (q.after) {
    sql += std::string(" AND (") + spec.key + ", " + spec.tie + ") " + cmp + " (?, ?)";
    if (spec.numeric) binds.push_back(q.after->num);
    else binds.push_back(q.after->str);
    binds.push_back(q.after->repo_id);
  }
  sql += std::string(" ORDER BY ") + spec.key + dir + ", " + spec.tie + dir + " LIMIT ?";
  binds.push_back(int64_t(std::max(q.limit, 0)));

  Prepared st(db, sql.c_str());
  for (size_t i = 0; i < binds.size(); ++i) {
    if (auto* n = std::get_if<int64_t>(&binds[i])) st.bind(int(i + 1), *n);
    else st.bind(int(i + 1), std::string_view(std::get<std::string>(binds[i])));
  }
  std::vector<RepoHit> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(hit_from(st.get(), q.with_index, q.sort));
  }
  return out;
}

Result<std::vector<std::string>> SqliteDatabase::public_tags(std::string_view type, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // A tag only private repos carry (say "dataset:acme-internal") must not leak: each listed
  // tag is checked for a public carrier; the check stops at the first one.
  Stmt st(c->get(),
          "SELECT c.tag FROM tag_counts c WHERE c.type = ? AND c.n > 0 AND EXISTS (SELECT 1 FROM repo_tags t "
          "JOIN repos r ON r.id = t.repo_id WHERE t.type = c.type AND t.tag = c.tag AND r.private = 0) "
          "ORDER BY c.n DESC, c.tag LIMIT ?");
  st.bind(1, type).bind(2, int64_t(limit));
  std::vector<std::string> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(st.str(0));
  }
  return out;
}

}  // namespace hub::storage::db
