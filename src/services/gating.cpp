#include "services/gating.h"

#include "core/time.h"
#include "services/repo_view.h"
#include "services/repos.h"
#include "storage/git/repo.h"

namespace hub::services {

using storage::db::AccessRequestRow;
using storage::db::RepoRow;

namespace {

Error gated(Errc code, std::string message) { return Error{code, std::move(message), Detail::GatedRepo}; }

bool valid_status(std::string_view s) { return s == "pending" || s == "accepted" || s == "rejected"; }

Result<void> require_gated(const RepoRow& repo) {
  if (repo.gated.empty()) return fail(Errc::invalid_argument, "Repo " + repo.full_id() + " is not gated");
  return {};
}

// The repo's writers manage its requests (the Hub: write or admin role, write-scoped token).
Result<RepoHandle> open_for_writers(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                    std::string_view name) {
  auto h = open_repo(hub, p, type, ns, name, Access::write);
  if (!h) return h;
  if (auto g = require_gated(h->row); !g) return std::unexpected(g.error());
  return h;
}

Result<storage::db::Account> user_named(Hub& hub, std::string_view user) {
  auto a = hub.db().account_by_name(user);
  if (!a || a->kind != storage::db::AccountKind::user)
    return fail(Errc::not_found, "User " + std::string(user.substr(0, 100)) + " not found");
  return a;
}

}  // namespace

Result<void> check_content_access(Hub& hub, const Principal& p, const RepoRow& repo) {
  if (repo.gated.empty()) return {};
  std::string what = repo.type + " " + repo.full_id();
  if (!p.account)
    return std::unexpected(gated(Errc::unauthenticated, "Access to " + what +
                                                            " is restricted. You must have access to it and be "
                                                            "authenticated to access it. Please log in."));
  if (is_repo_member(hub, p, repo)) return {};
  auto r = hub.db().access_request(repo.id, p.account->id);
  if (r && r->status == "accepted") return {};
  if (!r && r.error().code != Errc::not_found) return std::unexpected(r.error());
  std::string page = (repo.type == "model" ? "/" : "/" + repo.type + "s/") + repo.full_id();
  if (r && r->status == "pending")
    return std::unexpected(
        gated(Errc::forbidden, "Your request to access " + what + " is awaiting a review from the repo authors."));
  if (r && r->status == "rejected")
    return std::unexpected(gated(Errc::forbidden, "Your request to access " + what +
                                                      " has been rejected by the repo's authors."));
  return std::unexpected(gated(Errc::forbidden, "Access to " + what +
                                                    " is restricted and you are not in the authorized list. Visit " +
                                                    page + " to ask for access."));
}

GateForm gate_form(const json::object& card) {
  GateForm f;
  auto str = [&](std::string_view key) {
    auto v = json::get_string(card, key);
    return v ? std::string(v->substr(0, 10000)) : std::string();
  };
  f.heading = str("extra_gated_heading");
  f.description = str("extra_gated_description");
  f.prompt = str("extra_gated_prompt");
  f.button = str("extra_gated_button_content");
  const json::object* fields = json::get_object(card, "extra_gated_fields");
  if (!fields) return f;
  for (const auto& [key, v] : *fields) {
    if (f.fields.size() >= 50) break;
    GateField g;
    g.name = std::string(std::string_view(key).substr(0, 200));
    if (g.name.empty()) continue;
    std::string type = "text";
    if (v.is_string()) type = std::string(v.get_string());
    else if (v.is_object()) {
      if (auto t = json::get_string(v.get_object(), "type")) type = std::string(*t);
      if (auto* opts = json::get_array(v.get_object(), "options"))
        for (const auto& o : *opts) {
          if (g.options.size() >= 200) break;
          if (o.is_string()) g.options.emplace_back(std::string_view(o.get_string()).substr(0, 200));
          else if (o.is_object())  // {label, value}
            if (auto val = json::get_string(o.get_object(), "value")) g.options.emplace_back(val->substr(0, 200));
        }
    }
    if (type != "checkbox" && type != "date_picker" && type != "country" && type != "select") type = "text";
    if (type == "select" && g.options.empty()) type = "text";
    g.type = type;
    f.fields.push_back(std::move(g));
  }
  return f;
}

GateForm gate_form_of(Hub&, const RepoRow& repo, const std::string& repo_path) {
  auto git = storage::git::Repo::open(repo_path);
  if (!git) return {};
  auto branch = git->default_branch();
  auto commit = git->resolve_revision(branch ? *branch : "main");
  if (!commit) return {};
  auto view = cached_repo_view(repo, repo_path, *commit);
  if (!view) return {};
  return gate_form((*view)->metadata.card.data);
}

Result<AccessRequestRow> request_access(Hub& hub, const Principal& p, const RepoRow& repo, const GateForm& form,
                                        const std::vector<std::pair<std::string, std::string>>& answers) {
  if (!p.account) return fail(Errc::unauthenticated, "You must be logged in to request access");
  if (auto s = require_write_scope(p); !s) return std::unexpected(s.error());
  if (auto g = require_gated(repo); !g) return std::unexpected(g.error());
  json::object given;
  for (const auto& f : form.fields) {
    std::string value;
    for (const auto& [k, v] : answers)
      if (k == f.name) value = v;
    if (value.size() > 1000) return fail(Errc::invalid_argument, "The answer to '" + f.name + "' is too long");
    if (f.type == "checkbox") {
      if (value.empty()) return fail(Errc::invalid_argument, "You must tick '" + f.name + "'");
      given[f.name] = true;
      continue;
    }
    if (value.empty()) return fail(Errc::invalid_argument, "'" + f.name + "' is required");
    if (f.type == "select" && std::find(f.options.begin(), f.options.end(), value) == f.options.end())
      return fail(Errc::invalid_argument, "'" + value.substr(0, 100) + "' is not an option of '" + f.name + "'");
    given[f.name] = value;
  }
  AccessRequestRow r;
  r.repo_id = repo.id;
  r.account_id = p.account->id;
  r.status = repo.gated == "auto" ? "accepted" : "pending";
  r.fields = form.fields.empty() ? "" : json::serialize(given);
  r.created_at = r.updated_at = now_ms();
  if (auto made = hub.db().create_access_request(r); !made) {
    if (made.error().code == Errc::already_exists)
      return fail(Errc::conflict, "You already requested access to " + repo.full_id());
    return std::unexpected(made.error());
  }
  return hub.db().access_request(repo.id, p.account->id);
}

std::optional<AccessRequestRow> own_access_request(Hub& hub, const Principal& p, const RepoRow& repo) {
  if (!p.account) return std::nullopt;
  auto r = hub.db().access_request(repo.id, p.account->id);
  if (!r) return std::nullopt;
  return *r;
}

Result<std::vector<AccessRequestRow>> list_access_requests(Hub& hub, const Principal& p, std::string_view type,
                                                           std::string_view ns, std::string_view name,
                                                           std::string_view status) {
  HUB_TRY(h, open_for_writers(hub, p, type, ns, name));
  if (!valid_status(status)) return fail(Errc::not_found, "Unknown access request status");
  return hub.db().access_requests(h.row.id, status, 10000);
}

Result<void> handle_access_request(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                   std::string_view name, std::string_view user, std::string_view status,
                                   std::string_view rejection_reason) {
  HUB_TRY(h, open_for_writers(hub, p, type, ns, name));
  if (!valid_status(status))
    return fail(Errc::invalid_argument, "status must be one of \"pending\", \"accepted\" or \"rejected\"");
  if (rejection_reason.size() > 200)
    return fail(Errc::invalid_argument, "The rejection reason must be at most 200 characters");
  if (!rejection_reason.empty() && status != "rejected")
    return fail(Errc::invalid_argument, "A rejection reason can only be given when rejecting a request");
  HUB_TRY(a, user_named(hub, user));
  auto moved = hub.db().set_access_status(h.row.id, a.id, status, rejection_reason, now_ms());
  if (!moved && moved.error().code == Errc::conflict)
    return fail(Errc::not_found, "The access request of " + a.name + " is already " + std::string(status));
  if (!moved && moved.error().code == Errc::not_found)
    return fail(Errc::not_found, "No access request from " + a.name + " for " + h.row.full_id());
  return moved;
}

Result<void> grant_access(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                          std::string_view name, std::string_view user) {
  HUB_TRY(h, open_for_writers(hub, p, type, ns, name));
  HUB_TRY(a, user_named(hub, user));
  AccessRequestRow r;
  r.repo_id = h.row.id;
  r.account_id = a.id;
  r.status = "accepted";
  r.granted = true;
  r.created_at = r.updated_at = now_ms();
  auto made = hub.db().create_access_request(r);
  if (made) return {};
  if (made.error().code != Errc::already_exists) return made;
  // A request exists: granting accepts it, unless it already is.
  auto moved = hub.db().set_access_status(h.row.id, a.id, "accepted", "", now_ms());
  if (!moved && moved.error().code == Errc::conflict)
    return fail(Errc::invalid_argument, "User " + a.name + " already has access to " + h.row.full_id());
  return moved;
}

}  // namespace hub::services
