// Repository use cases: create (bare git repo with the Hub's initial commit + db row),
// look up with permission checks (private repos are invisible: RepoNotFound), delete, move
// (old names redirect), settings. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

// What a use case needs of a repo: read it (metadata, card, file listings); read its file
// content (read, and past the gate of a gated repo: services/gating.h); contribute to it (open
// a pull request, like it: read access, and credentials that may write at all); or write to it.
enum class Access { read, content, contribute, write };

struct RepoHandle {
  storage::db::RepoRow row;
  std::string path;  // the bare repository on disk
};

// Errors: not_found/"RepoNotFound" when missing or not readable by p (never revealing that a
// private repo exists); not_found/"RepoMoved" with message = the new "ns/name" when the name
// belongs to a renamed repo that p can read; unauthenticated (anonymous) or forbidden when
// contribute/write access is needed and missing (a read token: forbidden, whatever the repo);
// GatedRepo (check_content_access) when content access is needed and missing.
Result<RepoHandle> open_repo(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                             std::string_view name, Access need);

struct NewRepo {
  std::string type = "model";
  std::string ns;    // empty: the caller's own namespace
  std::string name;
  bool is_private = false;
  // Top-level files of the initial commit (createRepo({files})); a .gitattributes replaces the
  // default one.
  std::vector<std::pair<std::string, std::string>> files;
};
Result<RepoHandle> create_repo(Hub& hub, const Principal& p, const NewRepo& r);
Result<void> delete_repo(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                         std::string_view name);
Result<RepoHandle> move_repo(Hub& hub, const Principal& p, std::string_view type, std::string_view from_id,
                             std::string_view to_id);
Result<void> update_repo_settings(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                  std::string_view name, std::optional<bool> is_private,
                                  std::optional<std::string> gated);

// Splits "ns/name"; invalid_argument unless exactly two valid parts.
Result<std::pair<std::string, std::string>> split_repo_id(std::string_view id);

}  // namespace hub::services
