// The Inference API: POST /models/{id} (task from the repo's pipeline_tag), and the explicit
// task forms /models/{id}/pipeline/{task} and /pipeline/{task}/{id} (INFERENCE_API.md §1-3).
// Reading the repo is the permission to run it. The model for (repo, commit) comes from the
// runtime's cache: a cold model answers 503 {"error","estimated_time"} unless the caller
// asked to wait (X-Wait-For-Model / options.wait_for_model). Inference runs on the runtime's
// worker, never on the network loop.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/time.h"
#include "inference/models/decoder.h"
#include "inference/pipelines/generation.h"
#include "inference/pipelines/pipeline.h"
#include "inference/runtime/model_cache.h"
#include "inference/runtime/scheduler.h"
#include "services/model_files.h"
#include "services/repo_view.h"
#include "services/repos.h"
#include "storage/git/repo.h"

namespace hub::api::handlers {

namespace {
constexpr size_t kMaxInputChars = 1u << 20;  // text over all inputs; longer is refused clearly
constexpr auto kWaitForModel = std::chrono::seconds(300);

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

bool sentence_task(std::string_view t) { return t == "feature-extraction" || t == "sentence-similarity"; }

// Server-sent events for `stream: true` text generation, in TGI's shape: one event per token
// {"index","token":{"id","text","logprob","special"},"generated_text":null,"details":null},
// the last one carrying generated_text and details. Generation runs on its own thread and
// stops as soon as the client goes away (on_done). Concurrent streams are bounded.
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

constexpr int kMaxStreams = 4;
std::atomic<int> g_streams{0};

struct StreamState {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> events;
  size_t offset = 0;  // bytes of events.front() already handed out
  bool done = false;
  std::atomic<bool> cancelled{false};
  std::thread worker;

