// Builds three small tokenizers with Hugging Face's own engine (npm "tokenizers", the Rust
// core through N-API), trains them on a generated corpus, saves each tokenizer.json and
// writes the engine's encodings of a test corpus to goldens.json. Used by
// trained_parity_test.cpp; run as: node make_goldens.js OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require('tokenizers');

const out = process.argv[2];
if (!out) throw new Error('usage: node make_goldens.js OUT_DIR');
fs.mkdirSync(out, { recursive: true });

// Training text: deterministic, mixed scripts, numbers and punctuation.
const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'café', 'naïve', 'résumé',
  'Straße', 'größer', 'über', 'niño', 'mañana', 'İstanbul', 'Привет', 'мир', 'Καλημέρα', 'κόσμε',
  '我爱自然语言处理', '今天天气很好', '日本語のテキスト', 'カタカナ', '안녕하세요', '세계', 'مرحبا',
  'token', 'tokenizer', 'tokenization', 'model', 'models', 'hub', 'inference', "don't", "it's",
  '2024', '3.14159', '1,234,567', '42', '🤗', '🍕', '🎉', 'hello', 'world', 'Hello', 'World'];
const lines = [];
let seed = 12345;
const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
for (let i = 0; i < 3000; i++) {
  const n = 4 + (rand() % 12);
  const parts = [];
  for (let k = 0; k < n; k++) parts.push(words[rand() % words.length]);
  lines.push(parts.join(rand() % 7 === 0 ? ', ' : ' ') + (rand() % 3 === 0 ? '.' : '!'));
}
const trainFile = path.join(out, 'train.txt');
fs.writeFileSync(trainFile, lines.join('\n') + '\n');

const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

// The default trainers leave special tokens out of the model's vocabulary: put them in
// through the JSON (as real files have them) and reload.
function reload(t, edit) {
  const tmp = path.join(out, 'tmp.json');
  t.save(tmp);
  const j = JSON.parse(fs.readFileSync(tmp, 'utf8'));
  edit(j);
  fs.unlinkSync(tmp);
  return tk.Tokenizer.fromString(JSON.stringify(j));
}

function wordpiece() {
  const t = new tk.Tokenizer(tk.WordPiece.empty());
  t.setNormalizer(tk.bertNormalizer({ lowercase: true }));
  t.setPreTokenizer(tk.bertPreTokenizer());
  t.setDecoder(tk.wordPieceDecoder('##', true));
  t.train([trainFile]);
  return reload(t, (j) => {
    const vocab = {};
    specials.forEach((s, i) => { vocab[s] = i; });
    for (const [k, v] of Object.entries(j.model.vocab)) vocab[k] = v + specials.length;
    j.model.vocab = vocab;
    j.added_tokens = specials.map((s, i) => ({ id: i, content: s, single_word: false, lstrip: false,
      rstrip: false, normalized: false, special: true }));
    j.post_processor = { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] };
  });
}

function bytelevelBpe() {
  const t = new tk.Tokenizer(tk.BPE.empty());
  t.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
  t.train([trainFile]);
  t.addSpecialTokens(['<|endoftext|>', '<s>', '</s>']);
  t.setPostProcessor(tk.robertaProcessing(['</s>', t.tokenToId('</s>')], ['<s>', t.tokenToId('<s>')]));
  return reload(t, (j) => {
    j.decoder = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  });
}

function unigram() {
  const t = new tk.Tokenizer(tk.Unigram.empty());
  t.setNormalizer(tk.sequenceNormalizer([tk.nfkcNormalizer(), tk.stripNormalizer(true, true)]));
  t.setPreTokenizer(tk.metaspacePreTokenizer('▁', 'always', true));
  t.setDecoder(tk.metaspaceDecoder('▁', 'always', true));
  t.train([trainFile]);
  t.addSpecialTokens(['<pad>', '</s>', '<unk>']);
  return reload(t, (j) => {
    const n = j.model.vocab.length;
    j.model.vocab.push(['<pad>', 0.0], ['</s>', 0.0], ['<unk>', 0.0]);
    j.model.unk_id = n + 2;
    j.post_processor = { type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '</s>', type_id: 1 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [n + 1], tokens: ['</s>'] } } };
  });
}

const corpus = [
  'Hello world!', 'The quick brown fox jumps over the lazy dog.', 'café naïve résumé Zürich Ångström',
  'Cafe\u0301 nai\u0308ve', 'Straße größer ÜBER', 'İstanbul ıstakoz', 'Привет, мир! Καλημέρα κόσμε.',
  '我爱自然语言处理。今天天气很好！', '日本語のテキストとカタカナ', '안녕하세요 세계!', 'مرحبا بالعالم',
  'I love 🍕 and 🎉! 👨\u200d👩\u200d👧 👍🏽 🇩🇪', '1,234,567.89 and 3.14159 -42 +7 1e-10 2024-01-15',
  '12345678901234567890', 'word          spaced     out', '   leading and trailing   ', 'tabs\tand\nnew\r\nlines',
  '', ' ', 'a', 'x'.repeat(150), 'tokenization'.repeat(12), 'supercalifragilisticexpialidocious antidisestablishmentarianism',
  '[CLS] hello [SEP] world [MASK]', '<s>Hello</s> <|endoftext|> the end', "don't it's we'll",
  '!!!??? ... --- ***', 'ＡＢＣ ﬁne ① ½ x²', 'mixed日本語text123한국어',
];

function byteOffsets(text, offsets) {
  const cps = Array.from(text);
  const at = [0];
  for (const c of cps) at.push(at[at.length - 1] + Buffer.byteLength(c));
  return offsets.map(([s, e]) => [at[s], at[e]]);
}

async function run() {
  const result = {};
  for (const [name, make] of [['wordpiece', wordpiece], ['bpe', bytelevelBpe], ['unigram', unigram]]) {
    const t = make();
    const file = path.join(out, name + '.json');
    t.save(file);
    const cases = [];
    for (const text of corpus) {
      for (const add of [true, false]) {
        const e = await t.encode(text, null, { addSpecialTokens: add });
        cases.push({
          text, add_special_tokens: add, ids: e.getIds(), tokens: e.getTokens(),
          byte_offsets: byteOffsets(text, e.getOffsets()),
          decoded: await t.decode(e.getIds(), true),
        });
      }
    }
    result[name] = { file: name + '.json', vocab_size: t.getVocabSize(true), cases };
  }
  fs.writeFileSync(path.join(out, 'goldens.json'), JSON.stringify(result));
}
run().catch((e) => { console.error(e); process.exit(1); });
