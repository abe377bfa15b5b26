// How API handlers run text generation on a decoder model: through the model's
// continuous-batching engine (inference/runtime/generation_engine.h, one per loaded model,
// held by Context::generation). Used by the Inference API's text-generation and
// /v1/completions (handlers/inference.cpp) and by chat completions.
//   - generate_text: blocking, the whole output (tokens optionally relayed to a callback on
//     the calling thread);
//   - start_stream: a TokenStream the caller drains on its own thread (an SSE producer) —
//     the engine thread only queues token ids, so slow clients never hold up the batch;
//   - sse_response: a text/event-stream Response whose events come from a pull function;
//   - generation_error: the API's answer to a generation error (429 + Retry-After when the
//     queue is full, 503 while a model unloads, 400 for bad input).
// Thread-safe; all functions may block only where they say so.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/context.h"
#include "core/result.h"
#include "http/message.h"
#include "inference/pipelines/generation.h"

namespace hub::inference {
class Model;
}

namespace hub::api::handlers {

using http::Response;

// Runs one generation through the model's engine and waits for it; on_token (optional) runs
// on the calling thread, in order, and returning false stops. Errors: those of
// pipelines::generate (invalid_argument, ...), conflict/"Overloaded" (queue full),
// conflict/"Unloaded", unsupported (no engine / not a decoder).
Result<inference::pipelines::GenerationOutput> generate_text(Context& ctx,
                                                             const std::shared_ptr<const inference::Model>& model,
                                                             std::span<const int32_t> prompt,
                                                             const inference::pipelines::GenerationParams& params,
                                                             const inference::pipelines::TokenCallback& on_token = {});

// A generation running in the engine whose tokens wait here for one consumer thread.
class TokenStream {
 public:
  // Blocks until the next token id, or the end: the output (the tokens again, finish_reason,
  // seed) or the error that ended it. After the end, returns the end again.
  std::variant<int32_t, Result<inference::pipelines::GenerationOutput>> next();
  // Stops the generation (a client gone): its slot is freed at the engine's next step.
  void cancel();
  ~TokenStream();

  struct State;  // shared with the engine's callbacks
  explicit TokenStream(std::shared_ptr<State> s) : s_(std::move(s)) {}

 private:
  std::shared_ptr<State> s_;
};

// Queues a generation; errors as generate_text's, before anything is sent.
Result<std::unique_ptr<TokenStream>> start_stream(Context& ctx, const std::shared_ptr<const inference::Model>& model,
                                                  std::vector<int32_t> prompt,
                                                  inference::pipelines::GenerationParams params);

// A `text/event-stream` response. next_event is called on a server worker thread, may block,
// and returns the next bytes to send (whole "data:...\n\n" events) or nullopt at the end;
// on_close runs once when the response is over (sent, or the client left).
Response sse_response(std::function<std::optional<std::string>()> next_event, std::function<void()> on_close);

// "data:" + JSON + "\n\n".
std::string sse_event(const json::value& v);

// Counts concurrent SSE generations: each holds a server worker while it waits for tokens,
// so they are bounded (twice the engine's slots) below the worker pool. False = refuse (429).
bool acquire_stream_slot(const Context& ctx);
void release_stream_slot();

// The API answer to a generation error (Inference API error shape: {"error"} +
// X-Error-Message): Overloaded → 429 with Retry-After: 1, Unloaded → 503 with Retry-After,
// invalid_argument/unsupported/too_large → 400, anything else 500.
Response generation_error(const Error& e);

}  // namespace hub::api::handlers
