#!/usr/bin/python3
"""The shared half of inference_tasks_ref.py: the tiny BERTs (make_fixtures.py's weights and
float64 torch encoder), their repo layout, and a Python re-statement of the WordPiece
tokenizer that make_fixtures.write_bert_tokenizer describes (BertNormalizer, BertPreTokenizer,
WordPiece with offsets into the input in code points, the WordPiece decoder with clean-up),
since no `tokenizers`/`transformers` package exists here.
"""
import json
import os
import sys
import unicodedata

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inference"))
import make_fixtures as mf  # noqa: E402  (the tiny BERT weights, encoder and tokenizer)

torch.set_num_threads(1)
VOCAB_SIZE = mf.BASE["vocab_size"]
MAX_POS = mf.BASE["max_position_embeddings"]
TOKENS = mf.WORDS + ["tok%d" % i for i in range(len(mf.WORDS), VOCAB_SIZE)]
VOCAB = {t: i for i, t in enumerate(TOKENS)}
SPECIAL = {VOCAB[t] for t in mf.WORDS[:5]}
CLS, SEP, UNK, MASK = VOCAB["[CLS]"], VOCAB["[SEP]"], VOCAB["[UNK]"], VOCAB["[MASK]"]


# ---- tokenizer (tokenizer.json of make_fixtures.write_bert_tokenizer) -----------------------

def _is_punct(c):
    o = ord(c)
    return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126 or \
        unicodedata.category(c).startswith("P")


def _words(text, base):
    """BertNormalizer + BertPreTokenizer: words as lists of (char, index into the input)."""
    words, cur = [], []
    for i, c in enumerate(text):
        if c.isspace():
            words, cur = words + ([cur] if cur else []), []
            continue
        chars = [(d, base + i) for d in unicodedata.normalize("NFD", c) if unicodedata.category(d) != "Mn"]
        chars = [(d.lower(), j) for d, j in chars]
        if _is_punct(c):
            words, cur = words + ([cur] if cur else []) + [chars], []
        else:
            cur += chars
    return words + ([cur] if cur else [])


def _wordpiece(word):
    """(id, token, start, end) of one word; greedy longest match, else one [UNK]."""
    s = "".join(c for c, _ in word)
    out, start = [], 0
    while start < len(s):
        end = len(s)
        while end > start:
            piece = s[start:end] if start == 0 else "##" + s[start:end]
            if piece in VOCAB:
                out.append((VOCAB[piece], piece, word[start][1], word[end - 1][1] + 1))
                break
            end -= 1
        if end == start:
            return [(UNK, "[UNK]", word[0][1], word[-1][1] + 1)]
        start = end
    return out


def tokenize(text):
    """Tokens (id, token, start, end, word index) of `text`, special tokens ([MASK]) split first."""
    out, wi, pos = [], 0, 0
    while True:
        nxt = text.find("[MASK]", pos)
        seg = text[pos:] if nxt < 0 else text[pos:nxt]
        for w in _words(seg, pos):
            out += [t + (wi,) for t in _wordpiece(w)]
            wi += 1
        if nxt < 0:
            return out
        out.append((MASK, "[MASK]", nxt, nxt + 6, wi))
        wi += 1
        pos = nxt + 6


def cleanup(s):
    for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                 (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        s = s.replace(a, b)
    return s


def tokens_to_string(tokens):
    """The WordPiece decoder (prefix ##, cleanup on): convert_tokens_to_string."""
    out = ""
    for i, t in enumerate(tokens):
        if i:
            t = t[2:] if t.startswith("##") else " " + t
        out += t
    return cleanup(out)


def decode(ids, skip_special=True):
    return tokens_to_string([TOKENS[i] for i in ids if not (skip_special and i in SPECIAL)])


# ---- models -----------------------------------------------------------------------------------

def weights(seed, prefix, head, n_labels=3):
    cfg = dict(mf.BASE)
    g = mf.Gen(seed)
    mf.make_bert_weights(g, cfg, prefix, "bert")
    H = cfg["hidden_size"]
    if head == "tok":
        g.linear("classifier", H, n_labels, scale=1.0)  # spread out: several labels win
    elif head == "qa":
        g.linear("qa_outputs", H, 2, scale=1.0)
    elif head == "seq":
        g.linear(prefix + "pooler.dense", H, H)
        g.linear("classifier", H, n_labels, scale=1.5)
    elif head == "mlm":
        g.linear("cls.predictions.transform.dense", H, H)
        g.norm("cls.predictions.transform.LayerNorm", H)
        g.rand("cls.predictions.bias", VOCAB_SIZE, scale=0.1)
        g.rand("cls.predictions.decoder.weight", VOCAB_SIZE, H, scale=0.5)
    return cfg, g.W


def forward(cfg, W, prefix, ids, types=None):
    """Last hidden state [seq, hidden] of one unpadded sequence, in float64."""
    W64 = {k: v.double() for k, v in W.items()}
    ids_t = torch.tensor([ids])
    tt = torch.tensor([types or [0] * len(ids)])
    return mf.bert_encoder(cfg, W64, prefix, ids_t, torch.ones_like(ids_t), tt, "bert")[0], W64


def write_repo(d, cfg, W, arch, card, extra=None):
    os.makedirs(d, exist_ok=True)
    cfg = dict(cfg, model_type="bert", architectures=[arch])
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    mf.write_safetensors(os.path.join(d, "model.safetensors"), {k: v.float() for k, v in W.items()})
    mf.write_bert_tokenizer(d, VOCAB_SIZE)
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": MAX_POS,
                   "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                   "mask_token": "[MASK]"}, f)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("---\n" + card + "---\n# tiny random test model\n")
    for rel, content in (extra or {}).items():
        os.makedirs(os.path.dirname(os.path.join(d, rel)) or d, exist_ok=True)
        with open(os.path.join(d, rel), "w") as f:
            json.dump(content, f)
