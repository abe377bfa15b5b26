#include "tensorboard/record_reader.h"

#include "tensorboard/crc32c.h"

namespace hub::tensorboard {
namespace {

uint64_t load_u64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(std::to_integer<uint8_t>(p[i])) << (8 * i);
  return v;
}

uint32_t load_u32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(std::to_integer<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace

RecordReader::Check RecordReader::check_header(size_t pos, uint64_t& data_len) const {
  const size_t left = file_.size() - pos;
  if (left < kHeaderSize) return Check::truncated;
  const std::byte* h = file_.data() + pos;
  if (crc32c_mask(crc32c({h, 8})) != load_u32(h + 8)) return Check::bad_length_crc;
  data_len = load_u64(h);
  // Subtractions on sizes already known to fit, so nothing can overflow.
  if (data_len > left - kHeaderSize || kFooterSize > left - kHeaderSize - data_len)
    return Check::truncated;
  return Check::good;
}

RecordReader::Check RecordReader::check_at(size_t pos, uint64_t& data_len) const {
  if (const Check c = check_header(pos, data_len); c != Check::good) return c;
  const auto data = file_.subspan(pos + kHeaderSize, static_cast<size_t>(data_len));
  const std::byte* footer = data.data() + data.size();
  if (crc32c_mask(crc32c(data)) != load_u32(footer)) return Check::bad_data_crc;
  return Check::good;
}

void RecordReader::report(uint64_t offset, std::string reason) {
  if (issues_.size() < kMaxIssues)
    issues_.push_back({offset, index_, std::move(reason)});
  else
    ++issues_dropped_;
}

std::optional<Record> RecordReader::next() {
  while (pos_ < file_.size()) {
    uint64_t len = 0;
    const size_t at = pos_;
    switch (check_at(at, len)) {
      case Check::good: {
        Record r{at, index_++, file_.subspan(at + kHeaderSize, static_cast<size_t>(len))};
        pos_ = at + kHeaderSize + static_cast<size_t>(len) + kFooterSize;
        return r;
      }
      case Check::bad_data_crc:
        report(at, "data CRC mismatch; record skipped");
        ++index_;
        pos_ = at + kHeaderSize + static_cast<size_t>(len) + kFooterSize;
        continue;
      case Check::truncated: {
        const size_t left = file_.size() - at;
        if (left < kHeaderSize)
          report(at, "truncated record header (" + std::to_string(left) + " bytes left)");
        else
          report(at, "truncated record: length " + std::to_string(load_u64(file_.data() + at)) +
                         " runs past the end (" + std::to_string(left) + " bytes left)");
        pos_ = file_.size();
        return std::nullopt;
      }
      case Check::bad_length_crc: {
        // Resynchronise: the next offset where a complete, fully verified record starts.
        // A candidate only needs a verified header whose length fits the file: its data CRC
        // is checked when reading resumes there. Checking data here instead would let crafted
        // input (many verified headers with long, bad payloads) make the scan quadratic.
        size_t scan = at + 1;
        for (; scan + kHeaderSize + kFooterSize <= file_.size(); ++scan) {
          uint64_t ignored = 0;
          const Check c = check_header(scan, ignored);
          if (c == Check::good) break;
        }
        ++index_;
        if (scan + kHeaderSize + kFooterSize <= file_.size()) {
          report(at, "length CRC mismatch; skipped " + std::to_string(scan - at) +
                         " bytes to the next valid record at offset " + std::to_string(scan));
          pos_ = scan;
        } else {
          report(at, "length CRC mismatch; no valid record in the remaining " +
                         std::to_string(file_.size() - at) + " bytes");
          pos_ = file_.size();
        }
        continue;
      }
    }
  }
  return std::nullopt;
}

}  // namespace hub::tensorboard
