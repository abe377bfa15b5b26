#!/usr/bin/env bash
# LFS over HTTP, end to end through hubd vs nginx on the same machine, same disk, same run:
#   curl PUT to the signed upload href   vs  curl PUT to nginx (dav_methods PUT)
#   curl GET of the signed download href vs  curl GET of the same stored file from nginx
#   git lfs push (pre-push upload)  and  git lfs fetch (download), as users see them
# plus hubd's idle and peak RSS (VmRSS / VmHWM). Medians of alternating hubd/nginx runs (other
# load hits both alike): REPS downloads (page cache warm), UP_REPS (default 3) uploads.
# hubd's upload also hashes (sha256) and fsyncs before publishing; nginx's PUT does neither.
# Usage: bench/lfs/http_bench.sh BUILD_DIR [SIZE_MB=2048] [REPS=5]
set -euo pipefail
BUILD=$(realpath "${1:?usage: bench/lfs/http_bench.sh BUILD_DIR [SIZE_MB] [REPS]}")
SIZE_MB=${2:-2048}
REPS=${3:-5}
cmake --build "$BUILD" --target hubd -j2 >"${TMPDIR:-/tmp}/hubd-lfs-http-bench-build.log" 2>&1 ||
  { tail -20 "${TMPDIR:-/tmp}/hubd-lfs-http-bench-build.log"; echo "http_bench: cannot build hubd"; exit 1; }
