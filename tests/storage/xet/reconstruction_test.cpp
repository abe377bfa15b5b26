#include "storage/xet/reconstruction.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "storage/xet/chunker.h"
#include "storage/xet/xorb.h"

namespace hub::storage::xet {
namespace {

// Two real xorbs from random data, and a file whose terms use them out of order and twice
// (as dedup makes files do): xorb B chunks [1,4), xorb A [0,3), A [2,5) (overlaps the previous
// term), B [4,6) (touches the first), A [7,8).
struct Fixture {
  std::map<MerkleHash, std::pair<std::vector<uint8_t>, XorbLayout>> store;  // body, layout
  std::vector<std::vector<uint8_t>> chunk_bytes[2];
  MerkleHash hashes[2];
  std::vector<FileTerm> terms;
  std::vector<uint8_t> file;

  Fixture() {
    std::mt19937_64 rng(21);
    for (int x = 0; x < 2; ++x) {
      std::vector<uint8_t> data(900000);
      for (auto& b : data) b = uint8_t(rng() % 7);  // compressible: LZ4 chunks, offsets ≠ sizes
      std::vector<std::span<const uint8_t>> chunks;
      size_t pos = 0;
      for (size_t len : chunk_lengths(data)) {
        chunks.push_back(std::span(data).subspan(pos, len));
        chunk_bytes[x].emplace_back(data.begin() + pos, data.begin() + pos + len);
        pos += len;
      }
      EXPECT_GE(chunks.size(), 8u);
      auto body = serialize_xorb(chunks, Compression::lz4);
      auto idx = *parse_xorb(body);
      XorbLayout l;
      for (auto& c : idx.chunks) {
        l.unpacked.push_back(c.uncompressed_size);
        l.offsets.push_back(c.offset);
      }
      l.offsets.push_back(idx.serialized_size);
      hashes[x] = idx.hash;
      store[idx.hash] = {std::move(body), std::move(l)};
    }
    auto add = [&](int x, uint32_t c0, uint32_t c1) {
      uint32_t bytes = 0;
      for (uint32_t c = c0; c < c1; ++c) {
        bytes += chunk_bytes[x][c].size();
        file.insert(file.end(), chunk_bytes[x][c].begin(), chunk_bytes[x][c].end());
      }
      terms.push_back({hashes[x], 0, bytes, c0, c1});
    };
    add(1, 1, 4);
    add(0, 0, 3);
    add(0, 2, 5);
    add(1, 4, 6);
    add(0, 7, 8);
  }

  XorbLookup lookup() const {
    return [this](const MerkleHash& h) -> const XorbLayout* {
      auto it = store.find(h);
      return it == store.end() ? nullptr : &it->second.second;
    };
  }

