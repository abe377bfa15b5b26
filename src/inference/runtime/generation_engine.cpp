#include "inference/runtime/generation_engine.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "inference/models/model.h"
#include "inference/ops/parallel.h"

namespace hub::inference::runtime {

using pipelines::GenerationOutput;
using pipelines::GenerationParams;
using pipelines::SequenceSampler;

namespace {

struct Seq {
  Seq(std::shared_ptr<const CausalLM> m, std::vector<int32_t> p, SequenceSampler s)
      : lm(std::move(m)), prompt(std::move(p)), sampler(std::move(s)) {}
  std::shared_ptr<const CausalLM> lm;  // keeps the model alive while the request exists
  std::vector<int32_t> prompt;
  SequenceSampler sampler;
  std::optional<DecoderState> state;  // allocated when the request gets a slot
  int64_t prefilled = 0;              // prompt tokens already in the KV cache
  int32_t pending = -1;               // the last chosen token: next decode step's input
  size_t peak_batch = 0;
  bool in_slot = false;
  GenerationEngine::OnToken on_token;
  GenerationEngine::OnDone on_done;
  std::shared_ptr<GenerationTicket> ticket;
};

Error unloaded() { return Error{Errc::conflict, "The model is being unloaded, retry shortly", Detail::Unloaded}; }

}  // namespace

struct GenerationEngine::Impl {
  GenerationEngineOptions opts;
  std::weak_ptr<const CausalLM> weak;
  const CausalLM* lm = nullptr;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Seq>> queue;  // guarded by mu
  bool stopping = false;                   // guarded by mu
  std::atomic<size_t> n_running{0};
  std::atomic<uint64_t> n_steps{0}, n_tokens{0};
  std::vector<std::unique_ptr<Seq>> active;  // the slots; engine thread only
  std::thread worker;

  // Ends a request: its KV cache goes first, then on_done, then the model reference.
  // The slot counts as free before on_done, so a caller woken by it sees it free.
  void finish(std::unique_ptr<Seq>& s, Result<GenerationOutput> r) {
    auto done = std::move(s->on_done);
    s->state.reset();
    if (s->in_slot) n_running--;
    if (r) r->batch_size = std::max<size_t>(1, s->peak_batch);
    if (done) done(std::move(r));
    s.reset();
  }

  // Hands out the token just chosen; retires the sequence when the consumer declines it or
  // it ends the sequence. Otherwise the token feeds the next decode step.
  void deliver(std::unique_ptr<Seq>& s, int32_t tok) {
    if (s->on_token && !s->on_token(tok)) return finish(s, s->sampler.take_output());
    auto end = s->sampler.check_end();
    if (!end) return finish(s, std::unexpected(end.error()));
    if (*end) return finish(s, s->sampler.take_output());
    s->pending = tok;
  }

  void fail_active(const Error& e) {
    for (auto& s : active)
      if (s) finish(s, std::unexpected(e));
  }

