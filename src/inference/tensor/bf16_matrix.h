// Bf16Matrix: a read-only row-major [rows, cols] matrix of bfloat16 values (raw 16-bit
// patterns: the top half of an IEEE f32), viewing memory whose lifetime `keepalive` holds
// (the mmap'd checkpoint for a zero-copy view, or an owned buffer). Decoder weights stay in
// this form so decode streams half the bytes of f32; kernels upconvert exactly (a 16-bit
// shift) and compute in f32 (ops/gemm_bf16.h). Copying copies the handle, not the data.
// Immutable; thread-safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace hub::inference {

struct Bf16Matrix {
  const uint16_t* data = nullptr;
  int64_t rows = 0, cols = 0;
  std::shared_ptr<const void> keepalive;

  bool empty() const { return data == nullptr; }
  int64_t numel() const { return rows * cols; }
  size_t bytes() const { return size_t(numel()) * sizeof(uint16_t); }
  const uint16_t* row(int64_t r) const { return data + r * cols; }
};

}  // namespace hub::inference
