// Page handlers of the web UI, one file per group (explore, repo, files, history, account,
// repo settings, metrics), all declared here and bound in routes.cpp. Each is a plain
// Request -> Response function over the shared Site. Internal to web/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "services/repos.h"
#include "storage/git/diff.h"
#include "storage/git/repo.h"
#include "web/site.h"

namespace hub::web::pages {

using http::Request;
using http::Response;

// static files and the home page
Response static_file(Site& s, Request& req);
Response home(Site& s, Request& req);
Response explore(Site& s, Request& req, std::string_view type);
Response profile(Site& s, Request& req);
Response suggest(Site& s, Request& req);  // JSON for search-as-you-type

// account.cpp
Response login_form(Site& s, Request& req);
Response login_submit(Site& s, Request& req);
Response join_form(Site& s, Request& req);
Response join_submit(Site& s, Request& req);
Response logout_form(Site& s, Request& req);
Response logout(Site& s, Request& req);
Response tokens_page(Site& s, Request& req);
Response tokens_create(Site& s, Request& req);
Response tokens_delete(Site& s, Request& req);
// webhooks.cpp (issue 17): settings → webhooks, and one webhook with its deliveries.
Response webhooks_page(Site& s, Request& req);
Response webhooks_create(Site& s, Request& req);
Response webhook_page(Site& s, Request& req);
Response webhook_action(Site& s, Request& req);
Response new_repo_form(Site& s, Request& req);
Response new_repo_submit(Site& s, Request& req);

// repo.cpp / files.cpp / history.cpp / manage.cpp / metrics.cpp (type: "model", "dataset")
Response repo_home(Site& s, Request& req, std::string_view type);
Response tree(Site& s, Request& req, std::string_view type);
Response blob(Site& s, Request& req, std::string_view type);
Response commits(Site& s, Request& req, std::string_view type);
Response commit(Site& s, Request& req, std::string_view type);
Response settings_page(Site& s, Request& req, std::string_view type);
Response settings_submit(Site& s, Request& req, std::string_view type);
Response upload_form(Site& s, Request& req, std::string_view type);
Response upload_submit(Site& s, Request& req, std::string_view type);
Response like(Site& s, Request& req, std::string_view type);
Response metrics_page(Site& s, Request& req, std::string_view type);
Response metrics_data(Site& s, Request& req, std::string_view type);
// discussions.cpp (issue 17): the Community tab, a discussion/PR page, a PR's files, actions.
Response discussions_page(Site& s, Request& req, std::string_view type);
Response discussion_create(Site& s, Request& req, std::string_view type);
Response discussion_page(Site& s, Request& req, std::string_view type);
Response discussion_files(Site& s, Request& req, std::string_view type);
Response discussion_action(Site& s, Request& req, std::string_view type);

// gating.cpp (issue 17): the access request form and the settings section of gated repos.
Response ask_access_submit(Site& s, Request& req, std::string_view type);

// ---- shared by the repo pages (repo_view.cpp) ----

struct RepoView {
  services::RepoHandle handle;
  std::optional<storage::git::Repo> git;
  std::string type;  // "model", "dataset"
  std::string id;    // "ns/name"
  std::string base;  // "/ns/name" or "/datasets/ns/name"
  std::string default_branch;
  bool can_write = false;
};

// Opens {ns}/{name} from the route for `need`; on failure *err holds the page to send
// (404, log-in redirect, or a redirect to the repo's new name).
std::optional<RepoView> open_view(Page& p, std::string_view type, services::Access need, Response* err);
// The repo header's fields: id, links, tabs (active one marked), badges, like count.
json::object repo_header(const Page& p, RepoView& v, std::string_view tab, std::string_view rev);
// Resolves rev (branch, tag or commit) -> commit id; on failure *err is a 404 page.
std::optional<std::string> resolve_rev(Page& p, RepoView& v, std::string_view rev, Response* err);
// Branches and tags for the switcher, the current one marked; each links to base/{kind}/{name}{suffix}.
json::array ref_choices(RepoView& v, std::string_view current, std::string_view kind, std::string_view suffix);
// The diff_files template's fields (files, counts) for a diff; file links point at `rev`.
void add_diff_view(const RepoView& v, const storage::git::CommitDiff& diff, std::string_view rev, json::object& data);
// gating.cpp: the repo page's gate box (empty when the repo is not gated); the settings page's
// gate section; a settings form action of the gate ("gated", "access", "grant"), nullopt for others.
json::object gate_box(Page& p, RepoView& v);
void add_gate_settings(Page& p, RepoView& v, json::object& data);
std::optional<Result<void>> gate_settings_action(Page& p, RepoView& v, const Form& f, std::string_view action);
// "/ns/name/tree/main/a/b" style link; rev and path percent-encoded per segment.
std::string repo_link(const RepoView& v, std::string_view kind, std::string_view rev, std::string_view path = {});

}  // namespace hub::web::pages
