#include "services/branches.h"

#include "core/time.h"
#include "services/refs_changed.h"
#include "storage/git/commit_builder.h"
#include "storage/git/repo.h"

namespace hub::services {

namespace git = storage::git;

namespace {

constexpr const char* kZeroOid = "0000000000000000000000000000000000000000";

void record(Hub& hub, const RepoHandle& repo, std::string ref, std::string old_oid, std::string new_oid) {
  on_refs_updated(hub, repo, {storage::db::RefUpdate{repo.row.id, std::move(ref), std::move(old_oid),
                                                     std::move(new_oid), now_ms()}});
}

Result<void> bad_name(std::string_view kind, std::string_view name) {
  return fail(Errc::invalid_argument, "Invalid " + std::string(kind) + " name: " + std::string(name));
}

}  // namespace

Result<std::string> create_branch(Hub& hub, const RepoHandle& repo, const NewBranch& b, const git::Signature& who) {
  if (!git::is_valid_branch_name(b.name)) return std::unexpected(bad_name("branch", b.name).error());
  HUB_TRY(g, git::Repo::open(repo.path));
  std::string ref = "refs/heads/" + b.name;
  std::string target;
  if (b.empty) {
    HUB_TRY(builder, git::CommitBuilder::start(g, ""));
    git::CommitOptions opts;
    opts.summary = "Create empty branch " + b.name;
    opts.author = who;
    HUB_TRY(id, builder.write(opts));
    target = id;
  } else {
    std::string from = b.starting_point;
    if (from.empty()) {
      HUB_TRY(def, g.default_branch());
      from = def;
    }
    auto id = g.resolve_revision(from);
    if (!id) return fail(Errc::not_found, "Invalid rev id: " + from, "RevisionNotFound");
    target = *id;
  }
  auto existing = g.resolve_revision(ref);
  if (existing) {
    if (!b.overwrite) return fail(Errc::already_exists, "Reference already exists: " + ref);
    if (auto r = g.update_ref_cas(ref, target, *existing, "hubd: overwrite branch"); !r) return std::unexpected(r.error());
    record(hub, repo, ref, *existing, target);
    return target;
  }
  if (auto r = g.create_branch(b.name, target); !r) return std::unexpected(r.error());
  record(hub, repo, ref, kZeroOid, target);
  return target;
}

Result<void> delete_branch(Hub& hub, const RepoHandle& repo, std::string_view name) {
  if (!git::is_valid_branch_name(name)) return bad_name("branch", name);
  HUB_TRY(g, git::Repo::open(repo.path));
  std::string ref = "refs/heads/" + std::string(name);
  auto old = g.resolve_revision(ref);
  if (!old) return fail(Errc::not_found, "Branch not found: " + std::string(name), "RevisionNotFound");
  if (auto r = g.delete_branch(name); !r) return r;
  record(hub, repo, ref, *old, kZeroOid);
  return {};
}

Result<std::string> create_tag(Hub& hub, const RepoHandle& repo, std::string_view revision, std::string_view tag,
                               std::string_view message, const git::Signature& who) {
  if (!git::is_valid_tag_name(tag)) return std::unexpected(bad_name("tag", tag).error());
  HUB_TRY(g, git::Repo::open(repo.path));
  auto target = g.resolve_revision(revision);
  if (!target) return fail(Errc::not_found, "Invalid rev id: " + std::string(revision), "RevisionNotFound");
  std::string ref = "refs/tags/" + std::string(tag);
  if (g.resolve_revision(ref)) return fail(Errc::already_exists, "Tag already exists: " + std::string(tag));
  if (auto r = g.create_tag(tag, *target, message, who); !r) return std::unexpected(r.error());
  record(hub, repo, ref, kZeroOid, *target);
  return *target;
}

Result<void> delete_tag(Hub& hub, const RepoHandle& repo, std::string_view tag) {
  if (!git::is_valid_tag_name(tag)) return bad_name("tag", tag);
  HUB_TRY(g, git::Repo::open(repo.path));
  std::string ref = "refs/tags/" + std::string(tag);
  auto old = g.resolve_revision(ref);
  if (!old) return fail(Errc::not_found, "Tag not found: " + std::string(tag), "RevisionNotFound");
  if (auto r = g.delete_tag(tag); !r) return r;
  record(hub, repo, ref, *old, kZeroOid);
  return {};
}

Result<std::string> super_squash(Hub& hub, const RepoHandle& repo, std::string_view branch, std::string_view message,
                                 const git::Signature& who) {
  // Special refs too (a PR's refs/pr/N, refs/convert/parquet), as the Hub allows.
  bool special = branch.starts_with("refs/pr/") || branch.starts_with("refs/convert/");
  if (special ? !git::is_valid_branch_name(branch.substr(5)) : !git::is_valid_branch_name(branch))
    return std::unexpected(bad_name("branch", branch).error());
  HUB_TRY(g, git::Repo::open(repo.path));
  std::string ref = special ? std::string(branch) : "refs/heads/" + std::string(branch);
  auto head = g.resolve_revision(ref);
  if (!head) return fail(Errc::not_found, "Branch not found: " + std::string(branch), "RevisionNotFound");
  // The head's tree as it is, under one parentless commit: modes (executables, symlinks), LFS
  // pointers and submodules survive untouched, and nothing is read file by file.
  git::CommitOptions opts;
  opts.summary = message.empty() ? "Super-squash branch '" + std::string(branch) + "'" : std::string(message);
  opts.author = who;
  HUB_TRY(id, git::write_root_commit_with_tree_of(g, *head, opts));
  if (auto r = g.update_ref_cas(ref, id, *head, "hubd: super-squash"); !r) return std::unexpected(r.error());
  record(hub, repo, ref, *head, id);
  return id;
}

}  // namespace hub::services
