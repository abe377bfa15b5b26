// The public ops:: kernels as forwards to the copy compiled for the CPU level cpu.h picked
// (see kernels.h). Built at the baseline level; the table is chosen once, on first use.
// Without HUBD_OPS_MULTI_ISA (a build that compiles each kernel source once, like the fuzz
// build) only the baseline copies exist and every level runs them.
#include "inference/ops/cpu.h"
#include "inference/ops/gemm_bf16.h"
#include "inference/ops/kernels.h"
#include "inference/ops/norm.h"

namespace hub::inference::ops {

namespace {

struct Table {
#define HUBD_OPS_MEMBER(ret, name, params, args) ret(*name) params;
  HUBD_OPS_KERNELS(HUBD_OPS_MEMBER)
#undef HUBD_OPS_MEMBER
};

#define HUBD_OPS_ENTRY(ret, name, params, args) &NS::name,
#define NS isa_baseline
constexpr Table kBaseline = {HUBD_OPS_KERNELS(HUBD_OPS_ENTRY)};
#undef NS
#ifdef HUBD_OPS_MULTI_ISA
#define NS isa_avx2
constexpr Table kAvx2 = {HUBD_OPS_KERNELS(HUBD_OPS_ENTRY)};
#undef NS
#define NS isa_avx512
constexpr Table kAvx512 = {HUBD_OPS_KERNELS(HUBD_OPS_ENTRY)};
#undef NS
#endif
#undef HUBD_OPS_ENTRY

const Table& active() {
  static const Table* t = [] {
#ifdef HUBD_OPS_MULTI_ISA
    switch (cpu_level()) {
      case CpuLevel::avx512: return &kAvx512;
      case CpuLevel::avx2: return &kAvx2;
      case CpuLevel::baseline: break;
    }
#else
    (void)cpu_level();  // still refuses a HUBD_CPU the CPU lacks
#endif
    return &kBaseline;
  }();
  return *t;
}

}  // namespace

#define HUBD_OPS_FORWARD(ret, name, params, args) \
  ret name params { return active().name args; }
HUBD_OPS_KERNELS(HUBD_OPS_FORWARD)
#undef HUBD_OPS_FORWARD

}  // namespace hub::inference::ops
