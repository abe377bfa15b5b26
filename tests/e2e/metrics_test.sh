#!/usr/bin/env bash
# Issue 10 end to end: TensorBoard event files (tests/tensorboard/fixtures, written by the
# format-following writer in tests/tensorboard/write_events.py) pushed with git + git-lfs;
# GET /api/models/{id}/metrics/{rev} returns every scalar exactly (steps, wall times and
# values bit for bit), downsampling keeps first and last points, the repo carries the
# `tensorboard` tag and explore can filter on it, private repos do not leak, bad input is 4xx.
HUBD=$(realpath "${1:?usage: metrics_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX="$ROOT/tests/tensorboard/fixtures"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null  # HOME is private to the test: its global config needs the LFS filters

start_hubd "$E2E_TMP/data"
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN")
curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d '{"name":"trained"}' >/dev/null
curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d '{"name":"hidden","private":true}' >/dev/null
git clone -q "http://x:$ADMIN_TOKEN@$HOSTPORT/admin/trained" "$E2E_TMP/w"
(cd "$FIX" && find . -name 'events.out.tfevents.*' | while read -r f; do mkdir -p "$E2E_TMP/w/$(dirname "$f")"; cp "$f" "$E2E_TMP/w/$f"; done)
git -C "$E2E_TMP/w" add -A && git -C "$E2E_TMP/w" commit -qm "training logs" && git -C "$E2E_TMP/w" push -q origin main
check "event files went through LFS (the Hub's *tfevents* rule)" bash -c "git -C '$E2E_TMP/w' lfs ls-files | grep -q tfevents"

http GET /api/models/admin/trained/metrics/main
check "metrics: 200" test "$STATUS" = 200
echo "$BODY" > "$E2E_TMP/metrics.json"
check "every scalar is returned exactly (runs, tags, steps, wall times, values)" python3 - "$E2E_TMP/metrics.json" "$FIX/expected.json" <<'PY'
import json, math, struct, sys
got, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["runs"]
def f64(bits): return struct.unpack("<d", struct.pack("<Q", bits))[0]
def num(v): return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) if isinstance(v, str) else v
runs = {r["name"]: {t["tag"]: t["points"] for t in r["tags"]} for r in got["runs"]}
ok = set(runs) == set(want)
for run, tags in want.items():
    if not ok or set(runs[run]) != set(tags): ok = False; break
    for tag, pts in tags.items():
        mine = runs[run][tag]
        if len(mine) != len(pts): ok = False; break
        for (s, w, v), (gs, gw, gv) in zip(pts, mine):
            exp_w, exp_v, gv = f64(w), f64(v), float(num(gv))
            same_v = (math.isnan(exp_v) and math.isnan(gv)) or exp_v == gv
            if gs != s or float(gw) != exp_w or not same_v: ok = False; break
sys.exit(0 if ok else 1)
PY
http GET "/api/models/admin/trained/metrics/main?max_points=3"
check "max_points=3 keeps at most 3 points per series, first and last included" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); w=json.load(open(sys.argv[2]))['runs']
ok=all(len(t['points'])<=3 and (len(w[r['name']][t['tag']])<3 or (t['points'][0][0]==w[r['name']][t['tag']][0][0] and t['points'][-1][0]==w[r['name']][t['tag']][-1][0])) for r in d['runs'] for t in r['tags'])
sys.exit(0 if ok else 1)" "$BODY" "$FIX/expected.json"
http GET /api/models/admin/trained
check "the repo carries the tensorboard tag" bash -c "jq -e '.tags|index(\"tensorboard\")' <<<'$BODY' >/dev/null"
http GET "/api/models?filter=tensorboard"
check "explore filters on it" bash -c "jq -e 'map(.id)|index(\"admin/trained\")' <<<'$BODY' >/dev/null"
http GET /api/models/admin/hidden/metrics/main
check "a private repo's metrics are RepoNotFound anonymously" test "$STATUS" = 401
http GET /api/models/admin/trained/metrics/main -H "Authorization: Bearer hf_notavalidtokenxxxxxxxxxxxxxxxxxxxx"
check "a bad token is 401" test "$STATUS" = 401
expect_error 404 "unknown revision" GET /api/models/admin/trained/metrics/nope
expect_error 400 "bad max_points" GET "/api/models/admin/trained/metrics/main?max_points=-1"
http GET /api/models/admin/hidden/metrics/main "${AUTH[@]}"
check "a repo without event files has no runs" test "$(jq -c .runs <<<"$BODY")" = "[]"
finish
