#!/usr/bin/python3
"""Builds the demo model that `make serve` puts on a fresh hub: a tiny BERT sentiment
classifier in Hugging Face layout (config.json, model.safetensors, tokenizer.json, README.md).

No model can be downloaded here, so it is trained on the spot: a few hundred template
sentences from small positive/negative word lists, ~20 s on 2 cores. It is a toy that gets
simple sentences right ("I love this movie" -> POSITIVE), not a real sentiment model, and its
card says so.

Usage: /usr/bin/python3 scripts/demo_model.py OUT_DIR [--random SEED] [--shape minilm]
                                              [--reference TEXTS_JSON OUT_JSON]
  --random SEED   skip training: random weights from SEED (tests that need a model fast)
  --shape minilm  MiniLM-L6 sizes (hidden 384, 6 layers, 12 heads, 1536 MLP, 512 positions)
                  for benchmarks; the vocabulary stays the demo's small one
  --reference     also write the text-classification answers the model gives for TEXTS_JSON
                  (a list of strings), computed by this torch model: softmax over the logits,
                  sorted by score — the reference the Inference API tests compare against.
"""
import json
import os
import random
import struct
import sys

import torch
import torch.nn as nn

POS = "love like enjoy adore great good wonderful excellent amazing fantastic happy beautiful best fun brilliant".split()
NEG = "hate dislike awful bad terrible horrible boring worst sad ugly poor annoying disappointing dull broken".split()
SUBJ = "i we you they she he people everyone my friend the critic".split()
OBJ = "this movie film book song food place show game story day product service weather music".split()
FILL = "the a an is was it really very so quite and but not this that of to in".split()
TEMPLATES = ["{s} {v} {o}", "{s} really {v} {o}", "the {o} is {a}", "what a {a} {o}", "{o} was {a}",
             "{s} think the {o} is {a}", "such a {a} {o}", "this {o} is so {a}"]
VERB_POS, VERB_NEG = "love like enjoy adore".split(), "hate dislike".split()
ADJ_POS = [w for w in POS if w not in VERB_POS]
ADJ_NEG = [w for w in NEG if w not in VERB_NEG]

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCT = list(".,!?'\"-")
LETTERS = list("abcdefghijklmnopqrstuvwxyz0123456789")
VOCAB = SPECIALS + PUNCT + LETTERS + ["##" + c for c in LETTERS] + sorted(set(POS + NEG + SUBJ + OBJ + FILL))
IDS = {t: i for i, t in enumerate(VOCAB)}

H, LAYERS, HEADS, INTER, MAXPOS = 64, 2, 4, 128, 64


def sentence(label, rng):
    t = rng.choice(TEMPLATES)
    v = rng.choice(VERB_POS if label else VERB_NEG)
    a = rng.choice(ADJ_POS if label else ADJ_NEG)
    return t.format(s=rng.choice(SUBJ), v=v, o=rng.choice(OBJ), a=a)


def wordpiece(word):
    if word in IDS:
        return [IDS[word]]
    out, start = [], 0
    while start < len(word):
        end, cur = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in IDS:
                cur = IDS[piece]
                break
            end -= 1
        if cur is None:
            return [IDS["[UNK]"]]
        out.append(cur)
        start = end
    return out


def encode(text):
    ids = [IDS["[CLS]"]]
    for w in text.lower().replace("!", " ! ").replace(".", " . ").split():
        ids += wordpiece(w)
    return ids[: MAXPOS - 1] + [IDS["[SEP]"]]


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(len(VOCAB), H)
        self.pos = nn.Embedding(MAXPOS, H)
        self.typ = nn.Embedding(2, H)
        self.eln = nn.LayerNorm(H, eps=1e-12)
        self.layers = nn.ModuleList()
        for _ in range(LAYERS):
            self.layers.append(nn.ModuleDict(dict(
                q=nn.Linear(H, H), k=nn.Linear(H, H), v=nn.Linear(H, H), o=nn.Linear(H, H),
                ln1=nn.LayerNorm(H, eps=1e-12), i=nn.Linear(H, INTER), out=nn.Linear(INTER, H),
                ln2=nn.LayerNorm(H, eps=1e-12))))
        self.pool = nn.Linear(H, H)
        self.cls = nn.Linear(H, 2)

    def forward(self, ids, mask):
        b, n = ids.shape
        x = self.eln(self.word(ids) + self.pos(torch.arange(n)) + self.typ(torch.zeros_like(ids)))
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        d = H // HEADS
        for L in self.layers:
            def split(t):
                return t.view(b, n, HEADS, d).transpose(1, 2)
            att = split(L["q"](x)) @ split(L["k"](x)).transpose(-1, -2) / d ** 0.5 + bias
            ctx = (att.softmax(-1) @ split(L["v"](x))).transpose(1, 2).reshape(b, n, H)
            x = L["ln1"](x + L["o"](ctx))
            x = L["ln2"](x + L["out"](nn.functional.gelu(L["i"](x))))
        return self.cls(torch.tanh(self.pool(x[:, 0])))


