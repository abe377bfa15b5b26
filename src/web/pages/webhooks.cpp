// Settings → Webhooks (issue 17): list, create, edit, enable/disable, delete the signed-in
// user's webhooks and see each one's recent deliveries. Forms carry the CSRF token; the rules
// (validation, SSRF, ownership) are services/webhooks.h, the same as the API's.
#include "core/json.h"
#include "services/webhooks.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {
constexpr std::string_view kHome = "/settings/webhooks";

Response bad_form_token(const Page& p) { return error_page(p, 403, "Invalid form token; reload the page and try again."); }

// The form's fields as the API's JSON body: watched lines "type name" (or "type:name").
json::object body_of(const Form& f) {
  json::array watched;
  std::string text = f.get("watched");
  size_t at = 0;
  while (at <= text.size()) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? text.size() + 1 : nl + 1;
    for (char& c : line)
      if (c == ':' || c == '\t' || c == '\r') c = ' ';
    auto b = line.find_first_not_of(' ');
    if (b == std::string::npos) continue;
    auto sp = line.find(' ', b);
    std::string type = line.substr(b, sp == std::string::npos ? std::string::npos : sp - b);
    std::string name;
    if (sp != std::string::npos) {
      auto nb = line.find_first_not_of(' ', sp);
      if (nb != std::string::npos) name = line.substr(nb, line.find_last_not_of(' ') - nb + 1);
    }
    watched.push_back(json::object{{"type", type}, {"name", name}});
  }
  json::array domains;
  for (const auto& [k, v] : f.fields)
    if (k == "domains") domains.push_back(json::value(v));
  json::object body{{"url", f.get("url")}, {"watched", std::move(watched)}, {"domains", std::move(domains)}};
  body["secret"] = f.get("secret");
  return body;
}

std::string watched_text(const storage::db::WebhookRow& w, std::string_view sep) {
  std::string out;
  if (auto doc = json::parse(w.watched); doc && doc->is_array())
    for (const auto& item : doc->as_array()) {
      if (!item.is_object()) continue;
      if (!out.empty()) out += sep;
      out += std::string(json::get_string(item.as_object(), "type").value_or("")) + " " +
             std::string(json::get_string(item.as_object(), "name").value_or(""));
    }
  return out;
}

Response list_render(Page& p, json::object extra, int status = 200) {
  json::array rows;
  if (auto ws = services::list_webhooks(p.site.hub, p.who))
    for (const auto& w : *ws) {
      std::string domains;
      if (auto doc = json::parse(w.domains); doc && doc->is_array())
        for (const auto& d : doc->as_array())
          if (d.is_string()) domains += (domains.empty() ? "" : ", ") + std::string(d.as_string());
      rows.push_back(json::object{{"id", w.uid}, {"url", w.url}, {"watched", watched_text(w, ", ")},
                                  {"domains", domains}, {"disabled", w.disabled}});
    }
  extra["title"] = "Webhooks";
  extra["hooks"] = std::move(rows);
  return render(p, "webhooks", std::move(extra), status);
}

Response detail_render(Page& p, const storage::db::WebhookRow& w, json::object extra, int status = 200) {
  json::object o = services::webhook_json(p.site.hub, w, true);
  for (auto& kv : o) extra[kv.key()] = kv.value();
  extra["secret"] = w.secret;
  extra["watched_lines"] = watched_text(w, "\n");
  extra["repo_domain"] = w.domains.find("\"repo\"") != std::string::npos;
  extra["discussion_domain"] = w.domains.find("\"discussion\"") != std::string::npos;
  extra["title"] = "Webhook";
  return render(p, "webhook", std::move(extra), status);
}
}  // namespace

Response webhooks_page(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/webhooks");
  return list_render(p, {});
}

Response webhooks_create(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/webhooks");
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_form_token(p);
  auto w = services::create_webhook(s.hub, p.who, body_of(f));
  if (!w) return list_render(p, json::object{{"error", w.error().message}}, 400);
  return redirect(std::string(kHome) + "/" + w->uid);
}

Response webhook_page(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/webhooks");
  auto w = services::get_webhook(s.hub, p.who, req.params["id"]);
  if (!w) return error_page(p, w.error());
  return detail_render(p, *w, {});
}

// POST /settings/webhooks/{id}[/{action}]: save the form, or enable / disable / delete.
Response webhook_action(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/webhooks");
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_form_token(p);
  const std::string id = req.params["id"];
  const std::string action = req.params.contains("action") ? req.params["action"] : "";
  if (action == "delete") {
    if (auto r = services::delete_webhook(s.hub, p.who, id); !r) return error_page(p, r.error());
    return redirect(kHome);
  }
  if (action == "enable" || action == "disable") {
    if (auto r = services::set_webhook_disabled(s.hub, p.who, id, action == "disable"); !r) return error_page(p, r.error());
    return redirect(kHome);
  }
  if (!action.empty()) return error_page(p, 404, "Not found");
  auto w = services::update_webhook(s.hub, p.who, id, body_of(f));
  if (!w) {
    auto now = services::get_webhook(s.hub, p.who, id);
    if (!now) return error_page(p, now.error());
    return detail_render(p, *now, json::object{{"error", w.error().message}}, 400);
  }
  return redirect(std::string(kHome) + "/" + w->uid);
}

}  // namespace hub::web::pages