  void loop() {
    for (;;) {
      std::vector<std::unique_ptr<Seq>> refused, dropped;
      bool stop = false;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stopping || !queue.empty() || !active.empty(); });
        stop = stopping;
        if (stopping) {
          for (auto& s : queue) refused.push_back(std::move(s));
          queue.clear();
        }
        // A request cancelled while waiting gives its queue place back now.
        for (auto it = queue.begin(); it != queue.end();) {
          if ((*it)->ticket->cancelled()) {
            dropped.push_back(std::move(*it));
            it = queue.erase(it);
          } else {
            ++it;
          }
        }
        while (!stopping && active.size() < opts.slots && !queue.empty()) {
          active.push_back(std::move(queue.front()));
          queue.pop_front();
          active.back()->in_slot = true;
          n_running++;
        }
      }
      for (auto& s : refused) finish(s, std::unexpected(unloaded()));
      for (auto& s : dropped) finish(s, s->sampler.take_output());
      if (active.empty()) {
        if (stop) return;
        continue;
      }
      try {
        iterate();
      } catch (const std::bad_alloc&) {
        fail_active(Error{Errc::too_large, "out of memory"});
      } catch (const std::exception& e) {
        fail_active(Error{Errc::internal, e.what()});
      }
      std::erase_if(active, [](const auto& s) { return !s; });
    }
  }

  void iterate() {
    // 1. Cancelled requests give their slot back before any more work is spent on them.
    for (auto& s : active)
      if (s && s->ticket->cancelled()) finish(s, s->sampler.take_output());
    // 2. Prefill, in admission order, at most about one chunk per iteration so that the
    // decoding sequences' next token waits for one chunk, not for a whole long prompt.
    int64_t budget = opts.prefill_chunk;
    for (auto& s : active) {
      if (!s || s->pending >= 0 || budget <= 0) continue;
      if (s->sampler.done()) {
        finish(s, s->sampler.take_output());
        continue;
      }
      if (!s->state) s->state = lm->new_state(s->sampler.cache_capacity());
      const int64_t n = std::min<int64_t>(int64_t(s->prompt.size()) - s->prefilled, opts.prefill_chunk);
      auto logits = lm->forward(std::span(s->prompt.data() + s->prefilled, size_t(n)), *s->state);
      if (!logits) {
        finish(s, std::unexpected(logits.error()));
        continue;
      }
      s->prefilled += n;
      budget -= n;
      if (s->prefilled == int64_t(s->prompt.size())) deliver(s, s->sampler.choose(logits->data()));
    }
    // 3. One decode step for every sequence that has a token to feed.
    std::vector<size_t> idx;
    std::vector<int32_t> tokens;
    std::vector<DecoderState*> states;
    for (size_t i = 0; i < active.size(); ++i)
      if (active[i] && active[i]->pending >= 0) {
        idx.push_back(i);
        tokens.push_back(active[i]->pending);
        states.push_back(&*active[i]->state);
      }
    if (idx.empty()) return;
    auto logits = lm->forward_step(tokens, states);
    if (!logits) {
      for (size_t i : idx) finish(active[i], std::unexpected(logits.error()));
      return;
    }
    n_steps++;
    n_tokens += idx.size();
    const int64_t V = lm->config().vocab_size;
    std::vector<int32_t> chosen(idx.size());
    // Sampling (a top-p sort over the vocabulary) is per sequence and independent: in parallel.
    ops::parallel_for(int64_t(idx.size()), 1, [&](int64_t b, int64_t e) {
      for (int64_t j = b; j < e; ++j)
        chosen[size_t(j)] = active[idx[size_t(j)]]->sampler.choose(logits->data() + j * V);
    });
    for (size_t j = 0; j < idx.size(); ++j) {
      auto& s = active[idx[j]];
      s->peak_batch = std::max(s->peak_batch, idx.size());
      deliver(s, chosen[j]);
    }
  }
};

GenerationEngine::GenerationEngine(std::shared_ptr<const CausalLM> lm, GenerationEngineOptions opts)
    : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
  impl_->opts.slots = std::max<size_t>(1, opts.slots);
  impl_->opts.prefill_chunk = std::max<int64_t>(1, opts.prefill_chunk);
  impl_->weak = lm;
  impl_->lm = lm.get();
  impl_->worker = std::thread([this] { impl_->loop(); });
}

void GenerationEngine::stop() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
}

GenerationEngine::~GenerationEngine() {
  stop();
  // The last reference dropped by a callback on the engine's own thread cannot join itself.
  if (impl_->worker.get_id() == std::this_thread::get_id()) impl_->worker.detach();
  else impl_->worker.join();
}

Result<std::shared_ptr<GenerationTicket>> GenerationEngine::submit(std::vector<int32_t> prompt,
                                                                   GenerationParams params, OnToken on_token,
                                                                   OnDone on_done) {
  auto lm = impl_->weak.lock();
  if (!lm) return std::unexpected(unloaded());
  HUB_TRY(sampler, SequenceSampler::start(*lm, prompt, params));
  auto s = std::make_unique<Seq>(std::move(lm), std::move(prompt), std::move(sampler));
  s->on_token = std::move(on_token);
  s->on_done = std::move(on_done);
  s->ticket = std::make_shared<GenerationTicket>();
  auto ticket = s->ticket;
  {
    std::lock_guard lk(impl_->mu);
    if (impl_->stopping) return std::unexpected(unloaded());
    if (impl_->queue.size() >= impl_->opts.max_queue)
      return fail(Errc::conflict, "The generation queue is full, retry shortly", Detail::Overloaded);
    impl_->queue.push_back(std::move(s));
  }
  impl_->cv.notify_all();
  return ticket;
}