HUBD=$(find "$BUILD" -name hubd -type f -perm -u+x | head -1)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubd-lfs-http-bench-XXXXXX")
HPID= NPID=
cleanup() {
  [ -n "$HPID" ] && kill "$HPID" 2>/dev/null
  [ -n "$NPID" ] && kill "$NPID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export HOME="$WORK/home" GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name bench && git config --global user.email bench@example.com
git lfs install --skip-repo >/dev/null

head -c $((SIZE_MB << 20)) /dev/urandom >"$WORK/input.bin"
BYTES=$(stat -c %s "$WORK/input.bin")
OID=$(sha256sum "$WORK/input.bin" | cut -c1-64)
echo "file: $SIZE_MB MiB in $WORK; downloads: median of $REPS, page cache warm"

"$HUBD" serve --port 0 --data "$WORK/data" >"$WORK/hubd.out" 2>"$WORK/hubd.log" &
HPID=$!
for _ in $(seq 200); do grep -q "listening on" "$WORK/hubd.out" 2>/dev/null && break; sleep 0.05; done
URL=$(grep -o 'http://[^ ]*' "$WORK/hubd.out" | tail -1)
TOKEN=$(awk '/admin token:/ {print $3}' "$WORK/hubd.out")
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -X POST "$URL/api/repos/create" -d '{"name":"bench"}'
rss() { awk "/^$1:/ {print \$2}" "/proc/$HPID/status"; }
curl -sf -o /dev/null "$URL/api/health"
IDLE_RSS=$(rss VmRSS)
href() {  # href OP: the action href of a one-object batch
  curl -sf -H "Authorization: Bearer $TOKEN" -X POST "$URL/admin/bench.git/info/lfs/objects/batch" \
    -d "{\"operation\":\"$1\",\"objects\":[{\"oid\":\"$OID\",\"size\":$BYTES}]}" | jq -r ".objects[0].actions.$1.href"
}
OBJ="$WORK/data/lfs/${OID:0:2}/${OID:2:2}/$OID"

# nginx on a free port: GET from hubd's own object directory, PUT (WebDAV) into another one.
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx/up" "$WORK/nginx/tmp"
{
  [ "$(id -u)" = 0 ] && echo "user root;"
  cat <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_max_body_size 0;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  server {
    listen 127.0.0.1:$NPORT;
    location /lfs/ { alias $WORK/data/lfs/; }
    location /up/ { alias $WORK/nginx/up/; dav_methods PUT; }
  }
}
EOF
} >"$WORK/nginx/nginx.conf"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>>"$WORK/nginx/error.log" &
NPID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/" && break; sleep 0.05; done

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'; }
timed() {  # timed CMD...: prints seconds
  local t0 t1
  t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
  secs "$t0" "$t1"
}
median_of() { printf "%s\n" "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b / a }'; }  # speed of a relative to b
row() { printf "%-36s %8s %16s\n" "$@"; }

# Uploads: UP_REPS runs each (each writes SIZE_MB to disk), hubd and nginx alternating. The
# input file was just written: flush first so the uploads do not compete with its writeback.
sync
UP=$(href upload)
HP=() NP=() NPS=()
for _ in $(seq "${UP_REPS:-3}"); do
  rm -f "$OBJ" "$WORK/nginx/up/input.bin"; sync
  HP+=("$(timed curl -sf -o /dev/null -T "$WORK/input.bin" "$UP")")
  cmp -s "$WORK/input.bin" "$OBJ" || { echo "hubd stored different bytes"; exit 1; }
  sync
  t=$(timed curl -sf -o /dev/null -T "$WORK/input.bin" "http://127.0.0.1:$NPORT/up/input.bin")
  # nginx answers before its bytes are on disk; hubd only after fsync. Same durability: + fsync.
  ts=$(timed sync "$WORK/nginx/up/input.bin")
  NP+=("$t")
  NPS+=("$(awk -v a="$t" -v b="$ts" 'BEGIN { printf "%.4f", a + b }')")
done
HUBD_PUT=$(median_of "${HP[@]}")
NGINX_PUT=$(median_of "${NP[@]}")
NGINX_PUT_SYNC=$(median_of "${NPS[@]}")
sync

# Downloads of the same stored file, page cache warm.
DOWN=$(href download)
curl -sf -o /dev/null "$DOWN"; curl -sf -o /dev/null "http://127.0.0.1:$NPORT/lfs/${OID:0:2}/${OID:2:2}/$OID"
# Alternate hubd and nginx runs so load from other processes hits both alike.
HG=() NG=()
for _ in $(seq "$REPS"); do
  HG+=("$(timed curl -sf -o /dev/null "$DOWN")")
  NG+=("$(timed curl -sf -o /dev/null "http://127.0.0.1:$NPORT/lfs/${OID:0:2}/${OID:2:2}/$OID")")
done
HUBD_GET=$(median_of "${HG[@]}")
NGINX_GET=$(median_of "${NG[@]}")

# git lfs: the object is removed from the store first so the push really uploads it.
rm -f "$OBJ"
git clone -q "http://admin:$TOKEN@${URL#http://}/admin/bench" "$WORK/w"
git -C "$WORK/w" lfs track '*.bin' >/dev/null
cp "$WORK/input.bin" "$WORK/w/big.bin"
git -C "$WORK/w" add -A && git -C "$WORK/w" commit -qm big
GIT_PUSH=$(timed git -C "$WORK/w" push -q origin main)
rm -rf "$WORK/w"
GIT_LFS_SKIP_SMUDGE=1 git clone -q "http://admin:$TOKEN@${URL#http://}/admin/bench" "$WORK/c"
GIT_FETCH=$(timed git -C "$WORK/c" lfs fetch)
cmp -s "$WORK/input.bin" "$WORK/c/.git/lfs/objects/${OID:0:2}/${OID:2:2}/$OID" || { echo "git lfs fetched different bytes"; exit 1; }
PEAK_RSS=$(rss VmHWM)

row "operation ($SIZE_MB MiB)" "MB/s" "vs nginx(/+fsync)"
row "nginx PUT (dav, no hash/fsync)" "$(mbps "$NGINX_PUT")" ""
row "nginx PUT, then fsync of the file" "$(mbps "$NGINX_PUT_SYNC")" ""
row "hubd PUT signed href (sha256+fsync)" "$(mbps "$HUBD_PUT")" "$(ratio "$HUBD_PUT" "$NGINX_PUT") / $(ratio "$HUBD_PUT" "$NGINX_PUT_SYNC")"
row "git lfs push through hubd" "$(mbps "$GIT_PUSH")" "$(ratio "$GIT_PUSH" "$NGINX_PUT") / $(ratio "$GIT_PUSH" "$NGINX_PUT_SYNC")"
row "nginx GET (sendfile)" "$(mbps "$NGINX_GET")" ""
row "hubd GET signed href (sendfile)" "$(mbps "$HUBD_GET")" "$(ratio "$HUBD_GET" "$NGINX_GET")"
row "git lfs fetch through hubd" "$(mbps "$GIT_FETCH")" "$(ratio "$GIT_FETCH" "$NGINX_GET")"
echo "hubd RSS: idle $((IDLE_RSS / 1024)) MiB, peak $((PEAK_RSS / 1024)) MiB (+$(((PEAK_RSS - IDLE_RSS) / 1024)) MiB over idle)"
