// GenerationEngine: continuous batching for one decoder model. A bounded number of slots
// (sequences decoded together) and a bounded FIFO of waiting requests in front of them; one
// decode-loop thread per engine. Each loop iteration (1) drops cancelled sequences, (2) admits
// waiting requests into free slots and prefills them (their own DecoderState, a prompt over
// `prefill_chunk` tokens split into chunks over several iterations so that the running
// sequences keep getting tokens), (3) runs one CausalLM::forward_step over every decoding
// sequence (the weights stream once for the batch), then samples each row with that
// sequence's own params and seed (pipelines::SequenceSampler, the code generate() uses),
// delivers the token and retires finished sequences at once, freeing their slot.
// Results equal pipelines::generate() for the same params and seed.
//
// GenerationEngines is the registry the Inference API holds: one engine per loaded model,
// started on first use; an engine whose model nobody holds any more (evicted from the
// ModelCache, last request done) is stopped at the registry's next lookup.
//
// Thread-safe. Callbacks given to submit() run on the engine's thread: keep them short and
// never block there (push to a queue); they must not own the last reference to the engine.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"
#include "inference/models/decoder.h"
#include "inference/pipelines/generation.h"

namespace hub::inference {
class Model;
}

namespace hub::inference::runtime {

struct GenerationEngineOptions {
  size_t slots = 8;             // sequences decoded together; later requests wait
  size_t max_queue = 64;        // waiting requests beyond this are refused (conflict/"Overloaded")
  int64_t prefill_chunk = 256;  // prompt tokens prefilled per loop iteration (a prompt no longer
                                // than this is prefilled in one forward, as generate() does)
};

// A submitted request: cancel() frees its slot (or its queue place) at the next step.
class GenerationTicket {
 public:
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

 private:
  std::atomic<bool> cancelled_{false};
};

class GenerationEngine {
 public:
  using OnToken = pipelines::TokenCallback;  // returning false cancels (a client gone)
  using OnDone = std::function<void(Result<pipelines::GenerationOutput>)>;

  // `lm` may be an aliasing pointer into its owner (a Model): the engine keeps only a weak
  // reference, and each request a strong one while it runs.
  explicit GenerationEngine(std::shared_ptr<const CausalLM> lm, GenerationEngineOptions opts = {});
  // stop(), then waits for the running requests to finish.
  ~GenerationEngine();
  GenerationEngine(const GenerationEngine&) = delete;
  GenerationEngine& operator=(const GenerationEngine&) = delete;

  // Queues a generation. Validation errors (those of pipelines::generate) come back here,
  // before anything runs; conflict/"Overloaded" when the waiting queue is full;
  // conflict/"Unloaded" once the engine stops. Then, on the engine thread: on_token per new
  // token (may be empty), and on_done exactly once — with the output (a cancelled request's
  // output holds the tokens so far, finish_reason "length"), or the error that ended it.
  Result<std::shared_ptr<GenerationTicket>> submit(std::vector<int32_t> prompt, pipelines::GenerationParams params,
                                                   OnToken on_token, OnDone on_done);

  // Blocking form, pipelines::generate()'s contract: on_token runs on the calling thread, in
  // order; returning false stops (the output then ends with that token).
  Result<pipelines::GenerationOutput> generate(std::span<const int32_t> prompt,
                                               const pipelines::GenerationParams& params,
                                               const pipelines::TokenCallback& on_token = {});

  // Refuses new requests and fails the waiting ones (conflict/"Unloaded"); the running ones
  // go on to their end. Does not wait.
  void stop();

  size_t running() const;  // sequences holding a slot
  size_t waiting() const;  // requests queued for a slot
  uint64_t steps() const;  // batched decode steps run so far
  uint64_t batched_tokens() const;  // tokens those steps produced (sum of batch sizes)
  // The model is gone (its last holder released it): nothing can run here any more.
  bool expired() const;
  const GenerationEngineOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class GenerationEngines {
 public:
  explicit GenerationEngines(GenerationEngineOptions opts = {});
  ~GenerationEngines();  // stops every engine (running requests finish first)
  GenerationEngines(const GenerationEngines&) = delete;
  GenerationEngines& operator=(const GenerationEngines&) = delete;

  // The engine of this decoder model (model->causal_lm() non-null), started on first use.
  // Also stops the engines of models that have expired since the last call.
  std::shared_ptr<GenerationEngine> engine_for(const std::shared_ptr<const Model>& model);
  size_t engine_count() const;
  const GenerationEngineOptions& options() const { return opts_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  GenerationEngineOptions opts_;
};

}  // namespace hub::inference::runtime
