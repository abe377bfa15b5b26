// Revision and path-in-repo parsing from the URL segments after /resolve/, /tree/, /commits/,
// /revision/, /paths-info/ (HUB_API.md §0). The router hands us the segments already decoded one
// by one (Request::rest), so "refs%2Fpr%2F1" arrives as the single segment "refs/pr/1" while
// the JS client's raw "refs/pr/1" arrives as three. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::api {

struct RevPath {
  std::string revision;  // "main", "v1.0", a sha, "refs/pr/1", "refs/convert/parquet", "HEAD"
  std::string path;      // path in the repo, '/'-separated, no leading '/'; "" = root
};

// Splits decoded segments into revision + path. The revision is the first segment, except that
// raw "refs" followed by "pr", "convert", "heads" or "tags" takes three segments.
// `resolves` (optional) answers whether a revision string exists in the repo: when the short
// revision does not, longer prefixes are tried, so a raw branch name with '/' ("feature/x",
// as JS sends it in tree/ and commits/) still works. invalid_argument on an empty revision or
// a path with "." / ".." segments (never let a URL walk out of the tree).
Result<RevPath> split_rev_path(const std::vector<std::string>& segments,
                               const std::function<bool(std::string_view)>& resolves = {});

// The whole of `segments` as one revision (e.g. /revision/{rev*}, /commits/{rev*}): raw
// "refs/pr/1" joins back. invalid_argument if empty.
Result<std::string> join_revision(const std::vector<std::string>& segments);

// Checks and normalises a path-in-repo from a URL or request body: strips leading/trailing
// '/', drops empty segments ("a//b" = "a/b"); invalid_argument on "." or ".." segments, NUL
// or backslash.
Result<std::string> normalize_repo_path(std::string_view path);

// Percent-encodes a path for a URL, keeping '/' (the Location of a redirect, Link headers).
std::string encode_path(std::string_view path);

}  // namespace hub::api
