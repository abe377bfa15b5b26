// Repo tree and blob reading at a commit: listings, single-path stat, whole-blob reads.
#include <cstdint>
#include <functional>

#include "storage/git/lfs_pointer.h"
#include "storage/git/repo.h"
#include "storage/git/repo_impl.h"
#include "storage/git/tree_limits.h"

namespace hub::storage::git {
using namespace detail;

namespace {

Result<TreePtr> commit_tree(git_repository* repo, std::string_view commit) {
  HUB_TRY(c, lookup_commit(repo, commit));
  git_tree* raw = nullptr;
  if (int rc = git_commit_tree(&raw, c.get()); rc < 0) return git_fail(rc, "commit tree");
  return TreePtr(raw);
}

std::unexpected<Error> entry_not_found(std::string_view path, std::string_view why = "not found") {
  return fail(Errc::not_found, "entry " + std::string(why) + ": " + std::string(path),
              Detail::EntryNotFound);
}

// Reads what a listing needs per entry: blob size from the object header, and the content of
// small blobs to recognise LFS pointers.
class EntryReader {
 public:
  explicit EntryReader(git_repository* repo) : repo_(repo) {}

  Result<void> init() {
    git_odb* raw = nullptr;
    if (int rc = git_repository_odb(&raw, repo_); rc < 0) return git_fail(rc, "odb");
    odb_.reset(raw);
    return {};
  }

  // nullopt for entries we do not expose (submodules).
  Result<std::optional<TreeEntry>> make(const git_tree_entry* e, std::string path) {
    TreeEntry out;
    out.path = std::move(path);
    out.oid = oid_hex(*git_tree_entry_id(e));
    switch (git_tree_entry_type(e)) {
      case GIT_OBJECT_TREE:
        out.type = EntryType::directory;
        return out;
      case GIT_OBJECT_BLOB:
        break;
      default:
        return std::optional<TreeEntry>();
    }
    out.type = EntryType::file;
    git_filemode_t mode = git_tree_entry_filemode(e);
    out.executable = mode == GIT_FILEMODE_BLOB_EXECUTABLE;
    out.symlink = mode == GIT_FILEMODE_LINK;
    size_t size = 0;
    git_object_t type;
    if (int rc = git_odb_read_header(&size, &type, odb_.get(), git_tree_entry_id(e)); rc < 0) {
      return git_fail(rc, "read blob header " + out.oid);
    }
    out.size = size;
    if (size < kMaxLfsPointerSize && !out.symlink) {
      git_blob* raw = nullptr;
      if (int rc = git_blob_lookup(&raw, repo_, git_tree_entry_id(e)); rc < 0) {
        return git_fail(rc, "read blob " + out.oid);
      }
      BlobPtr blob(raw);
      std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                               static_cast<size_t>(git_blob_rawsize(blob.get())));
      out.lfs = parse_lfs_pointer(content);
    }
    return out;
  }

 private:
  git_repository* repo_;
  OdbPtr odb_;
};

std::string join(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

}  // namespace

Result<TreeEntry> Repo::stat_path(std::string_view commit, std::string_view path) const {
  git_repository* repo = impl_->get();
  HUB_TRY(root, commit_tree(repo, commit));
  std::string_view p = trim_slashes(path);
  if (p.empty()) {
    TreeEntry e;
    e.type = EntryType::directory;
    e.oid = oid_hex(*git_tree_id(root.get()));
    return e;
  }
  std::string ps(p);
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, root.get(), ps.c_str()) < 0) return entry_not_found(p);
  TreeEntryPtr entry(raw);
  EntryReader reader(repo);
  if (auto r = reader.init(); !r) return std::unexpected(r.error());
  HUB_TRY(made, reader.make(entry.get(), ps));
  if (!made) return entry_not_found(p);
  return std::move(*made);
}