  // Plays the client: fetch each range's bytes, decode the chunks, assemble the terms, skip
  // offset_into_first_range, keep range_end - range_start bytes.
  std::vector<uint8_t> download(const ReconstructionPlan& plan) const {
    std::map<std::pair<MerkleHash, uint32_t>, std::vector<uint8_t>> chunks;
    for (auto& [xorb, fetches] : plan.fetch) {
      const auto& [body, layout] = store.at(xorb);
      for (auto& f : fetches) {
        EXPECT_LE(f.byte_end, body.size() - 1);
        std::span<const uint8_t> got(body.data() + f.byte_start, f.byte_end - f.byte_start + 1);
        size_t pos = 0;
        for (uint32_t c = f.chunk_start; c < f.chunk_end; ++c) {
          uint32_t csize = got[pos + 1] | got[pos + 2] << 8 | got[pos + 3] << 16;
          std::vector<uint8_t> out;
          EXPECT_TRUE(decode_chunk(Compression(got[pos + 4]), got.subspan(pos + 8, csize), layout.unpacked[c], out));
          chunks[{xorb, c}] = std::move(out);
          pos += 8 + csize;
        }
        EXPECT_EQ(pos, got.size());
      }
    }
    std::vector<uint8_t> out;
    for (auto& t : plan.terms) {
      // The term lies inside one fetched range.
      const auto& fetches = std::find_if(plan.fetch.begin(), plan.fetch.end(), [&](auto& p) { return p.first == t.xorb; })->second;
      EXPECT_TRUE(std::any_of(fetches.begin(), fetches.end(),
                              [&](auto& f) { return f.chunk_start <= t.chunk_start && t.chunk_end <= f.chunk_end; }));
      uint64_t len = 0;
      for (uint32_t c = t.chunk_start; c < t.chunk_end; ++c) {
        auto& b = chunks.at({t.xorb, c});
        out.insert(out.end(), b.begin(), b.end());
        len += b.size();
      }
      EXPECT_EQ(len, t.unpacked_length);
    }
    EXPECT_LE(plan.offset_into_first_range + (plan.range_end - plan.range_start), out.size());
    return {out.begin() + plan.offset_into_first_range,
            out.begin() + plan.offset_into_first_range + (plan.range_end - plan.range_start)};
  }
};

TEST(XetReconstruction, WholeFileMergesOverlappingAndTouchingRanges) {
  Fixture fx;
  auto plan = plan_reconstruction(fx.terms, fx.lookup());
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->file_size, fx.file.size());
  EXPECT_EQ(plan->offset_into_first_range, 0u);
  EXPECT_EQ(plan->terms.size(), 5u);
  ASSERT_EQ(plan->fetch.size(), 2u);
  EXPECT_EQ(plan->fetch[0].first, fx.hashes[1]);  // first use order
  // B: [1,4) and [4,6) touch -> [1,6). A: [0,3) and [2,5) overlap -> [0,5); [7,8) apart.
  ASSERT_EQ(plan->fetch[0].second.size(), 1u);
  EXPECT_EQ(plan->fetch[0].second[0].chunk_start, 1u);
  EXPECT_EQ(plan->fetch[0].second[0].chunk_end, 6u);
  ASSERT_EQ(plan->fetch[1].second.size(), 2u);
  EXPECT_EQ(plan->fetch[1].second[0].chunk_end, 5u);
  EXPECT_EQ(plan->fetch[1].second[1].chunk_start, 7u);
  EXPECT_EQ(fx.download(*plan), fx.file);
}

TEST(XetReconstruction, EveryRangeDownloadsExactlyItsBytes) {
  Fixture fx;
  const uint64_t n = fx.file.size();
  std::vector<std::pair<uint64_t, uint64_t>> ranges = {{0, 0}, {0, n - 1}, {n - 1, n - 1}, {1, n + 1000}, {n - 2, UINT64_MAX}};
  // Every term and chunk boundary, and one byte either side.
  uint64_t pos = 0;
  for (auto& t : fx.terms) {
    for (uint32_t c = t.chunk_start; c < t.chunk_end; ++c) {
      for (uint64_t d : {pos, pos + 1}) {
        if (d >= 1) ranges.push_back({d - 1, d});
        if (d < n) ranges.push_back({d, std::min(d + 70000, n - 1)});
      }
      pos += fx.chunk_bytes[t.xorb == fx.hashes[1]][c].size();
    }
  }
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    uint64_t a = rng() % n, b = a + rng() % (n - a);
    ranges.push_back({a, b});
  }
  for (auto [a, b] : ranges) {
    auto plan = plan_reconstruction(fx.terms, fx.lookup(), RangeRequest{a, b});
    ASSERT_TRUE(plan) << a << "-" << b << ": " << plan.error().message;
    uint64_t end = b >= n ? n : b + 1;
    ASSERT_EQ(plan->range_start, a);
    ASSERT_EQ(plan->range_end, end);
    auto got = fx.download(*plan);
    ASSERT_TRUE(std::equal(got.begin(), got.end(), fx.file.begin() + a, fx.file.begin() + end) && got.size() == end - a)
        << "range " << a << "-" << b;
    // Nothing fetched beyond need: the first term starts in the chunk holding byte a.
    EXPECT_LT(plan->offset_into_first_range, 131072u);
  }
}

TEST(XetReconstruction, OpenAndSuffixRanges) {
  Fixture fx;
  const uint64_t n = fx.file.size();
  auto open = plan_reconstruction(fx.terms, fx.lookup(), RangeRequest{n - 100, std::nullopt});
  ASSERT_TRUE(open);
  EXPECT_EQ(fx.download(*open), std::vector<uint8_t>(fx.file.end() - 100, fx.file.end()));
  auto suffix = plan_reconstruction(fx.terms, fx.lookup(), RangeRequest{std::nullopt, 100});
  ASSERT_TRUE(suffix);
  EXPECT_EQ(fx.download(*suffix), std::vector<uint8_t>(fx.file.end() - 100, fx.file.end()));
  auto all = plan_reconstruction(fx.terms, fx.lookup(), RangeRequest{std::nullopt, n + 5});
  ASSERT_TRUE(all);
  EXPECT_EQ(fx.download(*all), fx.file);
}

