// BLAKE3 by @huggingface/blake3-jit (npm), an implementation we did not write, as the oracle of
// hubd's own (src/storage/xet/blake3.cpp).
// usage: node blake3_oracle.mjs NODE_MODULES_DIR KEYHEX|- LEN...
// Input of length LEN is bytes i % 251 (the official BLAKE3 test-vector input); prints one hex
// digest per line, keyed when KEYHEX (64 hex digits) is given.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, keyhex, ...lens] = process.argv.slice(2);
const b3 = await import(pathToFileURL(path.join(modules, "@huggingface/blake3-jit/dist/esm/index.js")).href);
const key = keyhex === "-" ? null : Uint8Array.from(Buffer.from(keyhex, "hex"));
for (const s of lens) {
  const n = Number(s);
  const data = new Uint8Array(n);
  for (let i = 0; i < n; ++i) data[i] = i % 251;
  const h = key ? b3.Hasher.newKeyed(key) : new b3.Hasher();
  h.update(data);
  process.stdout.write(Buffer.from(h.finalize()).toString("hex") + "\n");
}
