// Streaming NDJSON for the commit endpoint (HUB_API.md §7.3): NdjsonReader pulls a request body
// through a read function and yields one JSON object per line, never holding more than one
// line, so a huge body costs one line of memory and an over-long line is refused as soon as
// it passes the cap. parse_commit_line turns one line into the commit service's header or
// operation (base64/utf-8 content decoded, paths checked). Single-threaded; one per request.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "core/json.h"
#include "core/result.h"
#include "services/commits.h"

namespace hub::api {

struct NdjsonLimits {
  size_t max_line = size_t(32) << 20;       // one line; a file op above ~24 MiB decoded belongs in LFS
  uint64_t max_total = uint64_t(1) << 30;   // the whole body
  size_t max_depth = 32;                    // JSON nesting per line
};

class NdjsonReader {
 public:
  using ReadFn = std::function<Result<size_t>(char* buf, size_t cap)>;
  NdjsonReader(ReadFn read, NdjsonLimits limits = {});

  // The next non-blank line as a JSON object; nullopt at the end of the body.
  // Errors: too_large (line or body over the limits), invalid_argument (not JSON, not an
  // object; the message names the line), io (the body could not be read).
  Result<std::optional<json::object>> next();
  // Reads and discards what is left of the body, at most max_bytes; true if it reached the end.
  // Lets an early error response reach a client that is still sending.
  bool drain(uint64_t max_bytes);

  size_t line_number() const { return line_no_; }
  uint64_t bytes_read() const { return total_; }

 private:
  Result<bool> fill();  // false at the end of the body

  ReadFn read_;
  NdjsonLimits limits_;
  std::string buf_;    // unconsumed bytes
  std::string chunk_;  // read buffer, allocated on first use
  size_t pos_ = 0;     // start of the unconsumed part of buf_
  uint64_t total_ = 0;
  size_t line_no_ = 0;
  bool eof_ = false;
};

// One parsed line of a commit payload.
using CommitLine = std::variant<services::CommitHeader, services::CommitOp>;

// {"key": "header"|"file"|"lfsFile"|"deletedFile"|"deletedFolder", "value": {...}}.
// invalid_argument for a malformed line (unknown key, missing fields, bad base64, bad oid);
// invalid_argument with detail "InvalidPath" for a path the Hub refuses (.git, .., '\',
// leading '/', empty segments). Consumes `line` (file content is moved out of it).
Result<CommitLine> parse_commit_line(json::object& line);

// Older JSON form {"summary","description","parentCommit","files":[{path,content,encoding}],
// "lfsFiles":[{path,oid,size}],"deletedFiles":[{path}],"deletedFolders":[{path}]} as a header
// plus operations, in that order.
Result<std::pair<services::CommitHeader, std::vector<services::CommitOp>>> parse_commit_json(
    json::object& body);

}  // namespace hub::api
