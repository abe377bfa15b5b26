#include "inference/runtime/scheduler.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "inference/pipelines/pipeline.h"

namespace hub::inference::runtime {

bool batchable_task(std::string_view task) {
  // Tasks whose pipeline runs a list of inputs as padded batches (one forward for many) and
  // gives one output per element.
  return task == "text-classification" || task == "sentiment-analysis" || task == "feature-extraction";
}

namespace {
// A single input's answer from its element of the batched list: text-classification wraps
// it once more ([[labels]] for one string, INFERENCE_API.md §5); feature-extraction does not.
json::value single_answer(std::string_view task, json::value element) {
  if (task == "feature-extraction") return element;
  return json::value(json::array{std::move(element)});
}
}  // namespace

namespace {
using Clock = std::chrono::steady_clock;

struct Job {
  std::shared_ptr<const Model> model;
  std::string task;
  json::value inputs;
  json::value parameters;
  std::string params_key;  // serialized parameters: jobs batch only with equal ones
  std::promise<std::pair<Result<json::value>, RunStats>> done;
  bool single_string() const { return inputs.is_string(); }
};

bool compatible(const Job& a, const Job& b) {
  return a.model == b.model && a.task == b.task && a.params_key == b.params_key && a.single_string() &&
         b.single_string() && batchable_task(a.task);
}
}  // namespace

struct Scheduler::Impl {
  SchedulerOptions opts;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Job>> queue;
  bool stopping = false;
  size_t last_batch = 1;  // size of the previous engine call (guarded by mu)
  std::atomic<uint64_t> batched{0};
  std::thread worker;

  void loop() {
    for (;;) {
      std::vector<std::unique_ptr<Job>> batch;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
        const Job& head = *batch.front();
        if (batchable_task(head.task) && head.single_string()) {
          auto take_compatible = [&] {
            for (auto it = queue.begin(); it != queue.end() && batch.size() < opts.max_batch;) {
              if (compatible(head, **it)) {
                batch.push_back(std::move(*it));
                it = queue.erase(it);
              } else {
                ++it;
              }
            }
          };
          take_compatible();
          // Wait a brief moment for more callers only under concurrent traffic (this or the
          // last call had company): a lone request runs at once, with no added latency.
          if (batch.size() > 1 || last_batch > 1) {
            auto deadline = Clock::now() + opts.window;
            while (batch.size() < opts.max_batch && !stopping) {
              bool timed_out = cv.wait_until(lk, deadline) == std::cv_status::timeout;
              take_compatible();
              if (timed_out) break;
            }
          }
        }
        last_batch = batch.size();
      }
      execute(batch);
    }
  }

  void execute(std::vector<std::unique_ptr<Job>>& batch) {
    auto t0 = Clock::now();
    Job& head = *batch.front();
    if (batch.size() == 1) {
      auto r = pipelines::run_task(*head.model, head.task, head.inputs, head.parameters);
      RunStats st{1, std::chrono::duration<double>(Clock::now() - t0).count()};
      head.done.set_value({std::move(r), st});
      return;
    }
    batched++;
    json::array inputs;
    for (auto& j : batch) inputs.push_back(j->inputs);
    auto r = pipelines::run_task(*head.model, head.task, inputs, head.parameters);
    RunStats st{batch.size(), std::chrono::duration<double>(Clock::now() - t0).count()};
    if (!r || !r->is_array() || r->as_array().size() != batch.size()) {
      // Fall back to one call each rather than hand anyone a wrong slice.
      for (auto& j : batch) {
        auto one = pipelines::run_task(*j->model, j->task, j->inputs, j->parameters);
        j->done.set_value({std::move(one), RunStats{1, st.compute_seconds}});
      }
      return;
    }
    auto& out = r->as_array();
    for (size_t i = 0; i < batch.size(); ++i)
      batch[i]->done.set_value({single_answer(head.task, std::move(out[i])), st});
  }
};

Scheduler::Scheduler(SchedulerOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
  impl_->worker = std::thread([this] { impl_->loop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->worker.join();
}

Result<json::value> Scheduler::run(std::shared_ptr<const Model> model, std::string task, json::value inputs,
                                   json::value parameters, RunStats* stats) {
  auto job = std::make_unique<Job>();
  job->model = std::move(model);
  job->task = std::move(task);
  job->inputs = std::move(inputs);
  job->params_key = json::serialize(parameters);
  job->parameters = std::move(parameters);
  auto fut = job->done.get_future();
  {
    std::lock_guard lk(impl_->mu);
    if (impl_->queue.size() >= impl_->opts.max_queue)
      return fail(Errc::conflict, "The inference queue is full, retry shortly", Detail::Overloaded);
    impl_->queue.push_back(std::move(job));
  }
  impl_->cv.notify_all();
  auto [result, st] = fut.get();
  if (stats) *stats = st;
  return std::move(result);
}

size_t Scheduler::queued() const {
  std::lock_guard lk(impl_->mu);
  return impl_->queue.size();
}

uint64_t Scheduler::batched_calls() const { return impl_->batched.load(); }

}  // namespace hub::inference::runtime
