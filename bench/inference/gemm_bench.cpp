// Kernel benchmark for the packed f32 GEMM (and later precisions) on the encoder shapes, measured
// in CPU time of the calling thread so that a loaded shared machine still gives usable numbers:
// single-threaded GFLOP per CPU-second against the FMA peak of a pure-register loop, measured in
// the same run. Usage: gemm_bench [reps] [threads]   Prints one line per shape; with threads > 1
// also the best wall-clock time on that many threads (meaningful on a quiet machine only).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "inference/ops/attention.h"
#include "inference/ops/gemm.h"
#include "inference/ops/parallel.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace hub::inference;

namespace {

double cpu_s() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

// 12 independent 512-bit FMA chains in registers: the core's FMA peak (FLOP per CPU-second).
__attribute__((target("avx512f"))) void fma_loop(long iters) {
  asm volatile(
      "vxorps %%zmm0,%%zmm0,%%zmm0\n vmovaps %%zmm0,%%zmm1\n vmovaps %%zmm0,%%zmm2\n vmovaps %%zmm0,%%zmm3\n"
      "vmovaps %%zmm0,%%zmm4\n vmovaps %%zmm0,%%zmm5\n vmovaps %%zmm0,%%zmm6\n vmovaps %%zmm0,%%zmm7\n"
      "vmovaps %%zmm0,%%zmm8\n vmovaps %%zmm0,%%zmm9\n vmovaps %%zmm0,%%zmm10\n vmovaps %%zmm0,%%zmm11\n"
      "1:\n"
      "vfmadd231ps %%zmm12,%%zmm13,%%zmm0\n vfmadd231ps %%zmm12,%%zmm13,%%zmm1\n vfmadd231ps %%zmm12,%%zmm13,%%zmm2\n"
      "vfmadd231ps %%zmm12,%%zmm13,%%zmm3\n vfmadd231ps %%zmm12,%%zmm13,%%zmm4\n vfmadd231ps %%zmm12,%%zmm13,%%zmm5\n"
      "vfmadd231ps %%zmm12,%%zmm13,%%zmm6\n vfmadd231ps %%zmm12,%%zmm13,%%zmm7\n vfmadd231ps %%zmm12,%%zmm13,%%zmm8\n"
      "vfmadd231ps %%zmm12,%%zmm13,%%zmm9\n vfmadd231ps %%zmm12,%%zmm13,%%zmm10\n vfmadd231ps %%zmm12,%%zmm13,%%zmm11\n"
      "dec %0\n jnz 1b\n"
      : "+r"(iters)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "cc");
}

template <class F>
double best_wall(F&& f, int reps) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

template <class F>
double best_cpu(F&& f, int reps) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    double c0 = cpu_s();
    f();
    best = std::min(best, cpu_s() - c0);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  ops::set_num_threads(1);
  const long iters = 20'000'000;
  const double peak = iters * 12.0 * 32 / best_cpu([&] { fma_loop(iters); }, 3) / 1e9;
  std::printf("FMA_PEAK gflops_per_core=%.1f\n", peak);
  struct Shape { int64_t m, n, k; };
  const Shape shapes[] = {{128, 768, 768},   {128, 3072, 768},  {128, 768, 3072},  {1024, 768, 768},
                          {1024, 3072, 768}, {1024, 768, 3072}, {128, 384, 384},   {128, 1536, 384},
                          {128, 384, 1536},  {1024, 384, 384},  {1024, 1536, 384}, {1024, 384, 1536}};
  std::mt19937 g(1);
  std::normal_distribution<float> d(0.f, 1.f);
  for (auto [m, n, k] : shapes) {
    std::vector<float> x(size_t(m * k)), w(size_t(n * k)), b(static_cast<size_t>(n)), y(size_t(m * n));
    for (auto& v : x) v = d(g);
    for (auto& v : w) v = d(g);
    for (auto& v : b) v = d(g);
    auto pw = ops::PackedWeights::pack(w.data(), n, k);
    const double flop = 2.0 * double(m) * double(n) * double(k);
    auto run = [&] { ops::linear_packed(x.data(), m, pw, b.data(), y.data()); };
    double f32 = best_cpu(run, reps);
    std::printf("GEMM m=%lld n=%lld k=%lld f32 %.3f ms %.1f GFLOP/s %.0f%%", (long long)m, (long long)n,
                (long long)k, f32 * 1e3, flop / f32 / 1e9, 100 * flop / f32 / 1e9 / peak);
    if (threads > 1) {
      ops::set_num_threads(threads);
      const double wall = best_wall(run, reps);
      std::printf("  %d threads wall %.3f ms %.1f GFLOP/s %.0f%%", threads, wall * 1e3, flop / wall / 1e9,
                  100 * flop / wall / 1e9 / peak / threads);
      ops::set_num_threads(1);
    }
    if (ops::packed_bf16_supported()) {
      auto pb = ops::PackedWeights::pack(w.data(), n, k, ops::WeightFormat::bf16);
      const double t = best_cpu([&] { ops::linear_packed(x.data(), m, pb, b.data(), y.data()); }, reps);
      std::printf("  bf16 %.3f ms %.1f GFLOP/s (%.2fx f32)", t * 1e3, flop / t / 1e9, f32 / t);
    }
    if (ops::packed_int8_supported()) {
      auto pi = ops::PackedWeights::pack(w.data(), n, k, ops::WeightFormat::int8);
      const double t = best_cpu([&] { ops::linear_packed(x.data(), m, pi, b.data(), y.data()); }, reps);
      std::printf("  int8 %.3f ms %.1f GOP/s (%.2fx f32)", t * 1e3, flop / t / 1e9, f32 / t);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  // Attention alone (scores, softmax, weighted sum) at the encoder shapes: 4·b·s²·hidden flop.
  struct Att { const char* name; int64_t b, s, h, d; };
  for (auto [name, b, s, h, hdim] : {Att{"bert-b1", 1, 128, 12, 64}, Att{"minilm-b8", 8, 128, 12, 32}}) {
    const int64_t d_ = hdim, hd = h * hdim;
    ops::AttentionShape as{b, s, h, d_, 3 * hd, 3 * hd, 3 * hd, hd};
    std::vector<float> qkv(size_t(b * s * 3 * hd)), out(size_t(b * s * hd)), mask(size_t(b * s), 0.f);
    for (auto& v : qkv) v = d(g) * 0.3f;
    std::vector<float> scratch(size_t(ops::attention_scratch_size(as, 1)));
    auto run = [&] {
      ops::attention(as, qkv.data(), qkv.data() + hd, qkv.data() + 2 * hd, mask.data(), nullptr, 0.125f,
                     out.data(), scratch.data());
    };
    const double t = best_cpu(run, reps), flop = 4.0 * double(b * s * s * hd);
    std::printf("ATTENTION %s %.3f ms %.1f GFLOP/s %.0f%%\n", name, t * 1e3, flop / t / 1e9, 100 * flop / t / 1e9 / peak);
  }
}