  void push(std::string e) {
    {
      std::lock_guard lk(mu);
      events.push_back(std::move(e));
    }
    cv.notify_one();
  }
};

std::string sse(const json::value& v) { return "data:" + json::serialize(v) + "\n\n"; }

Response stream_generation(std::shared_ptr<const inference::Model> model, const json::value& inputs,
                           const json::value& parameters, Format fmt, const std::string& model_id) {
  auto run = inference::pipelines::prepare_stream(*model->causal_lm(), inputs, parameters);
  if (!run) return inference_error(run.error().code == Errc::invalid_argument ? 400 : 422, run.error().message);
  if (g_streams.fetch_add(1) >= kMaxStreams) {
    g_streams--;
    auto r = inference_error(429, "Too many concurrent generations, retry shortly");
    r.set_header("Retry-After", "1");
    return r;
  }
  auto st = std::make_shared<StreamState>();
  st->worker = std::thread([st, model, run = std::move(*run), fmt, model_id] {
    if (fmt == Format::openai_completion) {
      // OpenAI chunks: one per token, then one with finish_reason, then [DONE].
      auto last = run([&](int32_t, const std::string& text, bool special) {
        if (st->cancelled) return false;
        if (!special) st->push(sse(completion_chunk(model_id, text, nullptr)));
        return true;
      });
      if (last) {
        auto* d = last->if_contains("details");
        std::string reason = d && d->is_object() ? std::string(json::get_string(d->as_object(), "finish_reason").value_or("length")) : "length";
        st->push(sse(completion_chunk(model_id, "", json::value(openai_finish(reason)))));
        st->push("data: [DONE]\n\n");
      } else if (!st->cancelled) {
        st->push(sse(json::object{{"error", json::object{{"message", last.error().message}}}}));
      }
      std::lock_guard lk(st->mu);
      st->done = true;
      st->cv.notify_one();
      return;
    }
    json::object pending;  // held back one step: the last token's event carries the totals
    int64_t index = 1;  // TGI numbers stream events from 1
    auto last = run([&](int32_t id, const std::string& text, bool special) {
      if (st->cancelled) return false;
      if (!pending.empty()) st->push(sse(pending));
      pending = {{"index", index++},
                 {"token", json::object{{"id", id}, {"text", text}, {"logprob", 0.0}, {"special", special}}},
                 {"generated_text", nullptr},
                 {"details", nullptr}};
      return true;
    });
    if (last) {
      if (pending.empty()) pending = {{"index", index}, {"token", nullptr}};
      pending["generated_text"] = (*last)["generated_text"];
      pending["details"] = (*last)["details"];
      st->push(sse(pending));
    } else if (!st->cancelled) {
      st->push(sse(json::object{{"error", last.error().message}, {"error_type", "generation"}}));
    }
    std::lock_guard lk(st->mu);
    st->done = true;
    st->cv.notify_one();
  });
  Response res;
  res.set_header("Content-Type", "text/event-stream");
  res.set_header("Cache-Control", "no-cache");
  res.set_header("x-compute-type", "cpu");
  res.stream = [st](char* buf, size_t cap) -> Result<size_t> {
    std::unique_lock lk(st->mu);
    st->cv.wait(lk, [&] { return !st->events.empty() || st->done; });
    if (st->events.empty()) return size_t(0);
    const std::string& e = st->events.front();
    size_t n = std::min(cap, e.size() - st->offset);
    std::memcpy(buf, e.data() + st->offset, n);
    st->offset += n;
    if (st->offset == e.size()) {
      st->events.pop_front();
      st->offset = 0;
    }
    return n;
  };
  res.on_done = [st] {
    st->cancelled = true;  // a client that left stops the generation at the next token
    if (st->worker.joinable()) st->worker.join();
    g_streams--;
  };
  return res;
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
  if (!ctx.models || !ctx.scheduler) return inference_error(503, "The Inference API is not enabled on this server");
  auto p = principal_of(ctx.hub, req);
  if (!p) return inference_error(401, "Invalid credentials in Authorization header");
  std::string id = req.params["ns"] + "/" + req.params["name"];
  auto h = services::open_repo(ctx.hub, *p, "model", req.params["ns"], req.params["name"], services::Access::read);
  if (!h) {
    if (h.error().code == Errc::not_found) return inference_error(404, "Model " + id + " does not exist");
    return to_response(h.error(), &*p);
  }
  auto git = storage::git::Repo::open(h->path);
  if (!git) return to_response(git.error());
  std::string rev(req.query_param("revision").value_or("HEAD"));
  auto commit = git->resolve_revision(rev);
  if (!commit) return to_response(commit.error(), &*p);
  auto view = services::cached_repo_view(h->row, h->path, *commit);
  if (!view) return to_response(view.error());
  const auto& meta = (*view)->metadata;

  std::string task(explicit_task);
  if (task.empty()) task = meta.pipeline_tag.value_or("");
  if (task.empty())
    return inference_error(400, "Model " + id + " has no pipeline_tag: choose a task with /models/" + id +
                                    "/pipeline/{task}");
  if (meta.inference_disabled) return inference_error(400, "Inference is turned off for " + id + " (its card says inference: false)");
  // sentence-transformers models answer both; our engine computes embeddings for either.
  std::string engine_task = sentence_task(task) ? "feature-extraction" : task;
  auto tasks = inference::pipelines::supported_tasks();
  if (std::find(tasks.begin(), tasks.end(), engine_task) == tasks.end())
    return inference_error(400, "The task `" + task + "` is not supported by this server");

  // Body: {"inputs", "parameters", "options"}; a JSON value without "inputs" is the inputs;
  // a non-JSON body is the text itself (as the community containers accept).
  json::value inputs, parameters;
  bool wait = false, stream = false;
  if (auto w = req.header("X-Wait-For-Model"); w && (*w == "true" || *w == "1")) wait = true;
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
    if (auto* op = json::get_object(o, "options"))
      if (json::get_bool(*op, "wait_for_model").value_or(false)) wait = true;
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

  auto plan = services::plan_model_files(ctx.hub, *h, **view);
  std::string key = h->row.uid + "@" + *commit;
  auto loader = [&hub = ctx.hub, handle = *h, v = *view]() -> Result<std::shared_ptr<const inference::Model>> {
    auto dir = services::materialize_model_files(hub, handle, *v);
    if (!dir) return std::unexpected(dir.error());
    return inference::load_model(*dir);
  };
  std::shared_ptr<const inference::Model> model;
  if (wait) {
    auto m = ctx.models->get_wait(key, plan.weight_bytes, loader, kWaitForModel);
    if (!m) {
      if (m.error().detail == "Loading") return inference_error(503, "Model " + id + " is still loading");
      return inference_error(m.error().code == Errc::internal || m.error().code == Errc::io ? 500 : 400,
                             "Model " + id + " cannot be loaded: " + m.error().message);
    }
    model = *m;
  } else {
    auto s = ctx.models->get(key, plan.weight_bytes, loader);
    if (!s) return inference_error(s.error().code == Errc::internal || s.error().code == Errc::io ? 500 : 400,
                                   "Model " + id + " cannot be loaded: " + s.error().message);
    if (!s->model) {
      auto r = Response::json(503, json::object{{"error", "Model " + id + " is currently loading"},
                                                {"estimated_time", s->estimated_time}});
      r.set_header("X-Error-Message", "Model " + id + " is currently loading");
      r.set_header("Retry-After", std::to_string(int(s->estimated_time) + 1));
      return r;
    }
    model = s->model;
  }

  if (stream) {
    if (!model->causal_lm() || engine_task != "text-generation")
      return inference_error(400, "Streaming is available for text-generation models only");
    return stream_generation(model, inputs, parameters, fmt, id);
  }

  inference::runtime::RunStats stats;
  auto out = ctx.scheduler->run(model, engine_task, std::move(inputs), std::move(parameters), &stats);
  if (!out) {
    const auto& e = out.error();
    if (e.detail == "Overloaded") {
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
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", stats.compute_seconds);
  res.set_header("x-compute-time", secs);
  res.set_header("x-compute-type", "cpu");
  res.set_header("x-compute-characters", std::to_string(chars));
  res.set_header("x-compute-batch-size", std::to_string(stats.batch_size));
  res.set_header("access-control-expose-headers", "x-compute-time, x-compute-type, x-compute-characters");
  return res;
}
}  // namespace

}  // namespace hub::api::handlers
