// Decode benchmark driver (bench/generation/run.sh): loads a Llama-family directory, prefills a
// PROMPT-token prompt and greedily decodes N tokens through the KV cache, best of 3.
// Prints: CASE <name> prefill_tok_s=<x> decode_tok_s=<y> ids=<first 8 generated ids>, then
// MEMBW read_gb_s=<z>: the best of 5 threaded passes summing a 512 MB buffer (the machine's
// achievable read bandwidth, the ceiling for decode, which streams every weight per token).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "inference/models/decoder.h"
#include "inference/ops/parallel.h"

using namespace hub::inference;
using Clock = std::chrono::steady_clock;

static double read_bandwidth_gb_s() {
  const size_t n = (size_t(512) << 20) / sizeof(float);
  std::vector<float> buf(n, 1.0f);
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double total = 0;
    std::mutex mu;
    auto t0 = Clock::now();
    ops::parallel_for(int64_t(n), int64_t(1) << 20, [&](int64_t b, int64_t e) {
      float acc[64] = {};  // 4 independent vector chains, so the loop is load-bound
      for (int64_t i = b; i + 64 <= e; i += 64)
        for (int l = 0; l < 64; ++l) acc[l] += buf[size_t(i + l)];
      double s = 0;
      for (float a : acc) s += a;
      std::lock_guard<std::mutex> lock(mu);  // once per chunk: keeps the sum (and loop) alive
      total += s;
    });
    const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
    volatile double sink = total;
    (void)sink;
    best = std::max(best, double(n * sizeof(float)) / sec / 1e9);
  }
  return best;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: decode_bench NAME DIR THREADS PROMPT N\n");
    return 2;
  }
  const std::string name = argv[1], dir = argv[2];
  const int threads = std::atoi(argv[3]);
  const int64_t prompt_len = std::atoll(argv[4]), n = std::atoll(argv[5]);
  ops::set_num_threads(threads);
  auto lm = load_causal_lm(dir, false);
  if (!lm) {
    std::fprintf(stderr, "load: %s\n", lm.error().message.c_str());
    return 1;
  }
  const int64_t V = (*lm)->config().vocab_size;
  std::vector<int32_t> prompt(static_cast<size_t>(prompt_len));
  for (int64_t i = 0; i < prompt_len; ++i) prompt[size_t(i)] = int32_t((i * 7919 + 1) % V);
  double best_prefill = 1e30, best_decode = 1e30;
  std::vector<int32_t> ids;
  for (int rep = 0; rep < 3; ++rep) {
    auto st = (*lm)->new_state(prompt_len + n);
    auto t0 = Clock::now();
    auto logits = (*lm)->forward(prompt, st);
    auto t1 = Clock::now();
    ids.clear();
    for (int64_t i = 0; i < n; ++i) {
      const float* row = logits->data();
      int32_t tok = int32_t(std::max_element(row, row + V) - row);
      ids.push_back(tok);
      logits = (*lm)->forward(std::span(&tok, 1), st);
      if (!logits) return 1;
    }
    auto t2 = Clock::now();
    best_prefill = std::min(best_prefill, std::chrono::duration<double>(t1 - t0).count());
    best_decode = std::min(best_decode, std::chrono::duration<double>(t2 - t1).count());
  }
  std::printf("CASE %s prefill_tok_s=%.1f decode_tok_s=%.1f weights_mb=%.1f ids=", name.c_str(),
              double(prompt_len) / best_prefill, double(n) / best_decode,
              double((*lm)->weight_bytes()) / 1e6);
  for (size_t i = 0; i < std::min<size_t>(8, ids.size()); ++i) std::printf("%s%d", i ? "," : "", ids[i]);
  std::printf("\n");
  // Batch 8: eight sequences (prompts differing by one id offset) decoded together with
  // forward_step, as a continuous-batching scheduler would drive it.
  {
    const int64_t B = 8;
    double best = 1e30;
    std::vector<int32_t> first_ids;
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<DecoderState> st;
      std::vector<DecoderState*> ptrs;
      std::vector<int32_t> toks;
      st.reserve(B);
      for (int64_t b = 0; b < B; ++b) {
        std::vector<int32_t> pr(static_cast<size_t>(prompt_len));
        for (int64_t i = 0; i < prompt_len; ++i) pr[size_t(i)] = int32_t((i * 7919 + 1 + b) % V);
        st.push_back((*lm)->new_state(prompt_len + n));
        auto lg = (*lm)->forward(pr, st.back());
        toks.push_back(int32_t(std::max_element(lg->data(), lg->data() + V) - lg->data()));
      }
      for (auto& s : st) ptrs.push_back(&s);
      first_ids.clear();
      auto t0 = Clock::now();
      for (int64_t i = 0; i < n; ++i) {
        first_ids.push_back(toks[0]);
        auto lg = (*lm)->forward_step(toks, ptrs);
        if (!lg) return 1;
        for (int64_t b = 0; b < B; ++b) {
          const float* row = lg->data() + b * V;
          toks[size_t(b)] = int32_t(std::max_element(row, row + V) - row);
        }
      }
      best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::printf("CASE %s/b8 prefill_tok_s=0 decode_tok_s=%.1f weights_mb=%.1f ids=", name.c_str(),
                double(B * n) / best, double((*lm)->weight_bytes()) / 1e6);
    for (size_t i = 0; i < std::min<size_t>(8, first_ids.size()); ++i) std::printf("%s%d", i ? "," : "", first_ids[i]);
    std::printf("\n");
  }
  if (argc > 6 && std::string(argv[6]) == "membw") std::printf("MEMBW read_gb_s=%.1f\n", read_bandwidth_gb_s());
}
