#include "storage/git/lfs_pointer.h"

#include <unordered_set>

#include "storage/git/git_private.h"

namespace hub::storage::git {
using namespace detail;

namespace {

using DiffPtr = GitPtr<git_diff, git_diff_free>;

struct Scanner {
  git_repository* repo;
  git_odb* odb;
  LfsScan out;
  std::unordered_set<std::string> seen_blobs;  // a blob is parsed once per scan
  std::unordered_set<std::string> seen_oids;

  Result<void> consider(const git_diff_file& f) {
    if (f.mode != GIT_FILEMODE_BLOB && f.mode != GIT_FILEMODE_BLOB_EXECUTABLE) return {};
    std::string id = oid_hex(f.id);
    if (!seen_blobs.insert(id).second) return {};
    size_t size = 0;
    git_object_t type;
    if (int rc = git_odb_read_header(&size, &type, odb, &f.id); rc < 0) return git_fail(rc, "read blob header " + id);
    if (type != GIT_OBJECT_BLOB || !may_be_lfs_pointer(size)) return {};
    git_blob* raw = nullptr;
    if (int rc = git_blob_lookup(&raw, repo, &f.id); rc < 0) return git_fail(rc, "read blob " + id);
    BlobPtr blob(raw);
    std::string_view text(static_cast<const char*>(git_blob_rawcontent(raw)), size_t(git_blob_rawsize(raw)));
    auto p = parse_lfs_pointer(text);
    if (p && seen_oids.insert(p->oid).second) out.pointers.push_back(std::move(*p));
    return {};
  }

  Result<void> visit(const git_oid& commit_id) {
    git_commit* raw = nullptr;
    if (int rc = git_commit_lookup(&raw, repo, &commit_id); rc < 0) return git_fail(rc, "read commit");
    CommitPtr commit(raw);
    git_tree* tree_raw = nullptr;
    if (int rc = git_commit_tree(&tree_raw, commit.get()); rc < 0) return git_fail(rc, "read commit tree");
    TreePtr tree(tree_raw);
    // Against the first parent: anything reachable through other parents arrived in commits
    // that are visited themselves or were scanned when they were pushed.
    TreePtr parent_tree;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* p = nullptr;
      if (int rc = git_commit_parent(&p, commit.get(), 0); rc < 0) return git_fail(rc, "read parent commit");
      CommitPtr parent(p);
      git_tree* pt = nullptr;
      if (int rc = git_commit_tree(&pt, parent.get()); rc < 0) return git_fail(rc, "read parent tree");
      parent_tree.reset(pt);
    }
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
    git_diff* diff_raw = nullptr;
    if (int rc = git_diff_tree_to_tree(&diff_raw, repo, parent_tree.get(), tree.get(), &opts); rc < 0)
      return git_fail(rc, "diff trees");
    DiffPtr diff(diff_raw);
    for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
      const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
      if (d->status == GIT_DELTA_DELETED) continue;
      if (auto r = consider(d->new_file); !r) return r;
    }
    return {};
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
    return git_fail(rc, "open repository " + repo_path, "RepoNotFound");
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
    if (int rc = git_revwalk_push(walk.get(), &id); rc < 0) return git_fail(rc, "walk from " + t, "RevisionNotFound");
  }
  for (const auto& h : hide) {
    git_oid id;
    if (parse_oid(h, &id)) (void)git_revwalk_hide(walk.get(), &id);  // gone after a force push: fine
  }
  Scanner s{repo.get(), odb.get(), {}, {}, {}};
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
  }
  return std::move(s.out);
}

}  // namespace hub::storage::git
