#include "tensorboard/record_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "tensorboard/event_writer.h"

namespace hub::tensorboard {
namespace {

using testing::as_span;
using testing::Bytes;
using testing::record;

std::vector<Bytes> read_all(const Bytes& file, std::vector<RecordIssue>* issues = nullptr,
                            std::vector<uint64_t>* offsets = nullptr) {
  RecordReader r(as_span(file));
  std::vector<Bytes> out;
  while (auto rec = r.next()) {
    out.emplace_back(reinterpret_cast<const char*>(rec->data.data()), rec->data.size());
    if (offsets) offsets->push_back(rec->offset);
  }
  if (issues) *issues = r.issues();
  return out;
}

TEST(RecordReader, ReadsRecordsInOrderWithOffsets) {
  const Bytes file = record("first") + record("") + record(Bytes(1000, 'x'));
  std::vector<RecordIssue> issues;
  std::vector<uint64_t> offsets;
  const auto recs = read_all(file, &issues, &offsets);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0], "first");
  EXPECT_EQ(recs[1], "");
  EXPECT_EQ(recs[2], Bytes(1000, 'x'));
  EXPECT_EQ(offsets, (std::vector<uint64_t>{0, 21, 37}));
  EXPECT_TRUE(issues.empty());
}

TEST(RecordReader, EmptyFileHasNoRecordsAndNoIssues) {
  std::vector<RecordIssue> issues;
  EXPECT_TRUE(read_all("", &issues).empty());
  EXPECT_TRUE(issues.empty());
}

TEST(RecordReader, BadDataCrcSkipsOnlyThatRecord) {
  Bytes bad = record("second");
  bad[12] ^= 0x01;  // first data byte
  const Bytes file = record("first") + bad + record("third");
  std::vector<RecordIssue> issues;
  const auto recs = read_all(file, &issues);
  EXPECT_EQ(recs, (std::vector<Bytes>{"first", "third"}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].offset, record("first").size());
  EXPECT_EQ(issues[0].record_index, 1u);
  EXPECT_NE(issues[0].reason.find("data CRC"), std::string::npos);
}

TEST(RecordReader, BadLengthCrcResynchronisesAtNextRecord) {
  Bytes bad = record("second");
  bad[0] ^= 0x40;  // the length itself: its CRC no longer matches
  const Bytes file = record("first") + bad + record("third") + record("fourth");
  std::vector<RecordIssue> issues;
  std::vector<uint64_t> offsets;
  const auto recs = read_all(file, &issues, &offsets);
  EXPECT_EQ(recs, (std::vector<Bytes>{"first", "third", "fourth"}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].reason.find("length CRC"), std::string::npos);
  EXPECT_EQ(offsets[1], record("first").size() + bad.size());
}

TEST(RecordReader, GarbageBetweenRecordsIsScannedOver) {
  const Bytes file = record("a") + Bytes("some garbage that is not a record at all") + record("b");
  std::vector<RecordIssue> issues;
  EXPECT_EQ(read_all(file, &issues), (std::vector<Bytes>{"a", "b"}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].reason.find("skipped"), std::string::npos);
}

TEST(RecordReader, HugeLengthWithValidCrcDoesNotAllocateOrCrash) {
  // 2^60 with a correct length CRC: trusted as a length, so it is a truncated record.
  const Bytes file = record("good") + testing::header_only(uint64_t{1} << 60) + Bytes(64, 'z');
  std::vector<RecordIssue> issues;
  EXPECT_EQ(read_all(file, &issues), (std::vector<Bytes>{"good"}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].reason.find("truncated"), std::string::npos);
  EXPECT_EQ(issues[0].offset, record("good").size());
  // Lengths near 2^64 must not wrap the bounds arithmetic either.
  for (uint64_t len : {~uint64_t{0}, ~uint64_t{0} - 11, ~uint64_t{0} - 15, uint64_t{1} << 63}) {
    const Bytes f = testing::header_only(len) + Bytes(40, 'q');
    EXPECT_TRUE(read_all(f, &issues).empty()) << len;
    EXPECT_EQ(issues.size(), 1u);
  }
}

TEST(RecordReader, TruncatedLastRecordKeepsEarlierOnes) {
  const Bytes full = record("one") + record("two") + record("three");
  const size_t two_end = record("one").size() + record("two").size();
  for (size_t cut = two_end + 1; cut < full.size(); ++cut) {
    std::vector<RecordIssue> issues;
    const auto recs = read_all(full.substr(0, cut), &issues);
    EXPECT_EQ(recs, (std::vector<Bytes>{"one", "two"})) << cut;
    ASSERT_EQ(issues.size(), 1u) << cut;
    EXPECT_NE(issues[0].reason.find("truncated"), std::string::npos) << issues[0].reason;
  }
}

TEST(RecordReader, RandomBytesEndWithFewIssues) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 200; ++iter) {
    Bytes b(rng() % 4096, '\0');
    for (auto& c : b) c = static_cast<char>(rng());
    std::vector<RecordIssue> issues;
    read_all(b, &issues);
    EXPECT_LE(issues.size(), RecordReader::kMaxIssues);
  }
}

// Flip random bits in a good file: every record returned must be one that was written (its
// CRCs verified), and the records after the damage are found again.
TEST(RecordReader, FuzzBitFlipsOnlyEverReturnWrittenRecords) {
  std::vector<Bytes> written;
  Bytes file;
  for (int i = 0; i < 50; ++i) {
    written.push_back("record-" + std::to_string(i) + Bytes(i % 7 * 10, static_cast<char>('a' + i % 26)));
    file += record(written.back());
  }
  const std::set<Bytes> known(written.begin(), written.end());
  std::mt19937 rng(99);
  for (int iter = 0; iter < 300; ++iter) {
    Bytes damaged = file;
    const int flips = 1 + static_cast<int>(rng() % 4);
    size_t last_flip = 0;
    for (int k = 0; k < flips; ++k) {
      last_flip = rng() % damaged.size();
      damaged[last_flip] ^= static_cast<char>(1u << (rng() % 8));
    }
    const auto recs = read_all(damaged);
    for (const auto& r : recs) ASSERT_TRUE(known.count(r)) << "invented a record";
    EXPECT_GE(recs.size(), written.size() - 4 * static_cast<size_t>(flips));
    // The final record sits after every flip unless a flip landed inside it.
    if (last_flip < file.size() - record(written.back()).size() && flips == 1) {
      EXPECT_EQ(recs.back(), written.back());
    }
  }
}

}  // namespace
}  // namespace hub::tensorboard
