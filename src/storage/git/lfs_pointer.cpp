#include "storage/git/lfs_pointer.h"

#include <optional>
#include <unordered_set>

#include "storage/git/repo_impl.h"
#include "storage/git/tree_limits.h"

namespace hub::storage::git {
using namespace detail;

namespace {

struct Scanner {
  git_repository* repo;
  git_odb* odb;
  TreeLimits limits;
  size_t max_entries;  // tree entries compared in the whole scan
  LfsScan out;
  std::unordered_set<std::string> seen_blobs;  // a blob is parsed once per scan
  std::unordered_set<std::string> seen_oids;
  std::unordered_set<std::string> seen_trees;  // a new tree's content is compared once per scan
  size_t entries = 0;

  Result<void> consider(const git_oid& blob_id) {
    std::string id = oid_hex(blob_id);
    if (!seen_blobs.insert(id).second) return {};
    size_t size = 0;
    git_object_t type;
    if (int rc = git_odb_read_header(&size, &type, odb, &blob_id); rc < 0) return git_fail(rc, "read blob header " + id);
    if (type != GIT_OBJECT_BLOB || !may_be_lfs_pointer(size)) return {};
    git_blob* raw = nullptr;
    if (int rc = git_blob_lookup(&raw, repo, &blob_id); rc < 0) return git_fail(rc, "read blob " + id);
    BlobPtr blob(raw);
    std::string_view text(static_cast<const char*>(git_blob_rawcontent(raw)), size_t(git_blob_rawsize(raw)));
    auto p = parse_lfs_pointer(text);
    if (p && seen_oids.insert(p->oid).second) out.pointers.push_back(std::move(*p));
    return {};
  }

  // The blobs `now` has that `before` (null: nothing) lacks at the same path. Unchanged
  // subtrees are skipped by id and a tree already compared is not compared again, so a tree
  // that repeats one subtree a million times costs one comparison; the entry budget bounds
  // the rest (past it the scan stops and says so).
  Result<void> diff_trees(const git_oid* before, const git_oid& now, size_t level) {
    if (out.truncated) return {};
    if (before && git_oid_equal(before, &now)) return {};
    if (!seen_trees.insert(oid_hex(now)).second) return {};
    if (level > limits.max_depth) {
      out.truncated = true;
      return {};
    }
    auto now_tree = lookup_tree_bounded(repo, now, limits, "");
    if (!now_tree) {
      if (now_tree.error().code != Errc::too_large) return std::unexpected(now_tree.error());
      out.truncated = true;
      return {};
    }
    TreePtr old_tree;
    if (before) {
      auto t = lookup_tree_bounded(repo, *before, limits, "");
      if (t) old_tree = std::move(*t);  // an oversized old folder: compare against nothing
    }
    for (size_t i = 0, n = git_tree_entrycount(now_tree->get()); i < n; ++i) {
      if (++entries > max_entries) {
        out.truncated = true;
        return {};
      }
      const git_tree_entry* e = git_tree_entry_byindex(now_tree->get(), i);
      const git_tree_entry* old = old_tree ? git_tree_entry_byname(old_tree.get(), git_tree_entry_name(e)) : nullptr;
      git_filemode_t mode = git_tree_entry_filemode(e);
      if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
        if (old && git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(e))) continue;
        if (auto r = consider(*git_tree_entry_id(e)); !r) return r;
      } else if (mode == GIT_FILEMODE_TREE) {
        const git_oid* old_id = old && git_tree_entry_type(old) == GIT_OBJECT_TREE ? git_tree_entry_id(old) : nullptr;
        if (auto r = diff_trees(old_id, *git_tree_entry_id(e), level + 1); !r) return r;
        if (out.truncated) return {};
      }
    }
    return {};
  }

  Result<void> visit(const git_oid& commit_id) {
    git_commit* raw = nullptr;
    if (int rc = git_commit_lookup(&raw, repo, &commit_id); rc < 0) return git_fail(rc, "read commit");
    CommitPtr commit(raw);
    // Against the first parent: anything reachable through other parents arrived in commits
    // that are visited themselves or were scanned when they were pushed.
    std::optional<git_oid> parent_tree;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* p = nullptr;
      if (int rc = git_commit_parent(&p, commit.get(), 0); rc < 0) return git_fail(rc, "read parent commit");
      CommitPtr parent(p);
      parent_tree = *git_commit_tree_id(parent.get());
    }
    return diff_trees(parent_tree ? &*parent_tree : nullptr, *git_commit_tree_id(commit.get()), 0);
  }
};

}  // namespace

std::optional<LfsPointer> parse_lfs_pointer(std::string_view blob) {
  auto p = hub::parse_lfs_pointer(blob);
  if (!p) return std::nullopt;
  return LfsPointer{std::move(p->oid), p->size, blob.size()};
}

Result<LfsScan> scan_lfs_pointers(const std::string& repo_path, const std::vector<std::string>& tips,
                                  const std::vector<std::string>& hide, const LfsScanLimits& limits) {
  ensure_libgit2();
  git_repository* repo_raw = nullptr;
  if (int rc = git_repository_open_ext(&repo_raw, repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr); rc < 0)
    return git_fail(rc, "open repository " + repo_path, Detail::RepoNotFound);
  RepoPtr repo(repo_raw);
  git_odb* odb_raw = nullptr;
  if (int rc = git_repository_odb(&odb_raw, repo.get()); rc < 0) return git_fail(rc, "open object database");
  OdbPtr odb(odb_raw);
  git_revwalk* walk_raw = nullptr;
  if (int rc = git_revwalk_new(&walk_raw, repo.get()); rc < 0) return git_fail(rc, "revwalk");
  RevwalkPtr walk(walk_raw);
  for (const auto& t : tips) {
    git_oid id;
    if (!parse_oid(t, &id)) return fail(Errc::invalid_argument, "not a commit id: " + t);
    if (int rc = git_revwalk_push(walk.get(), &id); rc < 0) return git_fail(rc, "walk from " + t, Detail::RevisionNotFound);
  }
  for (const auto& h : hide) {
    git_oid id;
    if (parse_oid(h, &id)) (void)git_revwalk_hide(walk.get(), &id);  // gone after a force push: fine
  }
  TreeLimits tl = tree_limits();
  Scanner s{repo.get(), odb.get(), tl, limits.max_entries ? limits.max_entries : 8 * tl.max_entries, {}, {}, {}, {}};
  git_oid id;
  for (;;) {
    int rc = git_revwalk_next(&id, walk.get());
    if (rc == GIT_ITEROVER) break;
    if (rc < 0) return git_fail(rc, "walk commits");
    if (s.out.commits >= limits.max_commits) {
      s.out.truncated = true;
      break;
    }
    ++s.out.commits;
    if (auto r = s.visit(id); !r) return std::unexpected(r.error());
    if (s.out.truncated) break;
  }
  return std::move(s.out);
}

}  // namespace hub::storage::git
