// Parse throughput of the TFEvents reader on a synthetic in-memory log.
// Build: cmake --build <dir> --target tensorboard_bench; run: <dir>/tests/tensorboard/tensorboard_bench [MB]
// Prints MB/s for CRC32C alone, framing + Event decoding into series, and the JSON output.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "tensorboard/crc32c.h"
#include "tensorboard/event_writer.h"
#include "tensorboard/metrics_json.h"
#include "tensorboard/scalars.h"

using namespace hub::tensorboard;
using namespace hub::tensorboard::testing;

template <class Fn>
double seconds(Fn&& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int main(int argc, char** argv) {
  const size_t target_mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  std::mt19937 rng(1);
  // A typical training log: each event carries a few tags, half TF1-style simple_value,
  // half TF2-style float tensors with plugin metadata.
  Bytes file;
  int64_t step = 0;
  while (file.size() < target_mb << 20) {
    const float v = static_cast<float>(rng()) / 4e9f;
    const Bytes tensor = f_varint(1, 1) + f_bytes(2, "") + f_bytes(4, le(std::bit_cast<uint32_t>(v), 4));
    file += record(event(1.7e9 + static_cast<double>(step), step,
                         values({simple_value("train/loss", v), simple_value("train/lr", v / 10),
                                 with_plugin(tensor_value("eval/accuracy", tensor), "scalars")})));
    ++step;
  }
  const double mb = static_cast<double>(file.size()) / (1 << 20);
  const EventFile f{"runs/a/events.out.tfevents.1", as_span(file)};

  volatile uint32_t sink = 0;
  const double t_crc = seconds([&] { sink = sink + crc32c(as_span(file)); });
  ScalarData data;
  const double t_parse = seconds([&] { data = load_scalars(std::span(&f, 1)); });
  std::string json;
  const double t_json = seconds([&] { json = metrics_json(data); });
  const double t_json_ds = seconds([&] { json = metrics_json(data, {.max_points = 1000}); });
  std::printf("input %.1f MB, %llu records, %llu points, crc32c impl %s\n", mb,
              static_cast<unsigned long long>(data.records),
              static_cast<unsigned long long>(data.scalars), crc32c_impl_name());
  std::printf("crc32c           %8.0f MB/s\n", mb / t_crc);
  std::printf("load_scalars     %8.0f MB/s  (%.3f s)\n", mb / t_parse, t_parse);
  std::printf("metrics_json     %8.0f MB/s of input (%.3f s, %.1f MB out)\n", mb / t_json, t_json,
              static_cast<double>(metrics_json(data).size()) / (1 << 20));
  std::printf("  max_points=1000 %7.3f s\n", t_json_ds);

  // Worst case for resynchronisation: random bytes, every offset a candidate header.
  Bytes noise(file.size(), '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  const EventFile g{"runs/b/events.out.tfevents.1", as_span(noise)};
  ScalarData junk;
  const double t_noise = seconds([&] { junk = load_scalars(std::span(&g, 1)); });
  std::printf("random bytes     %8.0f MB/s  (%.3f s, %zu warnings, %llu points)\n", mb / t_noise,
              t_noise, junk.warnings.size(), static_cast<unsigned long long>(junk.scalars));
  return 0;
}
