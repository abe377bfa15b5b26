// SafetensorsFile: one .safetensors file, mmap'd and validated (see README.md for the rules).
// Immutable after open; all methods are const and thread-safe. Tensors returned by load_f32
// and load_bf16 keep the mapping alive, so they may outlive the SafetensorsFile.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mmap.h"
#include "core/result.h"
#include "inference/tensor/bf16_matrix.h"
#include "inference/tensor/dtype.h"
#include "inference/tensor/tensor.h"

namespace hub::inference::safetensors {

struct TensorInfo {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets into the data section, [begin, end)
  int64_t numel() const;
};

struct Header {
  std::vector<TensorInfo> tensors;  // sorted by name
  std::map<std::string, std::string> metadata;
  uint64_t data_offset = 0;  // 8 + header length
};

// Largest header accepted (the format's own reference implementation uses 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

// Validates a whole file image: 8-byte little-endian header length, JSON header, and every
// tensor's extent against bytes.size(). Never reads outside `bytes`.
Result<Header> parse_header(std::span<const uint8_t> bytes);

class SafetensorsFile {
 public:
  static Result<SafetensorsFile> open(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return header_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  const TensorInfo* find(std::string_view name) const;
  // The raw bytes of a tensor, inside the mapping.
  std::span<const uint8_t> raw(const TensorInfo& t) const;
  // The tensor as f32: a view of the mapping for 4-byte-aligned F32 data, otherwise a converted
  // copy (F16, BF16, F64, unaligned F32). Other dtypes and rank > 4 are Errc::unsupported.
  Result<Tensor> load_f32(std::string_view name) const;
  // A rank-2 BF16 tensor kept as bf16: a zero-copy view of the mapping (holding it alive)
  // when 2-byte aligned, else an owned copy. Other dtypes or ranks: Errc::unsupported.
  Result<Bf16Matrix> load_bf16(std::string_view name) const;

 private:
  std::string path_;
  std::shared_ptr<const MappedFile> map_;
  Header header_;
};

}  // namespace hub::inference::safetensors
