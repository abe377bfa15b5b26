// The listing/search index in PostgreSQL (issue 5): index rows, tag postings, card-text words
// as a GIN-indexed tsvector, and the one listing query.
//
// Unlike the SQLite backend there is no hand-written planner: the statement says "filters +
// sort + keyset + limit" and PostgreSQL's planner picks between walking a sort index and
// starting from a selective filter (a tag's postings, the trigram index over ids, the GIN
// index over card words), from its own statistics. The rows are the SQLite query's rows:
// the same filters, the same order (COLLATE "C" on key_lower, ties broken by repo id).
#include <algorithm>
#include <set>

#include "core/json.h"
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {

// tsvector limits: a lexeme under 2 KiB, the whole vector under 1 MiB. Longer words cannot be
// indexed (and so never match); text past the cap is not searchable.
constexpr size_t kMaxWord = 2047;
constexpr size_t kMaxVectorBytes = 900'000;

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

// The distinct indexable words of card text, as a text[] literal for array_to_tsvector.
std::string text_words(std::string_view text) {
  std::set<std::string> seen;
  std::vector<std::string> words;
  size_t bytes = 0;
  for (auto& w : search_words(text)) {
    if (w.size() > kMaxWord || seen.contains(w)) continue;
    if (bytes + w.size() > kMaxVectorBytes) break;
    bytes += w.size();
    seen.insert(w);
    words.push_back(std::move(w));
  }
  return pg::array_literal(words);
}

// "Every word of the search": a tsquery of quoted lexemes AND-ed. Words hold only letters,
// digits and non-ASCII characters (never a quote or a backslash), so quoting is safe, and the
// ::tsquery cast takes the lexemes as they are (no parser, no stemming), as they were indexed.
// Empty when the search has no words, or has one too long to have been indexed (no match).
std::optional<std::string> words_query(std::string_view search) {
  std::string q;
  for (const auto& w : search_words(search)) {
    if (w.size() > kMaxWord) return std::nullopt;
    if (!q.empty()) q += " & ";
    q += "'" + w + "'";
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

struct SortSpec {
  const char* key;
  const char* tie;
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

RepoHit hit_from(const pg::Rows& rows, int k, bool with_index, RepoSort sort) {
  RepoHit h;
  h.repo = pgx::repo_from(rows, k, 0);
  std::string key_lower = rows.str(k, 9);
  h.stats = {rows.i64(k, 10), rows.i64(k, 11), rows.i64(k, 12), rows.i64(k, 13)};
  if (with_index && !rows.is_null(k, 14)) {
    RepoIndexRow i;
    i.repo_id = h.repo.id;
    i.commit = rows.str(k, 15);
    i.pipeline_tag = rows.opt(k, 16);
    i.library_name = rows.opt(k, 17);
    i.tags = tags_from_json(rows.str(k, 18));
    i.card_data = rows.str(k, 19);
    i.config = rows.str(k, 20);
    i.extra = rows.str(k, 21);
    i.errors = rows.str(k, 22);
    i.indexed_at = rows.i64(k, 23);
    h.index = std::move(i);
  }
  h.cursor.repo_id = h.repo.id;
  switch (sort) {
    case RepoSort::downloads: h.cursor.num = h.stats.downloads; break;
    case RepoSort::likes: h.cursor.num = h.stats.likes; break;
    case RepoSort::trending: h.cursor.num = h.stats.trending; break;
    case RepoSort::last_modified: h.cursor.num = h.repo.updated_at; break;
    case RepoSort::created_at: h.cursor.num = h.repo.created_at; break;
    case RepoSort::id: h.cursor.str = key_lower; break;
  }
  return h;
}

}  // namespace

Result<void> PgDatabase::put_repo_index(const std::vector<RepoIndexRow>& rows) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  PGconn* conn = c->get();
  return pg::in_transaction(conn, [&]() -> Result<void> {
    for (const auto& row : rows) {
      // FOR KEY SHARE: the repo cannot be deleted until this transaction ends; one deleted
      // before it is skipped (nothing to index), as on SQLite.
      auto type = pg::exec(conn, "SELECT type FROM repos WHERE id = $1 FOR KEY SHARE", pg::Params().add(row.repo_id));
      if (!type) return std::unexpected(type.error());
      if (type->empty()) continue;
      std::string t = type->str(0, 0);
      auto up = pg::exec(conn,
                         "INSERT INTO repo_index(repo_id, commit_oid, pipeline_tag, library_name, tags, card_data, "
                         "config, extra, errors, search_text, search_vec, indexed_at, seq) "
                         "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,array_to_tsvector($11::text[]),$12,$13) "
                         "ON CONFLICT (repo_id) DO UPDATE SET commit_oid = excluded.commit_oid, "
                         "pipeline_tag = excluded.pipeline_tag, library_name = excluded.library_name, "
                         "tags = excluded.tags, card_data = excluded.card_data, config = excluded.config, "
                         "extra = excluded.extra, errors = excluded.errors, search_text = excluded.search_text, "
                         "search_vec = excluded.search_vec, indexed_at = excluded.indexed_at, seq = excluded.seq "
                         "WHERE repo_index.seq <= excluded.seq",
                         pg::Params()
                             .add(row.repo_id)
                             .add(row.commit)
                             .add(row.pipeline_tag)
                             .add(row.library_name)
                             .add(tags_to_json(row.tags))
                             .add(row.card_data)
                             .add(row.config)
                             .add(row.extra)
                             .add(row.errors)
                             .add(row.search_text)
                             .add(text_words(row.search_text))
                             .add(row.indexed_at)
                             .add(row.seq));
      if (!up) return std::unexpected(up.error());
      if (up->affected() == 0) continue;  // a newer row is stored (RepoIndexRow::seq)
      if (auto e = pg::run(conn, "DELETE FROM repo_tags WHERE repo_id = $1", pg::Params().add(row.repo_id)); !e)
        return e;
      std::vector<std::string> postings = row.tags;
      postings.insert(postings.end(), row.facets.begin(), row.facets.end());
      if (postings.empty()) continue;
      if (auto e = pg::run(conn,
                           "INSERT INTO repo_tags(type, tag, repo_id) SELECT $1, u.tag, $2 "
                           "FROM unnest($3::text[]) AS u(tag) ON CONFLICT DO NOTHING",
                           pg::Params().add(t).add(row.repo_id).add(pg::array_literal(postings)));
          !e)
        return e;
    }
    return {};
  });
}

Result<std::optional<RepoIndexRow>> PgDatabase::repo_index(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "SELECT commit_oid, pipeline_tag, library_name, tags, card_data, config, extra, errors, "
                    "search_text, indexed_at FROM repo_index WHERE repo_id = $1",
                    pg::Params().add(repo_id));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return std::optional<RepoIndexRow>();
  RepoIndexRow i;
  i.repo_id = repo_id;
  i.commit = r->str(0, 0);
  i.pipeline_tag = r->opt(0, 1);
  i.library_name = r->opt(0, 2);
  i.tags = tags_from_json(r->str(0, 3));
  i.card_data = r->str(0, 4);
  i.config = r->str(0, 5);
  i.extra = r->str(0, 6);
  i.errors = r->str(0, 7);
  i.search_text = r->str(0, 8);
  i.indexed_at = r->i64(0, 9);
  return std::optional<RepoIndexRow>(std::move(i));
}

Result<std::vector<RepoRow>> PgDatabase::unindexed_repos(std::string_view type, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "SELECT r.id, r.uid, r.type, r.ns, r.name, r.private, r.gated, r.created_at, r.updated_at "
                    "FROM repos r WHERE ($1 = '' OR r.type = $1) "
                    "AND NOT EXISTS (SELECT 1 FROM repo_index i WHERE i.repo_id = r.id) ORDER BY r.id LIMIT $2",
                    pg::Params().add(type).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<RepoRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(pgx::repo_from(*r, i));
  return out;
}

Result<std::vector<RepoHit>> PgDatabase::query_repos(const RepoQuery& q) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  SortSpec spec = sort_spec(q.sort);
  std::string search;
  for (char ch : q.search) search += char(std::tolower(static_cast<unsigned char>(ch)));

  pg::Params p;
  auto arg = [&](auto&& v) {
    p.add(v);
    return "$" + std::to_string(p.size());
  };
  std::string sql = std::string("SELECT ") + kHitCols + (q.with_index ? kIndexCols : "") +
                    " FROM repos r JOIN repo_search s ON s.repo_id = r.id";
  if (q.with_index) sql += " LEFT JOIN repo_index i ON i.repo_id = r.id";
  std::string type = arg(q.type);
  sql += " WHERE r.type = " + type + " AND s.type = " + type;
  if (!q.all_private) {
    sql += " AND (r.private = 0";
    if (!q.private_namespaces.empty()) sql += " OR r.ns = ANY(" + arg(pg::array_literal(q.private_namespaces)) + "::text[])";
    sql += ")";
  }
  if (q.gated) sql += *q.gated ? " AND r.gated <> ''" : " AND r.gated = ''";
  if (!q.author.empty()) sql += " AND r.ns = " + arg(q.author);
  for (const auto& t : q.tags)
    sql += " AND EXISTS (SELECT 1 FROM repo_tags t WHERE t.type = " + type + " AND t.tag = " + arg(t) +
           " AND t.repo_id = r.id)";
  if (!search.empty()) {
    sql += " AND (r.key_lower LIKE " + arg(like_pattern(search)) + " ESCAPE '\\'";
    auto words = words_query(search);
    if (words && !words->empty())
      sql += " OR r.id IN (SELECT f.repo_id FROM repo_index f WHERE f.search_vec @@ " + arg(*words) + "::tsquery)";
    sql += ")";
  }
  const char* cmp = q.descending ? "<" : ">";
  const char* dir = q.descending ? " DESC" : " ASC";
  if (q.after) {
    std::string k = spec.numeric ? arg(q.after->num) : arg(q.after->str);
    sql += std::string(" AND (") + spec.key + ", " + spec.tie + ") " + cmp + " (" + k + ", " + arg(q.after->repo_id) + ")";
  }
  sql += std::string(" ORDER BY ") + spec.key + dir + ", " + spec.tie + dir + " LIMIT " + arg(int64_t(std::max(q.limit, 0)));

  auto r = pg::exec(c->get(), sql, p);
  if (!r) return std::unexpected(r.error());
  std::vector<RepoHit> out;
  for (int k = 0; k < r->size(); ++k) out.push_back(hit_from(*r, k, q.with_index, q.sort));
  return out;
}

Result<std::vector<std::string>> PgDatabase::public_tags(std::string_view type, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // A tag only private repos carry must not leak: each listed tag needs a public carrier.
  auto r = pg::exec(c->get(),
                    "SELECT c.tag FROM tag_counts c WHERE c.type = $1 AND c.n > 0 AND EXISTS (SELECT 1 FROM repo_tags t "
                    "JOIN repos r ON r.id = t.repo_id WHERE t.type = c.type AND t.tag = c.tag AND r.private = 0) "
                    "ORDER BY c.n DESC, c.tag LIMIT $2",
                    pg::Params().add(type).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<std::string> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->str(i, 0));
  return out;
}

// The one-time re-index queue of migration 6 (issue 15), as in sqlite_index.cpp.
Result<std::vector<int64_t>> PgDatabase::reindex_queue(int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT repo_id FROM reindex_queue ORDER BY repo_id LIMIT $1", pg::Params().limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<int64_t> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->i64(i, 0));
  return out;
}

Result<void> PgDatabase::reindex_done(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::run(c->get(), "DELETE FROM reindex_queue WHERE repo_id = $1", pg::Params().add(repo_id));
}

}  // namespace hub::storage::db
