#!/bin/sh
# The AVX2 / AVX-512 copies of the kernels (src/inference/ops/kernels.h) must define code only
# inside their own namespace (ops::isa_avx2 / ops::isa_avx512) or with internal linkage. An
# inline function or template instantiation shared with baseline code (say std::sort<float*>
# used in a kernel) would be emitted in both objects as a weak symbol, and the linker may keep
# the AVX-512 copy for the whole binary: SIGILL on a CPU without it, wherever it is called.
# Usage: isa_symbols_test.sh OBJECT... (the per-level object files). Needs nm (binutils).
set -eu
bad=0
for o in "$@"; do
  # Defined code/data symbols with external linkage: T/W/V/u (global text, weak, unique).
  found=$(nm -C --defined-only "$o" | awk '$2 ~ /^[TWVuDBR]$/' |
          grep -v -e 'hub::inference::ops::isa_avx2::' -e 'hub::inference::ops::isa_avx512::' \
                  -e 'DW.ref.__gxx_personality_v0' || true)
  if [ -n "$found" ]; then
    echo "FAIL: $o defines symbols outside its level's namespace:"
    echo "$found"
    bad=1
  fi
done
[ "$bad" = 0 ] && echo "ok: $# objects"
exit "$bad"
