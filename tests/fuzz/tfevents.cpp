// Fuzz target: tensorboard, the TFEvents reader behind the metrics view: TFRecord framing with
// CRC checks and resynchronisation (record_reader), the Event / Summary protobuf decoder
// (event, proto_wire), scalar series (scalars), downsampling and JSON (lttb, metrics_json).
// Input: one event file's bytes, also split in two files of one run; and the bytes as one
// Event record's payload.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tensorboard/event.h"
#include "tensorboard/metrics_json.h"
#include "tensorboard/scalars.h"

namespace tb = hub::tensorboard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)tb::decode_event(bytes);

  tb::EventFile one[] = {{"runs/a/events.out.tfevents.1", bytes}};
  tb::ScalarData sd = tb::load_scalars(one);
  tb::MetricsJsonOptions opts;
  opts.max_points = 16;
  (void)tb::metrics_json(sd, opts);

  size_t half = size / 2;
  tb::EventFile two[] = {{"events.out.tfevents.2", bytes.subspan(0, half)},
                         {"events.out.tfevents.3", bytes.subspan(half)}};
  (void)tb::metrics_json(two, opts);
  return 0;
}
