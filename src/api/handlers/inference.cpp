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
                           const json::value& parameters) {
  auto run = inference::pipelines::prepare_stream(*model->causal_lm(), inputs, parameters);
  if (!run) return inference_error(run.error().code == Errc::invalid_argument ? 400 : 422, run.error().message);
  if (g_streams.fetch_add(1) >= kMaxStreams) {
    g_streams--;
    auto r = inference_error(429, "Too many concurrent generations, retry shortly");
    r.set_header("Retry-After", "1");
    return r;
  }
  auto st = std::make_shared<StreamState>();
  st->worker = std::thread([st, model, run = std::move(*run)] {
    json::object pending;  // held back one step: the last token's event carries the totals
    int64_t index = 0;
    auto last = run([&](int32_t id, const std::string& text) {
      if (st->cancelled) return false;
      if (!pending.empty()) st->push(sse(pending));
      pending = {{"index", index++},
                 {"token", json::object{{"id", id}, {"text", text}, {"logprob", 0.0}, {"special", false}}},
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

Response run_inference(Context& ctx, Request& req, std::string_view explicit_task) {
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
    if (!m) return inference_error(m.error().code == Errc::too_large ? 400 : 500, m.error().message);
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
    return stream_generation(model, inputs, parameters);
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

}  // namespace hub::api::handlers
