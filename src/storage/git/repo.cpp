// Repo: open/init, revision resolution, ref listing, and the helpers shared by this folder.
#include "storage/git/repo.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "core/hash.h"
#include "core/time.h"
#include "storage/git/repo_impl.h"

namespace hub::storage::git {
namespace fs = std::filesystem;
using namespace detail;

// ---------------------------------------------------------------- detail helpers

void detail::ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Repositories belong to the server process, not to a user's checkout: the "dubious
    // ownership" check only gets in the way when data dirs are shared between service users.
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
  });
}

Error detail::make_git_error(int rc, std::string_view what, Detail why) {
  const git_error* e = git_error_last();
  std::string msg(what);
  if (e && e->message) {
    msg += ": ";
    msg += e->message;
  }
  Errc code = Errc::internal;
  switch (rc) {
    case GIT_ENOTFOUND: code = Errc::not_found; break;
    case GIT_EEXISTS: code = Errc::already_exists; break;
    case GIT_EMODIFIED:
    case GIT_ELOCKED: code = Errc::conflict; break;
    case GIT_EINVALIDSPEC:
    case GIT_EAMBIGUOUS: code = Errc::invalid_argument; break;
    default: break;
  }
  return Error{code, std::move(msg), code == Errc::not_found ? why : Detail::none};
}

std::string detail::oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return std::string(buf, GIT_OID_HEXSZ);
}

bool detail::parse_oid(std::string_view hex, git_oid* out) {
  if (!is_hex(hex, GIT_OID_HEXSZ)) return false;
  return git_oid_fromstrn(out, hex.data(), hex.size()) == 0;
}

Result<SignaturePtr> detail::make_signature(const Signature& s) {
  git_signature* raw = nullptr;
  int64_t secs = s.time_ms != 0 ? s.time_ms / 1000 : now_ms() / 1000;
  if (int rc = git_signature_new(&raw, s.name.c_str(), s.email.c_str(), secs, 0); rc < 0) {
    return std::unexpected(Error{Errc::invalid_argument,
                                 make_git_error(rc, "invalid signature").message});
  }
  return SignaturePtr(raw);
}

Result<CommitPtr> detail::lookup_commit(git_repository* repo, std::string_view hex) {
  git_oid oid;
  if (!parse_oid(hex, &oid)) {
    return fail(Errc::not_found, "not a commit id: " + std::string(hex), Detail::RevisionNotFound);
  }
  git_commit* c = nullptr;
  if (int rc = git_commit_lookup(&c, repo, &oid); rc < 0) {
    return fail(Errc::not_found, make_git_error(rc, "commit " + std::string(hex)).message,
                Detail::RevisionNotFound);
  }
  return CommitPtr(c);
}

CommitInfo detail::to_commit_info(const git_commit* c) {
  CommitInfo info;
  info.id = oid_hex(*git_commit_id(c));
  const char* msg = git_commit_message(c);
  info.message = msg ? msg : "";
  std::string_view m = info.message;
  info.title = std::string(m.substr(0, m.find('\n')));
  if (!info.title.empty() && info.title.back() == '\r') info.title.pop_back();
  const git_signature* a = git_commit_author(c);
  const git_signature* k = git_commit_committer(c);
  info.author_name = a->name ? a->name : "";
  info.author_email = a->email ? a->email : "";
  info.date = iso8601(static_cast<int64_t>(a->when.time) * 1000);
  info.committer_name = k->name ? k->name : "";
  info.committer_email = k->email ? k->email : "";
  info.committer_date = iso8601(static_cast<int64_t>(k->when.time) * 1000);
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) {
    info.parents.push_back(oid_hex(*git_commit_parent_id(c, i)));
  }
  return info;
}

