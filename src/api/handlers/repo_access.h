// Shared by the read handlers (files, tree, history, repo info): authenticate the request,
// open the repo the route names (private repos are RepoNotFound to others, renamed repos
// answer a relative 307 to the new name, as the Hub does), and resolve revisions.
// Opened repositories come from a small process-wide pool of libgit2 handles: opening one
// costs ~50 syscalls (config files, layout checks), more than the rest of a HEAD /resolve.
// A pooled handle stays correct while git pushes and API commits change the repo (libgit2
// re-reads refs from disk and rescans packs on a miss); pool keys include the repo's uid, so a
// deleted and re-created repo never gets its predecessor's handle.
// An OpenedRepo is used by one request at a time; the pool is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "api/context.h"
#include "http/message.h"
#include "services/auth.h"
#include "services/repos.h"
#include "storage/git/repo.h"

namespace hub::api::handlers {

struct OpenedRepo {
  services::Principal principal;
  services::RepoHandle handle;
  std::shared_ptr<storage::git::Repo> lease;  // the pooled handle; back to the pool with the last copy
  storage::git::Repo& repo;                   // *lease
  std::string type;  // "model" | "dataset" | "space"

  // rev -> 40-hex commit; RevisionNotFound otherwise. Memoized for the request: routes probe
  // the revision while splitting it from the path, then resolve it again.
  Result<std::string> resolve(std::string_view rev) const {
    if (auto it = resolved_.find(rev); it != resolved_.end()) return it->second;
    auto r = repo.resolve_revision(rev);
    if (r) resolved_.emplace(std::string(rev), *r);
    return r;
  }
  // A service error as the Hub answers it (401 for anonymous RepoNotFound, ...).
  http::Response error(const Error& e) const;

  mutable std::map<std::string, std::string, std::less<>> resolved_ = {};
};

// The repo named by req.params "ns"/"name", or the response that refuses it (error or 307).
std::variant<OpenedRepo, http::Response> open_repo_for(Context& ctx, http::Request& req, std::string_view type,
                                                       services::Access need = services::Access::read);

// A pooled handle on the bare repo at `path` of the repo with this uid.
Result<std::shared_ptr<storage::git::Repo>> pooled_repo(const std::string& uid, const std::string& path);

// 307 to the same raw path and query with the repo's ns/name segments replaced by new_id
// ("ns/name"): a relative Location, so Python's metadata HEAD follows it (HUB_API.md §2 move).
http::Response moved_redirect(const http::Request& req, std::string_view new_id);

}  // namespace hub::api::handlers
