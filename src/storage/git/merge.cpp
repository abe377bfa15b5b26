#include "storage/git/merge.h"

#include <algorithm>
#include <set>

#include "storage/git/repo_impl.h"

namespace hub::storage::git {

namespace {
using detail::git_fail;
using IndexPtr = detail::GitPtr<git_index, git_index_free>;
using ConflictIterPtr = detail::GitPtr<git_index_conflict_iterator, git_index_conflict_iterator_free>;

Result<git_oid> oid_of(std::string_view hex) {
  git_oid id;
  if (!detail::parse_oid(hex, &id)) return fail(Errc::invalid_argument, "not a commit id: " + std::string(hex));
  return id;
}
}  // namespace

Result<std::string> merge_base(const Repo& repo, std::string_view a, std::string_view b) {
  detail::ensure_libgit2();
  HUB_TRY(ia, oid_of(a));
  HUB_TRY(ib, oid_of(b));
  git_oid out;
  if (int rc = git_merge_base(&out, repo.impl().get(), &ia, &ib); rc != 0)
    return git_fail(rc, "finding the merge base", "RevisionNotFound");
  return detail::oid_hex(out);
}

Result<bool> is_ancestor(const Repo& repo, std::string_view ancestor, std::string_view descendant) {
  if (ancestor == descendant) return true;
  detail::ensure_libgit2();
  HUB_TRY(ia, oid_of(ancestor));
  HUB_TRY(id, oid_of(descendant));
  int rc = git_graph_descendant_of(repo.impl().get(), &id, &ia);
  if (rc < 0) return git_fail(rc, "walking history");
  return rc == 1;
}

Result<std::vector<CommitInfo>> commits_since(const Repo& repo, std::string_view tip,
                                              const std::vector<std::string>& hide, size_t limit) {
  detail::ensure_libgit2();
  git_repository* r = repo.impl().get();
  HUB_TRY(it, oid_of(tip));
  git_revwalk* raw = nullptr;
  if (int rc = git_revwalk_new(&raw, r); rc != 0) return git_fail(rc, "starting a history walk");
  detail::RevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (int rc = git_revwalk_push(walk.get(), &it); rc != 0) return git_fail(rc, "walking history", "RevisionNotFound");
  for (const auto& h : hide) {
    git_oid ih;
    if (detail::parse_oid(h, &ih) && git_graph_descendant_of(r, &it, &ih) >= 0) (void)git_revwalk_hide(walk.get(), &ih);
  }
  std::vector<CommitInfo> out;
  git_oid id;
  while (out.size() < limit && git_revwalk_next(&id, walk.get()) == 0) {
    HUB_TRY(c, detail::lookup_commit(r, detail::oid_hex(id)));
    out.push_back(detail::to_commit_info(c.get()));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<MergeOutcome> merge_commits(Repo& repo, std::string_view ours, std::string_view theirs,
                                   const CommitOptions& opts, bool dry_run) {
  detail::ensure_libgit2();
  git_repository* r = repo.impl().get();
  HUB_TRY(a, detail::lookup_commit(r, ours));
  HUB_TRY(b, detail::lookup_commit(r, theirs));
  git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
  git_index* idx_raw = nullptr;
  if (int rc = git_merge_commits(&idx_raw, r, a.get(), b.get(), &mo); rc != 0) return git_fail(rc, "merging");
  IndexPtr idx(idx_raw);
  MergeOutcome out;
  if (git_index_has_conflicts(idx.get())) {
    git_index_conflict_iterator* it_raw = nullptr;
    if (int rc = git_index_conflict_iterator_new(&it_raw, idx.get()); rc != 0) return git_fail(rc, "listing conflicts");
    ConflictIterPtr it(it_raw);
    std::set<std::string> paths;
    const git_index_entry *anc = nullptr, *our = nullptr, *their = nullptr;
    while (git_index_conflict_next(&anc, &our, &their, it.get()) == 0) {
      const git_index_entry* e = our ? our : their ? their : anc;
      if (e && e->path) paths.insert(e->path);
    }
    out.conflicts.assign(paths.begin(), paths.end());
    return out;
  }
  if (dry_run) return out;
  git_oid tree_id;
  if (int rc = git_index_write_tree_to(&tree_id, idx.get(), r); rc != 0) return git_fail(rc, "writing the merged tree");
  git_tree* tree_raw = nullptr;
  if (int rc = git_tree_lookup(&tree_raw, r, &tree_id); rc != 0) return git_fail(rc, "reading the merged tree");
  detail::TreePtr tree(tree_raw);
  HUB_TRY(author, detail::make_signature(opts.author));
  HUB_TRY(committer, detail::make_signature(opts.committer.value_or(opts.author)));
  std::string message = opts.summary;
  if (!opts.description.empty()) message += "\n\n" + opts.description;
  if (message.empty() || message.back() != '\n') message += '\n';
  const git_commit* parents[2] = {a.get(), b.get()};
  git_oid id;
  if (int rc = git_commit_create(&id, r, nullptr, author.get(), committer.get(), nullptr, message.c_str(), tree.get(),
                                 2, parents);
      rc < 0)
    return git_fail(rc, "writing the merge commit");
  out.commit = detail::oid_hex(id);
  return out;
}

}  // namespace hub::storage::git
