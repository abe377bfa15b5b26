#include "storage/git/pkt_line.h"

#include <algorithm>

namespace hub::storage::git {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_oid(std::string_view s) {
  if (s.size() != 40 && s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::unexpected<Error> bad(std::string why) { return fail(Errc::invalid_argument, "malformed pkt-line stream: " + std::move(why)); }

}  // namespace

Result<std::optional<Pkt>> next_pkt_line(std::string_view in) {
  if (in.size() < 4) return std::optional<Pkt>();
  size_t len = 0;
  for (size_t i = 0; i < 4; ++i) {
    int v = hex_value(in[i]);
    if (v < 0) return bad("packet length is not 4 hex digits");
    len = len * 16 + size_t(v);
  }
  Pkt p;
  p.size = len < 4 ? 4 : len;
  switch (len) {
    case 0: p.kind = Pkt::Kind::flush; return p;
    case 1: p.kind = Pkt::Kind::delim; return p;
    case 2: p.kind = Pkt::Kind::response_end; return p;
    case 3: return bad("packet length 3");
    default: break;
  }
  if (len > kMaxPktLine) return bad("packet longer than 65520 bytes");
  if (in.size() < len) return std::optional<Pkt>();
  p.payload = in.substr(4, len - 4);
  return p;
}

Result<std::optional<ReceiveCommands>> read_ref_updates(std::string_view in, size_t max_updates) {
  ReceiveCommands out;
  size_t pos = 0;
  for (;;) {
    HUB_TRY(p, next_pkt_line(in.substr(pos)));
    if (!p) return std::optional<ReceiveCommands>();
    pos += p->size;
    if (p->kind == Pkt::Kind::flush) break;
    if (p->kind != Pkt::Kind::data) return bad("unexpected special packet in the command list");
    std::string_view line = p->payload;
    if (line.ends_with('\n')) line.remove_suffix(1);
    if (line.starts_with("shallow ")) {
      if (!out.updates.empty()) return bad("shallow line after a command");
      std::string_view oid = line.substr(8);
      if (!is_oid(oid)) return bad("shallow line without an object id");
      out.shallow.emplace_back(oid);
      continue;
    }
    if (out.updates.size() == max_updates)
      return fail(Errc::too_large, "push updates more than " + std::to_string(max_updates) + " refs");
    if (out.updates.empty()) {
      if (size_t nul = line.find('\0'); nul != std::string_view::npos) {
        std::string_view caps = line.substr(nul + 1);
        line = line.substr(0, nul);
        while (!caps.empty()) {
          size_t sp = caps.find(' ');
          if (sp != 0) out.capabilities.emplace_back(caps.substr(0, sp));
          if (sp == std::string_view::npos) break;
          caps.remove_prefix(sp + 1);
        }
      }
    }
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos) return bad("command is not \"<old> <new> <ref>\"");
    std::string_view old_oid = line.substr(0, a), new_oid = line.substr(a + 1, b - a - 1), ref = line.substr(b + 1);
    if (!is_oid(old_oid) || !is_oid(new_oid) || old_oid.size() != new_oid.size())
      return bad("command without two object ids of one hash");
    if (ref.empty() || ref.find_first_of(std::string_view("\0 \n", 3)) != std::string_view::npos)
      return bad("command with an invalid ref name");
    out.updates.push_back({std::string(old_oid), std::string(new_oid), std::string(ref)});
  }
  out.end = pos;
  return out;
}

}  // namespace hub::storage::git
