// Reading git's pkt-line framing (gitprotocol-common): 4 hex digits giving the packet's total
// length, header included, then the payload; "0000" flush, "0001" delimiter (v2), "0002"
// response end (v2); lengths 1-3 are invalid and 65520 is the largest packet. Smart-HTTP
// request bodies are untrusted pkt-line streams, so the reader never trusts a length past the
// bytes it was given and never allocates. read_ref_updates reads the command list a
// receive-pack request opens with ("<old> <new> <ref>", the first line carrying capabilities
// after a NUL), which names every ref a push wants to move before any of the pack is read.
// Pure functions over borrowed bytes; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::storage::git {

inline constexpr size_t kMaxPktLine = 65520;  // header + payload, as git

struct Pkt {
  enum class Kind { data, flush, delim, response_end };
  Kind kind = Kind::data;
  std::string_view payload;  // data packets only; borrows the input
  size_t size = 0;           // bytes the packet takes in the input, header included
};

// The packet at the front of `in`: nullopt when `in` holds only part of it (read more);
// invalid_argument for a header that is not 4 hex digits, a length of 1-3 or one over
// kMaxPktLine.
Result<std::optional<Pkt>> next_pkt_line(std::string_view in);

struct RefUpdate {
  std::string old_oid, new_oid;  // 40 lowercase hex (sha1) or 64 (sha256); zeros: create/delete
  std::string ref;               // "refs/heads/main"
};

struct ReceiveCommands {
  std::vector<RefUpdate> updates;
  std::vector<std::string> capabilities;  // from the first command, space-separated
  std::vector<std::string> shallow;       // "shallow <oid>" lines before the commands
  size_t end = 0;                         // offset just past the flush that ends the list
};

// Parses a receive-pack request's command list (shallow lines, commands, flush) at the front
// of `in`, at most max_updates commands. nullopt: `in` ends before the flush (read more);
// invalid_argument: malformed packets or commands; too_large: more than max_updates.
Result<std::optional<ReceiveCommands>> read_ref_updates(std::string_view in, size_t max_updates = 10000);

}  // namespace hub::storage::git
