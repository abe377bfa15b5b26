// ONNX Runtime side of bench/inference/run.sh: times the torch.onnx.export of the same
// random-weight encoders (onnx_export.py) on the same token ids with onnxruntime-node (CPU EP,
// intraOpNumThreads = threads, graph optimizations "all"). Best of N after one warm-up run, as
// encoder_bench and torch_encoder.py; also checks the output against the torch forward.
// Prints CASE lines like encoder_bench (plus maxdiff=<max |ort - torch|>).
// Usage: node ort_bench.mjs ONNX_DIR [threads]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), "package.json"));
const ort = require("onnxruntime-node");
const dir = process.argv[2];
const threads = Number(process.argv[3] ?? 2);
const SEQ = 128;

for (const name of ["bert-base", "minilm-l6"]) {
  const session = await ort.InferenceSession.create(join(dir, name + ".onnx"), {
    executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: "sequential", graphOptimizationLevel: "all",
  });
  for (const batch of [1, 8]) {
    const stem = join(dir, `${name}_b${batch}`);
    const raw = readFileSync(stem + ".ids");
    const ids = new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const dims = [batch, SEQ];
    const feeds = {
      input_ids: new ort.Tensor("int64", ids, dims),
      token_type_ids: new ort.Tensor("int64", new BigInt64Array(batch * SEQ), dims),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(batch * SEQ).fill(1n), dims),
    };
    const first = await session.run(feeds);  // warm-up
    const out = first[session.outputNames[0]].data;
    const rb = readFileSync(stem + ".ref");
    const ref = new Float32Array(rb.buffer.slice(rb.byteOffset, rb.byteOffset + rb.length));
    let maxdiff = out.length === ref.length ? 0 : Infinity;
    for (let i = 0; i < ref.length && maxdiff !== Infinity; ++i) maxdiff = Math.max(maxdiff, Math.abs(out[i] - ref[i]));
    let best = Infinity;
    for (let r = 0; r < (batch === 1 ? 10 : 4); ++r) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(`CASE ${name} batch=${batch} seq=${SEQ} ms=${best.toFixed(2)} maxdiff=${maxdiff.toExponential(1)}`);
  }
  await session.release();
}
