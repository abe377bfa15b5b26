#include "storage/git/diff.h"

#include "storage/git/lfs_pointer.h"
#include "storage/git/repo_impl.h"
#include "storage/git/tree_limits.h"

namespace hub::storage::git {

namespace {

using detail::git_fail;
using DiffPtr = detail::GitPtr<git_diff, git_diff_free>;
using PatchPtr = detail::GitPtr<git_patch, git_patch_free>;

bool oid_is_zero(const git_oid& oid) { return git_oid_is_zero(&oid) != 0; }

// Reads a small blob to see whether it is an LFS pointer.
std::optional<LfsPointer> lfs_of(git_repository* repo, const git_diff_file& f) {
  if (oid_is_zero(f.id)) return std::nullopt;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &f.id) != 0) return std::nullopt;
  detail::BlobPtr blob(raw);
  // Tree-to-tree deltas carry no sizes; the blob header does, without reading the content.
  if (git_blob_rawsize(raw) >= git_object_size_t(kMaxLfsPointerSize)) return std::nullopt;
  std::string_view text(static_cast<const char*>(git_blob_rawcontent(raw)), size_t(git_blob_rawsize(raw)));
  return parse_lfs_pointer(text);
}

// Bounds what git_diff_tree_to_tree collects: deltas past max_files are skipped (memory), and
// past max_entries paths examined the diff is abandoned (time): a commit that adds a tree
// bomb is summarised, not flattened.
struct DiffBudget {
  size_t max_files;
  size_t max_entries;
  size_t kept = 0;
  size_t examined = 0;
  bool skipped = false;
};

int on_delta(const git_diff*, const git_diff_delta*, const char*, void* payload) {
  auto* b = static_cast<DiffBudget*>(payload);
  if (b->kept >= b->max_files) {
    b->skipped = true;
    return 1;  // leave it out of the diff
  }
  ++b->kept;
  return 0;
}

int on_progress(const git_diff*, const char*, const char*, void* payload) {
  auto* b = static_cast<DiffBudget*>(payload);
  return ++b->examined > b->max_entries ? -1 : 0;
}

std::string trim_newline(const char* s, size_t n) {
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) --n;
  return std::string(s, n);
}

}  // namespace

namespace {
Result<detail::TreePtr> tree_of_commit(git_repository* r, std::string_view commit) {
  auto c = detail::lookup_commit(r, commit);
  if (!c) return std::unexpected(c.error());
  git_tree* t = nullptr;
  if (int rc = git_commit_tree(&t, c->get()); rc != 0) return git_fail(rc, "reading the commit's tree");
  return detail::TreePtr(t);
}

// The file-by-file diff of old_tree (null = empty) -> new_tree into out.files.
Result<void> diff_trees(git_repository* r, git_tree* old_tree, git_tree* new_tree, const DiffLimits& limits,
                        CommitDiff& out);
}  // namespace

Result<CommitDiff> diff_commit(const Repo& repo, std::string_view commit, const DiffLimits& limits) {
  detail::ensure_libgit2();
  git_repository* r = repo.impl().get();
  auto c = detail::lookup_commit(r, commit);
  if (!c) return std::unexpected(c.error());
  CommitDiff out;
  out.commit = std::string(commit);
  git_tree* new_tree_raw = nullptr;
  if (int rc = git_commit_tree(&new_tree_raw, c->get()); rc != 0) return git_fail(rc, "reading the commit's tree");
  detail::TreePtr new_tree(new_tree_raw);
  detail::TreePtr old_tree;
  if (git_commit_parentcount(c->get()) > 0) {
    git_commit* parent_raw = nullptr;
    if (int rc = git_commit_parent(&parent_raw, c->get(), 0); rc != 0) return git_fail(rc, "reading the parent commit");
    detail::CommitPtr parent(parent_raw);
    out.parent = detail::oid_hex(*git_commit_id(parent_raw));
    git_tree* t = nullptr;
    if (int rc = git_commit_tree(&t, parent_raw); rc != 0) return git_fail(rc, "reading the parent's tree");
    old_tree.reset(t);
  }
  if (auto d = diff_trees(r, old_tree.get(), new_tree.get(), limits, out); !d) return std::unexpected(d.error());
  return out;
}

Result<CommitDiff> diff_range(const Repo& repo, std::string_view from, std::string_view to, const DiffLimits& limits) {
  detail::ensure_libgit2();
  git_repository* r = repo.impl().get();
  HUB_TRY(old_tree, tree_of_commit(r, from));
  HUB_TRY(new_tree, tree_of_commit(r, to));
  CommitDiff out;
  out.commit = std::string(to);
  out.parent = std::string(from);
  if (auto d = diff_trees(r, old_tree.get(), new_tree.get(), limits, out); !d) return std::unexpected(d.error());
  return out;
}