Result<GenerationOutput> GenerationEngine::generate(std::span<const int32_t> prompt, const GenerationParams& params,
                                                    const pipelines::TokenCallback& on_token) {
  // The engine thread only queues tokens here; the caller's callback runs on the caller's
  // thread, so a slow consumer never holds up the batch.
  struct Relay {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<int32_t> tokens;
    std::optional<Result<GenerationOutput>> done;
    std::atomic<bool> stop{false};
  };
  auto relay = std::make_shared<Relay>();
  OnToken each;
  if (on_token)
    each = [relay](int32_t t) {
      if (relay->stop) return false;
      {
        std::lock_guard lk(relay->mu);
        relay->tokens.push_back(t);
      }
      relay->cv.notify_one();
      return true;
    };
  auto ticket = submit(std::vector<int32_t>(prompt.begin(), prompt.end()), params, std::move(each),
                       [relay](Result<GenerationOutput> r) {
                         std::lock_guard lk(relay->mu);
                         relay->done = std::move(r);
                         relay->cv.notify_one();
                       });
  if (!ticket) return std::unexpected(ticket.error());
  size_t delivered = 0;
  bool declined = false;
  std::unique_lock lk(relay->mu);
  for (;;) {
    relay->cv.wait(lk, [&] { return !relay->tokens.empty() || relay->done.has_value(); });
    if (relay->tokens.empty()) break;  // done, every token handed out
    const int32_t t = relay->tokens.front();
    relay->tokens.pop_front();
    if (declined) continue;
    lk.unlock();
    ++delivered;
    if (!on_token(t)) {
      declined = true;
      relay->stop = true;
      (*ticket)->cancel();
    }
    lk.lock();
  }
  auto r = std::move(*relay->done);
  if (r && declined) {
    // As generate(): the output ends with the token the consumer declined to go past.
    r->tokens.resize(std::min(r->tokens.size(), delivered));
    r->finish_reason = "length";
  }
  return r;
}

size_t GenerationEngine::running() const { return impl_->n_running.load(); }

size_t GenerationEngine::waiting() const {
  std::lock_guard lk(impl_->mu);
  return impl_->queue.size();
}

uint64_t GenerationEngine::steps() const { return impl_->n_steps.load(); }
uint64_t GenerationEngine::batched_tokens() const { return impl_->n_tokens.load(); }
bool GenerationEngine::expired() const { return impl_->weak.expired(); }
const GenerationEngineOptions& GenerationEngine::options() const { return impl_->opts; }

struct GenerationEngines::Impl {
  mutable std::mutex mu;
  std::vector<std::pair<const CausalLM*, std::shared_ptr<GenerationEngine>>> engines;
};

GenerationEngines::GenerationEngines(GenerationEngineOptions opts) : impl_(std::make_unique<Impl>()), opts_(opts) {}
GenerationEngines::~GenerationEngines() = default;

std::shared_ptr<GenerationEngine> GenerationEngines::engine_for(const std::shared_ptr<const Model>& model) {
  if (!model || !model->causal_lm()) return nullptr;
  std::vector<std::shared_ptr<GenerationEngine>> stale;  // stopped outside the lock (joins)
  std::shared_ptr<GenerationEngine> found;
  {
    std::lock_guard lk(impl_->mu);
    // An expired engine's model is gone, so a new model at the same address cannot match it.
    for (auto it = impl_->engines.begin(); it != impl_->engines.end();) {
      if (it->second->expired()) {
        stale.push_back(std::move(it->second));
        it = impl_->engines.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [lm, e] : impl_->engines)
      if (lm == model->causal_lm()) found = e;
    if (!found) {
      // Aliasing pointer: shares the Model's ownership, so the engine's weak reference
      // expires exactly when the Model does.
      found = std::make_shared<GenerationEngine>(std::shared_ptr<const CausalLM>(model, model->causal_lm()), opts_);
      impl_->engines.emplace_back(model->causal_lm(), found);
    }
  }
  return found;
}

size_t GenerationEngines::engine_count() const {
  std::lock_guard lk(impl_->mu);
  return impl_->engines.size();
}

}  // namespace hub::inference::runtime
