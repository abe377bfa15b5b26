#include "inference/tensor/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/result.h"

namespace hub::inference {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const int64_t> dims) {
  HUB_ASSERT(dims.size() <= size_t(kMaxRank) && "rank <= 4");
  rank_ = int(dims.size());
  for (int i = 0; i < rank_; ++i) dims_[i] = dims[i];
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[i];
  return n;
}

bool Shape::operator==(const Shape& o) const {
  if (rank_ != o.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[i] != o.dims_[i]) return false;
  return true;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

void Tensor::set_contiguous_strides() {
  int64_t s = 1;
  for (int i = shape_.rank() - 1; i >= 0; --i) {
    strides_[i] = s;
    s *= shape_[i];
  }
}

Tensor Tensor::empty(const Shape& shape) {
  Tensor t;
  t.shape_ = shape;
  t.set_contiguous_strides();
  size_t bytes = size_t(shape.numel()) * sizeof(float);
  bytes = (bytes + 63) / 64 * 64;
  if (bytes == 0) bytes = 64;
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  t.keepalive_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  t.data_ = static_cast<float*>(p);
  t.owns_ = true;
  return t;
}

Tensor Tensor::zeros(const Shape& shape) {
  Tensor t = empty(shape);
  std::memset(t.data_, 0, size_t(shape.numel()) * sizeof(float));
  return t;
}

Tensor Tensor::view(float* data, const Shape& shape, std::shared_ptr<const void> keepalive) {
  Tensor t;
  t.shape_ = shape;
  t.set_contiguous_strides();
  t.data_ = data;
  t.owns_ = false;
  t.keepalive_ = std::move(keepalive);
  return t;
}

bool Tensor::is_contiguous() const {
  int64_t s = 1;
  for (int i = shape_.rank() - 1; i >= 0; --i) {
    if (shape_[i] != 1 && strides_[i] != s) return false;
    s *= shape_[i];
  }
  return true;
}

Tensor Tensor::reshape(const Shape& shape) const {
  HUB_ASSERT(shape.numel() == numel() && is_contiguous());
  Tensor t = *this;
  t.shape_ = shape;
  t.set_contiguous_strides();
  t.owns_ = false;
  return t;
}

Tensor Tensor::slice_rows(int64_t begin, int64_t end) const {
  HUB_ASSERT(rank() >= 1 && begin >= 0 && begin <= end && end <= dim(0) && is_contiguous());
  Tensor t = *this;
  t.shape_[0] = end - begin;
  t.data_ = data_ + begin * strides_[0];
  t.owns_ = false;
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_);
  if (is_contiguous()) {
    std::memcpy(t.data_, data_, size_t(numel()) * sizeof(float));
    return t;
  }
  // General strided copy through a rank-4 index walk.
  std::array<int64_t, kMaxRank> d{1, 1, 1, 1}, s{0, 0, 0, 0};
  int off = kMaxRank - rank();
  for (int i = 0; i < rank(); ++i) {
    d[off + i] = shape_[i];
    s[off + i] = strides_[i];
  }
  float* out = t.data_;
  for (int64_t a = 0; a < d[0]; ++a)
    for (int64_t b = 0; b < d[1]; ++b)
      for (int64_t c = 0; c < d[2]; ++c)
        for (int64_t e = 0; e < d[3]; ++e) *out++ = data_[a * s[0] + b * s[1] + c * s[2] + e * s[3]];
  return t;
}

float& Tensor::at(std::initializer_list<int64_t> idx) {
  HUB_ASSERT(int(idx.size()) == rank());
  int64_t off = 0;
  int i = 0;
  for (int64_t v : idx) {
    HUB_ASSERT(v >= 0 && v < shape_[i]);
    off += v * strides_[i++];
  }
  return data_[off];
}

float Tensor::at(std::initializer_list<int64_t> idx) const {
  return const_cast<Tensor*>(this)->at(idx);
}

}  // namespace hub::inference
