#!/usr/bin/env bash
# LFS store throughput vs the plain tools, same file, same run (median of REPS runs each):
#   put (stream + sha256 + fsync + rename) vs cp, and vs dd bs=1M conv=fsync (also streams
#   through user space and waits for the disk, like put);
#   get (read loop; sendfile of the file region) vs cat > /dev/null.
# Peak RSS is per operation (one process each). S3 put/get through a local s3rver too when
# node is available (S3_BENCH=0 skips it).
# Usage: bench/lfs/run.sh BUILD_DIR [SIZE_MB=1024] [REPS=3]
set -euo pipefail
BUILD=${1:?usage: bench/lfs/run.sh BUILD_DIR [SIZE_MB] [REPS]}
SIZE_MB=${2:-1024}
REPS=${3:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cmake --build "$BUILD" --target lfs_bench -j2 >/dev/null
BIN=$(find "$BUILD" -name lfs_bench -type f -perm -u+x | head -1)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubd-lfs-bench-XXXXXX")
S3PID=
cleanup() { if [ -n "$S3PID" ]; then kill "$S3PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT

head -c $((SIZE_MB << 20)) /dev/urandom >"$WORK/input.bin"
BYTES=$(stat -c %s "$WORK/input.bin")
OID=$(sha256sum "$WORK/input.bin" | cut -d' ' -f1)
echo "file: $SIZE_MB MiB in $WORK, page cache warm, median of $REPS runs"

# median_run PREP CMD: runs PREP (untimed) then CMD, REPS times; prints "median_secs max_rss_kb".
median_run() {
  local prep=$1 cmd=$2 times=() rss=0
  for _ in $(seq "$REPS"); do
    eval "$prep"
    local t0 t1 r
    t0=$(date +%s%N)
    r=$( { /usr/bin/time -f "%M" bash -c "$cmd" >/dev/null; } 2>&1 | tail -1)
    t1=$(date +%s%N)
    times+=($(( t1 - t0 )))
    [ "$r" -gt "$rss" ] && rss=$r
  done
  local med
  med=$(printf "%s\n" "${times[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")
  echo "$(awk -v n="$med" 'BEGIN { printf "%.4f", n / 1e9 }') $rss"
}
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b / a }'; }  # speed ratio from secs
row() { printf "%-30s %8s %9s %12s\n" "$@"; }

read CP _ < <(median_run "rm -f $WORK/out.bin" "cp $WORK/input.bin $WORK/out.bin")
read DD _ < <(median_run "rm -f $WORK/out.bin" "dd if=$WORK/input.bin of=$WORK/out.bin bs=1M conv=fsync status=none")
read CAT _ < <(median_run ":" "cat $WORK/out.bin > /dev/null")
rm -f "$WORK/out.bin"
read PUT PUT_RSS < <(median_run "rm -rf $WORK/store" "$BIN put $WORK/store $WORK/input.bin $OID")
read GET GET_RSS < <(median_run ":" "$BIN get $WORK/store $OID read")
read SF SF_RSS < <(median_run ":" "$BIN get $WORK/store $OID sendfile")

row "operation" "MB/s" "ratio" "peak RSS KB"
row "cp" "$(mbps "$CP")" "" ""
row "dd bs=1M conv=fsync" "$(mbps "$DD")" "" ""
row "cat > /dev/null" "$(mbps "$CAT")" "" ""
row "local put (sha256+fsync)" "$(mbps "$PUT")" "$(ratio "$PUT" "$DD")" "$PUT_RSS"
row "  same, vs cp (no fsync)" "" "$(ratio "$PUT" "$CP")" ""
row "local get (read loop)" "$(mbps "$GET")" "$(ratio "$GET" "$CAT")" "$GET_RSS"
row "local get (sendfile)" "$(mbps "$SF")" "$(ratio "$SF" "$CAT")" "$SF_RSS"

S3RVER="$ROOT/tests/node_modules/s3rver/bin/s3rver.js"
if [ "${S3_BENCH:-1}" != 0 ] && command -v node >/dev/null && [ -f "$S3RVER" ]; then
  mkdir -p "$WORK/s3"
  node "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p 0 -s >"$WORK/s3.log" 2>&1 &
  S3PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/s3.log" && break; sleep 0.1; done
  PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$WORK/s3.log")
  URL="s3://bench?endpoint=http://127.0.0.1:$PORT&access_key=S3RVER&secret_key=S3RVER"
  curl -s -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 aws:amz:us-east-1:s3 \
    --user S3RVER:S3RVER "http://127.0.0.1:$PORT/bench" >/dev/null
  REPS=1
  read S3PUT S3PUT_RSS < <(median_run ":" "$BIN put '$URL' $WORK/input.bin $OID")
  read S3GET S3GET_RSS < <(median_run ":" "$BIN get '$URL' $OID read")
  row "s3rver put (16 MiB parts)" "$(mbps "$S3PUT")" "" "$S3PUT_RSS"
  row "s3rver get (8 MiB ranges)" "$(mbps "$S3GET")" "" "$S3GET_RSS"
fi

# LFS over HTTP through hubd (curl on the signed hrefs, git lfs push/fetch) vs nginx, and hubd's
# peak RSS: http_bench.sh. HTTP_MB sets its file size (default 2048); HTTP_MB=0 skips it.
if [ "${HTTP_MB:-2048}" != 0 ]; then
  echo
  bash "$ROOT/bench/lfs/http_bench.sh" "$BUILD" "${HTTP_MB:-2048}"
fi
