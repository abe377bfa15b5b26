#!/usr/bin/env bash
# Issue 9/10 end to end in a real browser: Debian's chromium driven by playwright-core
# (web_test.mjs) against a hubd started here. Screenshots of each page go to
# $HUBD_BINARY_DIR/web-screenshots (default: next to the hubd binary).
HUBD=$(realpath "${1:?usage: web_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then echo "SKIP: no $CHROMIUM (apt-get install chromium)"; exit 0; fi
if [ ! -d "$SRC/tests/node_modules/playwright-core" ]; then echo "SKIP: tests/node_modules has no playwright-core (npm ci in tests/)"; exit 0; fi
SHOTS=${HUBD_SCREENSHOTS:-$(dirname "$HUBD")/web-screenshots}
mkdir -p "$SHOTS"

# A tiny random-weight BERT sentiment classifier for the widget (skipped when torch is missing).
/usr/bin/python3 "$SRC/scripts/demo_model.py" "$E2E_TMP/demo-model" --random 1 >/dev/null 2>&1 && export DEMO_MODEL_DIR="$E2E_TMP/demo-model"

# The real TinyStories Llama for the streaming text-generation widget (skipped when absent).
STORIES=${HUBD_SHARED_DIR:-$SRC/../shared}/models/stories260K
if [ -f "$STORIES/model.safetensors" ]; then
  mkdir -p "$E2E_TMP/stories"
  cp "$STORIES"/{config.json,generation_config.json,model.safetensors,tokenizer.json,tokenizer_config.json} "$E2E_TMP/stories/"
  printf -- '---\nlibrary_name: transformers\npipeline_tag: text-generation\nwidget:\n- text: Once upon a time\n---\nTinyStories.\n' > "$E2E_TMP/stories/README.md"
  export STORIES_MODEL_DIR="$E2E_TMP/stories"
else
  echo "NOTE: $STORIES is absent (shared models exist only in the hubd workplace): the streaming widget step is skipped"
fi
start_hubd "$E2E_TMP/data"
node "$SRC/tests/e2e/web_test.mjs" "$URL" "$SHOTS" "$E2E_TMP" "$SRC"
rc=$?
check "the browser test passed (web_test.mjs exit $rc)" test "$rc" -eq 0
check "the server is still healthy" healthy
finish
