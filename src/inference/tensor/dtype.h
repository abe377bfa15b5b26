// DType: element types that may appear in a weight file, their sizes and names, and the
// f16/bf16 -> f32 conversions used when loading. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hub::inference {

enum class DType { f64, f32, f16, bf16, i64, i32, i16, i8, u8, u16, u32, u64, boolean, f8_e4m3, f8_e5m2 };

size_t dtype_size(DType t);
// The safetensors spelling ("F32", "BF16", ...).
std::string_view dtype_name(DType t);
std::optional<DType> dtype_from_name(std::string_view name);

float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t b);
uint16_t f32_to_f16(float f);   // round to nearest even
uint16_t f32_to_bf16(float f);  // round to nearest even

// Converts n elements of `src` (of type t, any alignment) to f32. t must be f32, f16, bf16
// or f64.
void convert_to_f32(DType t, const void* src, float* dst, size_t n);

}  // namespace hub::inference
