// hubd encoder benchmark: forward latency of random-weight BERT-family encoders in each encoder
// precision this CPU has a kernel for (f32; bf16 with AVX512-BF16; int8 with AVX512-VNNI), plus the FMA peak of
// this machine (a pure-register FMA loop on every thread) in the same run. Prints:
//   CASE <name> batch=<b> seq=<s> ms=<best of N> gflops=<achieved> gemm_ms=<GEMMs alone> prec=<p>
//   FMA_PEAK gflops=<g>
// Usage: encoder_bench [threads]. Build and compare with PyTorch through run.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <thread>

#include "inference/layers/encoder.h"
#include "inference/ops/gemm.h"
#include "inference/ops/parallel.h"

using namespace hub::inference;

namespace {

Tensor random_tensor(const Shape& s, std::mt19937& g, float scale, float base = 0.f) {
  Tensor t = Tensor::empty(s);
  std::normal_distribution<float> d(0.f, scale);
  for (auto& v : t.values()) v = base + d(g);
  return t;
}

layers::Linear linear(int64_t in, int64_t out, std::mt19937& g) {
  return {random_tensor(Shape{out, in}, g, 0.02f), random_tensor(Shape{out}, g, 0.02f)};
}

layers::Norm norm(int64_t d, std::mt19937& g) {
  return {random_tensor(Shape{d}, g, 0.02f, 1.f), random_tensor(Shape{d}, g, 0.02f), 1e-12f};
}

layers::Encoder make_encoder(int64_t hidden, int64_t n_layer, int64_t n_head, int64_t inter) {
  std::mt19937 g(42);
  layers::EncoderConfig c;
  c.vocab_size = 30522;
  c.hidden_size = c.embedding_size = hidden;
  c.num_hidden_layers = n_layer;
  c.num_attention_heads = n_head;
  c.intermediate_size = inter;
  c.max_position_embeddings = 512;
  c.type_vocab_size = 2;
  layers::EncoderWeights w;
  w.word_embeddings = random_tensor(Shape{c.vocab_size, hidden}, g, 0.02f);
  w.position_embeddings = random_tensor(Shape{512, hidden}, g, 0.02f);
  w.token_type_embeddings = random_tensor(Shape{2, hidden}, g, 0.02f);
  w.embeddings_norm = norm(hidden, g);
  for (int64_t i = 0; i < n_layer; ++i) {
    layers::EncoderLayer l;
    l.query = linear(hidden, hidden, g);
    l.key = linear(hidden, hidden, g);
    l.value = linear(hidden, hidden, g);
    l.attn_out = linear(hidden, hidden, g);
    l.attn_norm = norm(hidden, g);
    l.ffn_in = linear(hidden, inter, g);
    l.ffn_out = linear(inter, hidden, g);
    l.ffn_norm = norm(hidden, g);
    w.layers.push_back(std::move(l));
  }
  return layers::Encoder(c, std::move(w));
}

double flops(int64_t b, int64_t s, int64_t h, int64_t layers, int64_t inter) {
  double t = double(b * s);
  return double(layers) * (2.0 * t * (4.0 * h * h + 2.0 * h * inter) + 4.0 * double(b) * s * s * h);
}

// Best of `reps` runs: on a shared machine the minimum is the least disturbed measurement.
template <class F>
double best_ms(F&& f, int reps) {
  std::vector<double> v;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    v.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return *std::min_element(v.begin(), v.end());
}

// 12 independent 512-bit FMA chains in registers per thread (AVX-512 machines; else 0).
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

double fma_peak(int threads) {
  if (!__builtin_cpu_supports("avx512f")) return 0;
  const long iters = 20'000'000;
  const double ms = best_ms(
      [&] {
        std::vector<std::thread> t;
        for (int i = 0; i < threads; ++i) t.emplace_back([&] { fma_loop(iters); });
        for (auto& x : t) x.join();
      },
      5);
  return double(threads) * double(iters) * 12 * 32 / ms / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : ops::num_threads();
  ops::set_num_threads(threads);
  struct Case { const char* name; int64_t h, l, nh, inter; };
  const Case cases[] = {{"bert-base", 768, 12, 12, 3072}, {"minilm-l6", 384, 6, 12, 1536}};
  std::vector<ops::WeightFormat> precisions{ops::WeightFormat::f32};
  if (ops::packed_bf16_supported()) precisions.push_back(ops::WeightFormat::bf16);
  if (ops::packed_int8_supported()) precisions.push_back(ops::WeightFormat::int8);
  for (const auto& c : cases) {
    for (ops::WeightFormat prec : precisions) {
      ops::set_encoder_precision(prec);
      layers::Encoder enc = make_encoder(c.h, c.l, c.nh, c.inter);
      for (int64_t batch : {1, 8}) {
        const int64_t seq = 128;
        std::vector<int32_t> ids(size_t(batch * seq)), mask(ids.size(), 1), types(ids.size(), 0);
        std::mt19937 g(7);
        for (auto& id : ids) id = int32_t(g() % 30000) + 100;
        layers::Batch b{batch, seq, ids, mask, types};
        layers::Workspace ws;
        auto run = [&] {
          ws.reserve(enc.workspace_floats(batch, seq));
          enc.forward(b, ws);
        };
        run();  // warm-up (and the one allocation)
        int reps = batch == 1 ? 20 : 6;
        double ms = best_ms(run, reps);
        // The same model's GEMMs alone (x·Wᵀ+b for every linear layer), to split time into
        // GEMM and everything else.
        const int64_t t = batch * seq;
        std::vector<float> x(size_t(t * c.inter), 0.1f), y(size_t(t * c.inter));
        const auto& L = enc.weights().layers;
        auto gemms = [&] {
          for (const auto& l : L) {
            for (const auto* lin : {&l.query, &l.key, &l.value, &l.attn_out, &l.ffn_in, &l.ffn_out})
              lin->forward(x.data(), t, y.data());
          }
        };
        gemms();
        double gemm_ms = best_ms(gemms, reps);
        std::printf("CASE %s batch=%lld seq=%lld ms=%.2f gflops=%.1f gemm_ms=%.2f allocs=%lld prec=%s\n", c.name,
                    (long long)batch, (long long)seq, ms, flops(batch, seq, c.h, c.l, c.inter) / ms / 1e6, gemm_ms,
                    (long long)ws.n_allocations(), std::string(ops::weight_format_name(prec)).c_str());
        std::fflush(stdout);
      }
    }
  }
  ops::set_encoder_precision(ops::WeightFormat::f32);
  std::printf("FMA_PEAK gflops=%.1f\n", fma_peak(threads));
  return 0;
}
