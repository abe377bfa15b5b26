// Result<T>: the value-or-error type every module boundary returns (std::expected).
// Errc is deliberately short; only api/ maps kinds to HTTP statuses.
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

struct Error {
  Errc code = Errc::internal;
  std::string message;
  // An optional machine-readable detail for the API layer (e.g. "RevisionNotFound").
  std::string detail;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message, std::string detail = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(detail)});
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
