// The Inference API: POST /models/{id} (task from the repo's pipeline_tag), and the explicit
// task forms /models/{id}/pipeline/{task} and /pipeline/{task}/{id} (INFERENCE_API.md §1-3).
// Reading the repo is the permission to run it. The model for (repo, commit) comes from the
// runtime's cache: a cold model answers 503 {"error","estimated_time"} unless the caller
// asked to wait (X-Wait-For-Model / options.wait_for_model). Inference runs on the runtime's
// worker (text generation: the model's continuous-batching engine), never on the network loop.
#include <chrono>
#include <variant>

#include "api/handlers/generation_bridge.h"
#include "api/handlers/handlers.h"
#include "api/handlers/inference_model.h"
#include "core/text.h"
#include "core/time.h"
#include "inference/models/decoder.h"
#include "inference/models/tasks.h"
#include "inference/pipelines/chat_completion.h"
#include "inference/pipelines/generation.h"
#include "inference/models/tasks.h"
#include "inference/pipelines/pipeline.h"
#include "inference/runtime/generation_engine.h"
#include "inference/runtime/model_cache.h"
#include "inference/runtime/response_cache.h"
#include "inference/runtime/scheduler.h"

namespace hub::api::handlers {

namespace {
constexpr size_t kMaxInputChars = 1u << 20;  // text over all inputs; longer is refused clearly

Response inference_error(int status, std::string_view message) {
  return Response::error(status, message);
}

// Sums the characters of every string in the inputs (x-compute-characters), bounded walk.
size_t count_chars(const json::value& v, int depth = 0) {
  if (depth > 8) return 0;
  if (v.is_string()) return v.get_string().size();
  size_t n = 0;
  if (v.is_array())
    for (auto& x : v.get_array()) n += count_chars(x, depth + 1);
  if (v.is_object())
    for (auto& [k, x] : v.get_object()) n += count_chars(x, depth + 1);
  return n;
}

// Whether a generation's answer is a function of the request: greedy (no sampling asked for,
// none switched on by generation_config.json) or sampled with a fixed seed.
bool deterministic_generation(const inference::CausalLM& lm, const json::value& parameters) {
  const json::object* p = parameters.if_object();
  if (p && p->contains("seed")) return true;
  bool sampling = json::get_bool(lm.config().generation, "do_sample").value_or(false);
  if (p) {
    for (const char* k : {"temperature", "top_k", "top_p", "typical_p"})
      if (const auto* v = p->if_contains(k); v && !v->is_null()) sampling = true;
    if (auto d = json::get_bool(*p, "do_sample")) sampling = *d;
  }
  return !sampling;
}

Response cached_response(std::string body, size_t chars) {
  Response res;
  res.status = 200;
  res.body = std::move(body);
  res.set_header("Content-Type", "application/json");
  set_compute_headers(res, 0, chars, 0);
  res.set_header("X-Cache", "hit");  // answered from the response cache (X-Use-Cache: false skips it)
  return res;
}

bool sentence_task(std::string_view t) { return t == "feature-extraction" || t == "sentence-similarity"; }

// Server-sent events for `stream: true` text generation, in TGI's shape: one event per token
// {"index","token":{"id","text","logprob","special"},"generated_text":null,"details":null},
// the last one carrying generated_text and details. The generation runs in the model's
// continuous-batching engine; this response's producer (a server worker) turns its tokens into
// text and events, and a client that goes away cancels it (on_done): its slot frees at the
// engine's next step.
enum class Format { tgi, openai_completion };

std::string openai_finish(std::string_view r) { return r == "length" ? "length" : "stop"; }

json::object completion_chunk(const std::string& model_id, const std::string& text, const json::value& finish) {
  return {{"id", "cmpl-hubd"},
          {"object", "text_completion"},
          {"created", now_ms() / 1000},
          {"model", model_id},
          {"choices", json::array{json::object{{"index", 0}, {"text", text}, {"finish_reason", finish},
                                               {"logprobs", nullptr}}}}};
}

std::string stream_error_event(Format fmt, const std::string& message) {
  if (fmt == Format::openai_completion) return sse_event(json::object{{"error", json::object{{"message", message}}}});
  return sse_event(json::object{{"error", message}, {"error_type", "generation"}});
}

Response stream_generation(Context& ctx, std::shared_ptr<const inference::Model> model, const json::value& inputs,
                           const json::value& parameters, Format fmt, const std::string& model_id) {
  if (!ctx.generation) return inference_error(503, "Streaming generation is not enabled on this server");
  auto ts = inference::pipelines::TextStream::prepare(*model->causal_lm(), inputs, parameters);
  if (!ts) return inference_error(ts.error().code == Errc::invalid_argument ? 400 : 422, ts.error().message);
  if (!acquire_stream_slot(ctx)) {
    auto r = inference_error(429, "Too many concurrent generations, retry shortly");
    r.set_header("Retry-After", "1");
    return r;
  }
  auto gs = start_stream(ctx, model, ts->prompt(), ts->params());
  if (!gs) {
    release_stream_slot();
    return generation_error(gs.error());
  }
  struct Run {
    std::shared_ptr<const inference::Model> model;  // outlives the TextStream that points into it
    inference::pipelines::TextStream text;
    std::unique_ptr<TokenStream> tokens;
    json::object pending;  // TGI: held back one step, the last token's event carries the totals
    int64_t index = 1;     // TGI numbers stream events from 1
    bool over = false;
  };
  auto run = std::make_shared<Run>(Run{model, std::move(*ts), std::move(*gs), {}, 1, false});
  auto next = [run, fmt, model_id]() -> std::optional<std::string> {
    while (!run->over) {
      auto item = run->tokens->next();
      if (const auto* id = std::get_if<int32_t>(&item)) {
        auto piece = run->text.push(*id);
        if (!piece) {
          run->over = true;
          run->tokens->cancel();
          return stream_error_event(fmt, piece.error().message);
        }
        if (fmt == Format::openai_completion) {
          // OpenAI chunks: one per token, then one with finish_reason, then [DONE].
          if (!piece->special) return sse_event(completion_chunk(model_id, piece->text, nullptr));
          continue;
        }
        std::optional<std::string> out;
        if (!run->pending.empty()) out = sse_event(run->pending);
        run->pending = {{"index", run->index++},
                        {"token", json::object{{"id", *id}, {"text", piece->text}, {"logprob", 0.0},
                                               {"special", piece->special}}},
                        {"generated_text", nullptr},
                        {"details", nullptr}};
        if (out) return out;
        continue;
      }
      run->over = true;
      const auto& done = std::get<1>(item);
      if (!done) return stream_error_event(fmt, done.error().message);
      auto last = run->text.finish(*done);
      if (!last) return stream_error_event(fmt, last.error().message);
      if (fmt == Format::openai_completion)
        return sse_event(completion_chunk(model_id, "", json::value(openai_finish(done->finish_reason)))) +
               "data: [DONE]\n\n";
      if (run->pending.empty()) run->pending = {{"index", run->index}, {"token", nullptr}};
      run->pending["generated_text"] = (*last)["generated_text"];
      run->pending["details"] = (*last)["details"];
      return sse_event(run->pending);
    }
    return std::nullopt;
  };
  return sse_response(std::move(next), [run] {
    run->tokens->cancel();  // a client that left stops the generation at the next step
    release_stream_slot();
  });
}
}  // namespace

namespace {
Response run_inference_impl(Context& ctx, Request& req, std::string_view explicit_task, Format fmt);
}

Response run_inference(Context& ctx, Request& req, std::string_view explicit_task) {
  return run_inference_impl(ctx, req, explicit_task, Format::tgi);
}

// OpenAI completions (what @huggingface/inference >= 4.13.17 calls for text generation):
// {"prompt","max_tokens","temperature","top_p","stop","seed","stream"} in, text_completion out.
Response run_completions(Context& ctx, Request& req) {
  auto body = json::parse(req.body);
  if (!body || !body->is_object()) return inference_error(400, "Expected a JSON object with `prompt`");
  auto& o = body->as_object();
  if (req.params["ns"].empty()) {
    // Host-root form: the model comes in the body ("ns/name", optionally ":provider").
    std::string model(json::get_string(o, "model").value_or(""));
    model = model.substr(0, model.find(':'));
    size_t slash = model.find('/');
    if (slash == std::string::npos) return inference_error(400, "`model` must be a repo id (namespace/name)");
    req.params["ns"] = model.substr(0, slash);
    req.params["name"] = model.substr(slash + 1);
  }
  auto prompt = json::get_string(o, "prompt");
  if (!prompt) return inference_error(400, "`prompt` must be a string");
  json::object params{{"return_full_text", false}, {"details", true}};
  if (auto* v = o.if_contains("max_tokens"); v && !v->is_null()) params["max_new_tokens"] = *v;
  for (const char* k : {"temperature", "top_p", "seed"})
    if (auto* v = o.if_contains(k); v && !v->is_null()) params[k] = *v;
  if (auto* v = o.if_contains("stop"); v && !v->is_null())
    params["stop"] = v->is_string() ? json::value(json::array{*v}) : *v;
  json::object tgi{{"inputs", *prompt}, {"parameters", std::move(params)},
                   {"stream", json::get_bool(o, "stream").value_or(false)}};
  req.body = json::serialize(tgi);
  return run_inference_impl(ctx, req, "text-generation", Format::openai_completion);
}

namespace {
Response run_inference_impl(Context& ctx, Request& req, std::string_view explicit_task, Format fmt) {
  auto opened = open_inference_repo(ctx, req);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  const auto& repo = std::get<InferenceRepo>(opened);
  const std::string& id = repo.id;
  const auto& meta = repo.view->metadata;

  std::string task(explicit_task);
  if (task.empty()) task = meta.pipeline_tag.value_or("");
  if (task.empty())
    return inference_error(400, "Model " + id + " has no pipeline_tag: choose a task with /models/" + id +
                                    "/pipeline/{task}");
  if (meta.inference_disabled) return inference_error(400, "Inference is turned off for " + id + " (its card says inference: false)");
  // sentence-transformers models answer both; our engine computes embeddings for either.
  // The engine task (aliases, translation_xx_to_yy) from the one task table (inference/models/tasks.h).
  std::string engine_task = sentence_task(task) ? "feature-extraction" : std::string(inference::engine_task_for(task));
  if (task == "conversational") engine_task = task;
  if (engine_task.empty()) return inference_error(400, "The task `" + task + "` is not supported by this server");
  // Seq2seq tasks run (and are cached) as requested: T5's task_specific_params are keyed by the
  // full name (translation_en_to_de and translation_en_to_fr answer differently).
  const std::string run_as = engine_task == "translation" ? task : engine_task;

  // Body: {"inputs", "parameters", "options"}; a JSON value without "inputs" is the inputs;
  // a non-JSON body is the text itself (as the community containers accept).
  json::value inputs, parameters;
  bool wait = false, stream = false;
  auto uc = req.header("X-Use-Cache");
  bool use_cache = !(uc && (iequals(*uc, "false") || *uc == "0"));
  wait = wait_for_model_header(req);
  if (req.body.empty()) return inference_error(400, "The request has no inputs");
  auto body = json::parse(req.body);
  if (!body) {
    if (req.header("Content-Type").value_or("").starts_with("application/json"))
      return inference_error(400, "Malformed JSON body: " + body.error().message);
    inputs = json::value(req.body);
  } else if (body->is_object() && body->as_object().contains("inputs")) {
    auto& o = body->as_object();
    inputs = o.at("inputs");
    if (auto* pr = o.if_contains("parameters"); pr && !pr->is_null()) {
      if (!pr->is_object()) return inference_error(400, "`parameters` must be an object");
      parameters = *pr;
    }
    stream = json::get_bool(o, "stream").value_or(false);
    if (auto* op = json::get_object(o, "options")) {
      if (json::get_bool(*op, "wait_for_model").value_or(false)) wait = true;
      if (!json::get_bool(*op, "use_cache").value_or(true)) use_cache = false;
    }
  } else if (body->is_number()) {
    inputs = json::value(json::serialize(*body));
  } else {
    inputs = std::move(*body);
  }
  if (inputs.is_null()) return inference_error(400, "`inputs` must not be null");
  size_t chars = count_chars(inputs);
  if (chars > kMaxInputChars)
    return inference_error(400, "The inputs are too long (" + std::to_string(chars) + " characters; at most " +
                                    std::to_string(kMaxInputChars) + ")");

  // The response cache: same model, commit, task and canonical body -> the same answer.
  // Encoder tasks are deterministic and answered before any load; generation only when it
  // is greedy or seeded, which needs the model's generation defaults (checked once loaded).
  std::string cache_key;
  if (ctx.responses && use_cache && !stream) {
    cache_key = repo.handle.row.uid + "@" + repo.commit + "\n" + run_as + "\n" + std::to_string(int(fmt)) + "\n" +
                json::serialize(inputs) + "\n" + json::serialize(parameters);
    if (engine_task != "text-generation" && engine_task != "conversational")
      if (auto hit = ctx.responses->get(cache_key)) return cached_response(std::move(*hit), chars);
  }

  auto loaded = load_inference_model(ctx, req, repo, wait);
  if (auto* r = std::get_if<Response>(&loaded)) return std::move(*r);
  auto model = std::get<std::shared_ptr<const inference::Model>>(loaded);
  if (!cache_key.empty() && model->causal_lm()) {
    if (!deterministic_generation(*model->causal_lm(), parameters)) cache_key.clear();
    else if (auto hit = ctx.responses->get(cache_key)) return cached_response(std::move(*hit), chars);
  }

  // Chat: the explicit conversational task, or chat-shaped inputs (a list of messages, the
  // legacy {"text", ...}) sent to a text-generation model; answered through its chat template.
  bool conversational = engine_task == "conversational" ||
                        (engine_task == "text-generation" && inference::pipelines::is_chat_input(inputs));
  if (conversational) {
    if (!model->causal_lm()) return inference_error(400, "The conversational task needs a text-generation model");
    if (stream) return inference_error(400, "Streaming chat is served by /models/" + id + "/v1/chat/completions");
  }
  if (stream) {
    if (!model->causal_lm() || engine_task != "text-generation")
      return inference_error(400, "Streaming is available for text-generation models only");
    return stream_generation(ctx, model, inputs, parameters, fmt, id);
  }

  inference::runtime::RunStats stats;
  Result<json::value> out;
  if (model->causal_lm() && ctx.generation && (engine_task == "text-generation" || conversational)) {
    // Decoder models generate in their continuous-batching engine (this thread waits).
    auto t0 = std::chrono::steady_clock::now();
    inference::pipelines::Generator gen = [&](std::span<const int32_t> prompt,
                                              const inference::pipelines::GenerationParams& params,
                                              const inference::pipelines::TokenCallback& on_token) {
      auto r = generate_text(ctx, model, prompt, params, on_token);
      if (r) stats.batch_size = std::max(stats.batch_size, r->batch_size);
      return r;
    };
    if (conversational) {
      out = inference::pipelines::conversational(*model, inputs, parameters.is_object() ? &parameters.get_object() : nullptr, gen);
      if (!out && out.error().detail == Detail::TgiTemplateError) {  // TGI's shape: 422 with error_type
        auto r = Response::json(422, json::object{{"error", out.error().message}, {"error_type", "template_error"}});
        r.set_header("X-Error-Message", out.error().message);
        return r;
      }
    } else {
      out = inference::pipelines::run_generation_task(*model->causal_lm(), engine_task, inputs, parameters, gen);
    }
    stats.compute_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } else {
    out = ctx.scheduler->run(model, run_as, std::move(inputs), std::move(parameters), &stats);
  }
  if (!out) {
    const auto& e = out.error();
    if (e.detail == Detail::Unloaded) return generation_error(e);
    if (e.detail == Detail::Overloaded) {
      auto r = inference_error(429, "Rate limit reached: the model's queue is full, retry shortly");
      r.set_header("Retry-After", "1");
      return r;
    }
    if (e.code == Errc::invalid_argument || e.code == Errc::unsupported || e.code == Errc::too_large)
      return inference_error(400, e.message);
    return inference_error(500, "unknown error");
  }
  if (fmt == Format::openai_completion) {
    // [{"generated_text","details"}] -> one text_completion choice.
    const auto& first = out->as_array().at(0).as_object();
    const auto* d = json::get_object(first, "details");
    std::string reason(d ? json::get_string(*d, "finish_reason").value_or("length") : "length");
    auto doc = completion_chunk(id, std::string(json::get_string(first, "generated_text").value_or("")),
                                json::value(openai_finish(reason)));
    int64_t n = d ? json::get_int(*d, "generated_tokens").value_or(0) : 0;
    doc["usage"] = json::object{{"completion_tokens", n}};
    *out = std::move(doc);
  }
  auto res = Response::json(200, *out);
  if (!cache_key.empty()) ctx.responses->put(cache_key, res.body);
  set_compute_headers(res, stats.compute_seconds, chars, stats.batch_size);
  return res;
}
}  // namespace

}  // namespace hub::api::handlers
