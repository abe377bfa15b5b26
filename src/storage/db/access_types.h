// Rows of gated-repo access requests (issue 17), behind the Database interface: one row per
// (repo, user), whose status moves between pending, accepted and rejected as the user asks and
// the repo's writers decide. Plain values; the user's name, full name and email are joined in
// by the queries (empty when the account is gone).
#pragma once

#include <cstdint>
#include <string>

namespace hub::storage::db {

struct AccessRequestRow {
  int64_t repo_id = 0;
  int64_t account_id = 0;
  std::string user_name;         // read only (joined)
  std::string user_fullname;     // read only (joined)
  std::string user_email;        // read only (joined)
  std::string status;            // "pending" | "accepted" | "rejected"
  std::string fields;            // the form's answers: a JSON object, or "" (no custom form)
  std::string rejection_reason;  // set by a rejection, cleared by any other change
  bool granted = false;          // added by a writer without a request (their email is not shared)
  int64_t created_at = 0;        // unix ms
  int64_t updated_at = 0;        // the last status change: the API's "timestamp"
};

}  // namespace hub::storage::db
