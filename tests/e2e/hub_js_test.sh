#!/usr/bin/env bash
# Issue 4 end to end with the real @huggingface/hub JS client (tests/node_modules): runs
# hub_js_test.mjs against a hubd this script starts, then checks that the same files committed
# through the HTTP API and pushed with git (+ git-lfs) give the same git tree.
HUBD=$(realpath "${1:?usage: hub_js_test.sh path/to/hubd}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null

if [ ! -d "$HERE/../node_modules/@huggingface/hub" ]; then
  echo "FAIL: tests/node_modules/@huggingface/hub is missing (cd tests && npm ci)"; exit 1
fi

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")

# The files both paths upload: text, JSON, nested folders, and 20 MB of random bytes, which the
# preupload policy (>= 10 MiB) and the default *.bin rule both send to LFS.
UP="$E2E_TMP/upload"
mkdir -p "$UP/sub/deep" "$UP/weights"
printf -- '---\nlicense: mit\ntags:\n- e2e\n---\n# JS e2e model\n' >"$UP/README.md"
printf '{"architectures": ["BertForMaskedLM"], "model_type": "bert"}\n' >"$UP/config.json"
echo "a file in a folder" >"$UP/sub/a.txt"
printf 'deep\nfile\n' >"$UP/sub/deep/b.txt"
printf 'name with spaces\n' >"$UP/sub/with space.txt"
head -c 20000000 /dev/urandom >"$UP/weights/big.bin"

cd "$HERE"  # ESM resolves @huggingface/hub from tests/node_modules, above this folder
HUB_URL=$URL HF_TOKEN=$ALICE OTHER_TOKEN=$BOB UPLOAD_DIR=$UP timeout 300 node hub_js_test.mjs
rc=$?
if [ $rc -eq 0 ]; then pass "JS client steps"; else failed "JS client steps (exit $rc)"; fi

# Same content, pushed with git + git-lfs into a fresh repo: the trees must be identical.
cd "$E2E_TMP"
curl -sf -o /dev/null -H "Authorization: Bearer $ALICE" -X POST "$URL/api/repos/create" -d '{"name":"git-same"}'
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/git-same" gs
cp -r "$UP"/. gs/
git -C gs add -A && git -C gs commit -qm "same files by git"
check "git push (with LFS) of the same files" git -C gs push -q origin main
GIT_LFS_SKIP_SMUDGE=1 git clone -q "http://alice:$ALICE@$HOSTPORT/alice/js-same" js
check "big.bin is an LFS pointer in the API-made commit" grep -q '^oid sha256:' js/weights/big.bin
t_git=$(git -C gs rev-parse 'HEAD^{tree}')
t_api=$(git -C js rev-parse 'HEAD^{tree}')
check "API commit and git push give the same tree ($t_api)" test "$t_git" = "$t_api"
http GET "/api/models/alice/js-same/tree/main/weights"
oid_api=$(jq -r '.[0].oid' <<<"$BODY")
check "tree API shows the same blob id as git's pointer" test "$oid_api" = "$(git -C gs rev-parse HEAD:weights/big.bin)"

finish
