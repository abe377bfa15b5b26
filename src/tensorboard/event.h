// Decodes one TensorFlow `Event` protobuf (tensorflow/core/util/event.proto) into the parts
// the metrics view needs: wall_time, step, file_version and, for a `summary`, each
// `Summary.Value`'s tag, plugin metadata and scalar value when it has one. Scalars come from
// `simple_value` or from a one-element `tensor` of DT_FLOAT, DT_DOUBLE, DT_HALF or DT_BFLOAT16
// (in `tensor_content` or `float_val`/`double_val`/`half_val`). Histograms, images, audio,
// graphs and other tensors are recognised and skipped. Unknown fields are ignored.
// The result borrows strings from the record's bytes. Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::tensorboard {

// TensorFlow DataType enum values (tensorflow/core/framework/types.proto) we read.
enum class DataType : int32_t {
  dt_invalid = 0,
  dt_float = 1,
  dt_double = 2,
  dt_bfloat16 = 14,
  dt_half = 19,
};

enum class ValueKind : uint8_t {
  simple_value,  // Summary.Value.simple_value (float)
  tensor,        // Summary.Value.tensor
  other,         // histogram, image, audio, old-style histogram, or nothing
};

struct SummaryValue {
  std::string_view tag;
  std::string_view plugin_name;  // metadata.plugin_data.plugin_name; empty if absent
  bool has_metadata = false;
  ValueKind kind = ValueKind::other;
  // Set for simple_value and for one-element float tensors; nullopt otherwise.
  std::optional<double> scalar;
};

struct Event {
  double wall_time = 0;
  int64_t step = 0;
  std::string_view file_version;  // e.g. "brain.Event:2" in a file's first record
  bool has_summary = false;
  std::vector<SummaryValue> values;
};

// Errc::corrupt when the bytes are not a well-formed Event.
Result<Event> decode_event(std::span<const std::byte> data);

// IEEE half and bfloat16 bit patterns to float (exact).
float half_to_float(uint16_t bits);
float bfloat16_to_float(uint16_t bits);

}  // namespace hub::tensorboard