std::string_view detail::trim_slashes(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

// ---------------------------------------------------------------- open / init

namespace {

// Server-side settings for pushes arriving through `git receive-pack`.
Result<void> configure_bare(git_repository* repo) {
  git_config* raw = nullptr;
  if (int rc = git_repository_config(&raw, repo); rc < 0) return git_fail(rc, "repo config");
  ConfigPtr cfg(raw);
  // Check every pushed object. Security-relevant findings (".git" path components, "..",
  // malicious .gitmodules) are errors and reject the push; cosmetic defects that real-world
  // histories carry (odd dates, timezones, emails, zero-padded modes), written by old tools
  // and still present in repos people mirror, are ignored so such pushes are not refused.
  struct Item { const char* key; const char* value; };
  static constexpr Item kItems[] = {
      {"receive.fsckObjects", "true"},
      {"receive.fsck.hasDotgit", "error"},
      {"receive.fsck.hasDotdot", "error"},
      {"receive.fsck.badTimezone", "ignore"},
      {"receive.fsck.badDate", "ignore"},
      {"receive.fsck.badDateOverflow", "ignore"},
      {"receive.fsck.zeroPaddedDate", "ignore"},
      {"receive.fsck.missingSpaceBeforeDate", "ignore"},
      {"receive.fsck.missingEmail", "ignore"},
      {"receive.fsck.badEmail", "ignore"},
      {"receive.fsck.missingNameBeforeEmail", "ignore"},
      {"receive.fsck.missingSpaceBeforeEmail", "ignore"},
      {"receive.fsck.zeroPaddedFilemode", "ignore"},
      // The Hub allows force-push and branch deletion by push (git's bare-repo defaults).
      {"receive.denyNonFastForwards", "false"},
      // Partial clones (--filter=blob:none) and fetching a reachable commit by id.
      {"uploadpack.allowFilter", "true"},
      {"uploadpack.allowReachableSHA1InWant", "true"},
  };
  for (const auto& it : kItems) {
    if (int rc = git_config_set_string(cfg.get(), it.key, it.value); rc < 0) {
      return git_fail(rc, std::string("set ") + it.key);
    }
  }
  return {};
}

Result<void> write_initial_commit(git_repository* repo, const RepoInitOptions& opts) {
  git_treebuilder* tb_raw = nullptr;
  if (int rc = git_treebuilder_new(&tb_raw, repo, nullptr); rc < 0) return git_fail(rc, "tree");
  TreeBuilderPtr tb(tb_raw);
  auto put = [&](const std::string& path, const std::string& content) -> Result<void> {
    if (path.empty() || path.find('/') != std::string::npos || path == "." || path == ".." || path == ".git")
      return fail(Errc::invalid_argument, "Invalid path for an initial file: " + path, Detail::InvalidPath);
    git_oid blob;
    if (int rc = git_blob_create_from_buffer(&blob, repo, content.data(), content.size()); rc < 0)
      return git_fail(rc, "write " + path);
    if (int rc = git_treebuilder_insert(nullptr, tb.get(), path.c_str(), &blob, GIT_FILEMODE_BLOB); rc < 0)
      return git_fail(rc, "tree insert");
    return {};
  };
  if (auto r = put(".gitattributes", opts.gitattributes); !r) return r;
  for (const auto& [path, content] : opts.files)  // later entries replace earlier ones
    if (auto r = put(path, content); !r) return r;
  git_oid tree_oid;
  if (int rc = git_treebuilder_write(&tree_oid, tb.get()); rc < 0) return git_fail(rc, "tree");
  git_tree* tree_raw = nullptr;
  if (int rc = git_tree_lookup(&tree_raw, repo, &tree_oid); rc < 0) return git_fail(rc, "tree");
  TreePtr tree(tree_raw);
  HUB_TRY(sig, make_signature(opts.author));
  std::string message = opts.initial_message;
  if (message.empty() || message.back() != '\n') message += '\n';
  git_oid commit;
  // Updating "HEAD" creates refs/heads/main, which HEAD already names.
  if (int rc = git_commit_create(&commit, repo, "HEAD", sig.get(), sig.get(), nullptr,
                                 message.c_str(), tree.get(), 0, nullptr);
      rc < 0) {
    return git_fail(rc, "initial commit");
  }
  return {};
}

Result<void> build_bare(const std::string& dir, const RepoInitOptions& opts) {
  git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH |
             GIT_REPOSITORY_INIT_NO_REINIT;
  io.initial_head = "main";
  git_repository* raw = nullptr;
  if (int rc = git_repository_init_ext(&raw, dir.c_str(), &io); rc < 0) {
    return git_fail(rc, "init " + dir);
  }
  RepoPtr repo(raw);
  if (auto r = configure_bare(repo.get()); !r) return r;
  if (opts.initial_commit) return write_initial_commit(repo.get(), opts);
  return {};
}

}  // namespace

Repo::Repo(std::unique_ptr<Impl> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}
Repo::Repo(Repo&&) noexcept = default;
Repo& Repo::operator=(Repo&&) noexcept = default;
Repo::~Repo() = default;

Result<Repo> Repo::init_bare(const std::string& path, const RepoInitOptions& opts) {
  ensure_libgit2();
  std::error_code ec;
  fs::path target = fs::path(path).lexically_normal();
  if (target.has_filename() == false) target = target.parent_path();
  if (fs::exists(target, ec) && !(fs::is_directory(target, ec) && fs::is_empty(target, ec))) {
    return fail(Errc::already_exists, "repository path exists: " + target.string());
  }
  fs::create_directories(target.parent_path(), ec);
  if (ec) return fail(Errc::io, "mkdir " + target.parent_path().string() + ": " + ec.message());
  fs::path tmp = target.parent_path() /
                 ("." + target.filename().string() + ".init-" + hex_encode(random_bytes(6)));
  if (auto r = build_bare(tmp.string(), opts); !r) {
    fs::remove_all(tmp, ec);
    return std::unexpected(r.error());
  }
  // rename(2) replaces an empty directory and fails on a non-empty one: exactly one of two
  // racing creators wins.
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    fs::remove_all(tmp, ec);
    if (err == EEXIST || err == ENOTEMPTY) {
      return fail(Errc::already_exists, "repository path exists: " + target.string());
    }
    return fail(Errc::io, "rename into " + target.string() + ": " + std::strerror(err));
  }
  return open(target.string());
}

