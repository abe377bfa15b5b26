// "8 concurrent streams" driver (bench/generation/run.sh): eight greedy generations of N tokens
// after different PROMPT-token prompts, (a) submitted at once to a GenerationEngine with 8
// slots (continuous batching: one forward_step per token for all eight) and (b) one after the
// other with pipelines::generate(). Best of 3 each. Prints
//   STREAMS <name> engine_tok_s=<x> engine_steady_tok_s=<y> sequential_tok_s=<z> same_ids=<bool>
// where the rates are aggregate generated tokens per second of wall time including the
// prompts' prefill, and "steady" counts only the tokens produced once all eight were decoding.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "inference/models/decoder.h"
#include "inference/ops/parallel.h"
#include "inference/pipelines/generation.h"
#include "inference/runtime/generation_engine.h"

using namespace hub::inference;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: engine_bench NAME DIR THREADS PROMPT N\n");
    return 2;
  }
  const std::string name = argv[1], dir = argv[2];
  ops::set_num_threads(std::atoi(argv[3]));
  const int64_t prompt_len = std::atoll(argv[4]), n = std::atoll(argv[5]);
  auto lm = load_causal_lm(dir, false);
  if (!lm) {
    std::fprintf(stderr, "load: %s\n", lm.error().message.c_str());
    return 1;
  }
  const int64_t V = (*lm)->config().vocab_size;
  constexpr int B = 8;
  std::vector<std::vector<int32_t>> prompts(B);
  for (int b = 0; b < B; ++b)
    for (int64_t i = 0; i < prompt_len; ++i) prompts[size_t(b)].push_back(int32_t((i * 7919 + 1 + b) % V));
  pipelines::GenerationParams p;
  p.max_new_tokens = n;  // greedy, no EOS: exactly n tokens each

  double best_seq = 1e30;
  std::vector<std::vector<int32_t>> seq_ids(B);
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    for (int b = 0; b < B; ++b) {
      auto r = pipelines::generate(**lm, prompts[size_t(b)], p);
      if (!r) return 1;
      seq_ids[size_t(b)] = r->tokens;
    }
    best_seq = std::min(best_seq, std::chrono::duration<double>(Clock::now() - t0).count());
  }

  runtime::GenerationEngine engine(*lm, runtime::GenerationEngineOptions{.slots = B});
  double best_engine = 1e30, best_steady = 0;
  bool same = true;
  for (int rep = 0; rep < 3; ++rep) {
    std::mutex mu;
    std::vector<Clock::time_point> first(B);
    std::vector<std::vector<Clock::time_point>> at(B);
    std::vector<std::promise<hub::Result<pipelines::GenerationOutput>>> done(B);
    auto t0 = Clock::now();
    for (int b = 0; b < B; ++b) {
      auto t = engine.submit(prompts[size_t(b)], p,
                             [&, b](int32_t) {
                               std::lock_guard lk(mu);
                               at[size_t(b)].push_back(Clock::now());
                               return true;
                             },
                             [&, b](hub::Result<pipelines::GenerationOutput> r) { done[size_t(b)].set_value(std::move(r)); });
      if (!t) return 1;
    }
    for (int b = 0; b < B; ++b) {
      auto r = done[size_t(b)].get_future().get();
      if (!r) return 1;
      same = same && r->tokens == seq_ids[size_t(b)];
    }
    const auto t_end = Clock::now();
    best_engine = std::min(best_engine, std::chrono::duration<double>(t_end - t0).count());
    Clock::time_point all_decoding = t0;
    for (auto& v : at) all_decoding = std::max(all_decoding, v.front());
    int64_t later = 0;
    for (auto& v : at) later += std::count_if(v.begin(), v.end(), [&](auto t) { return t > all_decoding; });
    const double span = std::chrono::duration<double>(t_end - all_decoding).count();
    if (span > 0) best_steady = std::max(best_steady, double(later) / span);
  }
  std::printf("STREAMS %s engine_tok_s=%.1f engine_steady_tok_s=%.1f sequential_tok_s=%.1f same_ids=%s steps=%llu\n",
              name.c_str(), double(B * n) / best_engine, best_steady, double(B * n) / best_seq,
              same ? "True" : "False", (unsigned long long)engine.steps());
}
