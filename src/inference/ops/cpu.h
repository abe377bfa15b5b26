// The CPU level the engine's kernels run at, picked once per process: the best this CPU
// supports (cpuid, through __builtin_cpu_supports, which also checks that the OS saves the
// vector state), or the one HUBD_CPU=baseline|avx2|avx512 forces (tests run every level the
// machine has this way). A forced level the CPU lacks is refused: cpu_level() then prints
// why and exits with kCpuRefusedExit rather than run code that would die with SIGILL.
// hubd calls check_cpu_level() at start so the refusal comes before anything else.
// Thread-safe (the choice is a function-local static).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::inference::ops {

enum class CpuLevel {
  baseline,  // x86-64-v2 (what the binary is built for): SSE4.2, POPCNT
  avx2,      // + AVX2, FMA
  avx512,    // + AVX-512 F/BW/VL/DQ
};

// Exit status of a process refused a forced level (ctest treats it as "skipped").
inline constexpr int kCpuRefusedExit = 3;

std::string_view cpu_level_name(CpuLevel level);
// Whether this CPU (and OS) can run `level`'s kernels.
bool cpu_supports(CpuLevel level);
// The best level this CPU supports.
CpuLevel best_cpu_level();
// The level HUBD_CPU (value `env`, null when unset) selects on this CPU: unset or empty ->
// best_cpu_level(); an unknown name is invalid_argument; a level the CPU lacks unsupported.
Result<CpuLevel> select_cpu_level(const char* env);
// select_cpu_level(getenv("HUBD_CPU")), checked once; the error to print at start.
Result<CpuLevel> check_cpu_level();
// The level in use (first call decides; a refused HUBD_CPU exits, see above).
CpuLevel cpu_level();
// Extra AVX-512 features for kernels that need them (bf16 dot products, int8 VNNI).
bool cpu_has_avx512_bf16();
bool cpu_has_avx512_vnni();
// One line for logs: "avx512 (cpu: avx2 avx512 avx512_bf16 avx512_vnni)".
std::string cpu_description();

}  // namespace hub::inference::ops
