// Pagination of list endpoints (tree, commits; later repo lists): an opaque cursor and the
// `Link: <absolute URL>; rel="next"` header (HUB_API.md §0). The next URL repeats every original
// query parameter (Python fetches it verbatim) with `cursor` replaced. The cursor carries the
// commit the first page resolved to, so a branch moving mid-walk never mixes two trees.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace hub::api {

struct Cursor {
  std::string commit;  // 40-hex, or "" when the listing is not tied to a commit
  uint64_t offset = 0;
};

std::string encode_cursor(const Cursor& c);
// invalid_argument for anything encode_cursor did not make.
Result<Cursor> decode_cursor(std::string_view s);
// The request's `cursor` parameter: nullopt when absent, an error when malformed.
Result<std::optional<Cursor>> cursor_of(const http::Request& req);

// `<base_url + raw path + ?original params with cursor=next>; rel="next"`.
std::string next_link(const http::Request& req, const Cursor& next);

// `limit` query parameter clamped to [1, max], default `def`; invalid_argument if not a number.
Result<size_t> page_limit(const http::Request& req, size_t def, size_t max);

}  // namespace hub::api