Result<std::string> diff_patch_text(const Repo& repo, std::string_view from, std::string_view to, size_t max_bytes) {
  detail::ensure_libgit2();
  git_repository* r = repo.impl().get();
  HUB_TRY(old_tree, tree_of_commit(r, from));
  HUB_TRY(new_tree, tree_of_commit(r, to));
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.max_size = git_off_t(2 << 20);
  DiffBudget budget{100000, tree_limits().max_entries};
  opts.progress_cb = on_progress;
  opts.payload = &budget;
  git_diff* diff_raw = nullptr;
  if (int rc = git_diff_tree_to_tree(&diff_raw, r, old_tree.get(), new_tree.get(), &opts); rc != 0) {
    if (budget.examined > budget.max_entries) return fail(Errc::too_large, "This diff is too large to show", "TreeTooLarge");
    return git_fail(rc, "diffing");
  }
  DiffPtr diff(diff_raw);
  std::string text;
  auto cb = [](const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line, void* payload) -> int {
    auto* t = static_cast<std::pair<std::string*, size_t>*>(payload);
    if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
        line->origin == GIT_DIFF_LINE_DELETION)
      t->first->push_back(line->origin);
    t->first->append(line->content, line->content_len);
    return t->first->size() > t->second ? 1 : 0;  // stop once past the cap
  };
  std::pair<std::string*, size_t> payload{&text, max_bytes};
  int rc = git_diff_print(diff.get(), GIT_DIFF_FORMAT_PATCH, cb, &payload);
  if (rc < 0 && rc != 1 && text.size() <= max_bytes) return git_fail(rc, "printing the diff");
  if (text.size() > max_bytes) text.resize(max_bytes);
  return text;
}

namespace {
Result<void> diff_trees(git_repository* r, git_tree* old_tree, git_tree* new_tree, const DiffLimits& limits,
                        CommitDiff& out) {
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 3;
  opts.max_size = git_off_t(limits.max_blob_bytes);  // larger blobs count as binary
  DiffBudget budget{limits.max_files, tree_limits().max_entries};
  opts.notify_cb = on_delta;
  opts.progress_cb = on_progress;
  opts.payload = &budget;
  git_diff* diff_raw = nullptr;
  if (int rc = git_diff_tree_to_tree(&diff_raw, r, old_tree, new_tree, &opts); rc != 0) {
    if (budget.examined > budget.max_entries)
      return fail(Errc::too_large, "This commit changes more than " + std::to_string(budget.max_entries) +
                                       " files; it is too large to show", "TreeTooLarge");
    return git_fail(rc, "diffing the commit");
  }
  DiffPtr diff(diff_raw);
  out.truncated = budget.skipped;
  size_t total_lines = 0;
  size_t n = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < n; ++i) {
    if (out.files.size() >= limits.max_files) {
      out.truncated = true;
      break;
    }
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    FileDiff f;
    f.status = d->status == GIT_DELTA_ADDED ? 'A' : d->status == GIT_DELTA_DELETED ? 'D' : 'M';
    f.old_path = d->old_file.path ? d->old_file.path : "";
    f.new_path = d->new_file.path ? d->new_file.path : "";
    f.old_oid = detail::oid_hex(d->old_file.id);
    f.new_oid = detail::oid_hex(d->new_file.id);
    f.old_size = uint64_t(d->old_file.size);
    f.new_size = uint64_t(d->new_file.size);
    f.old_lfs = lfs_of(r, d->old_file);
    f.new_lfs = lfs_of(r, d->new_file);
    git_patch* patch_raw = nullptr;
    if (int rc = git_patch_from_diff(&patch_raw, diff.get(), i); rc != 0) return git_fail(rc, "building a patch");
    PatchPtr patch(patch_raw);
    // Sizes are only known once the patch loaded the blobs.
    const git_diff_delta* pd = git_patch_get_delta(patch.get());
    f.old_size = uint64_t(pd->old_file.size);
    f.new_size = uint64_t(pd->new_file.size);
    f.binary = (pd->flags & GIT_DIFF_FLAG_BINARY) != 0;
    bool summarise = f.binary || f.old_lfs || f.new_lfs;
    if (!summarise) {
      size_t file_lines = 0;
      size_t nh = git_patch_num_hunks(patch.get());
      for (size_t h = 0; h < nh && !f.truncated; ++h) {
        const git_diff_hunk* hunk = nullptr;
        size_t nlines = 0;
        if (git_patch_get_hunk(&hunk, &nlines, patch.get(), h) != 0) break;
        DiffHunk dh;
        dh.header = trim_newline(hunk->header, hunk->header_len);
        for (size_t l = 0; l < nlines; ++l) {
          const git_diff_line* line = nullptr;
          if (git_patch_get_line_in_hunk(&line, patch.get(), h, l) != 0) break;
          char o = line->origin;
          if (o != '+' && o != '-' && o != ' ') continue;  // "\ No newline at end of file" markers
          if (o == '+') ++f.additions;
          if (o == '-') ++f.deletions;
          if (total_lines >= limits.max_total_lines || file_lines >= limits.max_lines_per_file) {
            f.truncated = true;
            out.truncated = true;
            continue;  // keep counting additions/deletions
          }
          ++total_lines;
          ++file_lines;
          dh.lines.push_back({o, line->old_lineno, line->new_lineno, trim_newline(line->content, line->content_len)});
        }
        f.hunks.push_back(std::move(dh));
      }
    }
    out.files.push_back(std::move(f));
  }
  return {};
}
}  // namespace

}  // namespace hub::storage::git
