// parallel_for: splits [0, n) into chunks run by a process-wide pool of worker threads plus
// the calling thread. Thread-safe: a call made while another one is running (or from inside
// a worker) runs serially in its caller instead of waiting, so nested use cannot deadlock.
#pragma once

#include <cstdint>
#include <functional>

namespace hub::inference::ops {

// Number of threads used by parallel_for (default: hardware concurrency, or HUBD_NUM_THREADS).
int num_threads();
// Changes it (>= 1); takes effect for later calls. Not to be called concurrently with work.
void set_num_threads(int n);

// Calls fn(begin, end) over disjoint chunks covering [0, n), each at least `grain` long
// (except the last). Returns when all chunks are done.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace hub::inference::ops
