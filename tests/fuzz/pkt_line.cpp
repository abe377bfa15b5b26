// Fuzz target: storage/git's pkt-line reading (smart-HTTP request bodies are untrusted
// pkt-line streams): packet after packet over the whole input, the receive-pack command list,
// and the pieces of the protocol hubd parses itself (Git-Protocol header, ?service=). The
// writer must produce what the reader reads back.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/git/pack_process.h"
#include "storage/git/pkt_line.h"

namespace git = hub::storage::git;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view s = in;
  for (int i = 0; i < 100000 && !s.empty(); ++i) {
    auto p = git::next_pkt_line(s);
    if (!p || !*p) break;
    if ((*p)->size < 4 || (*p)->size > s.size()) __builtin_trap();
    if ((*p)->kind == git::Pkt::Kind::data) {
      std::string again = git::pkt_line((*p)->payload);
      auto q = git::next_pkt_line(again);
      if (!q || !*q || (*q)->payload != (*p)->payload || (*q)->size != again.size()) __builtin_trap();
    }
    s.remove_prefix((*p)->size);
  }
  if (auto c = git::read_ref_updates(in, 64); c && *c) {
    if ((*c)->end > in.size() || (*c)->updates.size() > 64) __builtin_trap();
  }
  (void)git::is_protocol_v2(in);
  (void)git::parse_service(in);
  return 0;
}
