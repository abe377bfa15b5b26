// TFRecord framing reader over an in-memory event file. Each record is
//   uint64 length (LE) | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)
// Borrows the file's bytes (which may be mmap'd) and never copies or allocates for record
// data, so a hostile length such as 2^60 costs nothing. One reader per thread.
//
// Damage handling (bounded, never a crash):
//  - data CRC mismatch: the length was verified by its own CRC, so the record is skipped and
//    reading continues right after it;
//  - length CRC mismatch: the length cannot be trusted, so the reader scans forward one byte at
//    a time for the next offset whose header CRC verifies and whose length fits the file, and
//    resumes there (that record's data CRC is then checked as usual). Scanning and skipping
//    only move forward and each byte is hashed a bounded number of times, so a whole file
//    costs O(size) however many damaged spots it has;
//  - a record running past the end (a file still being written, or cut short) ends the read.
// Each of these is reported as a RecordIssue; the first kMaxIssues are kept, the rest counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hub::tensorboard {

struct Record {
  uint64_t offset = 0;        // byte offset of the record's header in the file
  uint64_t index = 0;         // 0-based position among the records seen in this file
  std::span<const std::byte> data;
};

struct RecordIssue {
  uint64_t offset = 0;        // where the problem was found
  uint64_t record_index = 0;  // index the damaged record would have had
  std::string reason;
};

class RecordReader {
 public:
  static constexpr size_t kHeaderSize = 12;  // length + length CRC
  static constexpr size_t kFooterSize = 4;   // data CRC
  static constexpr size_t kMaxIssues = 32;

  explicit RecordReader(std::span<const std::byte> file) : file_(file) {}

  // The next record whose CRCs verify, or nullopt when the file is exhausted.
  std::optional<Record> next();

  const std::vector<RecordIssue>& issues() const { return issues_; }
  uint64_t issues_dropped() const { return issues_dropped_; }
  uint64_t offset() const { return pos_; }

 private:
  enum class Check { good, bad_length_crc, bad_data_crc, truncated };
  // Checks the header at pos: its CRC, and that its record fits in the file.
  Check check_header(size_t pos, uint64_t& data_len) const;
  // Checks the record at pos; on good/bad_data_crc, data_len is the verified length.
  Check check_at(size_t pos, uint64_t& data_len) const;
  void report(uint64_t offset, std::string reason);

  std::span<const std::byte> file_;
  size_t pos_ = 0;
  uint64_t index_ = 0;
  std::vector<RecordIssue> issues_;
  uint64_t issues_dropped_ = 0;
};

}  // namespace hub::tensorboard
