// The preupload decision (HUB_API.md §7.1): for each file a client is about to commit, whether
// it goes through LFS ("lfs") or inline ("regular"), whether .gitignore excludes it, and the
// id of the file now at that path when that id is what the client compares against (sha256
// for LFS files, git blob sha1 for regular ones). LFS when a .gitattributes rule says so (the
// request's own .gitattributes if it sends one, else the repo's at the revision, judged by
// git's matching), when the file is >= 10 MiB, or when its sample holds a NUL byte.
// Thread-safe: each call opens its own repository.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/hub.h"
#include "services/repos.h"

namespace hub::services {

inline constexpr uint64_t kLfsSizeThreshold = uint64_t(10) << 20;

struct PreuploadFile {
  std::string path;
  uint64_t size = 0;
  std::string sample;  // decoded first bytes (<= 512)
};

struct PreuploadDecision {
  std::string path;
  bool lfs = false;
  bool should_ignore = false;
  std::optional<std::string> oid;
};

// not_found "RevisionNotFound" for an unknown revision (an empty repository has none to know);
// too_large "LfsObjectTooLarge" for a file over HUBD_MAX_LFS_OBJECT_MB (limits.h).
// should_ignore follows `git_ignore` (the client's proposed .gitignore) when given, else the
// repo's own .gitignore at the revision's head.
Result<std::vector<PreuploadDecision>> decide_upload_modes(Hub& hub, const RepoHandle& repo, std::string_view revision,
                                                           const std::vector<PreuploadFile>& files,
                                                           const std::optional<std::string>& git_attributes,
                                                           const std::optional<std::string>& git_ignore);

// .gitignore semantics for one path relative to the file's folder: blank lines and '#'
// comments, '!' re-includes, a trailing '/' matches folders only, a '/' elsewhere anchors the
// pattern, '*', '?', '[...]' and '**' as git's wildmatch, and nothing inside an ignored folder
// can be re-included.
bool gitignore_matches(std::string_view gitignore, std::string_view path);

}  // namespace hub::services
