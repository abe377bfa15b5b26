// The Hub's error contract, in one place: a service Error (Errc + typed Detail) becomes the
// HTTP status, X-Error-Code, X-Error-Message and JSON {"error"} that huggingface_hub and
// huggingface.js turn into their exception types (HUB_API.md §0). api/ (REST, resolve,
// git-http, LFS) and web/ both answer through it, so no handler keeps its own status table
// or compares messages. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace hub::http {

struct ErrorReply {
  int status = 500;
  std::string_view code;  // X-Error-Code, empty when the Hub sends none
  std::string message;    // X-Error-Message and {"error"}; generic for 5xx other than 503
  int retry_after = 0;    // seconds for Retry-After (503: busy, try again), 0 = none
};

// `anonymous`: the caller sent no credentials. The Hub answers 401 instead of 404/403 for a
// repo it will not show them (RepoNotFound, GatedRepo), so the clients suggest logging in.
ErrorReply describe_error(const Error& e, bool anonymous = false);

// describe_error as a JSON error response (Response::error's shape).
Response error_response(const Error& e, bool anonymous = false);

}  // namespace hub::http
