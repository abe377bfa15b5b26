// Gated repos in the browser (issue 17): the access request form on the repo page (fields from
// the card's extra_gated_* keys), its submission, and the settings section where the repo's
// writers pick the mode and review requests (accept, reject with a reason, cancel, grant).
// The rules are services/gating.h; this file only renders and forwards.
#include "core/time.h"
#include "services/gating.h"
#include "web/markdown.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

json::object gate_box(Page& p, RepoView& v) {
  const auto& row = v.handle.row;
  json::object box;
  if (row.gated.empty()) return box;
  box["mode"] = row.gated;
  box["action"] = v.base + "/ask-access";
  if (services::check_content_access(p.site.hub, p.who, row)) {
    box["has_access"] = true;
    return box;
  }
  if (!p.signed_in()) {
    box["login_url"] = "/login?next=" + http::percent_encode(v.base);
    return box;
  }
  if (auto own = services::own_access_request(p.site.hub, p.who, row)) {
    box[own->status] = true;  // "pending" | "rejected" ("accepted" has access above)
    if (!own->rejection_reason.empty()) box["rejection_reason"] = own->rejection_reason;
    return box;
  }
  auto form = services::gate_form_of(p.site.hub, row, v.handle.path);
  box["can_request"] = true;
  box["heading"] = form.heading.empty() ? "You need to agree to share your contact information to access this " +
                                              v.type
                                        : form.heading;
  if (!form.description.empty()) box["description"] = form.description;
  if (!form.prompt.empty()) box["prompt_html"] = render_markdown(form.prompt, {}, 64 * 1024);
  box["button"] = form.button.empty() ? "Agree and access repository" : form.button;
  json::array fields;
  for (size_t i = 0; i < form.fields.size(); ++i) {
    const auto& f = form.fields[i];
    json::object o{{"name", f.name}, {"id", "gate-field-" + std::to_string(i)}, {"type", f.type}};
    o["is_" + f.type] = true;
    json::array opts;
    for (const auto& x : f.options) opts.push_back(json::object{{"value", x}});
    o["options"] = std::move(opts);
    fields.push_back(std::move(o));
  }
  box["fields"] = std::move(fields);
  return box;
}

Response ask_access_submit(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (!p.signed_in()) return redirect("/login");
  if (!csrf_ok(p, f)) return error_page(p, 403, "Invalid form token; reload the page and try again.");
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  // Form fields arrive as "field:<name>" so they never collide with csrf.
  std::vector<std::pair<std::string, std::string>> answers;
  for (const auto& [k, val] : f.fields)
    if (k.starts_with("field:")) answers.emplace_back(k.substr(6), val);
  auto form = services::gate_form_of(s.hub, v->handle.row, v->handle.path);
  auto r = services::request_access(s.hub, p.who, v->handle.row, form, answers);
  if (!r) return error_page(p, r.error());
  return redirect(v->base);
}

void add_gate_settings(Page& p, RepoView& v, json::object& data) {
  const auto& row = v.handle.row;
  json::object g{{"off", row.gated.empty()}, {"auto", row.gated == "auto"}, {"manual", row.gated == "manual"},
                 {"enabled", !row.gated.empty()}};
  if (!row.gated.empty()) {
    json::array lists;
    for (std::string status : {"pending", "accepted", "rejected"}) {
      auto l = services::list_access_requests(p.site.hub, p.who, v.type, row.ns, row.name, status);
      json::array items;
      if (l)
        for (const auto& r : *l) {
          json::object o{{"user", r.user_name},
                         {"fullname", r.user_fullname},
                         {"email", r.granted ? std::string() : r.user_email},
                         {"when", time_ago(r.updated_at)},
                         {"reason", r.rejection_reason},
                         {"can_accept", status != "accepted"},
                         {"can_reject", status != "rejected"},
                         {"can_cancel", status != "pending"}};
          json::array answers;
          if (!r.fields.empty())
            if (auto j = json::parse(r.fields); j && j->is_object())
              for (const auto& [k, val] : j->as_object())
                answers.push_back(json::object{
                    {"name", std::string(k)},
                    {"value", val.is_string() ? std::string(val.get_string()) : json::serialize(val)}});
          o["answers"] = std::move(answers);
          items.push_back(std::move(o));
        }
      std::string title = status == "pending" ? "Pending" : status == "accepted" ? "Accepted" : "Rejected";
      size_t n = items.size();
      lists.push_back(json::object{{"status", status}, {"title", title}, {"count", n}, {"items", std::move(items)}});
    }
    g["lists"] = std::move(lists);
  }
  data["gate"] = std::move(g);
}

std::optional<Result<void>> gate_settings_action(Page& p, RepoView& v, const Form& f, std::string_view action) {
  const auto& row = v.handle.row;
  if (action == "gated") {
    std::string mode = f.get("gated");
    if (mode == "off") mode.clear();
    return services::update_repo_settings(p.site.hub, p.who, v.type, row.ns, row.name, std::nullopt, mode);
  }
  if (action == "access")
    return services::handle_access_request(p.site.hub, p.who, v.type, row.ns, row.name, f.get("user"),
                                           f.get("status"), f.get("reason"));
  if (action == "grant") return services::grant_access(p.site.hub, p.who, v.type, row.ns, row.name, f.get("user"));
  return std::nullopt;
}

}  // namespace hub::web::pages
