// Result<T>: the value-or-error type every module boundary returns (std::expected).
// Errc is deliberately short; Detail is the typed machine-readable refinement (the Hub's
// X-Error-Code values and the few kinds callers branch on). Only http/hub_error.h maps
// (Errc, Detail) to HTTP statuses and the Hub's error headers. Plain values, no state.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace hub {

enum class Errc {
  not_found,
  already_exists,
  invalid_argument,
  unauthenticated,
  forbidden,
  conflict,
  precondition_failed,
  too_large,
  corrupt,
  unsupported,
  io,
  internal,
};

std::string_view errc_name(Errc c);

// Set where the error arises (services, storage), read by the one mapping (http/hub_error.h)
// and by the few callers that must branch on a kind; never compare messages instead.
enum class Detail {
  none,
  // The Hub's X-Error-Code values, which huggingface_hub turns into its exception types.
  RepoNotFound,
  RevisionNotFound,
  EntryNotFound,
  GatedRepo,
  // A repo that was renamed: message = the new full id (handlers redirect).
  RepoMoved,
  // Commit payload problems the Hub answers with 422.
  InvalidPath,
  InvalidOperation,
  // A README.md whose YAML front matter (or model-index) the validator refuses.
  InvalidMetadata,
  // LFS and signed URLs.
  InvalidLfsOid,  // sent as "InvalidOid" (libpq's headers define InvalidOid as a macro)
  InvalidPointer,
  InvalidToken,
  TokenExpired,
  TokenMismatch,
  RangeNotSatisfiable,
  HashMismatch,
  SizeMismatch,
  LfsObjectTooLarge,
  CreateBucket,
  TreeTooLarge,
  // Xet storage (main's xet/ code, for the merge): shards and xorbs.
  XorbNotFound,
  InvalidXorb,
  XorbTooLarge,
  InvalidShard,
  ShardTooLarge,
  ShardVerificationFailed,
  MetricsBusy,
  // Log-in throttling (accounts).
  TooManyRequests,
  // Inference: model loading, queue states, TGI error types.
  Loading,
  Overloaded,
  Unloaded,
  TemplateError,
  TgiValidation,     // TGI error_type "validation"
  TgiTemplateError,  // TGI error_type "template_error"
};

// The wire spelling ("RepoNotFound", TGI's "validation"); "" for none.
std::string_view detail_name(Detail d);

struct Error {
  Errc code = Errc::internal;
  std::string message;
  Detail detail = Detail::none;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message, Detail detail = Detail::none) {
  return std::unexpected(Error{code, std::move(message), detail});
}

}  // namespace hub

// Programmer errors only, never user input.
#define HUB_ASSERT(cond)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)

// Propagate an error from a Result-returning expression, else yield its value.
#define HUB_TRY(var, expr)                                   \
  auto var##_result_ = (expr);                               \
  if (!var##_result_) return std::unexpected(std::move(var##_result_.error())); \
  auto var = std::move(*var##_result_)
