#include "storage/git/tree_limits.h"

#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "storage/git/repo_impl.h"

namespace hub::storage::git {
using namespace detail;

namespace {

std::mutex g_limits_mu;
TreeLimits g_limits;

struct OidHash {
  size_t operator()(const git_oid& o) const noexcept {
    size_t h;
    std::memcpy(&h, o.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const noexcept { return git_oid_equal(&a, &b) != 0; }
};
using ShapeMap = std::unordered_map<git_oid, TreeShape, OidHash, OidEq>;

// Shapes of trees found within the limits, shared by every check of this process: a commit
// that changes one file re-reads only the folders on that file's path. Cleared when full.
constexpr size_t kSharedMemoMax = 200'000;
std::mutex g_memo_mu;
ShapeMap& shared_memo() {
  static ShapeMap m;
  return m;
}

std::string shown(const std::string& path) { return path.empty() ? "the root folder" : "folder '" + path + "'"; }

std::unexpected<Error> too_large(std::string message) {
  return fail(Errc::too_large, std::move(message), Detail::TreeTooLarge);
}

// Counts one commit's tree (or several commits' trees) against the limits. Depth-first with
// the recursion itself bounded by max_depth; each distinct tree is read once.
class TreeCounter {
 public:
  TreeCounter(git_repository* repo, const TreeLimits& limits, size_t work_budget)
      : repo_(repo), limits_(limits), work_budget_(work_budget) {}

  Result<TreeShape> root(const git_oid& tree, std::string_view what) {
    what_ = what;
    HUB_TRY(shape, count(tree, "", 0));
    if (shape.entries > limits_.max_entries) return over_entries();
    return shape;
  }

 private:
  std::unexpected<Error> over_entries() const {
    return too_large(subject() + " holds more than " + std::to_string(limits_.max_entries) +
                     " files and folders (the limit per commit)");
  }
  std::unexpected<Error> too_deep(const std::string& path) const {
    return too_large(subject() + " has folders nested deeper than " + std::to_string(limits_.max_depth) +
                     " levels (at '" + path.substr(0, 200) + "')");
  }
  std::string subject() const { return what_.empty() ? std::string("the tree") : std::string(what_); }

  std::optional<TreeShape> memo_get(const git_oid& id) {
    if (auto it = local_.find(id); it != local_.end()) return it->second;
    std::lock_guard lock(g_memo_mu);
    auto& m = shared_memo();
    if (auto it = m.find(id); it != m.end()) return it->second;
    return std::nullopt;
  }
  void memo_put(const git_oid& id, TreeShape s) {
    local_.emplace(id, s);
    std::lock_guard lock(g_memo_mu);
    auto& m = shared_memo();
    if (m.size() >= kSharedMemoMax) m.clear();
    m.emplace(id, s);
  }

  Result<TreeShape> count(const git_oid& id, const std::string& path, size_t level) {
    if (level > limits_.max_depth) return too_deep(path);
    if (auto hit = memo_get(id)) {
      if (level + hit->depth > limits_.max_depth) return too_deep(path);
      return *hit;
    }
    HUB_TRY(tree, lookup_tree_bounded(repo_, id, limits_, path));
    size_t n = git_tree_entrycount(tree.get());
    work_ += n + 1;
    if (work_ > work_budget_)
      return too_large("too many trees to check at once (more than " + std::to_string(work_budget_) +
                       " entries, at " + subject() + "); push the history in smaller parts");
    TreeShape shape{n, 0};
    if (n > limits_.max_entries) return over_entries();
    for (size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
      if (git_tree_entry_type(e) != GIT_OBJECT_TREE) continue;
      std::string child = path.empty() ? git_tree_entry_name(e) : path + "/" + git_tree_entry_name(e);
      HUB_TRY(sub, count(*git_tree_entry_id(e), child, level + 1));
      shape.entries += sub.entries;
      shape.depth = std::max(shape.depth, sub.depth + 1);
      if (shape.entries > limits_.max_entries) return over_entries();
    }
    memo_put(id, shape);
    return shape;
  }

  git_repository* repo_;
  TreeLimits limits_;
  size_t work_budget_;
  size_t work_ = 0;
  std::string_view what_;
  ShapeMap local_;  // this check's own trees, kept even when the shared memo is cleared
};

bool is_zero(std::string_view oid) { return oid.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

namespace detail {
Result<TreePtr> lookup_tree_bounded(git_repository* repo, const git_oid& id, const TreeLimits& limits,
                                    std::string_view path) {
  // The header says how big the object is without inflating it: a folder of millions of
  // entries is refused before libgit2 parses (and keeps) all of them.
  git_odb* odb_raw = nullptr;
  if (int rc = git_repository_odb(&odb_raw, repo); rc < 0) return git_fail(rc, "open object database");
  OdbPtr odb(odb_raw);
  size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (int rc = git_odb_read_header(&size, &type, odb.get(), &id); rc < 0) return git_fail(rc, "read tree header");
  if (type != GIT_OBJECT_TREE) return fail(Errc::corrupt, "not a tree: " + oid_hex(id));
  if (size > limits.max_tree_object_bytes())
    return too_large(shown(std::string(path.substr(0, 200))) + " holds too many entries (its tree object is " +
                     std::to_string(size) + " bytes, more than " + std::to_string(limits.max_entries) +
                     " entries can take)");
  git_tree* raw = nullptr;
  if (int rc = git_tree_lookup(&raw, repo, &id); rc < 0) return git_fail(rc, "read tree " + oid_hex(id));
  return TreePtr(raw);
}
}  // namespace detail

TreeLimits tree_limits() {
  std::lock_guard lock(g_limits_mu);
  return g_limits;
}

void set_tree_limits(const TreeLimits& limits) {
  {
    std::lock_guard lock(g_limits_mu);
    g_limits = limits;
  }
  std::lock_guard lock(g_memo_mu);
  shared_memo().clear();  // shapes were only memoised when within the old limits
}

Result<TreeShape> check_tree(const Repo& repo, std::string_view tree_oid, const TreeLimits& limits) {
  git_oid id;
  if (!parse_oid(tree_oid, &id)) return fail(Errc::invalid_argument, "not a tree id: " + std::string(tree_oid));
  TreeCounter counter(repo.impl().get(), limits, 8 * limits.max_entries + 1024);
  return counter.root(id, {});
}

Result<std::vector<PushedRef>> parse_pushed_refs(std::string_view text) {
  std::vector<PushedRef> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    size_t a = line.find(' '), b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos || a != 40 || b != 81)
      return fail(Errc::invalid_argument, "unexpected ref update line from git");
    out.push_back({std::string(line.substr(0, 40)), std::string(line.substr(41, 40)), std::string(line.substr(82))});
  }
  return out;
}

Result<void> check_push(const std::string& repo_path, const std::vector<PushedRef>& updates,
                        const PushCheckOptions& opts) {
  if (updates.size() > opts.max_ref_updates)
    return too_large("this push updates " + std::to_string(updates.size()) + " refs; at most " +
                     std::to_string(opts.max_ref_updates) + " per push");
  ensure_libgit2();
  git_repository* repo_raw = nullptr;
  if (int rc = git_repository_open_ext(&repo_raw, repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr); rc < 0)
    return git_fail(rc, "open repository " + repo_path, Detail::RepoNotFound);
  RepoPtr repo(repo_raw);
  if (!opts.object_dirs.empty()) {
    git_odb* odb_raw = nullptr;
    if (int rc = git_repository_odb(&odb_raw, repo.get()); rc < 0) return git_fail(rc, "open object database");
    OdbPtr odb(odb_raw);
    for (const auto& dir : opts.object_dirs)
      if (int rc = git_odb_add_disk_alternate(odb.get(), dir.c_str()); rc < 0)
        return git_fail(rc, "read received objects");
  }
  git_revwalk* walk_raw = nullptr;
  if (int rc = git_revwalk_new(&walk_raw, repo.get()); rc < 0) return git_fail(rc, "revwalk");
  RevwalkPtr walk(walk_raw);
  // Whatever the repository's refs reach was checked when it arrived.
  git_reference_iterator* it_raw = nullptr;
  if (int rc = git_reference_iterator_new(&it_raw, repo.get()); rc < 0) return git_fail(rc, "list refs");
  RefIterPtr it(it_raw);
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it.get()) == 0) {
    RefPtr owned(ref);
    git_reference* resolved = nullptr;
    if (git_reference_resolve(&resolved, owned.get()) < 0) continue;
    RefPtr r(resolved);
    git_object* peeled = nullptr;
    if (git_reference_peel(&peeled, r.get(), GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr p(peeled);
      (void)git_revwalk_hide(walk.get(), git_object_id(p.get()));
    }
  }

  TreeCounter counter(repo.get(), opts.limits, 8 * opts.limits.max_entries + 1024);
  bool any_commit = false;
  for (const auto& u : updates) {
    if (is_zero(u.new_oid)) continue;
    git_oid id;
    if (!parse_oid(u.new_oid, &id)) return fail(Errc::invalid_argument, "not an object id: " + u.new_oid);
    git_object* obj_raw = nullptr;
    if (int rc = git_object_lookup(&obj_raw, repo.get(), &id, GIT_OBJECT_ANY); rc < 0)
      return git_fail(rc, "read pushed object " + u.new_oid);
    ObjectPtr obj(obj_raw);
    git_object* commit_raw = nullptr;
    if (git_object_peel(&commit_raw, obj.get(), GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr commit(commit_raw);
      if (int rc = git_revwalk_push(walk.get(), git_object_id(commit.get())); rc < 0)
        return git_fail(rc, "walk from " + u.new_oid);
      any_commit = true;
      continue;
    }
    git_object* tree_raw = nullptr;
    if (git_object_peel(&tree_raw, obj.get(), GIT_OBJECT_TREE) == 0) {  // a tag naming a tree
      ObjectPtr tree(tree_raw);
      std::string what = u.ref + " (" + u.new_oid.substr(0, 12) + ")";
      HUB_TRY(shape, counter.root(*git_object_id(tree.get()), what));
      (void)shape;
    }
  }
  if (!any_commit) return {};
  git_oid cid;
  for (;;) {
    int rc = git_revwalk_next(&cid, walk.get());
    if (rc == GIT_ITEROVER) break;
    if (rc < 0) return git_fail(rc, "walk pushed commits");
    git_commit* c_raw = nullptr;
    if (int rc2 = git_commit_lookup(&c_raw, repo.get(), &cid); rc2 < 0) return git_fail(rc2, "read pushed commit");
    CommitPtr c(c_raw);
    std::string what = "commit " + oid_hex(cid).substr(0, 12);
    HUB_TRY(shape, counter.root(*git_commit_tree_id(c.get()), what));
    (void)shape;
  }
  // Only once every tree is known to be within the limits.
  if (!opts.tip_file.empty() && opts.check_tip_file) {
    for (const auto& u : updates) {
      if (is_zero(u.new_oid) || !(u.ref.starts_with("refs/heads/") || u.ref.starts_with("refs/pr/"))) continue;
      git_oid id;
      if (!parse_oid(u.new_oid, &id)) continue;  // refused above
      git_object* obj_raw = nullptr;
      if (git_object_lookup(&obj_raw, repo.get(), &id, GIT_OBJECT_ANY) < 0) continue;
      ObjectPtr obj(obj_raw);
      git_object* tree_raw = nullptr;
      if (git_object_peel(&tree_raw, obj.get(), GIT_OBJECT_TREE) < 0) continue;
      ObjectPtr tree(tree_raw);
      const git_tree_entry* e =
          git_tree_entry_byname(reinterpret_cast<const git_tree*>(tree.get()), opts.tip_file.c_str());
      if (!e || git_tree_entry_type(e) != GIT_OBJECT_BLOB) continue;
      // Unchanged since the ref's old tip: it was accepted then (or predates the rule), and a
      // push that does not touch it is not refused for it.
      if (git_oid old; !is_zero(u.old_oid) && parse_oid(u.old_oid, &old)) {
        git_object* old_raw = nullptr;
        if (git_object_lookup(&old_raw, repo.get(), &old, GIT_OBJECT_ANY) == 0) {
          ObjectPtr old_obj(old_raw);
          git_object* old_tree_raw = nullptr;
          if (git_object_peel(&old_tree_raw, old_obj.get(), GIT_OBJECT_TREE) == 0) {
            ObjectPtr old_tree(old_tree_raw);
            const git_tree_entry* oe =
                git_tree_entry_byname(reinterpret_cast<const git_tree*>(old_tree.get()), opts.tip_file.c_str());
            if (oe && git_oid_equal(git_tree_entry_id(oe), git_tree_entry_id(e))) continue;
          }
        }
      }
      git_blob* blob_raw = nullptr;
      if (int rc = git_blob_lookup(&blob_raw, repo.get(), git_tree_entry_id(e)); rc < 0)
        return git_fail(rc, "read " + opts.tip_file + " of " + u.ref);
      BlobPtr blob(blob_raw);
      auto size = git_blob_rawsize(blob.get());
      if (size < 0 || uint64_t(size) > opts.max_tip_file_bytes) continue;
      std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob.get())), size_t(size));
      if (auto r = opts.check_tip_file(u.ref, content); !r) return r;
    }
  }
  return {};
}

}  // namespace hub::storage::git
