// Reference throughput: the npm `tokenizers` package (Hugging Face's Rust engine) on the same
// file: encode() line by line, and encodeBatch() over chunks of lines (uses all cores).
// Usage: node bench_npm.js TOKENIZER_JSON TEXT
'use strict';
const fs = require('fs');
const { Tokenizer } = require('tokenizers');

async function main() {
  const [file, textFile] = process.argv.slice(2);
  const t = Tokenizer.fromFile(file);
  const lines = fs.readFileSync(textFile, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  const time = async (fn) => { const t0 = process.hrtime.bigint(); const n = await fn(); return [Number(process.hrtime.bigint() - t0) / 1e9, n]; };
  const seq = async () => { let n = 0; for (const l of lines) n += (await t.encode(l)).getIds().length; return n; };
  const batch = async () => {
    let n = 0;
    for (let i = 0; i < lines.length; i += 1024) {
      for (const e of await t.encodeBatch(lines.slice(i, i + 1024))) n += e.getIds().length;
    }
    return n;
  };
  await seq();  // warm-up
  const [s1, tokens] = await time(seq);
  const [s2] = await time(batch);
  console.log(JSON.stringify({ lines: lines.length, mb: bytes / 1e6, tokens, mb_per_s_encode: bytes / 1e6 / s1, mb_per_s_batch: bytes / 1e6 / s2 }));
}
main().catch((e) => { console.error(e); process.exit(1); });
