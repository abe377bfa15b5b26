// Writes a deterministic ~10 MB UTF-8 text (mostly English prose-like lines with some
// accents, CJK, emoji and numbers) for the tokenizer benchmark. Usage: node make_text.js OUT [MB]
'use strict';
const fs = require('fs');
const out = process.argv[2];
const mb = Number(process.argv[3] || 10);
const words = ('the of and to in a is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there one all we their been has more if will would when who so no model models tokenizer ' +
  'training inference repository dataset weights licence language vocabulary sentence paragraph offsets ' +
  'café résumé naïve Zürich Straße größer 東京 日本語 中文 안녕하세요 Привет мир 🤗 🍕 2024 3.14 1,234 42% ' +
  'don\'t it\'s we\'ll HTTPServer GPT-4 e-mail https://example.com').split(' ');
let seed = 42;
const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
const lines = [];
let size = 0;
while (size < mb * 1e6) {
  const n = 8 + (rand() % 40);
  const w = [];
  for (let i = 0; i < n; i++) w.push(words[rand() % words.length]);
  let line = w.join(' ');
  line = line[0].toUpperCase() + line.slice(1) + (rand() % 4 ? '.' : '?');
  lines.push(line);
  size += Buffer.byteLength(line) + 1;
}
fs.writeFileSync(out, lines.join('\n') + '\n');