Result<Repo> Repo::open(const std::string& path) {
  ensure_libgit2();
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                       nullptr);
      rc < 0) {
    return fail(Errc::not_found, make_git_error(rc, "open repository " + path).message,
                Detail::RepoNotFound);
  }
  auto impl = std::make_unique<Impl>();
  impl->repo.reset(raw);
  return Repo(std::move(impl), path);
}

// ---------------------------------------------------------------- revisions

namespace {

Result<std::string> peel_ref(git_repository* repo, const std::string& name) {
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, repo, name.c_str());
  if (rc < 0) return git_fail(rc, "ref " + name, Detail::RevisionNotFound);
  RefPtr ref(raw);
  git_object* obj = nullptr;
  rc = git_reference_peel(&obj, ref.get(), GIT_OBJECT_COMMIT);
  if (rc < 0) {
    // Unborn HEAD, or a ref to a non-commit: no revision to resolve to.
    return fail(Errc::not_found, make_git_error(rc, "peel " + name).message, Detail::RevisionNotFound);
  }
  ObjectPtr o(obj);
  return oid_hex(*git_object_id(o.get()));
}

Result<std::string> peel_object(git_repository* repo, const git_oid& oid, size_t len,
                                std::string_view rev) {
  git_object* raw = nullptr;
  int rc = len == GIT_OID_HEXSZ ? git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY)
                                : git_object_lookup_prefix(&raw, repo, &oid, len, GIT_OBJECT_ANY);
  if (rc == GIT_EAMBIGUOUS) {
    return fail(Errc::not_found, "ambiguous short revision: " + std::string(rev),
                Detail::RevisionNotFound);
  }
  if (rc < 0) return fail(Errc::not_found, "unknown revision: " + std::string(rev),
                          Detail::RevisionNotFound);
  ObjectPtr obj(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) < 0) {
    return fail(Errc::not_found, "not a commit: " + std::string(rev), Detail::RevisionNotFound);
  }
  ObjectPtr p(peeled);
  return oid_hex(*git_object_id(p.get()));
}

bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit((unsigned char)c); });
}

}  // namespace

