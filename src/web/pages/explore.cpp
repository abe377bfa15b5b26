// Home, explore lists (models, datasets) with filters, profiles, and static files.
#include <algorithm>
#include <map>

#include "core/time.h"
#include "services/metadata/libraries.h"
#include "services/metadata/pipeline_types.h"
#include "services/search.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {

constexpr int kPerPage = 30;

// Strings of a card field that may be a string or a list of strings (language, license).
std::vector<std::string> strings_of(const json::object* card, std::string_view key) {
  std::vector<std::string> out;
  if (!card) return out;
  const json::value* v = json::find(*card, key);
  if (!v) return out;
  if (v->is_string()) out.emplace_back(v->get_string());
  if (v->is_array())
    for (auto& x : v->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

// A listing item of services/search -> the fields repo_card.html shows.
json::object card_of(const json::object& it, std::string_view type) {
  std::string id(json::get_string(it, "id").value_or(""));
  std::string modified(json::get_string(it, "lastModified").value_or(""));
  json::object c{{"id", id},
                 {"url", (type == "dataset" ? "/datasets/" : "/") + id},
                 {"private", json::get_bool(it, "private").value_or(false)},
                 {"updated", modified.substr(0, 10)},
                 {"updated_iso", modified},
                 {"stats_available", true},
                 {"downloads", json::get_int(it, "downloads").value_or(0)},
                 {"likes", json::get_int(it, "likes").value_or(0)}};
  if (auto pt = json::get_string(it, "pipeline_tag")) {
    const auto* t = services::metadata::find_pipeline_type(*pt);
    c["task"] = t ? t->label : *pt;
  }
  return c;
}

// Runs a listing through services/search (the same index and rules as GET /api/models).
Result<services::ListingPage> query(Site& s, const Page& p, services::ListingParams lp) {
  return services::list_repos(s.hub, p.who, lp);
}

json::array cards(const Result<services::ListingPage>& page, std::string_view type) {
  json::array out;
  if (!page) return out;
  for (auto& it : page->items)
    if (it.is_object()) out.push_back(card_of(it.get_object(), type));
  return out;
}

struct Filters {
  std::string search, pipeline_tag, library, language, license, sort, cursor;
};

// Facet entries: value, count, link toggling it, selected.
json::array facet(const std::map<std::string, int>& counts, const std::string& selected, std::string_view param,
                  const std::string& base_query) {
  json::array out;
  for (auto& [value, n] : counts) {
    std::string url = base_query + (selected == value ? "" : "&" + std::string(param) + "=" + http::percent_encode(value));
    out.push_back(json::object{{"value", value}, {"count", n}, {"selected", selected == value}, {"url", url}});
  }
  return out;
}

}  // namespace

Response explore(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Filters f;
  auto q = [&](const char* name) { return std::string(req.query_param(name).value_or("").substr(0, 200)); };
  f.search = q("search");
  f.pipeline_tag = q("pipeline_tag");
  f.library = q("library");
  f.language = q("language");
  f.license = q("license");
  f.sort = q("sort");
  f.cursor = q("cursor");
  if (f.sort.empty()) f.sort = "lastModified";

  services::ListingParams lp;
  lp.type = std::string(type);
  lp.search = f.search;
  lp.pipeline_tag = f.pipeline_tag;
  lp.library = f.library;
  lp.language = f.language;
  if (!f.license.empty()) lp.filters.push_back("license:" + f.license);
  lp.sort = f.sort;
  if (f.sort == "id") lp.direction = "1";
  lp.limit = kPerPage;
  lp.cursor = f.cursor;
  auto page = query(s, p, lp);
  if (!page) return error_page(p, page.error());

  // Facet counts over everything the visitor may see of this type (bounded by the listing's
  // page size limit).
  services::ListingParams all;
  all.type = std::string(type);
  all.limit = services::kListingMaxLimit;
  all.full = true;
  all.card_data = true;
  std::map<std::string, int> libs, langs, licenses, tasks;
  if (auto everything = query(s, p, all)) {
    for (auto& v : everything->items) {
      if (!v.is_object()) continue;
      const auto& it = v.get_object();
      if (auto l = json::get_string(it, "library_name")) ++libs[std::string(*l)];
      if (auto t = json::get_string(it, "pipeline_tag")) ++tasks[std::string(*t)];
      const json::object* card = json::get_object(it, "cardData");
      for (auto& l : strings_of(card, "language")) ++langs[l];
      for (auto& l : strings_of(card, "license")) ++licenses[l];
    }
  }
  std::string list_path = type == "dataset" ? "/datasets" : "/models";
  // The query without one facet, so each facet link toggles only itself.
  auto query_without = [&](std::string_view drop) {
    std::string qs = list_path + "?sort=" + http::percent_encode(f.sort);
    auto add = [&](std::string_view k, const std::string& v) {
      if (k != drop && !v.empty()) qs += "&" + std::string(k) + "=" + http::percent_encode(v);
    };
    add("search", f.search);
    add("pipeline_tag", f.pipeline_tag);
    add("library", f.library);
    add("language", f.language);
    add("license", f.license);
    return qs;
  };
  // Tasks grouped by modality, in the taxonomy's order.
  json::array groups;
  std::string task_base = query_without("pipeline_tag");
  for (auto m : {services::metadata::Modality::multimodal, services::metadata::Modality::cv,
                 services::metadata::Modality::nlp, services::metadata::Modality::audio,
                 services::metadata::Modality::tabular, services::metadata::Modality::rl,
                 services::metadata::Modality::other}) {
    json::array items;
    for (auto& pt : services::metadata::pipeline_types()) {
      if (pt.modality != m || (type == "dataset" ? pt.hide_in_datasets : pt.hide_in_models)) continue;
      bool sel = f.pipeline_tag == pt.id;
      std::string url = task_base + (sel ? "" : "&pipeline_tag=" + http::percent_encode(pt.id));
      auto n = tasks.find(std::string(pt.id));
      items.push_back(json::object{{"id", pt.id}, {"label", pt.label}, {"selected", sel}, {"url", url},
                                   {"count", n == tasks.end() ? 0 : n->second}});
    }
    if (!items.empty())
      groups.push_back(json::object{{"label", services::metadata::modality_label(m)}, {"tasks", std::move(items)}});
  }
  json::array sorts;
  for (auto [id, label] : std::initializer_list<std::pair<const char*, const char*>>{
           {"lastModified", "Recently updated"}, {"trendingScore", "Trending"}, {"createdAt", "Recently created"},
           {"downloads", "Most downloads"}, {"likes", "Most likes"}, {"id", "Alphabetical"}})
    sorts.push_back(json::object{{"id", id}, {"label", label}, {"selected", f.sort == id}});
  json::array found = cards(page, type);
  size_t shown = found.size();
  json::object data{{"title", type == "dataset" ? "Datasets" : "Models"},
                    {"is_dataset", type == "dataset"},
                    {"list_path", list_path},
                    {"search_query", f.search},
                    {"search", f.search},
                    {"pipeline_tag", f.pipeline_tag},
                    {"library", f.library},
                    {"language", f.language},
                    {"license", f.license},
                    {"sorts", std::move(sorts)},
                    {"task_groups", std::move(groups)},
                    {"libraries", facet(libs, f.library, "library", query_without("library"))},
                    {"languages", facet(langs, f.language, "language", query_without("language"))},
                    {"licenses", facet(licenses, f.license, "license", query_without("license"))},
                    {"cards", std::move(found)},
                    {"total", std::to_string(shown) + (page->next_cursor ? "+" : "")},
                    {"none", shown == 0}};
  if (!f.cursor.empty()) data["first_url"] = query_without("");
  if (page->next_cursor) data["next_url"] = query_without("") + "&cursor=" + http::percent_encode(*page->next_cursor);
  return render(p, "explore", std::move(data));
}

Response home(Site& s, Request& req) {
  Page p = make_page(s, req);
  auto newest = [&](std::string_view type) {
    services::ListingParams lp;
    lp.type = std::string(type);
    lp.sort = "lastModified";
    lp.limit = 12;
    return cards(query(s, p, lp), type);
  };
  json::object data{{"title", "hubd"}, {"models", newest("model")}, {"datasets", newest("dataset")}};
  return render(p, "home", std::move(data));
}

Response profile(Site& s, Request& req) {
  Page p = make_page(s, req);
  const std::string& name = req.params["user"];
  auto a = s.hub.db().account_by_name(name);
  if (!a) return error_page(p, 404, "No user or organisation named '" + name.substr(0, 100) + "'");
  auto of = [&](std::string_view type) {
    services::ListingParams lp;
    lp.type = std::string(type);
    lp.author = a->name;
    lp.sort = "lastModified";
    lp.limit = services::kListingMaxLimit;
    return cards(query(s, p, lp), type);
  };
  json::array models = of("model"), datasets = of("dataset");
  bool is_org = a->kind == storage::db::AccountKind::org;
  json::object data{{"title", a->name},
                    {"account", json::object{{"name", a->name}, {"fullname", a->fullname}, {"is_org", is_org},
                                             {"since", iso8601(a->created_at).substr(0, 10)}}},
                    {"model_count", models.size()},
                    {"dataset_count", datasets.size()},
                    {"models", std::move(models)},
                    {"datasets", std::move(datasets)},
                    {"is_me", p.signed_in() && p.who.account->id == a->id}};
  if (!is_org) {
    json::array orgs;
    if (auto os = s.hub.db().orgs_of(a->id))
      for (auto& o : *os) orgs.push_back(json::object{{"name", o.name}});
    data["orgs"] = std::move(orgs);
  }
  return render(p, "profile", std::move(data));
}

Response static_file(Site& s, Request& req) {
  const StaticAsset* a = s.assets->find(req.params["file"]);
  if (!a) return Response::error(404, "No such asset");
  Response res;
  res.body = std::string(a->data);
  res.set_header("Content-Type", a->content_type);
  res.set_header("X-Content-Type-Options", "nosniff");
  // The hash in the URL names the content: a match may be cached forever; an old hash gets
  // today's bytes but must not be cached.
  if (req.params["hash"] == a->hash) {
    res.set_header("Cache-Control", "public, max-age=31536000, immutable");
    res.set_header("ETag", "\"" + a->hash + "\"");
  } else {
    res.set_header("Cache-Control", "no-cache");
  }
  return res;
}

}  // namespace hub::web::pages

namespace hub::web::pages {

Response suggest(Site& s, Request& req) {
  Page p = make_page(s, req);
  std::string q(req.query_param("q").value_or("").substr(0, 200));
  json::array out;
  if (!q.empty()) {
    for (std::string_view type : {"model", "dataset"}) {
      services::ListingParams lp;
      lp.type = std::string(type);
      lp.search = q;
      lp.limit = 8;
      auto page = services::list_repos(s.hub, p.who, lp);
      if (!page) continue;
      for (auto& it : page->items) {
        if (!it.is_object() || out.size() >= 8) continue;
        std::string id(json::get_string(it.get_object(), "id").value_or(""));
        out.push_back(json::object{{"id", id}, {"type", type}, {"url", (type == "dataset" ? "/datasets/" : "/") + id}});
      }
    }
  }
  auto res = Response::json(200, out);
  res.set_header("Cache-Control", "no-store");
  return res;
}

}  // namespace hub::web::pages
