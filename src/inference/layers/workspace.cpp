#include "inference/layers/workspace.h"

#include <cstdlib>
#include <new>

#include "core/result.h"

namespace hub::inference::layers {

void Workspace::Free::operator()(float* p) const { std::free(p); }

void Workspace::reserve(int64_t floats) {
  used_ = 0;
  if (floats <= capacity_) return;
  size_t bytes = size_t(rounded(floats)) * sizeof(float);
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  buf_.reset(static_cast<float*>(p));
  capacity_ = rounded(floats);
  ++n_allocations_;
}

float* Workspace::take(int64_t n) {
  int64_t r = rounded(n);
  HUB_ASSERT(used_ + r <= capacity_ && "workspace plan too small");
  float* p = buf_.get() + used_;
  used_ += r;
  return p;
}

WorkspacePool::Lease::~Lease() {
  if (pool_ && ws_) {
    std::lock_guard lk(pool_->mu_);
    pool_->free_.push_back(std::move(ws_));
  }
}

WorkspacePool::Lease WorkspacePool::acquire() {
  std::lock_guard lk(mu_);
  if (free_.empty()) return Lease(this, std::make_unique<Workspace>());
  auto ws = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(ws));
}

}  // namespace hub::inference::layers
