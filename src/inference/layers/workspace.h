// Workspace: the scratch memory of one forward pass, carved from one grow-only arena.
// A forward plans every buffer (sizes from batch × seq and the config) and calls reserve()
// once; later calls of the same or smaller shape allocate nothing. WorkspacePool hands out
// workspaces to concurrent forwards. Workspace: single-threaded; WorkspacePool: thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace hub::inference::layers {

class Workspace {
 public:
  // Ensures capacity for `floats` floats (64-byte aligned sub-buffers) and resets the cursor.
  void reserve(int64_t floats);
  // The next n floats (rounded up to 16 for alignment). Asserts the plan reserved enough.
  float* take(int64_t n);
  int64_t capacity() const { return capacity_; }
  // Number of times the arena had to grow (tests check steady state does not).
  int64_t n_allocations() const { return n_allocations_; }
  static int64_t rounded(int64_t n) { return (n + 15) / 16 * 16; }

 private:
  struct Free { void operator()(float* p) const; };
  std::unique_ptr<float, Free> buf_;
  int64_t capacity_ = 0, used_ = 0, n_allocations_ = 0;
};

class WorkspacePool {
 public:
  class Lease {
   public:
    Lease(WorkspacePool* pool, std::unique_ptr<Workspace> ws) : pool_(pool), ws_(std::move(ws)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Workspace& operator*() { return *ws_; }
    Workspace* operator->() { return ws_.get(); }
   private:
    WorkspacePool* pool_;
    std::unique_ptr<Workspace> ws_;
  };
  Lease acquire();

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Workspace>> free_;
};

}  // namespace hub::inference::layers
