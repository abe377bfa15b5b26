// Repo ref writes: branches, tags and the compare-and-swap every branch move goes through.
#include <algorithm>
#include <cctype>

#include "storage/git/repo.h"
#include "storage/git/repo_impl.h"

namespace hub::storage::git {
using namespace detail;

namespace {

bool valid_short_name(std::string_view name, const char* prefix) {
  if (name.empty() || name.size() > 255 || name == "HEAD" || name.front() == '-') return false;
  if (name.starts_with("refs/")) return false;  // e.g. "refs/pr/5" must not become a branch
  if (name.size() == 40 &&
      std::all_of(name.begin(), name.end(), [](char c) { return std::isxdigit((unsigned char)c); })) {
    return false;  // would shadow commit ids in resolve_revision
  }
  std::string full = std::string(prefix) + std::string(name);
  int valid = 0;
  return git_reference_name_is_valid(&valid, full.c_str()) == 0 && valid;
}

Result<void> bad_name(std::string_view kind, std::string_view name) {
  return fail(Errc::invalid_argument, "invalid " + std::string(kind) + " name: " + std::string(name));
}

}  // namespace

bool is_valid_branch_name(std::string_view name) { return valid_short_name(name, "refs/heads/"); }
bool is_valid_tag_name(std::string_view name) { return valid_short_name(name, "refs/tags/"); }

Result<void> Repo::create_branch(std::string_view name, std::string_view target) {
  if (!is_valid_branch_name(name)) return bad_name("branch", name);
  HUB_TRY(commit, lookup_commit(impl_->get(), target));
  std::string full = "refs/heads/" + std::string(name);
  git_reference* raw = nullptr;
  int rc = git_reference_create(&raw, impl_->get(), full.c_str(), git_commit_id(commit.get()),
                                /*force=*/0, "hubd: create branch");
  if (rc < 0) return git_fail(rc, "create branch " + std::string(name), Detail::RevisionNotFound);
  git_reference_free(raw);
  return {};
}

Result<void> Repo::delete_branch(std::string_view name) {
  if (!is_valid_branch_name(name)) return bad_name("branch", name);
  if (auto def = default_branch(); def && *def == name) {
    return fail(Errc::invalid_argument, "cannot delete the default branch " + std::string(name));
  }
  std::string full = "refs/heads/" + std::string(name);
  git_reference* raw = nullptr;
  if (int rc = git_reference_lookup(&raw, impl_->get(), full.c_str()); rc < 0) {
    return git_fail(rc, "branch " + std::string(name), Detail::RevisionNotFound);
  }
  RefPtr ref(raw);
  if (int rc = git_reference_delete(ref.get()); rc < 0) {
    return git_fail(rc, "delete branch " + std::string(name), Detail::RevisionNotFound);
  }
  return {};
}

Result<void> Repo::create_tag(std::string_view name, std::string_view target,
                              std::string_view message, const Signature& tagger) {
  if (!is_valid_tag_name(name)) return bad_name("tag", name);
  HUB_TRY(commit, lookup_commit(impl_->get(), target));
  std::string n(name);
  git_oid oid;
  int rc = 0;
  const git_object* obj = reinterpret_cast<const git_object*>(commit.get());
  if (message.empty()) {
    rc = git_tag_create_lightweight(&oid, impl_->get(), n.c_str(), obj, /*force=*/0);
  } else {
    Signature who = tagger.name.empty() ? Signature{"hubd", "hubd@localhost", tagger.time_ms}
                                        : tagger;
    HUB_TRY(sig, make_signature(who));
    std::string msg(message);
    if (msg.back() != '\n') msg += '\n';
    rc = git_tag_create(&oid, impl_->get(), n.c_str(), obj, sig.get(), msg.c_str(), /*force=*/0);
  }
  if (rc < 0) return git_fail(rc, "create tag " + n, Detail::RevisionNotFound);
  return {};
}

Result<void> Repo::delete_tag(std::string_view name) {
  if (!is_valid_tag_name(name)) return bad_name("tag", name);
  std::string n(name);
  if (int rc = git_tag_delete(impl_->get(), n.c_str()); rc < 0) {
    return git_fail(rc, "delete tag " + n, Detail::RevisionNotFound);
  }
  return {};
}

Result<void> Repo::update_ref_cas(std::string_view refname, std::string_view new_oid,
                                  std::string_view expected_old, std::string_view log_message) {
  std::string name(refname);
  int valid = 0;
  if (!name.starts_with("refs/") || git_reference_name_is_valid(&valid, name.c_str()) < 0 ||
      !valid) {
    return fail(Errc::invalid_argument, "invalid ref name: " + name);
  }
  if (new_oid.empty() && expected_old.empty()) {
    return fail(Errc::invalid_argument, "update_ref_cas needs a new or an expected id");
  }
  git_oid expected{};
  if (!expected_old.empty() && !parse_oid(expected_old, &expected)) {
    return fail(Errc::invalid_argument, "expected id is not 40-hex: " + std::string(expected_old));
  }
  std::string msg(log_message);
  auto moved = [&](int rc) -> Result<void> {
    if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ENOTFOUND || rc == GIT_ELOCKED) {
      return fail(Errc::conflict, make_git_error(rc, name + " was updated concurrently").message);
    }
    return git_fail(rc, "update " + name);
  };

  if (new_oid.empty()) {  // delete, only if it still points at expected
    git_reference* raw = nullptr;
    if (int rc = git_reference_lookup(&raw, impl_->get(), name.c_str()); rc < 0) return moved(rc);
    RefPtr ref(raw);
    const git_oid* cur = git_reference_target(ref.get());
    if (!cur || !git_oid_equal(cur, &expected)) return moved(GIT_EMODIFIED);
    // libgit2 re-checks the value it looked up under the ref lock.
    if (int rc = git_reference_delete(ref.get()); rc < 0) return moved(rc);
    return {};
  }

  HUB_TRY(commit, lookup_commit(impl_->get(), new_oid));
  git_reference* raw = nullptr;
  int rc = expected_old.empty()
               ? git_reference_create(&raw, impl_->get(), name.c_str(), git_commit_id(commit.get()),
                                      /*force=*/0, msg.c_str())
               : git_reference_create_matching(&raw, impl_->get(), name.c_str(),
                                               git_commit_id(commit.get()), /*force=*/1, &expected,
                                               msg.c_str());
  if (rc < 0) return moved(rc);
  git_reference_free(raw);
  return {};
}

}  // namespace hub::storage::git
