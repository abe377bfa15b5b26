#include "inference/ops/cpu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hub::inference::ops {

namespace {

bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool has_avx512() {
  __builtin_cpu_init();
  return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

}  // namespace

std::string_view cpu_level_name(CpuLevel level) {
  switch (level) {
    case CpuLevel::baseline: return "baseline";
    case CpuLevel::avx2: return "avx2";
    case CpuLevel::avx512: return "avx512";
  }
  return "?";
}

bool cpu_supports(CpuLevel level) {
  switch (level) {
    case CpuLevel::baseline: return true;
    case CpuLevel::avx2: return has_avx2();
    case CpuLevel::avx512: return has_avx512();
  }
  return false;
}

CpuLevel best_cpu_level() {
  if (has_avx512()) return CpuLevel::avx512;
  if (has_avx2()) return CpuLevel::avx2;
  return CpuLevel::baseline;
}

Result<CpuLevel> select_cpu_level(const char* env) {
  if (!env || !*env) return best_cpu_level();
  for (CpuLevel l : {CpuLevel::baseline, CpuLevel::avx2, CpuLevel::avx512}) {
    if (cpu_level_name(l) != env) continue;
    if (!cpu_supports(l))
      return fail(Errc::unsupported, "HUBD_CPU=" + std::string(env) + ": this CPU lacks " +
                                         (l == CpuLevel::avx2 ? "AVX2/FMA" : "AVX-512 F/BW/VL/DQ") +
                                         " (best here: " + std::string(cpu_level_name(best_cpu_level())) +
                                         ")");
    return l;
  }
  return fail(Errc::invalid_argument,
              "HUBD_CPU=" + std::string(env) + ": unknown level (baseline, avx2 or avx512)");
}

Result<CpuLevel> check_cpu_level() {
  static const Result<CpuLevel> chosen = select_cpu_level(std::getenv("HUBD_CPU"));
  return chosen;
}

CpuLevel cpu_level() {
  static const CpuLevel level = [] {
    auto r = check_cpu_level();
    if (!r) {
      std::fprintf(stderr, "hubd: %s\n", r.error().message.c_str());
      std::exit(kCpuRefusedExit);
    }
    return *r;
  }();
  return level;
}

bool cpu_has_avx512_bf16() {
  __builtin_cpu_init();
  return has_avx512() && __builtin_cpu_supports("avx512bf16");
}

bool cpu_has_avx512_vnni() {
  __builtin_cpu_init();
  return has_avx512() && __builtin_cpu_supports("avx512vnni");
}

std::string cpu_description() {
  std::string s(cpu_level_name(cpu_level()));
  s += " (cpu:";
  if (has_avx2()) s += " avx2";
  if (has_avx512()) s += " avx512";
  if (cpu_has_avx512_bf16()) s += " avx512_bf16";
  if (cpu_has_avx512_vnni()) s += " avx512_vnni";
  return s + ")";
}

}  // namespace hub::inference::ops
