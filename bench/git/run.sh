#!/usr/bin/env bash
# Issue 2 benchmark: `git clone` of a 2,000-file, 20-commit repo through hubd vs through
# `git http-backend` behind nginx + fcgiwrap on the same machine (median of 5 each, same
# run), and requests/s of GET /api/whoami-v2 at 64 connections (wrk).
# Usage: bench/git/run.sh [BUILD_DIR]   (prints ratios; not a test)
set -euo pipefail
BUILD=$(realpath "${1:-build}")
HUBD="$BUILD/hubd"
RUNS=${RUNS:-5}
T=$(mktemp -d /tmp/hubd-bench-git.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME"
git config --global user.name bench && git config --global user.email bench@example.com
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "== building a repo: 2,000 files, 20 commits"
git init -q -b main "$T/src"
for c in $(seq 1 20); do
  for f in $(seq 1 100); do
    d=$((f % 10))
    mkdir -p "$T/src/dir$d"
    head -c $((2000 + (c * f) % 3000)) /dev/urandom | base64 > "$T/src/dir$d/file_${c}_$f.txt"
  done
  git -C "$T/src" add -A && git -C "$T/src" commit -qm "commit $c"
done
du -sh "$T/src/.git" | awk '{print "repo .git size: " $1}'

echo "== hubd"
HPORT=$(free_port)
"$HUBD" serve --port "$HPORT" --data "$T/hubd" >"$T/hubd.out" 2>"$T/hubd.log" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q listening "$T/hubd.out" && break; sleep 0.1; done
TOK=$(awk '/admin token:/ {print $3}' "$T/hubd.out")
curl -sf -H "Authorization: Bearer $TOK" -X POST "http://127.0.0.1:$HPORT/api/repos/create" -d '{"name":"bench"}' >/dev/null
git -C "$T/src" push -q --force "http://x:$TOK@127.0.0.1:$HPORT/admin/bench" main

echo "== git http-backend behind nginx + fcgiwrap"
NPORT=$(free_port)
mkdir -p "$T/nginx/logs" "$T/root"
# --no-local: a single received pack, the same object layout hubd got from the push.
git clone -q --bare --no-local "$T/src" "$T/root/bench.git"
fcgiwrap -s "unix:$T/fcgi.sock" &
PIDS+=($!)
cat > "$T/nginx/nginx.conf" <<NGX
worker_processes 2;
user root;  # the bench runs as root in a private temp dir
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $T/nginx/body;
  fastcgi_temp_path $T/nginx/fcgi;
  proxy_temp_path $T/nginx/proxy;
  uwsgi_temp_path $T/nginx/uwsgi;
  scgi_temp_path $T/nginx/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    client_max_body_size 0;
    location / {
      fastcgi_pass unix:$T/fcgi.sock;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $T/root;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$uri;
      fastcgi_buffers 64 64k;
    }
  }
}
NGX
nginx -c "$T/nginx/nginx.conf" -p "$T/nginx"
PIDS+=($(cat "$T/nginx/nginx.pid"))

clone_times() {  # clone_times URL -> one wall-clock time per line
  for i in $(seq 1 "$RUNS"); do
    rm -rf "$T/c"
    local s e
    s=$(date +%s.%N); git clone -q "$1" "$T/c"; e=$(date +%s.%N)
    echo "$e - $s" | bc
  done
}
# Warm both (page cache, git's object reads) before timing.
git clone -q "http://127.0.0.1:$HPORT/admin/bench" "$T/w1" && git clone -q "http://127.0.0.1:$NPORT/bench.git" "$T/w2"
diff -r -x .git "$T/w1" "$T/w2" >/dev/null && echo "both clones identical"
H=$(clone_times "http://127.0.0.1:$HPORT/admin/bench" | median)
N=$(clone_times "http://127.0.0.1:$NPORT/bench.git" | median)
printf 'git clone, median of %d: hubd %.3f s, nginx+git-http-backend %.3f s, ratio hubd/anchor = %.2fx (target <= 1.10)\n' "$RUNS" "$H" "$N" "$(echo "$H / $N" | bc -l)"

echo "== GET /api/whoami-v2 at 64 connections (wrk, 10 s)"
wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $TOK" "http://127.0.0.1:$HPORT/api/whoami-v2" | grep -E "Requests/sec|50%|99%|Non-2xx"
echo "(nginx static file, same wrk settings, for scale)"
echo '{"name":"admin"}' > "$T/root/whoami.json"
cat > "$T/nginx/static.conf" <<NGX
worker_processes 2;
user root;  # the bench runs as root in a private temp dir
pid $T/nginx/static.pid;
error_log $T/nginx/logs/error2.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$((NPORT)); location / { root $T/root; } } }
NGX
SPORT=$(free_port)
sed -i "s/listen 127.0.0.1:$NPORT;/listen 127.0.0.1:$SPORT;/" "$T/nginx/static.conf"
nginx -c "$T/nginx/static.conf" -p "$T/nginx"
PIDS+=($(cat "$T/nginx/static.pid"))
wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$SPORT/whoami.json" | grep -E "Requests/sec|50%|99%"
