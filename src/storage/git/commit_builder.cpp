#include "storage/git/commit_builder.h"

#include <map>

#include "core/hash.h"
#include "core/lfs_pointer.h"
#include "storage/git/paths.h"
#include "storage/git/repo_impl.h"
#include "storage/git/tree_limits.h"

namespace hub::storage::git {
using namespace detail;

namespace {

// One path in the tree being built. Directories load their children from `oid` on first
// use; `dirty` directories are rewritten at write time, clean ones reuse `oid`.
struct Node {
  bool is_dir = false;
  git_oid oid{};
  git_filemode_t mode = GIT_FILEMODE_BLOB;
  bool loaded = false;
  bool dirty = false;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
};

std::unexpected<Error> entry_not_found(std::string_view path, std::string_view what) {
  return fail(Errc::not_found, std::string(what) + " not found: " + std::string(path),
              Detail::EntryNotFound);
}

// Writes a commit of `tree` with opts' author, committer and message; parent may be null (root).
Result<std::string> create_commit(git_repository* r, const CommitOptions& opts, const git_tree* tree,
                                  const git_commit* parent) {
  HUB_TRY(author, make_signature(opts.author));
  HUB_TRY(committer, make_signature(opts.committer.value_or(opts.author)));
  std::string message = opts.summary;
  if (!opts.description.empty()) message += "\n\n" + opts.description;
  if (message.back() != '\n') message += '\n';
  const git_commit* parents[1] = {parent};
  git_oid id;
  if (int rc = git_commit_create(&id, r, nullptr, author.get(), committer.get(), nullptr, message.c_str(), tree,
                                 parent ? 1 : 0, parents);
      rc < 0) {
    return git_fail(rc, "write commit");
  }
  return oid_hex(id);
}

}  // namespace

struct CommitBuilder::State {
  Repo* repo = nullptr;
  std::string parent;
  Node root;
  size_t ops = 0;

  git_repository* git() const { return repo->impl().get(); }

  Result<void> load(Node& dir) {
    if (dir.loaded) return {};
    dir.loaded = true;
    HUB_TRY(tree, lookup_tree_bounded(git(), dir.oid, tree_limits(), ""));
    for (size_t i = 0, n = git_tree_entrycount(tree.get()); i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
      auto child = std::make_unique<Node>();
      child->oid = *git_tree_entry_id(e);
      child->mode = git_tree_entry_filemode(e);
      child->is_dir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
      dir.children.emplace(git_tree_entry_name(e), std::move(child));
    }
    return {};
  }

  // A folder all of whose files were deleted by this builder no longer exists (git stores
  // no empty folders), though its node lingers until write().
  static bool vanished(const Node& n) {
    if (!n.is_dir || !n.loaded) return false;  // stored trees are not empty
    for (const auto& [name, child] : n.children) {
      if (!vanished(*child)) return false;
    }
    return true;
  }

  // The directory holding the last segment of `segs`. create: make missing folders and mark
  // the way dirty; else nullptr if a folder is missing.
  Result<Node*> parent_dir(const std::vector<std::string_view>& segs, std::string_view path,
                           bool create) {
    Node* cur = &root;
    if (create) cur->dirty = true;
    for (size_t i = 0; i + 1 < segs.size(); ++i) {
      if (auto r = load(*cur); !r) return std::unexpected(r.error());
      auto it = cur->children.find(segs[i]);
      if (it == cur->children.end()) {
        if (!create) return nullptr;
        auto dir = std::make_unique<Node>();
        dir->is_dir = dir->loaded = true;
        it = cur->children.emplace(std::string(segs[i]), std::move(dir)).first;
      } else if (!it->second->is_dir) {
        if (!create) return nullptr;
        return fail(Errc::invalid_argument,
                    "a file and a folder with the same name: " + std::string(path));
      }
      cur = it->second.get();
      if (create) cur->dirty = true;
    }
    if (auto r = load(*cur); !r) return std::unexpected(r.error());
    return cur;
  }

  Result<void> put_blob(std::string_view path, std::string_view content, git_filemode_t mode) {
    if (auto r = validate_repo_path(path); !r) return r;
    auto segs = split_path(path);
    HUB_TRY(dir, parent_dir(segs, path, /*create=*/true));
    auto it = dir->children.find(segs.back());
    if (it != dir->children.end() && it->second->is_dir && !vanished(*it->second)) {
      return fail(Errc::invalid_argument,
                  "a file and a folder with the same name: " + std::string(path));
    }
    git_oid blob;
    if (int rc = git_blob_create_from_buffer(&blob, git(), content.data(), content.size());
        rc < 0) {
      return git_fail(rc, "write blob " + std::string(path));
    }
    auto node = std::make_unique<Node>();
    node->oid = blob;
    node->mode = mode;
    dir->children.insert_or_assign(std::string(segs.back()), std::move(node));
    ++ops;
    return {};
  }

  Result<void> remove(std::string_view path, bool folder) {
    const char* what = folder ? "folder" : "file";
    if (auto r = validate_repo_path(path); !r) return r;
    auto segs = split_path(path);
    // Look first without touching anything, so a failed delete leaves the tree unchanged.
    HUB_TRY(probe, parent_dir(segs, path, /*create=*/false));
    if (!probe) return entry_not_found(path, what);
    auto it = probe->children.find(segs.back());
    if (it == probe->children.end() || it->second->is_dir != folder ||
        vanished(*it->second)) {
      return entry_not_found(path, what);
    }
    HUB_TRY(dir, parent_dir(segs, path, /*create=*/true));
    dir->children.erase(dir->children.find(segs.back()));
    ++ops;
    return {};
  }

