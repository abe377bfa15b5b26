#!/usr/bin/env bash
# Tokenizer benchmark: ours (hub_tokenizers) vs the npm `tokenizers` package (Hugging Face's
# Rust engine) on the same ~10 MB text, WordPiece (bert-base-uncased) and byte-level BPE
# (gpt2). Prints MB/s and the ratio ours/npm. Usage: bench/tokenizers/run.sh BUILD_DIR
# BUILD_DIR must hold a Release build of hub_tokenizers (cmake --build BUILD_DIR --target hub_tokenizers).
set -euo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export NODE_PATH="$ROOT/tests/node_modules"
THREADS=${THREADS:-$(nproc)}
OUT="$BUILD/bench_tokenizers"
mkdir -p "$OUT"

cmake --build "$BUILD" --target hub_tokenizers hub_core > /dev/null
LIBTOK=$(find "$BUILD" -name libhub_tokenizers.a | head -1)
LIBCORE=$(find "$BUILD" -name libhub_core.a | head -1)
if [[ ! "$OUT/bench" -nt "$HERE/bench_tokenizers.cpp" || ! "$OUT/bench" -nt "$LIBTOK" ]]; then
  g++ -std=c++2b -O2 -I"$ROOT/src" "$HERE/bench_tokenizers.cpp" "$LIBTOK" "$LIBCORE" \
    -lpcre2-8 -lutf8proc -lboost_json -lcrypto -pthread -o "$OUT/bench"
fi
[[ -f "$OUT/text.txt" ]] || node "$HERE/make_text.js" "$OUT/text.txt" 10

SHARED=${HUBD_SHARED_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}/tokenizers
if [[ -f "$SHARED/bert-base-uncased/tokenizer.json" && -f "$SHARED/gpt2/tokenizer.json" ]]; then
  WP="$SHARED/bert-base-uncased/tokenizer.json"; BPE="$SHARED/gpt2/tokenizer.json"
else
  echo "(shared tokenizers absent: using the small tokenizers trained by tests/inference/tokenizers/make_goldens.js)"
  node "$ROOT/tests/inference/tokenizers/make_goldens.js" "$OUT/trained" > /dev/null
  WP="$OUT/trained/wordpiece.json"; BPE="$OUT/trained/bpe.json"
fi

printf "%-10s %12s %12s %14s %14s %10s %10s\n" tokenizer ours_1t "ours_${THREADS}t" npm_encode npm_batch ratio_1t ratio_Nt
for pair in "wordpiece:$WP" "bpe:$BPE"; do
  name=${pair%%:*}; file=${pair#*:}
  ours=$("$OUT/bench" "$file" "$OUT/text.txt" "$THREADS")
  npm=$(node "$HERE/bench_npm.js" "$file" "$OUT/text.txt")
  python3 - "$name" "$ours" "$npm" "$THREADS" <<'PY'
import json, sys
name, ours, npm, n = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
o1, on = ours["mb_per_s_1t"], ours[f"mb_per_s_{n}t"]
e, b = npm["mb_per_s_encode"], npm["mb_per_s_batch"]
print(f"{name:<10} {o1:9.2f} MB/s {on:9.2f} MB/s {e:11.2f} MB/s {b:11.2f} MB/s {o1/e:9.2f}x {on/b:9.2f}x")
if ours["tokens"] != npm["tokens"]:
    print(f"  WARNING: token counts differ: ours {ours['tokens']} npm {npm['tokens']}")
PY
done