TEST(XetReconstruction, UnsatisfiableRangesAndBrokenTerms) {
  Fixture fx;
  const uint64_t n = fx.file.size();
  for (auto r : {RangeRequest{n, std::nullopt}, RangeRequest{n, n + 10}, RangeRequest{UINT64_MAX, std::nullopt},
                 RangeRequest{10, 5}, RangeRequest{std::nullopt, 0}}) {
    auto p = plan_reconstruction(fx.terms, fx.lookup(), r);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().detail, "RangeNotSatisfiable");
  }
  auto terms = fx.terms;
  terms[2].xorb.bytes[0] ^= 1;
  auto missing = plan_reconstruction(terms, fx.lookup());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().detail, "XorbNotFound");
  terms = fx.terms;
  terms[0].unpacked_bytes += 1;
  EXPECT_FALSE(plan_reconstruction(terms, fx.lookup()));
  terms = fx.terms;
  terms[4].chunk_end = 1000;
  EXPECT_FALSE(plan_reconstruction(terms, fx.lookup()));
  // An empty file plans to nothing, whatever the range.
  auto empty = plan_reconstruction({}, fx.lookup());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->terms.empty());
  EXPECT_TRUE(empty->fetch.empty());
}

}  // namespace
}  // namespace hub::storage::xet

namespace hub::storage::xet {
namespace {

TEST(XetReconstruction, V2AndV1JsonShapes) {
  Fixture fx;
  auto plan = plan_reconstruction(fx.terms, fx.lookup(), RangeRequest{100, 200000});
  ASSERT_TRUE(plan);
  auto url = [](const MerkleHash& x, const PlanFetch& f) {
    return "http://cas/v1/xorb-data/" + to_xhex(x) + "?r=" + std::to_string(f.byte_start);
  };
  auto v2 = reconstruction_v2_json(*plan, url).as_object();
  EXPECT_EQ(v2.at("offset_into_first_range").as_uint64(), 100u);
  const auto& terms = v2.at("terms").as_array();
  ASSERT_EQ(terms.size(), plan->terms.size());
  const auto& t0 = terms[0].as_object();
  EXPECT_EQ(t0.at("hash").as_string(), to_xhex(fx.hashes[1]));
  EXPECT_EQ(t0.at("range").as_object().at("start").as_uint64(), plan->terms[0].chunk_start);
  EXPECT_EQ(t0.at("unpacked_length").as_uint64(), plan->terms[0].unpacked_length);
  const auto& xorbs = v2.at("xorbs").as_object();
  ASSERT_EQ(xorbs.size(), plan->fetch.size());
  const auto& e = xorbs.at(to_xhex(fx.hashes[1])).as_array()[0].as_object();
  const auto& f0 = plan->fetch[0].second[0];
  EXPECT_EQ(e.at("url").as_string(), url(fx.hashes[1], f0));
  const auto& r = e.at("ranges").as_array()[0].as_object();
  EXPECT_EQ(r.at("chunks").as_object().at("end").as_uint64(), f0.chunk_end);
  EXPECT_EQ(r.at("bytes").as_object().at("start").as_uint64(), f0.byte_start);
  EXPECT_EQ(r.at("bytes").as_object().at("end").as_uint64(), f0.byte_end);

  auto v1 = reconstruction_v1_json(*plan, url).as_object();
  EXPECT_EQ(v1.at("terms"), v2.at("terms"));
  const auto& fi = v1.at("fetch_info").as_object().at(to_xhex(fx.hashes[1])).as_array()[0].as_object();
  EXPECT_EQ(fi.at("range").as_object().at("start").as_uint64(), f0.chunk_start);
  EXPECT_EQ(fi.at("url_range").as_object().at("end").as_uint64(), f0.byte_end);
  EXPECT_EQ(fi.at("url").as_string(), url(fx.hashes[1], f0));

  auto empty = reconstruction_v2_json(*plan_reconstruction({}, fx.lookup()), url);
  EXPECT_EQ(json::serialize(empty), R"({"offset_into_first_range":0,"terms":[],"xorbs":{}})");
}

}  // namespace
}  // namespace hub::storage::xet
