// The one gate every response header passes before it reaches the wire (issue 14, finding 1):
// handlers fill Response::headers with whatever they like, and session.cpp runs
// seal_response_headers() on them just before serialising. Nothing a handler copies from a
// request, a repo or a model (an error message, a file name, a revision) can therefore split
// the header block, start a second response or overflow Beast's field limits. The same pass
// adds the security headers every response carries. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.h"

namespace hub::http {

inline constexpr size_t kMaxHeaderValue = 8 * 1024;   // one value, after cleaning
inline constexpr size_t kMaxHeaderBlock = 48 * 1024;  // all fields together (clients stop near 64-100 KiB)
inline constexpr size_t kMaxHeaderCount = 100;

// Applied to responses that set no Content-Security-Policy of their own (everything but web
// pages): nothing in such a response may run or load, even if a browser were made to render it.
inline constexpr std::string_view kDefaultCsp = "default-src 'none'; frame-ancestors 'none'; sandbox";

// RFC 9110 token characters: what a field name may consist of.
bool is_header_name(std::string_view name);
// The value with CR, LF, NUL and the other control characters (HTAB excepted) turned into
// spaces, surrounding whitespace trimmed, and cut to at most `max` bytes on a UTF-8 boundary.
std::string clean_header_value(std::string_view value, size_t max = kMaxHeaderValue);

// Cleans every field in place: drops fields with invalid names (logged), cleans values, bounds
// the block (kMaxHeaderCount fields, kMaxHeaderBlock bytes: the longest values are cut first),
// and adds X-Content-Type-Options: nosniff and, when absent, kDefaultCsp.
void seal_response_headers(Headers& headers);

}  // namespace hub::http
