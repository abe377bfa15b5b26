// Repo history: paged log (optionally limited to a path) and last commit per path.
#include <optional>

#include "storage/git/repo.h"
#include "storage/git/repo_impl.h"

namespace hub::storage::git {
using namespace detail;

namespace {

// The id of `path` in tree ("" = the tree itself); nullopt when absent.
std::optional<git_oid> path_id(const git_tree* tree, const std::string& path) {
  if (!tree) return std::nullopt;
  if (path.empty()) return *git_tree_id(tree);
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree, path.c_str()) < 0) return std::nullopt;
  TreeEntryPtr e(raw);
  return *git_tree_entry_id(e.get());
}

bool same(const std::optional<git_oid>& a, const std::optional<git_oid>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || git_oid_equal(&*a, &*b);
}

// A commit's tree and its first parent's tree (null for a root commit).
struct TreePair {
  TreePtr tree;
  TreePtr parent;
};

Result<TreePair> trees_of(git_repository* repo, const git_oid& id, git_commit** out_commit) {
  git_commit* c = nullptr;
  if (int rc = git_commit_lookup(&c, repo, &id); rc < 0) return git_fail(rc, "read commit");
  *out_commit = c;
  TreePair tp;
  git_tree* t = nullptr;
  if (int rc = git_commit_tree(&t, c); rc < 0) return git_fail(rc, "read tree");
  tp.tree.reset(t);
  if (git_commit_parentcount(c) > 0) {
    git_commit* p = nullptr;
    if (int rc = git_commit_parent(&p, c, 0); rc < 0) return git_fail(rc, "read parent");
    CommitPtr parent(p);
    git_tree* pt = nullptr;
    if (int rc = git_commit_tree(&pt, parent.get()); rc < 0) return git_fail(rc, "read tree");
    tp.parent.reset(pt);
  }
  return tp;
}

Result<RevwalkPtr> walk_from(git_repository* repo, const git_commit* start) {
  git_revwalk* raw = nullptr;
  if (int rc = git_revwalk_new(&raw, repo); rc < 0) return git_fail(rc, "revwalk");
  RevwalkPtr walk(raw);
  // Topological: a parent never precedes its child, even within the same second.
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (int rc = git_revwalk_push(walk.get(), git_commit_id(start)); rc < 0) {
    return git_fail(rc, "revwalk");
  }
  return walk;
}

}  // namespace

Result<LogPage> Repo::log(std::string_view commit, size_t skip, size_t limit,
                          std::string_view path) const {
  git_repository* repo = impl_->get();
  HUB_TRY(start, lookup_commit(repo, commit));
  HUB_TRY(walk, walk_from(repo, start.get()));
  std::string p(trim_slashes(path));
  LogPage page;
  git_oid id;
  int rc = 0;
  while ((rc = git_revwalk_next(&id, walk.get())) == 0) {
    if (!p.empty()) {
      git_commit* raw = nullptr;
      auto trees = trees_of(repo, id, &raw);
      CommitPtr c(raw);
      if (!trees) return std::unexpected(trees.error());
      if (same(path_id(trees->tree.get(), p), path_id(trees->parent.get(), p))) continue;
    }
    uint64_t index = page.total++;
    if (index < skip || page.commits.size() >= limit) continue;
    git_commit* raw = nullptr;
    if (int lrc = git_commit_lookup(&raw, repo, &id); lrc < 0) return git_fail(lrc, "read commit");
    CommitPtr c(raw);
    page.commits.push_back(to_commit_info(c.get()));
  }
  if (rc != GIT_ITEROVER) return git_fail(rc, "revwalk");
  return page;
}

Result<std::vector<std::optional<CommitInfo>>> Repo::last_commits_for_paths(
    std::string_view commit, const std::vector<std::string>& paths, size_t max_walk) const {
  git_repository* repo = impl_->get();
  HUB_TRY(start, lookup_commit(repo, commit));
  std::vector<std::optional<CommitInfo>> out(paths.size());
  std::vector<std::string> norm;
  std::vector<size_t> pending;
  {
    git_tree* t = nullptr;
    if (int rc = git_commit_tree(&t, start.get()); rc < 0) return git_fail(rc, "read tree");
    TreePtr tree(t);
    for (size_t i = 0; i < paths.size(); ++i) {
      norm.emplace_back(trim_slashes(paths[i]));
      if (path_id(tree.get(), norm.back())) pending.push_back(i);  // missing paths stay nullopt
    }
  }
  HUB_TRY(walk, walk_from(repo, start.get()));
  git_oid id;
  size_t walked = 0;
  while (!pending.empty() && walked++ < max_walk && git_revwalk_next(&id, walk.get()) == 0) {
    git_commit* raw = nullptr;
    auto trees = trees_of(repo, id, &raw);
    CommitPtr c(raw);
    if (!trees) return std::unexpected(trees.error());
    if (trees->parent && git_oid_equal(git_tree_id(trees->tree.get()),
                                       git_tree_id(trees->parent.get()))) {
      continue;  // empty commit: touches nothing
    }
    std::optional<CommitInfo> info;
    std::vector<size_t> still;
    for (size_t i : pending) {
      if (same(path_id(trees->tree.get(), norm[i]), path_id(trees->parent.get(), norm[i]))) {
        still.push_back(i);
        continue;
      }
      if (!info) info = to_commit_info(c.get());
      out[i] = info;
    }
    pending.swap(still);
  }
  return out;
}

}  // namespace hub::storage::git
