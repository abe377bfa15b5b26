#include "services/repos.h"

#include <cstdio>
#include <filesystem>

#include "core/hash.h"
#include "core/log.h"
#include "core/time.h"
#include "services/commits.h"
#include "services/gating.h"
#include "services/indexer.h"
#include "services/names.h"
#include "services/webhooks.h"
#include "storage/git/repo.h"

namespace hub::services {

namespace stdfs = std::filesystem;
using storage::db::RepoRow;

Result<std::pair<std::string, std::string>> split_repo_id(std::string_view id) {
  size_t slash = id.find('/');
  if (slash == std::string_view::npos || id.find('/', slash + 1) != std::string_view::npos)
    return fail(Errc::invalid_argument, "Invalid repo id '" + std::string(id.substr(0, 200)) +
                                            "': expected 'namespace/name'");
  std::string ns(id.substr(0, slash)), name(id.substr(slash + 1));
  if (auto r = validate_repo_name(ns); !r) return std::unexpected(r.error());
  if (auto r = validate_repo_name(name); !r) return std::unexpected(r.error());
  return std::pair{ns, name};
}

Result<RepoHandle> open_repo(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                             std::string_view name, Access need) {
  auto not_found = [] { return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound); };
  auto row = hub.db().repo_by_name(type, ns, name);
  if (!row) {
    if (row.error().code != Errc::not_found) return std::unexpected(row.error());
    auto moved = hub.db().redirect_of(type, ns, name);
    if (moved && *moved && can_read(hub, p, **moved))
      return fail(Errc::not_found, (*moved)->full_id(), Detail::RepoMoved);
    return not_found();
  }
  if (!can_read(hub, p, *row)) return not_found();
  if (need == Access::content) {
    if (auto gate = check_content_access(hub, p, *row); !gate) return std::unexpected(gate.error());
  }
  if (need == Access::contribute || need == Access::write) {
    if (auto scope = require_write_scope(p); !scope) {
      if (p.anonymous()) return fail(Errc::unauthenticated, "Authentication required to write to this repo");
      return std::unexpected(scope.error());
    }
  }
  if (need == Access::write && !can_write(hub, p, *row)) {
    if (p.anonymous()) return fail(Errc::unauthenticated, "Authentication required to write to this repo");
    return fail(Errc::forbidden, "You don't have write access to " + row->full_id());
  }
  return RepoHandle{*row, hub.repo_path(row->type, row->ns, row->name)};
}

Result<RepoHandle> create_repo(Hub& hub, const Principal& p, const NewRepo& r) {
  if (p.anonymous()) return fail(Errc::unauthenticated, "You must be authenticated to create a repo");
  if (auto scope = require_write_scope(p); !scope) return std::unexpected(scope.error());
  auto type = parse_repo_type(r.type);
  if (!type) return std::unexpected(type.error());
  std::string ns = r.ns.empty() ? p.account->name : r.ns;
  if (auto v = validate_repo_name(r.name); !v) return std::unexpected(v.error());
  auto owner = hub.db().account_by_name(ns);
  if (!owner) return fail(Errc::not_found, "No user or organization named '" + ns + "'");
  ns = owner->name;  // canonical case
  if (!can_write_namespace(hub, p, ns))
    return fail(Errc::forbidden, "You don't have the rights to create a repo under the namespace '" + ns + "'");
  if (auto existing = hub.db().repo_by_name(*type, ns, r.name); existing)
    return fail(Errc::already_exists, "You already created this " + std::string(*type) + " repo");

  // The database decides who owns the name, before anything on disk changes: of concurrent
  // creates of one name (any case, any node) exactly one inserts the row, and only that one
  // touches the repository path; the others leave without touching what the winner builds.
  // The bare repo is built under tmp/ and renamed into place, so nobody sees a half-made one.
  std::string final_path = hub.repo_path(*type, ns, r.name);
  std::string tmp = hub.tmp_dir() + "/new-" + hex_encode(random_bytes(8)) + ".git";
  storage::git::RepoInitOptions opts;
  // The creator authors the initial commit, as on the Hub (commit lists show their name).
  opts.author = signature_of(p);
  for (const auto& [path, content] : r.files) {
    if (path == ".gitattributes") opts.gitattributes = content;
    else opts.files.emplace_back(path, content);
  }
  auto repo = storage::git::Repo::init_bare(tmp, opts);
  if (!repo) return std::unexpected(repo.error());
  std::error_code ec;
  RepoRow row;
  row.uid = hex_encode(random_bytes(12));
  row.type = *type;
  row.ns = ns;
  row.name = r.name;
  row.is_private = r.is_private;
  row.created_at = row.updated_at = now_ms();
  auto inserted = hub.db().create_repo(row);
  if (!inserted) {
    stdfs::remove_all(tmp, ec);
    return std::unexpected(inserted.error());
  }
  auto undo = [&](std::string why) -> Result<RepoHandle> {
    stdfs::remove_all(tmp, ec);
    (void)hub.db().delete_repo(inserted->id);
    return fail(Errc::io, std::move(why));
  };
  stdfs::create_directories(stdfs::path(final_path).parent_path(), ec);
  if (stdfs::exists(final_path)) {
    // No row owned this path when ours went in: a leftover of a crash (or of a rename that
    // failed halfway). It is moved aside, never deleted: it may be someone's data.
    std::string aside = hub.data_dir() + "/orphans/" + std::string(*type) + "-" + ns + "-" + r.name + "-" +
                        hex_encode(random_bytes(4)) + ".git";
    stdfs::create_directories(hub.data_dir() + "/orphans", ec);
    log::warn("moving an orphan repository directory aside", {{"path", final_path}, {"to", aside}});
    if (std::rename(final_path.c_str(), aside.c_str()) != 0) return undo("cannot move an old directory out of the way");
  }
  if (std::rename(tmp.c_str(), final_path.c_str()) != 0) return undo("cannot move the new repository into place");
  // The listing row of the initial commit (issue 5); a failure only delays it to the next push
  // or the startup catch-up, so it never fails the create.
  if (auto ix = index_repo(hub, *inserted); !ix)
    log::warn("cannot index new repo", {{"repo", inserted->full_id()}, {"error", ix.error().message}});
  emit_repo_event(hub, *inserted, "repo", "create");
  return RepoHandle{*inserted, final_path};
}

