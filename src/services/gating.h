// Gated repos (issue 17): who may read a gated repo's file content, and the access requests that
// decide it. A repo is gated "auto" (a request is accepted at once) or "manual" (requests wait
// for a writer's decision); metadata, the card and file listings stay visible to everyone who
// can read the repo, as on the Hub; file bytes (resolve/raw, git fetch, LFS downloads, blob and
// metrics views, the Inference API, Xet read tokens) need content access. check_content_access
// is the one decision: every content path asks it, through open_repo(Access::content) or
// directly. Thread-safe (state lives in the database).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

// The one decision. OK when the repo is not gated, or p is the owner, a member of the owning
// org (any role), an admin, or a user whose request is accepted. Otherwise a GatedRepo error
// with the Hub's message (anonymous: unauthenticated, else forbidden; pending and rejected
// requests get their own message). The caller has already checked that p can read the repo.
Result<void> check_content_access(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);

// The request form a gated repo's card defines (extra_gated_* keys of its front matter).
struct GateField {
  std::string name;                  // the key, also the label
  std::string type;                  // "text" | "checkbox" | "date_picker" | "country" | "select"
  std::vector<std::string> options;  // select only
};
struct GateForm {
  std::string heading;      // extra_gated_heading
  std::string description;  // extra_gated_description
  std::string prompt;       // extra_gated_prompt (Markdown)
  std::string button;       // extra_gated_button_content
  std::vector<GateField> fields;
};
// Read tolerantly: unknown field types become "text", other junk is skipped; at most 50 fields.
GateForm gate_form(const json::object& card_data);

// The form of the repo's card on its default branch (an empty form when it has none).
GateForm gate_form_of(Hub& hub, const storage::db::RepoRow& repo, const std::string& repo_path);

// p asks for access with the form's answers (name -> value; a checkbox is "on" when ticked).
// Every field must be answered (checkboxes ticked, select values among the options), answers
// at most 1000 bytes each. "auto" accepts at once, "manual" queues. Errors: invalid_argument
// (not gated, bad answers), unauthenticated, conflict (already requested: the existing row
// stands). Returns the stored row.
Result<storage::db::AccessRequestRow> request_access(Hub& hub, const Principal& p, const storage::db::RepoRow& repo,
                                                     const GateForm& form,
                                                     const std::vector<std::pair<std::string, std::string>>& answers);

// p's own request for the repo, if any.
std::optional<storage::db::AccessRequestRow> own_access_request(Hub& hub, const Principal& p,
                                                                const storage::db::RepoRow& repo);

// Writers' side (the repo's writers with write-scoped credentials, as the Hub's settings): list
// one status; move a user's request (to "pending" = cancel, "accepted", "rejected" with an
// optional reason of at most 200 characters); grant access without a request. Errors: the
// open_repo ones (RepoNotFound, 401/403), invalid_argument when the repo is not gated or a value
// is bad, not_found for an unknown user or missing request, conflict when the request already
// has that status or (grant) the user already has access.
Result<std::vector<storage::db::AccessRequestRow>> list_access_requests(Hub& hub, const Principal& p,
                                                                        std::string_view type, std::string_view ns,
                                                                        std::string_view name,
                                                                        std::string_view status);
Result<void> handle_access_request(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                   std::string_view name, std::string_view user, std::string_view status,
                                   std::string_view rejection_reason);
Result<void> grant_access(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                          std::string_view name, std::string_view user);

}  // namespace hub::services
