// Tensor: a row-major f32 array (rank <= 4) with shape and strides. It either owns a 64-byte
// aligned buffer (Tensor::empty/zeros) or views memory whose lifetime is held by `keepalive`
// (an mmap'd weight file, an arena, another tensor); owns_data() says which.
// Copying a Tensor copies the handle, not the data (both share the buffer), like a view.
// Not synchronised: concurrent reads are fine, concurrent writes to one buffer are not.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>

namespace hub::inference {

constexpr int kMaxRank = 4;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::span<const int64_t> dims);

  int rank() const { return rank_; }
  int64_t operator[](int i) const { return dims_[i]; }
  int64_t& operator[](int i) { return dims_[i]; }
  int64_t numel() const;
  std::span<const int64_t> dims() const { return {dims_.data(), size_t(rank_)}; }
  bool operator==(const Shape& o) const;
  std::string str() const;  // "[2, 3]"

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

class Tensor {
 public:
  Tensor() = default;
  // A new owning, uninitialised (empty) or zero-filled (zeros) contiguous tensor.
  static Tensor empty(const Shape& shape);
  static Tensor zeros(const Shape& shape);
  // A contiguous view of `data`; `keepalive` (may be null) holds the memory's owner.
  static Tensor view(float* data, const Shape& shape, std::shared_ptr<const void> keepalive);

  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_[i < 0 ? i + shape_.rank() : i]; }
  int64_t stride(int i) const { return strides_[i < 0 ? i + shape_.rank() : i]; }
  int64_t numel() const { return shape_.numel(); }
  bool empty_tensor() const { return data_ == nullptr; }
  bool owns_data() const { return owns_; }
  bool is_contiguous() const;

  float* data() { return data_; }
  const float* data() const { return data_; }
  std::span<const float> values() const { return {data_, size_t(numel())}; }
  std::span<float> values() { return {data_, size_t(numel())}; }

  // Same storage, new contiguous shape with equal numel (asserted).
  Tensor reshape(const Shape& shape) const;
  // Rows [begin, end) along dim 0 of a contiguous tensor, as a view.
  Tensor slice_rows(int64_t begin, int64_t end) const;
  // A deep, owning, contiguous copy.
  Tensor clone() const;

  float& at(std::initializer_list<int64_t> idx);
  float at(std::initializer_list<int64_t> idx) const;

 private:
  Shape shape_;
  std::array<int64_t, kMaxRank> strides_{};
  float* data_ = nullptr;
  bool owns_ = false;
  std::shared_ptr<const void> keepalive_;
  void set_contiguous_strides();
};

}  // namespace hub::inference
