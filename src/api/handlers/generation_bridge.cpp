#include "api/handlers/generation_bridge.h"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/runtime/generation_engine.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::api::handlers {

using inference::pipelines::GenerationOutput;
using inference::pipelines::GenerationParams;

namespace {

std::atomic<int> g_streams{0};

Result<std::shared_ptr<inference::runtime::GenerationEngine>> engine_of(
    Context& ctx, const std::shared_ptr<const inference::Model>& model) {
  if (!model || !model->causal_lm()) return fail(Errc::unsupported, "Text generation needs a decoder model");
  if (!ctx.generation) return fail(Errc::unsupported, "Text generation is not enabled on this server");
  return ctx.generation->engine_for(model);
}

}  // namespace

Result<GenerationOutput> generate_text(Context& ctx, const std::shared_ptr<const inference::Model>& model,
                                       std::span<const int32_t> prompt, const GenerationParams& params,
                                       const inference::pipelines::TokenCallback& on_token) {
  HUB_TRY(engine, engine_of(ctx, model));
  return engine->generate(prompt, params, on_token);
}

struct TokenStream::State {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int32_t> tokens;
  std::optional<Result<GenerationOutput>> done;
  std::atomic<bool> cancelled{false};
  std::shared_ptr<inference::runtime::GenerationTicket> ticket;
};

std::variant<int32_t, Result<GenerationOutput>> TokenStream::next() {
  std::unique_lock lk(s_->mu);
  s_->cv.wait(lk, [&] { return !s_->tokens.empty() || s_->done.has_value(); });
  if (!s_->tokens.empty()) {
    const int32_t t = s_->tokens.front();
    s_->tokens.pop_front();
    return t;
  }
  return *s_->done;
}

void TokenStream::cancel() {
  s_->cancelled = true;
  if (s_->ticket) s_->ticket->cancel();
}

TokenStream::~TokenStream() { cancel(); }

Result<std::unique_ptr<TokenStream>> start_stream(Context& ctx, const std::shared_ptr<const inference::Model>& model,
                                                  std::vector<int32_t> prompt, GenerationParams params) {
  HUB_TRY(engine, engine_of(ctx, model));
  auto st = std::make_shared<TokenStream::State>();
  // The callbacks run on the engine thread: they only queue, never block.
  auto ticket = engine->submit(
      std::move(prompt), std::move(params),
      [st](int32_t t) {
        if (st->cancelled) return false;
        {
          std::lock_guard lk(st->mu);
          st->tokens.push_back(t);
        }
        st->cv.notify_one();
        return true;
      },
      [st](Result<GenerationOutput> r) {
        std::lock_guard lk(st->mu);
        st->done = std::move(r);
        st->cv.notify_one();
      });
  if (!ticket) return std::unexpected(ticket.error());
  st->ticket = *ticket;
  return std::make_unique<TokenStream>(st);
}

std::string sse_event(const json::value& v) { return "data:" + json::serialize(v) + "\n\n"; }

Response sse_response(std::function<std::optional<std::string>()> next_event, std::function<void()> on_close) {
  struct Pending {
    std::function<std::optional<std::string>()> next;
    std::string buf;
    size_t offset = 0;
    bool ended = false;
  };
  auto p = std::make_shared<Pending>();
  p->next = std::move(next_event);
  Response res;
  res.set_header("Content-Type", "text/event-stream");
  res.set_header("Cache-Control", "no-cache");
  res.set_header("x-compute-type", "cpu");
  res.stream = [p](char* buf, size_t cap) -> Result<size_t> {
    while (p->offset == p->buf.size()) {
      if (p->ended) return size_t(0);
      auto e = p->next();
      p->buf = e ? std::move(*e) : std::string();
      p->offset = 0;
      p->ended = !e;
    }
    const size_t n = std::min(cap, p->buf.size() - p->offset);
    std::memcpy(buf, p->buf.data() + p->offset, n);
    p->offset += n;
    return n;
  };
  res.on_done = std::move(on_close);
  return res;
}

bool acquire_stream_slot(const Context& ctx) {
  const int limit = ctx.generation ? int(2 * ctx.generation->options().slots) : 4;
  if (g_streams.fetch_add(1) >= limit) {
    g_streams--;
    return false;
  }
  return true;
}

void release_stream_slot() { g_streams--; }

Response generation_error(const Error& e) {
  if (e.detail == Detail::Overloaded) {
    auto r = Response::error(429, "Rate limit reached: the model's generation queue is full, retry shortly");
    r.set_header("Retry-After", "1");
    return r;
  }
  if (e.detail == Detail::Unloaded) {
    auto r = Response::error(503, e.message);
    r.set_header("Retry-After", "1");
    return r;
  }
  if (e.code == Errc::invalid_argument || e.code == Errc::unsupported || e.code == Errc::too_large)
    return Response::error(400, e.message);
  return Response::error(500, "unknown error");
}

}  // namespace hub::api::handlers