  // Post-order write. nullopt for a directory left empty (git stores no empty folders).
  Result<std::optional<git_oid>> write_tree(Node& dir, bool is_root) {
    if (!dir.dirty) return std::optional<git_oid>(dir.oid);
    git_treebuilder* raw = nullptr;
    if (int rc = git_treebuilder_new(&raw, git(), nullptr); rc < 0) return git_fail(rc, "tree");
    TreeBuilderPtr tb(raw);
    for (auto& [name, child] : dir.children) {
      git_oid id = child->oid;
      git_filemode_t mode = child->mode;
      if (child->is_dir) {
        HUB_TRY(sub, write_tree(*child, false));
        if (!sub) continue;
        id = *sub;
        mode = GIT_FILEMODE_TREE;
      }
      if (int rc = git_treebuilder_insert(nullptr, tb.get(), name.c_str(), &id, mode); rc < 0) {
        return git_fail(rc, "tree entry " + name);
      }
    }
    if (!is_root && git_treebuilder_entrycount(tb.get()) == 0) return std::optional<git_oid>();
    git_oid out;
    if (int rc = git_treebuilder_write(&out, tb.get()); rc < 0) return git_fail(rc, "write tree");
    dir.oid = out;
    dir.dirty = false;
    return std::optional<git_oid>(out);
  }
};

CommitBuilder::CommitBuilder(std::unique_ptr<State> s) : state_(std::move(s)) {}
CommitBuilder::CommitBuilder(CommitBuilder&&) noexcept = default;
CommitBuilder& CommitBuilder::operator=(CommitBuilder&&) noexcept = default;
CommitBuilder::~CommitBuilder() = default;

Result<CommitBuilder> CommitBuilder::start(Repo& repo, std::string_view parent) {
  auto s = std::make_unique<State>();
  s->repo = &repo;
  s->parent = std::string(parent);
  s->root.is_dir = true;
  if (parent.empty()) {
    s->root.loaded = true;
    s->root.dirty = true;
  } else {
    HUB_TRY(c, lookup_commit(repo.impl().get(), parent));
    s->root.oid = *git_commit_tree_id(c.get());
    s->parent = oid_hex(*git_commit_id(c.get()));
  }
  return CommitBuilder(std::move(s));
}

Result<void> CommitBuilder::put_file(std::string_view path, std::string_view content,
                                     bool executable) {
  return state_->put_blob(path, content,
                          executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB);
}

Result<void> CommitBuilder::put_lfs_pointer(std::string_view path, std::string_view sha256,
                                            uint64_t size) {
  bool lower = sha256.size() == 64 && is_hex(sha256, 64) &&
               sha256.find_first_of("ABCDEF") == std::string_view::npos;
  if (!lower) return fail(Errc::invalid_argument, "LFS oid is not sha256 hex: " + std::string(sha256));
  return state_->put_blob(path, hub::format_lfs_pointer(sha256, size), GIT_FILEMODE_BLOB);
}

Result<void> CommitBuilder::delete_file(std::string_view path) {
  return state_->remove(path, /*folder=*/false);
}

Result<void> CommitBuilder::delete_folder(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return state_->remove(path, /*folder=*/true);
}

Result<std::optional<EntryType>> CommitBuilder::type_at(std::string_view path) {
  if (auto r = validate_repo_path(path); !r) return std::unexpected(r.error());
  auto segs = split_path(path);
  HUB_TRY(dir, state_->parent_dir(segs, path, /*create=*/false));
  if (!dir) return std::optional<EntryType>();
  auto it = dir->children.find(segs.back());
  if (it == dir->children.end() || State::vanished(*it->second)) {
    return std::optional<EntryType>();
  }
  return std::optional<EntryType>(it->second->is_dir ? EntryType::directory : EntryType::file);
}

const std::string& CommitBuilder::parent() const { return state_->parent; }
size_t CommitBuilder::operation_count() const { return state_->ops; }

Result<std::string> CommitBuilder::write(const CommitOptions& opts) {
  if (opts.summary.empty()) return fail(Errc::invalid_argument, "empty commit summary");
  State& s = *state_;
  HUB_TRY(tree_id, s.write_tree(s.root, /*is_root=*/true));
  // The tree this commit would publish must be one a push could publish too.
  HUB_TRY(shape, check_tree(*s.repo, oid_hex(*tree_id)));
  (void)shape;
  git_tree* traw = nullptr;
  if (int rc = git_tree_lookup(&traw, s.git(), &*tree_id); rc < 0) return git_fail(rc, "tree");
  TreePtr tree(traw);
  CommitPtr parent;
  if (!s.parent.empty()) {
    HUB_TRY(p, lookup_commit(s.git(), s.parent));
    parent = std::move(p);
  }
  return create_commit(s.git(), opts, tree.get(), parent.get());
}

Result<std::string> CommitBuilder::commit_to(std::string_view refname, const CommitOptions& opts) {
  HUB_TRY(id, write(opts));
  if (auto r = state_->repo->update_ref_cas(refname, id, state_->parent, "hubd: commit"); !r) {
    return std::unexpected(r.error());
  }
  return id;
}

Result<std::string> write_root_commit_with_tree_of(Repo& repo, std::string_view commit, const CommitOptions& opts) {
  if (opts.summary.empty()) return fail(Errc::invalid_argument, "empty commit summary");
  git_repository* r = repo.impl().get();
  HUB_TRY(c, lookup_commit(r, commit));
  git_tree* traw = nullptr;
  if (int rc = git_commit_tree(&traw, c.get()); rc < 0) return git_fail(rc, "tree");
  TreePtr tree(traw);
  return create_commit(r, opts, tree.get(), nullptr);
}

}  // namespace hub::storage::git
