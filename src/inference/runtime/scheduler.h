// Scheduler: the bounded queue in front of the engine. Requests wait in a FIFO; one worker
// runs them (the ops already use every core, so running two forwards at once only thrashes),
// and compatible single-input requests that are queued together — same model, task and
// parameters — run as one batched call (dynamic batching), each caller getting its own slice.
// A full queue is refused at once (back-pressure) instead of growing without bound.
// Thread-safe; run() blocks its caller until the result is ready.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/json.h"
#include "core/result.h"
#include "inference/models/model.h"

namespace hub::inference::runtime {

struct SchedulerOptions {
  size_t max_queue = 64;                        // waiting requests beyond this are refused
  size_t max_batch = 32;                        // inputs merged into one engine call
  std::chrono::microseconds window{1500};       // under concurrent traffic, how long a batch waits for more
};

struct RunStats {
  size_t batch_size = 1;   // how many requests shared the engine call
  double compute_seconds = 0;
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerOptions opts = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Errors: those of pipelines::run_task; conflict/"Overloaded" when the queue is full.
  Result<json::value> run(std::shared_ptr<const Model> model, std::string task, json::value inputs,
                          json::value parameters, RunStats* stats = nullptr);

  size_t queued() const;
  uint64_t batched_calls() const;   // engine calls that served more than one request

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether requests of this task with a single string input can be merged into one call.
bool batchable_task(std::string_view task);

}  // namespace hub::inference::runtime