Result<Repo::TreePage> Repo::list_tree_page(std::string_view commit, std::string_view path, bool recursive,
                                            size_t offset, size_t limit) const {
  git_repository* repo = impl_->get();
  const TreeLimits limits = tree_limits();
  HUB_TRY(root, commit_tree(repo, commit));
  std::string_view p = trim_slashes(path);
  TreePtr start;
  if (p.empty()) {
    HUB_TRY(t, lookup_tree_bounded(repo, *git_tree_id(root.get()), limits, ""));
    start = std::move(t);
  } else {
    std::string ps(p);
    git_tree_entry* raw = nullptr;
    if (git_tree_entry_bypath(&raw, root.get(), ps.c_str()) < 0) return entry_not_found(p);
    TreeEntryPtr entry(raw);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
      return entry_not_found(p, "is not a directory");
    }
    HUB_TRY(t, lookup_tree_bounded(repo, *git_tree_entry_id(entry.get()), limits, ps));
    start = std::move(t);
  }

  EntryReader reader(repo);
  if (auto r = reader.init(); !r) return std::unexpected(r.error());
  TreePage out;
  // Every entry passed counts, returned or skipped: a listing never walks more of a tree than
  // a commit may hold, whatever the tree describes.
  size_t visited = 0;
  bool done = false;
  std::function<Result<void>(const git_tree*, const std::string&, size_t)> walk =
      [&](const git_tree* tree, const std::string& dir, size_t level) -> Result<void> {
    size_t n = git_tree_entrycount(tree);
    for (size_t i = 0; i < n && !done; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree, i);
      git_object_t type = git_tree_entry_type(e);
      if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB) continue;  // submodules
      if (visited >= offset && out.entries.size() >= limit) {  // this entry would be the page's next
        out.more = true;
        done = true;
        break;
      }
      if (++visited > limits.max_entries)
        return fail(Errc::too_large, "the tree holds more than " + std::to_string(limits.max_entries) +
                                         " files and folders (the limit per commit)", Detail::TreeTooLarge);
      std::string child = join(dir, git_tree_entry_name(e));
      if (visited > offset) {
        HUB_TRY(made, reader.make(e, child));
        if (made) out.entries.push_back(std::move(*made));
      }
      if (recursive && type == GIT_OBJECT_TREE) {
        if (level + 1 > limits.max_depth)
          return fail(Errc::too_large, "folders nest deeper than " + std::to_string(limits.max_depth) + " levels",
                      Detail::TreeTooLarge);
        HUB_TRY(subtree, lookup_tree_bounded(repo, *git_tree_entry_id(e), limits, child));
        if (auto r = walk(subtree.get(), child, level + 1); !r) return r;
      }
    }
    return {};
  };
  if (auto r = walk(start.get(), std::string(p), 0); !r) return std::unexpected(r.error());
  return out;
}

Result<std::vector<TreeEntry>> Repo::list_tree(std::string_view commit, std::string_view path,
                                               bool recursive) const {
  HUB_TRY(page, list_tree_page(commit, path, recursive, 0, SIZE_MAX));
  return std::move(page.entries);
}

Result<std::string> Repo::read_blob(std::string_view commit, std::string_view path,
                                    size_t max_bytes) const {
  HUB_TRY(root, commit_tree(impl_->get(), commit));
  std::string ps(trim_slashes(path));
  git_tree_entry* raw = nullptr;
  if (ps.empty() || git_tree_entry_bypath(&raw, root.get(), ps.c_str()) < 0) {
    return entry_not_found(ps);
  }
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return entry_not_found(ps, "is not a file");
  }
  return read_blob_oid(oid_hex(*git_tree_entry_id(entry.get())), max_bytes);
}

Result<std::string> Repo::read_blob_oid(std::string_view blob_oid, size_t max_bytes) const {
  git_repository* repo = impl_->get();
  git_oid oid;
  if (!parse_oid(blob_oid, &oid)) {
    return fail(Errc::invalid_argument, "not a blob id: " + std::string(blob_oid));
  }
  git_odb* odb_raw = nullptr;
  if (int rc = git_repository_odb(&odb_raw, repo); rc < 0) return git_fail(rc, "odb");
  OdbPtr odb(odb_raw);
  size_t size = 0;
  git_object_t type;
  if (git_odb_read_header(&size, &type, odb.get(), &oid) < 0 || type != GIT_OBJECT_BLOB) {
    return entry_not_found(blob_oid, "blob not found");
  }
  // Check before inflating: a huge blob must not be loaded just to be refused.
  if (size > max_bytes) {
    return fail(Errc::too_large, "blob " + std::string(blob_oid) + " is " +
                                     std::to_string(size) + " bytes, limit " +
                                     std::to_string(max_bytes));
  }
  git_blob* raw = nullptr;
  if (int rc = git_blob_lookup(&raw, repo, &oid); rc < 0) return git_fail(rc, "read blob");
  BlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

Result<bool> Repo::is_lfs_tracked(std::string_view commit, std::string_view path) const {
  HUB_TRY(c, lookup_commit(impl_->get(), commit));
  git_attr_options opts = GIT_ATTR_OPTIONS_INIT;
  // Only the commit's own .gitattributes: a bare repo has no work tree or index, and the
  // host's system attributes must not change what the Hub stores.
  opts.flags = GIT_ATTR_CHECK_INDEX_ONLY | GIT_ATTR_CHECK_NO_SYSTEM | GIT_ATTR_CHECK_INCLUDE_COMMIT;
  git_oid_cpy(&opts.attr_commit_id, git_commit_id(c.get()));
  std::string p(trim_slashes(path));
  const char* value = nullptr;
  if (int rc = git_attr_get_ext(&value, impl_->get(), &opts, p.c_str(), "filter"); rc < 0) {
    return git_fail(rc, "attributes of " + p);
  }
  return git_attr_value(value) == GIT_ATTR_VALUE_STRING && std::string_view(value) == "lfs";
}

}  // namespace hub::storage::git