def hf_params(m):
    """Hugging Face BertForSequenceClassification name -> the module's live parameter."""
    w = {"bert.embeddings.word_embeddings.weight": m.word.weight,
         "bert.embeddings.position_embeddings.weight": m.pos.weight,
         "bert.embeddings.token_type_embeddings.weight": m.typ.weight,
         "bert.embeddings.LayerNorm.weight": m.eln.weight, "bert.embeddings.LayerNorm.bias": m.eln.bias,
         "bert.pooler.dense.weight": m.pool.weight, "bert.pooler.dense.bias": m.pool.bias,
         "classifier.weight": m.cls.weight, "classifier.bias": m.cls.bias}
    names = dict(q="attention.self.query", k="attention.self.key", v="attention.self.value",
                 o="attention.output.dense", ln1="attention.output.LayerNorm", i="intermediate.dense",
                 out="output.dense", ln2="output.LayerNorm")
    for li, L in enumerate(m.layers):
        for short, hf in names.items():
            w[f"bert.encoder.layer.{li}.{hf}.weight"] = L[short].weight
            w[f"bert.encoder.layer.{li}.{hf}.bias"] = L[short].bias
    return w


def hf_weights(m):
    return {k: v.detach().contiguous().float() for k, v in hf_params(m).items()}


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        b = tensors[name].numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def tokenizer_json():
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": IDS[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for t in SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                    {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 1}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                           "special_tokens": {t: {"id": t, "ids": [IDS[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": IDS},
    }


CARD = """---
language: en
license: apache-2.0
pipeline_tag: text-classification
library_name: transformers
tags:
- sentiment
- demo
widget:
- text: I love this movie
- text: the food was terrible
---
# demo-sentiment

A **toy** BERT sentiment classifier that `make serve` trains on the spot (2 layers, hidden size
64, ~{params} parameters) from template sentences built out of small lists of positive and
negative words. It exists so that a fresh hubd has a model to browse, download and try in the
widget and through the Inference API. It is not a real sentiment model.

| label | meaning |
|---|---|
| POSITIVE | the sentence praises something |
| NEGATIVE | the sentence criticises something |
"""


def set_shape(name):
    global H, LAYERS, HEADS, INTER, MAXPOS
    if name == "minilm":
        H, LAYERS, HEADS, INTER, MAXPOS = 384, 6, 12, 1536, 512


def main():
    args = sys.argv[1:]
    if "--shape" in args:
        set_shape(args[args.index("--shape") + 1])
    out = args[0]
    seed = int(args[args.index("--random") + 1]) if "--random" in args else None
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0 if seed is None else seed)
    rng = random.Random(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    data = [(encode(sentence(lab, rng)), lab) for lab in (0, 1) for _ in range(400)]
    model = Bert()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    for epoch in range(0 if seed is not None else 6):
        rng.shuffle(data)
        for i in range(0, len(data), 32):
            batch = data[i:i + 32]
            n = max(len(x) for x, _ in batch)
            ids = torch.tensor([x + [0] * (n - len(x)) for x, _ in batch])
            mask = torch.tensor([[1] * len(x) + [0] * (n - len(x)) for x, _ in batch])
            loss = nn.functional.cross_entropy(model(ids, mask), torch.tensor([y for _, y in batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        test = [(encode(sentence(lab, rng)), lab) for lab in (0, 1) for _ in range(100)]
        right = sum(int(model(torch.tensor([x]), torch.ones(1, len(x), dtype=torch.long)).argmax()) == y for x, y in test)
    params = sum(p.numel() for p in model.parameters())
    write_safetensors(os.path.join(out, "model.safetensors"), hf_weights(model))
    config = {"architectures": ["BertForSequenceClassification"], "model_type": "bert",
              "vocab_size": len(VOCAB), "hidden_size": H, "num_hidden_layers": LAYERS,
              "num_attention_heads": HEADS, "intermediate_size": INTER, "hidden_act": "gelu",
              "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
              "max_position_embeddings": MAXPOS, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
              "pad_token_id": 0, "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
              "label2id": {"NEGATIVE": 0, "POSITIVE": 1}, "problem_type": "single_label_classification"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f, ensure_ascii=False)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "model_max_length": MAXPOS, "tokenizer_class": "BertTokenizer",
                   "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                   "mask_token": "[MASK]"}, f, indent=2)
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(CARD.replace("{params}", f"{params:,}"))
    if "--reference" in args:
        texts_path, ref_path = args[args.index("--reference") + 1: args.index("--reference") + 3]
        with open(texts_path) as f:
            texts = json.load(f)
        answers = []
        with torch.no_grad():
            for t in texts:
                x = encode(t)
                probs = model(torch.tensor([x]), torch.ones(1, len(x), dtype=torch.long)).double().softmax(-1)[0]
                labels = sorted(((["NEGATIVE", "POSITIVE"][i], float(probs[i])) for i in range(2)), key=lambda p: -p[1])
                answers.append([{"label": l, "score": sc} for l, sc in labels])
        with open(ref_path, "w") as f:
            json.dump(answers, f)
    print(f"demo model: {params:,} parameters, held-out accuracy {right / len(test):.2f}")


if __name__ == "__main__":
    main()
