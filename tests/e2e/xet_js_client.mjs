// The real @huggingface/hub client (tests/node_modules) uploading and downloading through Xet
// against a running hubd (driven by xet_test.sh): uploadFiles offers "xet" in the LFS batch and
// then sends xorbs and a shard to hubd's CAS and commits by sha256; downloadFile reads the file
// back through reconstructions and signed xorb ranges. A wrapped fetch records every call and
// the xorb bytes sent. env: HUB_URL, HF_TOKEN, REPO1, REPO2, FILE1, FILE2 (FILE1 with 1 MB
// changed in its middle). Prints PASS/FAIL lines and "xorb-bytes <repo> <n>"; exits 1 on a FAIL.
import * as hub from "@huggingface/hub";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";

const hubUrl = process.env.HUB_URL;
const accessToken = process.env.HF_TOKEN;
let fails = 0;
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`PASS: ${name}${detail ? ` (${detail})` : ""}`);
  } catch (e) {
    fails++;
    console.log(`FAIL: ${name}: ${e?.stack ?? e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

let calls = [];
let xorbBytes = 0;
const recording = async (url, init = {}) => {
  const u = new URL(url instanceof Request ? url.url : url);
  const method = init.method ?? "GET";
  calls.push(`${method} ${u.pathname.replace(/[0-9a-f]{64}/g, "<hash>")}`);
  if (method === "POST" && u.pathname.includes("/v1/xorbs/")) {
    const b = init.body;
    xorbBytes += b?.byteLength ?? b?.size ?? b?.length ?? 0;
  }
  return fetch(url, init);
};
const creds = { accessToken, hubUrl, fetch: recording };
const file1 = readFileSync(process.env.FILE1);
const file2 = readFileSync(process.env.FILE2);
const repo1 = { type: "model", name: process.env.REPO1 };
const repo2 = { type: "model", name: process.env.REPO2 };

await step("uploadFiles of a multi-MB file goes through xorbs and a shard", async () => {
  calls = [];
  xorbBytes = 0;
  await hub.uploadFiles({ ...creds, repo: repo1, files: [{ path: "big.bin", content: new Blob([file1]) }] });
  const seen = new Set(calls);
  assert(calls.some((c) => c.endsWith("/info/lfs/objects/batch")), "no LFS batch: " + calls.join(", "));
  assert(seen.has("POST /xet-cas/v1/xorbs/default/<hash>"), "no xorb upload: " + [...seen].join(", "));
  assert(seen.has("POST /xet-cas/v1/shards"), "no shard upload: " + [...seen].join(", "));
  assert(!calls.some((c) => c.includes("/api/lfs-objects/")), "plain LFS PUT used: " + [...seen].join(", "));
  assert(calls.some((c) => c.includes("/commit/")), "no commit");
  console.log(`xorb-bytes ${repo1.name} ${xorbBytes} of ${file1.length}`);
  assert(xorbBytes >= file1.length, `a new file sent only ${xorbBytes} xorb bytes`);
  return `${xorbBytes} xorb bytes for ${file1.length}`;
});

await step("downloadFile reads it back through reconstructions", async () => {
  calls = [];
  const blob = await hub.downloadFile({ ...creds, repo: repo1, path: "big.bin" });
  const got = Buffer.from(await blob.arrayBuffer());
  assert(got.length === file1.length && sha256(got) === sha256(file1), `bytes differ (${got.length})`);
  assert(calls.some((c) => c.includes("/reconstructions/")), "no reconstruction call: " + calls.join(", "));
  assert(calls.some((c) => c.includes("/v1/xorb-data/")), "no xorb range fetch: " + calls.join(", "));
  return calls.length + " calls";
});

await step("a slightly changed copy in another repo uploads only the new chunks", async () => {
  calls = [];
  xorbBytes = 0;
  await hub.uploadFiles({ ...creds, repo: repo2, files: [{ path: "big.bin", content: new Blob([file2]) }] });
  console.log(`xorb-bytes ${repo2.name} ${xorbBytes} of ${file2.length}`);
  assert(calls.some((c) => c.includes("/v1/chunks/")), "no dedup query: " + calls.join(", "));
  assert(xorbBytes < file2.length / 4, `sent ${xorbBytes} xorb bytes for ${file2.length}`);
  const blob = await hub.downloadFile({ ...creds, repo: repo2, path: "big.bin" });
  const got = Buffer.from(await blob.arrayBuffer());
  assert(sha256(got) === sha256(file2), "changed copy reads back different bytes");
  return `${xorbBytes} xorb bytes for ${file2.length}`;
});

process.exit(fails ? 1 : 0);
