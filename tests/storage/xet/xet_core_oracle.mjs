// xet-core's own chunker and hashers (its WebAssembly build, vendored in npm @huggingface/hub
// 2.17.5 at src/vendor/xet-chunk/, xet-core commit 861056a3) run over files, so the C++ tests
// compare hubd's hashing against code we did not write.
//
// usage: node xet_core_oracle.mjs NODE_MODULES_DIR FILE...
// prints, per file, a line "file SIZE NCHUNKS XORB FILE_HASH VERIFICATION HMAC01" and then
// NCHUNKS lines "LENGTH HASH" (all hashes xhex; "-" where there is no chunk). XORB aggregates all chunks of the file as one xorb; "verification_all" is the term
// verification hash over all its chunks; "hmac01" keys the first chunk hash with 32 x 0x01.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
const vendor = path.join(modules, "@huggingface/hub/src/vendor/xet-chunk");
// The package is not "type": "module", so its ES module .js cannot be imported in place:
// load a copy named .mjs. The Wasm itself lives base64-encoded in a .ts file.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xet-oracle-"));
const glue = path.join(tmp, "chunker_wasm_bg.mjs");
fs.copyFileSync(path.join(vendor, "chunker_wasm_bg.js"), glue);
const b64src = fs.readFileSync(path.join(vendor, "chunker_wasm_bg.wasm.base64.ts"), "utf8");
const m = b64src.match(/const wasmBase64 = `([^`]*)`/);
if (!m) throw new Error("no wasmBase64 in the vendored module");
const wasm = Buffer.from(m[1].replace(/\s+/g, ""), "base64");
const want = (b64src.match(/XET_CORE_WASM_SHA256 = "([0-9a-f]{64})"/) || [])[1];
const got = crypto.createHash("sha256").update(wasm).digest("hex");
if (want !== got) throw new Error(`wasm sha256 ${got} != ${want}`);
const x = await import(pathToFileURL(glue).href);
x.initSync({ module: wasm });
fs.rmSync(tmp, { recursive: true, force: true });

const ones = "01".repeat(32);
for (const file of files) {
  const data = fs.readFileSync(file);
  const chunker = new x.Chunker(65536);
  const chunks = [];
  // Feed in odd-sized pieces: the chunker is streaming, and cuts must not depend on feeding.
  const step = 1000003;
  for (let off = 0; off < data.length; off += step) {
    for (const c of chunker.add_data(data.subarray(off, Math.min(off + step, data.length)))) chunks.push(c);
  }
  for (const c of chunker.finish()) chunks.push(c);
  chunker.free();
  const list = chunks.map((c) => ({ hash: c.hash, length: c.length }));
  const head = [
    "file",
    data.length,
    list.length,
    x.compute_xorb_hash(list),
    x.compute_file_hash(list),
    list.length ? x.compute_verification_hash(list.map((c) => c.hash)) : "-",
    list.length ? x.compute_hmac(list[0].hash, ones) : "-",
  ];
  const lines = [head.join(" "), ...list.map((c) => `${c.length} ${c.hash}`)];
  process.stdout.write(lines.join("\n") + "\n");
}
