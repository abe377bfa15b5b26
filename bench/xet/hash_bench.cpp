// Chunk + hash throughput of hubd's Xet hashing (src/storage/xet/): gearhash CDC alone, BLAKE3
// alone, and the two together as a server validating or chunking an upload does, on one core,
// over SIZE_MIB of random bytes in memory (best of REPS). Compare sha256 (OpenSSL) on the same
// bytes: what a plain LFS upload pays per byte. Also parse_xorb on a ≤ 64 MiB xorb of those
// bytes: what validating one xorb upload costs.
// usage: xet_hash_bench [SIZE_MIB=64] [REPS=3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "core/hash.h"
#include "storage/xet/blake3.h"
#include "storage/xet/chunker.h"
#include "storage/xet/xorb.h"

using namespace hub::storage::xet;

template <class F>
double best_mbs(size_t bytes, int reps, F f) {
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, bytes / s / 1e6);
  }
  return best;
}

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  std::vector<uint8_t> data(mib << 20);
  std::mt19937_64 rng(42);
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    uint64_t x = rng();
    std::memcpy(data.data() + i, &x, 8);
  }
  size_t sink = 0;
  double cdc = best_mbs(data.size(), reps, [&] { sink += chunk_lengths(data).size(); });
  double b3 = best_mbs(data.size(), reps, [&] { sink += blake3(data)[0]; });
  double both = best_mbs(data.size(), reps, [&] {
    auto chunks = chunk_and_hash(data);
    sink += file_hash(chunks).bytes[0];
  });
  // Validating an upload: a 64 MiB xorb (at most; LZ4 chunks where they shrink, i.e. stored
  // for random bytes) parsed, decoded, hashed and its xorb hash recomputed.
  std::vector<std::span<const uint8_t>> chunks;
  size_t pos = 0, xorb_input = 0;
  for (size_t len : chunk_lengths(data)) {
    if (xorb_input + len + 8 * (chunks.size() + 1) > kMaxXorbBytes) break;
    chunks.push_back(std::span(data).subspan(pos, len));
    pos += len;
    xorb_input += len;
  }
  auto xorb = serialize_xorb(chunks, Compression::lz4);
  double validate = best_mbs(xorb_input, reps, [&] { sink += parse_xorb(xorb)->chunks.size(); });
  double sha = best_mbs(data.size(), reps, [&] {
    hub::Sha256 h;
    h.update(data.data(), data.size());
    sink += h.finish()[0];
  });
  std::printf("%zu MiB random, best of %d, one core:\n", mib, reps);
  std::printf("  gearhash CDC              %8.0f MB/s\n", cdc);
  std::printf("  BLAKE3 (one stream)       %8.0f MB/s\n", b3);
  std::printf("  chunk + chunk hashes + file hash %8.0f MB/s\n", both);
  std::printf("  xorb validation (%zu MiB) %8.0f MB/s\n", xorb_input >> 20, validate);
  std::printf("  sha256 (OpenSSL)          %8.0f MB/s\n", sha);
  return sink == 42 ? 1 : 0;
}
