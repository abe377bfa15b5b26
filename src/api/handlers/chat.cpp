// OpenAI-compatible chat completions (INFERENCE_API.md §1 and "conversational / chat
// completion"): POST /models/{id}/v1/chat/completions, and POST /v1/chat/completions with the
// repo in the body's `model`. The messages go through the model's chat template
// (pipelines/chat_completion.h), the generation through the model's continuous-batching engine;
// `stream: true` answers chat.completion.chunk events, a last chunk with finish_reason, an
// optional usage chunk, then `data: [DONE]`. Errors in TGI's shape {"error","error_type"}.
#include <chrono>

#include "api/handlers/generation_bridge.h"
#include "api/handlers/handlers.h"
#include "api/handlers/inference_model.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/pipelines/chat_completion.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::api::handlers {

namespace {

namespace pl = inference::pipelines;

Response chat_error(int status, const std::string& message, std::string_view error_type) {
  auto r = Response::json(status, json::object{{"error", message}, {"error_type", error_type}});
  r.set_header("X-Error-Message", message);
  return r;
}

// prepare_chat's errors: validation/template errors are 422 as in TGI; a model that cannot chat
// at all is 400 (the JS client reads 400 on a chat route as "model does not support chat").
Response prepare_error(const Error& e) {
  if (e.code == Errc::unsupported) return chat_error(400, e.message, "validation");
  if (e.code == Errc::invalid_argument)
    return chat_error(422, e.message, e.detail == Detail::none ? std::string_view("validation") : detail_name(e.detail));
  return chat_error(500, e.message, "generation");
}

Response stream_chat(Context& ctx, const std::shared_ptr<const inference::Model>& model, pl::ChatRequest chat,
                     const std::string& id) {
  auto text = pl::TextStream::for_prompt(*model->causal_lm(), chat.prompt, chat.params);
  if (!text) return prepare_error(text.error());
  if (!acquire_stream_slot(ctx)) {
    auto r = chat_error(429, "Too many concurrent generations, retry shortly", "overloaded");
    r.set_header("Retry-After", "1");
    return r;
  }
  auto gs = start_stream(ctx, model, chat.prompt, chat.params);
  if (!gs) {
    release_stream_slot();
    return generation_error(gs.error());
  }
  struct Run {
    std::shared_ptr<const inference::Model> model;  // outlives the TextStream that points into it
    pl::TextStream text;
    std::unique_ptr<TokenStream> tokens;
    size_t prompt_tokens = 0;
    bool include_usage = false;
    bool over = false;
  };
  auto run = std::make_shared<Run>(
      Run{model, std::move(*text), std::move(*gs), chat.prompt.size(), chat.include_usage, false});
  auto next = [run, id]() -> std::optional<std::string> {
    while (!run->over) {
      auto item = run->tokens->next();
      if (const auto* tok = std::get_if<int32_t>(&item)) {
        auto piece = run->text.push(*tok);
        if (!piece) {
          run->over = true;
          run->tokens->cancel();
          return sse_event(json::object{{"error", piece.error().message}, {"error_type", "generation"}});
        }
        if (piece->special || piece->text.empty()) continue;  // EOS, or a character still incomplete
        return sse_event(pl::chat_chunk_json(id, piece->text, std::nullopt));
      }
      run->over = true;
      const auto& done = std::get<1>(item);
      if (!done) return sse_event(json::object{{"error", done.error().message}, {"error_type", "generation"}});
      std::string out = sse_event(pl::chat_chunk_json(id, "", pl::chat_finish_reason(done->finish_reason)));
      if (run->include_usage) out += sse_event(pl::chat_usage_chunk_json(id, run->prompt_tokens, done->tokens.size()));
      return out + "data: [DONE]\n\n";
    }
    return std::nullopt;
  };
  return sse_response(std::move(next), [run] {
    run->tokens->cancel();  // a client that left frees its slot at the engine's next step
    release_stream_slot();
  });
}

}  // namespace

Response chat_completions(Context& ctx, Request& req) {
  auto body = json::parse(req.body);
  if (!body || !body->is_object())
    return chat_error(422, "Failed to deserialize the JSON body into the target type: expected an object with `messages`",
                      "validation");
  auto& o = body->as_object();
  if (req.params["ns"].empty()) {
    // Host-root form: the repo comes in `model` ("ns/name", optionally with ":provider").
    std::string m(json::get_string(o, "model").value_or(""));
    m = m.substr(0, m.find(':'));
    size_t slash = m.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == m.size())
      return chat_error(422, "`model` must be a repo id (namespace/name)", "validation");
    req.params["ns"] = m.substr(0, slash);
    req.params["name"] = m.substr(slash + 1);
  }
  auto repo = open_inference_repo(ctx, req);
  if (auto* r = std::get_if<Response>(&repo)) return std::move(*r);
  const auto& ir = std::get<InferenceRepo>(repo);
  if (ir.view->metadata.inference_disabled)
    return chat_error(400, "Inference is turned off for " + ir.id + " (its card says inference: false)", "validation");
  auto loaded = load_inference_model(ctx, req, ir, wait_for_model_header(req));
  if (auto* r = std::get_if<Response>(&loaded)) return std::move(*r);
  auto model = std::get<std::shared_ptr<const inference::Model>>(loaded);
  if (!model->causal_lm())
    return chat_error(400, "Model " + ir.id + " does not support chat: it is not a text-generation model", "validation");
  if (!ctx.generation) return chat_error(503, "Text generation is not enabled on this server", "overloaded");

  auto chat = pl::prepare_chat(*model, o);
  if (!chat) return prepare_error(chat.error());
  if (chat->stream) return stream_chat(ctx, model, std::move(*chat), ir.id);

  auto t0 = std::chrono::steady_clock::now();
  auto out = generate_text(ctx, model, chat->prompt, chat->params);
  if (!out) return generation_error(out.error());
  auto text = pl::reply_text(*model->causal_lm(), chat->prompt, *out);
  if (!text) return chat_error(500, text.error().message, "generation");
  auto res = Response::json(200, pl::chat_completion_json(ir.id, *text, pl::chat_finish_reason(out->finish_reason),
                                                          chat->prompt.size(), out->tokens.size()));
  set_compute_headers(res, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), std::nullopt,
                      out->batch_size);
  return res;
}

}  // namespace hub::api::handlers
