#include "services/search.h"

#include <charconv>

#include "core/hash.h"
#include "core/time.h"
#include "services/metadata/dataset_tags.h"
#include "services/metadata/pipeline_types.h"
#include "services/repo_view.h"

namespace hub::services {

using storage::db::RepoCursor;
using storage::db::RepoHit;
using storage::db::RepoQuery;
using storage::db::RepoSort;

namespace {

Result<RepoSort> sort_of(std::string_view s) {
  if (s.empty() || s == "trendingScore" || s == "trending") return RepoSort::trending;
  if (s == "downloads" || s == "downloadsAllTime") return RepoSort::downloads;
  if (s == "likes" || s == "likes30d") return RepoSort::likes;
  if (s == "lastModified" || s == "last_modified" || s == "modified") return RepoSort::last_modified;
  if (s == "createdAt" || s == "created_at") return RepoSort::created_at;
  if (s == "id" || s == "modelId") return RepoSort::id;
  return fail(Errc::invalid_argument, "Invalid sort '" + std::string(s.substr(0, 50)) +
                                          "': expected downloads, likes, lastModified, createdAt, trendingScore or id");
}

// "v1|<sort>|<desc>|<num>|<repo id>|<str>", base64url. Sort and direction are checked against
// the request, so a cursor cannot be replayed on a differently ordered listing.
std::string encode_cursor(int sort, bool desc, const RepoCursor& c) {
  return base64url_encode("v1|" + std::to_string(sort) + "|" + (desc ? "1" : "0") + "|" + std::to_string(c.num) +
                          "|" + std::to_string(c.repo_id) + "|" + c.str);
}

Result<RepoCursor> decode_cursor(std::string_view text, int sort, bool desc) {
  auto bad = [] { return fail(Errc::invalid_argument, "Invalid cursor"); };
  if (text.size() > 1024) return bad();
  auto raw = base64url_decode(text);
  if (!raw) return bad();
  std::vector<std::string_view> parts;
  std::string_view rest = *raw;
  for (int i = 0; i < 5; ++i) {
    auto bar = rest.find('|');
    if (bar == std::string_view::npos) return bad();
    parts.push_back(rest.substr(0, bar));
    rest.remove_prefix(bar + 1);
  }
  parts.push_back(rest);
  if (parts[0] != "v1" || parts[1] != std::to_string(sort) || parts[2] != (desc ? "1" : "0")) return bad();
  RepoCursor c;
  auto num = [](std::string_view s, int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  if (!num(parts[3], c.num) || !num(parts[4], c.repo_id)) return bad();
  c.str = std::string(parts[5]);
  return c;
}

json::value parsed_or(const std::string& text, json::value fallback) {
  auto v = json::parse(text);
  return v ? std::move(*v) : std::move(fallback);
}

// Every field an item can have; the caller keeps the ones asked for.
json::object all_fields(Hub& hub, const RepoHit& h, bool with_siblings) {
  const auto& r = h.repo;
  json::object o{{"_id", r.uid},
                 {"id", r.full_id()},
                 {"author", r.ns},
                 {"private", r.is_private},
                 {"gated", r.gated.empty() ? json::value(false) : json::value(r.gated)},
                 {"disabled", false},
                 {"downloads", h.stats.downloads},
                 {"downloadsAllTime", h.stats.downloads_all},
                 {"likes", h.stats.likes},
                 {"trendingScore", h.stats.trending},
                 {"lastModified", iso8601(r.updated_at)},
                 {"createdAt", iso8601(r.created_at)},
                 {"tags", json::array{}}};
  if (r.type == "model") o["modelId"] = r.full_id();
  if (!h.index) return o;
  const auto& i = *h.index;
  json::array tags;
  for (const auto& t : i.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  if (i.pipeline_tag) o["pipeline_tag"] = *i.pipeline_tag;
  if (i.library_name) o["library_name"] = *i.library_name;
  if (!i.commit.empty()) o["sha"] = i.commit;
  auto card = parsed_or(i.card_data, json::object{});
  if (card.is_object() && !card.as_object().empty()) {
    if (r.type == "space")
      if (auto sdk = json::get_string(card.as_object(), "sdk")) o["sdk"] = *sdk;
    o["cardData"] = std::move(card);
  }
  auto config = parsed_or(i.config, json::object{});
  if (config.is_object() && !config.as_object().empty()) o["config"] = std::move(config);
  auto extra = parsed_or(i.extra, json::object{});
  if (extra.is_object())
    for (auto& [k, v] : extra.as_object()) o[k] = v;
  auto errors = parsed_or(i.errors, json::array{});
  if (errors.is_array() && !errors.as_array().empty()) o["cardErrors"] = std::move(errors);
  if (with_siblings && !i.commit.empty()) {
    auto view = cached_repo_view(r, hub.repo_path(r.type, r.ns, r.name), i.commit);
    if (view) o["siblings"] = (*view)->siblings_json(false);
  }
  return o;
}

// The Hub's default item: what huggingface_hub's ModelInfo/DatasetInfo/SpaceInfo read.
json::object default_item(const json::object& all, std::string_view type) {
  static const char* kModel[] = {"_id", "id", "private", "gated", "downloads", "likes", "trendingScore",
                                 "tags", "pipeline_tag", "library_name", "createdAt", "lastModified", "modelId"};
  static const char* kOther[] = {"_id", "id", "author", "private", "gated", "downloads", "likes",
                                 "trendingScore", "tags", "createdAt", "lastModified", "sdk"};
  json::object o;
  auto copy = [&](const char* k) {
    if (auto* v = json::find(all, k)) o[k] = *v;
  };
  if (type == "model")
    for (auto* k : kModel) copy(k);
  else
    for (auto* k : kOther) copy(k);
  return o;
}

// Visibility: admins see everything; others their own and their orgs' private repos.
void visibility(Hub& hub, const Principal& p, RepoQuery& q) {
  if (!p.account) return;
  if (p.account->is_admin) {
    q.all_private = true;
    return;
  }
  q.private_namespaces.push_back(p.account->name);
  if (auto orgs = hub.db().orgs_of(p.account->id))
    for (auto& o : *orgs) q.private_namespaces.push_back(o.name);
}

void add_filter(RepoQuery& q, std::string_view f) {
  if (f.empty()) return;
  // Languages match the card's `language` list (a facet), whatever the tag spelling: models
  // carry "en", datasets "language:en".
  if (f.starts_with("language:")) q.tags.push_back(storage::db::facet("language", f.substr(9)));
  else if (f.starts_with("pipeline_tag:")) q.tags.push_back(storage::db::facet("pipeline_tag", f.substr(13)));
  else q.tags.push_back(std::string(f));
}

}  // namespace

Result<ListingPage> list_repos(Hub& hub, const Principal& p, const ListingParams& in) {
  if (in.type != "model" && in.type != "dataset" && in.type != "space")
    return fail(Errc::invalid_argument, "Unknown repo type");
  RepoQuery q;
  q.type = in.type;
  HUB_TRY(sort, sort_of(in.sort));
  q.sort = sort;
  if (in.direction.empty() || in.direction == "-1") q.descending = true;
  else if (in.direction == "1") q.descending = false;
  else return fail(Errc::invalid_argument, "direction must be -1 or 1");
  int max = in.full ? kListingMaxFullLimit : kListingMaxLimit;
  int limit = in.limit.value_or(in.full ? kListingMaxFullLimit : kListingDefaultLimit);
  if (limit < 1) limit = 1;
  if (limit > max) limit = max;
  q.limit = limit + 1;  // one more tells whether a next page exists
  if (!in.cursor.empty()) {
    HUB_TRY(c, decode_cursor(in.cursor, int(sort), q.descending));
    q.after = std::move(c);
  }
  if (in.search.size() > 256) return fail(Errc::invalid_argument, "search is too long");
  q.search = in.search;
  q.gated = in.gated;
  if (!in.author.empty()) {
    auto acc = hub.db().account_by_name(in.author);
    if (!acc) return ListingPage{};  // nobody by that name: nothing to list
    q.author = acc->name;
  }
  if (in.filters.size() > 32) return fail(Errc::invalid_argument, "too many filters");
  for (const auto& f : in.filters) add_filter(q, f);
  if (!in.pipeline_tag.empty()) q.tags.push_back(storage::db::facet("pipeline_tag", in.pipeline_tag));
  if (!in.library.empty()) q.tags.push_back(in.library);
  if (!in.language.empty()) q.tags.push_back(storage::db::facet("language", in.language));
  visibility(hub, p, q);

  HUB_TRY(hits, hub.db().query_repos(q));
  ListingPage page;
  bool more = int(hits.size()) > limit;
  if (more) hits.resize(size_t(limit));
  bool want_siblings = in.full;
  for (auto& e : in.expand) want_siblings = want_siblings || e == "siblings";
  for (const auto& h : hits) {
    json::object all = all_fields(hub, h, want_siblings);
    json::object item;
    if (!in.expand.empty()) {
      item = json::object{{"_id", all["_id"]}, {"id", all["id"]}};
      for (const auto& f : in.expand)
        if (auto* v = json::find(all, f)) item[f] = *v;
    } else if (in.full) {
      item = std::move(all);
      if (!in.card_data) item.erase("cardData");
      if (!in.config) item.erase("config");
    } else {
      item = default_item(all, in.type);
      if (in.card_data)
        if (auto* v = json::find(all, "cardData")) item["cardData"] = *v;
      if (in.config)
        if (auto* v = json::find(all, "config")) item["config"] = *v;
    }
    page.items.push_back(std::move(item));
  }
  if (more && !hits.empty()) page.next_cursor = encode_cursor(int(sort), q.descending, hits.back().cursor);
  return page;
}

Result<json::object> tags_by_type(Hub& hub, std::string_view type) {
  HUB_TRY(tags, hub.db().public_tags(type, 5000));
  std::vector<std::string> observed, languages;
  const std::string lang_prefix = storage::db::facet("language", "");
  for (auto& t : tags) {
    if (t.starts_with(lang_prefix)) languages.push_back(t.substr(lang_prefix.size()));
    else if (!storage::db::is_facet(t)) observed.push_back(std::move(t));
  }
  if (type == "dataset") return metadata::datasets_tags_by_type(observed);
  return metadata::models_tags_by_type(observed, languages);
}

}  // namespace hub::services