Result<void> delete_repo(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                         std::string_view name) {
  auto h = open_repo(hub, p, type, ns, name, Access::write);
  if (!h) {
    if (h.error().detail == Detail::RepoMoved) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
    return std::unexpected(h.error());
  }
  // Move the directory aside first so the name is free at once, then drop the row.
  std::string trash = hub.tmp_dir() + "/deleted-" + h->row.uid + ".git";
  if (std::rename(h->path.c_str(), trash.c_str()) != 0 && errno != ENOENT)
    return fail(Errc::io, "cannot remove the repository directory");
  if (auto r = hub.db().delete_repo(h->row.id); !r) {
    std::rename(trash.c_str(), h->path.c_str());
    return r;
  }
  std::error_code ec;
  stdfs::remove_all(trash, ec);
  emit_repo_event(hub, h->row, "repo", "delete");
  return {};
}

Result<RepoHandle> move_repo(Hub& hub, const Principal& p, std::string_view type, std::string_view from_id,
                             std::string_view to_id) {
  auto from = split_repo_id(from_id);
  if (!from) return std::unexpected(from.error());
  auto to = split_repo_id(to_id);
  if (!to) return std::unexpected(to.error());
  auto h = open_repo(hub, p, type, from->first, from->second, Access::write);
  if (!h) return std::unexpected(h.error());
  auto owner = hub.db().account_by_name(to->first);
  if (!owner) return fail(Errc::not_found, "No user or organization named '" + to->first + "'");
  if (!can_write_namespace(hub, p, owner->name))
    return fail(Errc::forbidden, "You don't have the rights to move a repo to '" + owner->name + "'");
  std::string new_path = hub.repo_path(type, owner->name, to->second);
  if (new_path != h->path && stdfs::exists(new_path) &&
      hub.db().repo_by_name(type, owner->name, to->second))
    return fail(Errc::already_exists, "A " + std::string(type) + " repository called " + owner->name + "/" +
                                          to->second + " already exists");
  std::error_code ec;
  stdfs::create_directories(stdfs::path(new_path).parent_path(), ec);
  if (new_path != h->path && std::rename(h->path.c_str(), new_path.c_str()) != 0)
    return fail(Errc::io, "cannot move the repository directory");
  if (auto r = hub.db().move_repo(h->row.id, owner->name, to->second); !r) {
    std::rename(new_path.c_str(), h->path.c_str());
    return std::unexpected(r.error());
  }
  auto row = hub.db().repo_by_id(h->row.id);
  if (!row) return std::unexpected(row.error());
  emit_repo_event(hub, h->row, "repo", "move",
                  json::object{{"movedTo", json::object{{"name", row->full_id()}, {"owner", json::object{{"id", row->ns}}}}}});
  return RepoHandle{*row, new_path};
}

Result<void> update_repo_settings(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                  std::string_view name, std::optional<bool> is_private,
                                  std::optional<std::string> gated) {
  auto h = open_repo(hub, p, type, ns, name, Access::write);
  if (!h) return std::unexpected(h.error());
  if (gated && !gated->empty() && *gated != "auto" && *gated != "manual")
    return fail(Errc::invalid_argument, "gated must be false, \"auto\" or \"manual\"");
  if (auto r = hub.db().update_repo_settings(h->row.id, is_private, gated); !r) return r;
  if (is_private)
    if (auto now = hub.db().repo_by_id(h->row.id))
      emit_repo_event(hub, *now, "repo.config", "update", json::object{{"updatedConfig", json::object{{"private", *is_private}}}});
  return hub.db().touch_repo(h->row.id, now_ms());
}

}  // namespace hub::services
