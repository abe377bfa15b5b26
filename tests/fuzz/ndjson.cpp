// Fuzz target: api/ndjson.h, the commit endpoint's streamed NDJSON reader and its line parser
// (HUB_API.md §7.3), plus the older whole-JSON commit form. The body arrives through a read
// function in pieces whose sizes the input chooses (first byte), under small limits, so line
// splitting across reads, the line cap and the body cap are all reachable with short inputs.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "api/ndjson.h"

using namespace hub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = size_t(data[0] % 64) + 1;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  api::NdjsonLimits limits;
  limits.max_line = 2048;
  limits.max_total = 16384;
  limits.max_depth = 8;
  size_t off = 0;
  api::NdjsonReader reader(
      [&](char* buf, size_t cap) -> Result<size_t> {
        size_t n = std::min({cap, piece, body.size() - off});
        std::memcpy(buf, body.data() + off, n);
        off += n;
        return n;
      },
      limits);
  for (int lines = 0; lines < 1000; ++lines) {
    auto obj = reader.next();
    if (!obj || !*obj) break;
    auto line = api::parse_commit_line(**obj);
    if (line)
      if (auto* op = std::get_if<services::CommitOp>(&*line); op && op->path.empty()) std::abort();
  }
  if (reader.bytes_read() > body.size()) std::abort();
  (void)reader.drain(4096);

  // The same bytes as one JSON document in the older {"summary", "files": [...]} form.
  if (auto doc = json::parse(body, 8); doc && doc->is_object()) (void)api::parse_commit_json(doc->as_object());
  return 0;
}