Result<std::string> Repo::resolve_revision(std::string_view rev) const {
  git_repository* repo = impl_->get();
  auto not_found = [&] {
    return fail(Errc::not_found, "revision not found: " + std::string(rev), Detail::RevisionNotFound);
  };
  if (rev.empty() || rev.size() > 1024 || rev.find('\0') != std::string_view::npos) {
    return not_found();
  }
  if (rev == "HEAD") return peel_ref(repo, "HEAD");
  if (rev.starts_with("refs/")) {
    int valid = 0;
    std::string name(rev);
    if (git_reference_name_is_valid(&valid, name.c_str()) < 0 || !valid) return not_found();
    return peel_ref(repo, name);
  }
  if (rev.size() == GIT_OID_HEXSZ && all_hex(rev)) {
    git_oid oid;
    // A miss falls through: a (pushed) branch may be named like an id.
    if (parse_oid(rev, &oid)) {
      if (auto r = peel_object(repo, oid, GIT_OID_HEXSZ, rev)) return r;
    }
  }
  for (const char* prefix : {"refs/heads/", "refs/tags/"}) {
    std::string name = prefix + std::string(rev);
    int valid = 0;
    if (git_reference_name_is_valid(&valid, name.c_str()) < 0 || !valid) continue;
    auto r = peel_ref(repo, name);
    if (r || r.error().code != Errc::not_found) return r;
  }
  if (rev.size() >= 7 && rev.size() < GIT_OID_HEXSZ && all_hex(rev)) {
    git_oid oid;
    if (git_oid_fromstrn(&oid, rev.data(), rev.size()) < 0) return not_found();
    return peel_object(repo, oid, rev.size(), rev);
  }
  return not_found();
}

Result<std::string> Repo::default_branch() const {
  git_reference* raw = nullptr;
  if (int rc = git_reference_lookup(&raw, impl_->get(), "HEAD"); rc < 0) {
    return git_fail(rc, "HEAD", Detail::RevisionNotFound);
  }
  RefPtr head(raw);
  const char* target = git_reference_symbolic_target(head.get());
  if (!target) return fail(Errc::not_found, "HEAD is detached", Detail::RevisionNotFound);
  std::string_view t = target;
  if (t.starts_with("refs/heads/")) t.remove_prefix(11);
  return std::string(t);
}

Result<RefList> Repo::list_refs() const {
  git_reference_iterator* it_raw = nullptr;
  if (int rc = git_reference_iterator_new(&it_raw, impl_->get()); rc < 0) {
    return git_fail(rc, "list refs");
  }
  RefIterPtr it(it_raw);
  RefList out;
  git_reference* raw = nullptr;
  int rc = 0;
  while ((rc = git_reference_next(&raw, it.get())) == 0) {
    RefPtr ref(raw);
    if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT) continue;
    std::string_view name = git_reference_name(ref.get());
    struct Kind { std::string_view prefix; std::vector<RefInfo>* list; };
    const Kind kinds[] = {{"refs/heads/", &out.branches},
                          {"refs/tags/", &out.tags},
                          {"refs/pr/", &out.pull_requests},
                          {"refs/convert/", &out.converts}};
    for (const auto& k : kinds) {
      if (!name.starts_with(k.prefix)) continue;
      git_object* obj = nullptr;
      if (git_reference_peel(&obj, ref.get(), GIT_OBJECT_COMMIT) < 0) break;  // not a commit
      ObjectPtr o(obj);
      k.list->push_back(RefInfo{std::string(name.substr(k.prefix.size())), std::string(name),
                                oid_hex(*git_object_id(o.get()))});
      break;
    }
  }
  if (rc != GIT_ITEROVER) return git_fail(rc, "list refs");
  auto by_name = [](const RefInfo& a, const RefInfo& b) { return a.ref < b.ref; };
  for (auto* v : {&out.branches, &out.tags, &out.pull_requests, &out.converts}) {
    std::sort(v->begin(), v->end(), by_name);
  }
  return out;
}

Result<CommitInfo> Repo::commit_info(std::string_view commit) const {
  HUB_TRY(c, lookup_commit(impl_->get(), commit));
  return to_commit_info(c.get());
}

}  // namespace hub::storage::git
