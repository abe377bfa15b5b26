#include "storage/git/pkt_line.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/git/pack_process.h"

namespace hub::storage::git {
namespace {

using namespace std::string_literals;

const std::string kZero(40, '0');
const std::string kOid = "0123456789abcdef0123456789abcdef01234567";

TEST(PktLineReader, DataAndSpecialPackets) {
  auto p = next_pkt_line("0006a\n0000");
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->kind, Pkt::Kind::data);
  EXPECT_EQ((*p)->payload, "a\n");
  EXPECT_EQ((*p)->size, 6u);
  for (auto [text, kind] : {std::pair{"0000", Pkt::Kind::flush}, {"0001", Pkt::Kind::delim}, {"0002", Pkt::Kind::response_end}}) {
    auto s = next_pkt_line(text);
    ASSERT_TRUE(s && *s) << text;
    EXPECT_EQ((*s)->kind, kind);
    EXPECT_EQ((*s)->size, 4u);
  }
  auto empty = next_pkt_line("0004");
  ASSERT_TRUE(empty && *empty);
  EXPECT_EQ((*empty)->payload, "");
  // The writer's output reads back, up to the largest packet.
  std::string big(65516, 'x');
  auto b = next_pkt_line(pkt_line(big));
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->payload.size(), big.size());
}

TEST(PktLineReader, PartialInputAsksForMore) {
  for (const char* text : {"", "00", "000a", "000aabc"}) {
    auto p = next_pkt_line(text);
    ASSERT_TRUE(p) << text;
    EXPECT_FALSE(*p) << text;
  }
}

TEST(PktLineReader, BadLengthsAreErrors) {
  for (const char* text : {"0003", "00zz", "-001", "fff1", "FFFFxxxx", " 004"}) {
    auto p = next_pkt_line(text);
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error().code, Errc::invalid_argument) << text;
  }
}

TEST(ReceiveCommands, ParsesShallowCommandsCapabilitiesAndEnd) {
  std::string body = pkt_line("shallow " + kOid + "\n") +
                     pkt_line(kZero + " " + kOid + " refs/heads/main\0report-status  side-band-64k\n"s) +
                     pkt_line(kOid + " " + kZero + " refs/tags/v1\n") + "0000PACK";
  auto r = read_ref_updates(body);
  ASSERT_TRUE(r && *r) << (r ? "" : r.error().message);
  const auto& c = **r;
  ASSERT_EQ(c.updates.size(), 2u);
  EXPECT_EQ(c.updates[0].ref, "refs/heads/main");
  EXPECT_EQ(c.updates[0].old_oid, kZero);
  EXPECT_EQ(c.updates[1].ref, "refs/tags/v1");
  EXPECT_EQ(c.capabilities, (std::vector<std::string>{"report-status", "side-band-64k"}));
  EXPECT_EQ(c.shallow, std::vector<std::string>{kOid});
  EXPECT_EQ(body.substr(c.end), "PACK");
}

TEST(ReceiveCommands, IncompleteMalformedAndTooMany) {
  std::string cmd = pkt_line(kZero + " " + kOid + " refs/heads/main\n");
  auto partial = read_ref_updates(cmd);
  ASSERT_TRUE(partial);
  EXPECT_FALSE(*partial);
  for (std::string bad : {pkt_line("hello\n") + "0000", pkt_line(kZero + " " + kOid + "\n") + "0000",
                          pkt_line(kZero + " " + kOid.substr(1) + "x refs/heads/a\n") + "0000",
                          pkt_line(kZero + " " + std::string(64, 'a') + " refs/heads/a\n") + "0000",
                          pkt_line(kZero + " " + kOid + " \n") + "0000", "0001" + cmd + "0000",
                          cmd + pkt_line("shallow " + kOid + "\n") + "0000"}) {
    auto r = read_ref_updates(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
  }
  auto many = read_ref_updates(cmd + cmd + cmd + "0000", 2);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, Errc::too_large);
}

}  // namespace
}  // namespace hub::storage::git
