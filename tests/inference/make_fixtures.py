#!/usr/bin/python3
"""Writes tiny random BERT-family models in Hugging Face layout plus reference outputs.

Usage: make_fixtures.py OUT_DIR

Each OUT_DIR/<name>/ holds config.json, model.safetensors (or shards + index), optional
sentence-transformers files, and ref.safetensors with the inputs (I32) and the expected
output (F32, computed in float64 by the independent torch reference below, which mirrors the
semantics of transformers' modeling_bert/roberta/electra/distilbert.py).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32"}


def tensor_bytes(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().tobytes()
    return t.contiguous().numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---- torch reference (float64) ------------------------------------------------------------

def act(name, x):
    if name == "gelu":
        return F.gelu(x)
    if name == "gelu_new":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))
    if name == "relu":
        return F.relu(x)
    if name == "silu":
        return F.silu(x)
    if name == "tanh":
        return torch.tanh(x)
    raise ValueError(name)


def lin(W, name, x):
    return F.linear(x, W[name + ".weight"], W.get(name + ".bias"))


def ln(W, name, x, eps):
    return F.layer_norm(x, (x.shape[-1],), W[name + ".weight"], W[name + ".bias"], eps)


def attention(x, q, k, v, mask, n_head):
    B, S, H = x.shape
    d = H // n_head
    def split(t):
        return t.view(B, S, n_head, d).permute(0, 2, 1, 3)
    qh, kh, vh = split(q), split(k), split(v)
    ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    scores = qh @ kh.transpose(-1, -2) / math.sqrt(d) + ext
    probs = scores.softmax(-1)
    return (probs @ vh).permute(0, 2, 1, 3).reshape(B, S, H)


def bert_encoder(cfg, W, p, ids, mask, types, family):
    eps = cfg.get("layer_norm_eps", 1e-12)
    B, S = ids.shape
    x = W[p + "embeddings.word_embeddings.weight"][ids]
    if family == "roberta":
        m = (ids != cfg["pad_token_id"]).long()
        pos = torch.cumsum(m, 1) * m + cfg["pad_token_id"]
    else:
        pos = torch.arange(S)[None, :].expand(B, S)
    x = x + W[p + "embeddings.position_embeddings.weight"][pos]
    if cfg.get("type_vocab_size", 2) > 0:
        x = x + W[p + "embeddings.token_type_embeddings.weight"][types]
    x = ln(W, p + "embeddings.LayerNorm", x, eps)
    if p + "embeddings_project.weight" in W:
        x = lin(W, p + "embeddings_project", x)
    for i in range(cfg["num_hidden_layers"]):
        l = p + "encoder.layer.%d." % i
        ctx = attention(x, lin(W, l + "attention.self.query", x), lin(W, l + "attention.self.key", x),
                        lin(W, l + "attention.self.value", x), mask, cfg["num_attention_heads"])
        a = ln(W, l + "attention.output.LayerNorm", lin(W, l + "attention.output.dense", ctx) + x, eps)
        h = act(cfg["hidden_act"], lin(W, l + "intermediate.dense", a))
        x = ln(W, l + "output.LayerNorm", lin(W, l + "output.dense", h) + a, eps)
    return x


def distil_encoder(cfg, W, p, ids, mask):
    B, S = ids.shape
    x = W[p + "embeddings.word_embeddings.weight"][ids] + \
        W[p + "embeddings.position_embeddings.weight"][torch.arange(S)][None]
    x = ln(W, p + "embeddings.LayerNorm", x, 1e-12)
    for i in range(cfg["n_layers"]):
        l = p + "transformer.layer.%d." % i
        ctx = attention(x, lin(W, l + "attention.q_lin", x), lin(W, l + "attention.k_lin", x),
                        lin(W, l + "attention.v_lin", x), mask, cfg["n_heads"])
        a = ln(W, l + "sa_layer_norm", lin(W, l + "attention.out_lin", ctx) + x, 1e-12)
        h = act(cfg["activation"], lin(W, l + "ffn.lin1", a))
        x = ln(W, l + "output_layer_norm", lin(W, l + "ffn.lin2", h) + a, 1e-12)
    return x


# ---- random weights -----------------------------------------------------------------------

class Gen:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.W = {}

    def rand(self, name, *shape, scale=0.2, base=0.0):
        self.W[name] = base + scale * torch.randn(*shape, generator=self.g)

    def linear(self, name, i, o, scale=0.2):
        self.rand(name + ".weight", o, i, scale=scale)
        self.rand(name + ".bias", o, scale=0.1)

    def norm(self, name, d):
        self.rand(name + ".weight", d, scale=0.1, base=1.0)
        self.rand(name + ".bias", d, scale=0.1)


def make_bert_weights(g, cfg, p, family):
    H, E = cfg["hidden_size"], cfg.get("embedding_size", cfg["hidden_size"])
    g.rand(p + "embeddings.word_embeddings.weight", cfg["vocab_size"], E, scale=0.5)
    g.rand(p + "embeddings.position_embeddings.weight", cfg["max_position_embeddings"], E, scale=0.5)
    if cfg["type_vocab_size"] > 0:
        g.rand(p + "embeddings.token_type_embeddings.weight", cfg["type_vocab_size"], E, scale=0.5)
    g.norm(p + "embeddings.LayerNorm", E)
    if E != H:
        g.linear(p + "embeddings_project", E, H)
    for i in range(cfg["num_hidden_layers"]):
        l = p + "encoder.layer.%d." % i
        for n in ("attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense"):
            g.linear(l + n, H, H)
        g.norm(l + "attention.output.LayerNorm", H)
        g.linear(l + "intermediate.dense", H, cfg["intermediate_size"])
        g.linear(l + "output.dense", cfg["intermediate_size"], H, scale=0.1)
        g.norm(l + "output.LayerNorm", H)


def make_distil_weights(g, cfg, p):
    D = cfg["dim"]
    g.rand(p + "embeddings.word_embeddings.weight", cfg["vocab_size"], D, scale=0.5)
    g.rand(p + "embeddings.position_embeddings.weight", cfg["max_position_embeddings"], D, scale=0.5)
    g.norm(p + "embeddings.LayerNorm", D)
    for i in range(cfg["n_layers"]):
        l = p + "transformer.layer.%d." % i
        for n in ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin"):
            g.linear(l + n, D, D)
        g.norm(l + "sa_layer_norm", D)
        g.linear(l + "ffn.lin1", D, cfg["hidden_dim"])
        g.linear(l + "ffn.lin2", cfg["hidden_dim"], D, scale=0.1)
        g.norm(l + "output_layer_norm", D)


def inputs(cfg, seed, pad_id, types=True, B=3, S=9):
    g = torch.Generator().manual_seed(seed + 1000)
    ids = torch.randint(3, cfg["vocab_size"], (B, S), generator=g)
    ids[ids == pad_id] = pad_id + 1
    lengths = [S, S - 3, 4][:B]
    mask = torch.zeros(B, S, dtype=torch.long)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
        ids[b, n:] = pad_id
    tt = torch.randint(0, 2, (B, S), generator=g) if types else torch.zeros(B, S, dtype=torch.long)
    return ids, mask, tt


BASE = {"vocab_size": 120, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
        "intermediate_size": 64, "hidden_act": "gelu", "max_position_embeddings": 40,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}


def emit(out, name, cfg, W, storage, ids, mask, tt, expected, kind, shards=1, extra_files=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    stored = {k: v.to(storage) for k, v in W.items()}
    if shards == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), stored, {"format": "pt"})
    else:
        names = sorted(stored)
        weight_map = {}
        for s in range(shards):
            part = names[s::shards]
            fn = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            write_safetensors(os.path.join(d, fn), {k: stored[k] for k in part})
            for k in part:
                weight_map[k] = fn
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
    for rel, content in (extra_files or {}).items():
        os.makedirs(os.path.dirname(os.path.join(d, rel)) or d, exist_ok=True)
        with open(os.path.join(d, rel), "w") as f:
            json.dump(content, f)
    ref = {"input_ids": ids.to(torch.int32), "attention_mask": mask.to(torch.int32),
           "token_type_ids": tt.to(torch.int32), "expected": expected.to(torch.float32)}
    write_safetensors(os.path.join(d, "ref.safetensors"), ref, {"output": kind})


WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "?", "!", "the", "a", "cat",
         "sat", "on", "mat", "dog", "paris", "is", "capital", "of", "france", "sarah", "jessica",
         "parker", "lives", "in", "london", "new", "york", "what", "where", "who", "does", "live",
         "my", "name", "wolfgang", "and", "berlin", "cafe", "au", "lait", "##s", "##ing", "##ed",
         "##er", "un", "##believ", "##able", "hello", "world"]


def write_bert_tokenizer(d, vocab_size):
    vocab = {w: i for i, w in enumerate(WORDS + ["tok%d" % i for i in range(len(WORDS), vocab_size)])}
    special = lambda i, w: {"id": i, "content": w, "single_word": False, "lstrip": False,
                            "rstrip": False, "normalized": False, "special": True}
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [special(i, w) for i, w in enumerate(WORDS[:5])],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(tok, f)


def ref_weights(W, storage):
    return {k: v.to(storage).to(torch.float64) for k, v in W.items()}


def bert_like(out, name, model_type, arch, head, seed, storage=torch.float32, prefix=None,
              cfg_over=None, shards=1, tied=False, st_pooling=None, tokenizer=False, labels=None):
    family = {"bert": "bert", "roberta": "roberta", "xlm-roberta": "roberta", "electra": "electra"}[model_type]
    cfg = dict(BASE, model_type=model_type, architectures=[arch])
    if family == "roberta":
        cfg.update(pad_token_id=1, type_vocab_size=1, layer_norm_eps=1e-5)
    cfg.update(cfg_over or {})
    if prefix is None:
        prefix = {"bert": "bert.", "roberta": "roberta.", "electra": "electra."}[family]
    g = Gen(seed)
    make_bert_weights(g, cfg, prefix, family)
    H, V = cfg["hidden_size"], cfg["vocab_size"]
    E = cfg.get("embedding_size", H)
    L = len(cfg.get("id2label", {})) or 3
    if head in ("seq", "tok"):
        cfg["id2label"] = {str(i): (labels[i] if labels else "L%d" % i) for i in range(L)}
    if head == "seq":
        if family == "bert":
            g.linear(prefix + "pooler.dense", H, H)
            g.linear("classifier", H, L)
        else:
            g.linear("classifier.dense", H, H)
            g.linear("classifier.out_proj", H, L)
    elif head == "tok":
        g.linear("classifier", H, L)
    elif head == "qa":
        g.linear("qa_outputs", H, 2)
    elif head == "mlm":
        if family == "bert":
            g.linear("cls.predictions.transform.dense", H, H)
            g.norm("cls.predictions.transform.LayerNorm", H)
            g.rand("cls.predictions.bias", V, scale=0.1)
            if not tied:
                g.rand("cls.predictions.decoder.weight", V, H)
        elif family == "roberta":
            g.linear("lm_head.dense", H, H)
            g.norm("lm_head.layer_norm", H)
            g.rand("lm_head.bias", V, scale=0.1)
            if not tied:
                g.rand("lm_head.decoder.weight", V, H)
        else:
            g.linear("generator_predictions.dense", H, E)
            g.norm("generator_predictions.LayerNorm", E)
            g.rand("generator_lm_head.bias", V, scale=0.1)
            if not tied:
                g.rand("generator_lm_head.weight", V, E)
    elif head == "disc":
        g.linear("discriminator_predictions.dense", H, H)
        g.linear("discriminator_predictions.dense_prediction", H, 1)

    W = ref_weights(g.W, storage)
    ids, mask, tt = inputs(cfg, seed, cfg["pad_token_id"], types=cfg["type_vocab_size"] > 1)
    x = bert_encoder(cfg, W, prefix, ids, mask, tt, family)
    eps = cfg["layer_norm_eps"]
    tied_w = W[prefix + "embeddings.word_embeddings.weight"]
    kind = "logits"
    if head == "none":
        kind, y = "hidden", x
        if st_pooling:
            kind = "embeddings"
            m = mask[:, :, None].to(x.dtype)
            y = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            y = F.normalize(y, p=2, dim=1)
    elif head == "seq":
        c = x[:, 0]
        if family == "bert":
            y = lin(W, "classifier", torch.tanh(lin(W, prefix + "pooler.dense", c)))
        else:
            a = torch.tanh if family == "roberta" else F.gelu
            y = lin(W, "classifier.out_proj", a(lin(W, "classifier.dense", c)))
    elif head == "tok":
        y = lin(W, "classifier", x)
    elif head == "qa":
        y = lin(W, "qa_outputs", x)
    elif head == "mlm":
        if family == "bert":
            t = ln(W, "cls.predictions.transform.LayerNorm",
                   act(cfg["hidden_act"], lin(W, "cls.predictions.transform.dense", x)), eps)
            y = F.linear(t, W.get("cls.predictions.decoder.weight", tied_w), W["cls.predictions.bias"])
        elif family == "roberta":
            t = ln(W, "lm_head.layer_norm", F.gelu(lin(W, "lm_head.dense", x)), eps)
            y = F.linear(t, W.get("lm_head.decoder.weight", tied_w), W["lm_head.bias"])
        else:
            t = ln(W, "generator_predictions.LayerNorm", F.gelu(lin(W, "generator_predictions.dense", x)), eps)
            y = F.linear(t, W.get("generator_lm_head.weight", tied_w), W["generator_lm_head.bias"])
    elif head == "disc":
        y = lin(W, "discriminator_predictions.dense_prediction",
                act(cfg["hidden_act"], lin(W, "discriminator_predictions.dense", x))).squeeze(-1)
    extra = None
    if st_pooling:
        extra = {"modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
            "1_Pooling/config.json": {"word_embedding_dimension": H, "pooling_mode_cls_token": False,
                                      "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                      "pooling_mode_mean_sqrt_len_tokens": False}}
    emit(out, name, cfg, g.W, storage, ids, mask, tt, y, kind, shards, extra)
    if tokenizer:
        write_bert_tokenizer(os.path.join(out, name), cfg["vocab_size"])


def distilbert(out, name, arch, head, seed, storage=torch.float32, tied=True):
    cfg = {"model_type": "distilbert", "architectures": [arch], "vocab_size": 120, "dim": 32,
           "n_layers": 2, "n_heads": 4, "hidden_dim": 64, "activation": "gelu",
           "max_position_embeddings": 40, "pad_token_id": 0, "sinusoidal_pos_embds": False}
    p = "distilbert."
    g = Gen(seed)
    make_distil_weights(g, cfg, p)
    D, V, L = 32, 120, 4
    if head in ("seq", "tok"):
        cfg["id2label"] = {str(i): "L%d" % i for i in range(L)}
    if head == "seq":
        g.linear("pre_classifier", D, D)
        g.linear("classifier", D, L)
    elif head == "tok":
        g.linear("classifier", D, L)
    elif head == "qa":
        g.linear("qa_outputs", D, 2)
    elif head == "mlm":
        g.linear("vocab_transform", D, D)
        g.norm("vocab_layer_norm", D)
        g.rand("vocab_projector.bias", V, scale=0.1)
        if not tied:
            g.rand("vocab_projector.weight", V, D)
    W = ref_weights(g.W, storage)
    ids, mask, tt = inputs(cfg, seed, 0, types=False)
    x = distil_encoder(cfg, W, p, ids, mask)
    if head == "seq":
        y = lin(W, "classifier", F.relu(lin(W, "pre_classifier", x[:, 0])))
    elif head == "tok":
        y = lin(W, "classifier", x)
    elif head == "qa":
        y = lin(W, "qa_outputs", x)
    elif head == "mlm":
        t = ln(W, "vocab_layer_norm", act(cfg["activation"], lin(W, "vocab_transform", x)), 1e-12)
        y = F.linear(t, W.get("vocab_projector.weight", W[p + "embeddings.word_embeddings.weight"]),
                     W["vocab_projector.bias"])
    emit(out, name, cfg, g.W, storage, ids, mask, tt, y, "logits")


def mpnet_bucket(rel, num_buckets=32, max_distance=128):
    # Bidirectional T5-style bucketing of (key - query), computed in float32 then truncated.
    n = -rel
    half = num_buckets // 2
    ret = (n < 0).long() * half
    n = n.abs()
    max_exact = half // 2
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                         * (half - max_exact)).long()
    large = torch.clamp(large, max=half - 1)
    return ret + torch.where(n < max_exact, n, large)


def mpnet(out, name, arch, head, seed, st_pooling=False, tied=True):
    cfg = {"model_type": "mpnet", "architectures": [arch], "vocab_size": 120, "hidden_size": 32,
           "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
           "hidden_act": "gelu", "max_position_embeddings": 40, "layer_norm_eps": 1e-5,
           "relative_attention_num_buckets": 32, "pad_token_id": 1}
    p = "mpnet." if head != "none" else ""
    g = Gen(seed)
    H, V, L = 32, 120, 3
    g.rand(p + "embeddings.word_embeddings.weight", V, H, scale=0.5)
    g.rand(p + "embeddings.position_embeddings.weight", 40, H, scale=0.5)
    g.norm(p + "embeddings.LayerNorm", H)
    g.rand(p + "encoder.relative_attention_bias.weight", 32, 4, scale=1.0)
    for i in range(2):
        l = p + "encoder.layer.%d." % i
        for n in ("q", "k", "v", "o"):
            g.linear(l + "attention.attn." + n, H, H)
        g.norm(l + "attention.LayerNorm", H)
        g.linear(l + "intermediate.dense", H, 64)
        g.linear(l + "output.dense", 64, H, scale=0.1)
        g.norm(l + "output.LayerNorm", H)
    if head == "seq":
        cfg["id2label"] = {str(i): "L%d" % i for i in range(L)}
        g.linear("classifier.dense", H, H)
        g.linear("classifier.out_proj", H, L)
    elif head == "mlm":
        g.linear("lm_head.dense", H, H)
        g.norm("lm_head.layer_norm", H)
        g.rand("lm_head.bias", V, scale=0.1)
    W = ref_weights(g.W, torch.float32)
    ids, mask, tt = inputs(cfg, seed, 1, types=False, S=30)
    B, S = ids.shape
    m = (ids != 1).long()
    pos = torch.cumsum(m, 1) * m + 1
    x = ln(W, p + "embeddings.LayerNorm", W[p + "embeddings.word_embeddings.weight"][ids] +
           W[p + "embeddings.position_embeddings.weight"][pos], 1e-5)
    rel = torch.arange(S)[None, :] - torch.arange(S)[:, None]
    bias = W[p + "encoder.relative_attention_bias.weight"][mpnet_bucket(rel)].permute(2, 0, 1)[None]
    d = H // 4
    for i in range(2):
        l = p + "encoder.layer.%d." % i
        def split(t):
            return t.view(B, S, 4, d).permute(0, 2, 1, 3)
        q, k, v = (split(lin(W, l + "attention.attn." + n, x)) for n in ("q", "k", "v"))
        ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        probs = (q @ k.transpose(-1, -2) / math.sqrt(d) + bias + ext).softmax(-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(B, S, H)
        a = ln(W, l + "attention.LayerNorm", lin(W, l + "attention.attn.o", ctx) + x, 1e-5)
        x = ln(W, l + "output.LayerNorm", lin(W, l + "output.dense", F.gelu(lin(W, l + "intermediate.dense", a))) + a, 1e-5)
    kind, extra = "logits", None
    if head == "seq":
        y = lin(W, "classifier.out_proj", torch.tanh(lin(W, "classifier.dense", x[:, 0])))
    elif head == "mlm":
        t = ln(W, "lm_head.layer_norm", F.gelu(lin(W, "lm_head.dense", x)), 1e-5)
        y = F.linear(t, W[p + "embeddings.word_embeddings.weight"], W["lm_head.bias"])
    else:
        kind = "embeddings"
        mm = mask[:, :, None].to(x.dtype)
        y = F.normalize((x * mm).sum(1) / mm.sum(1).clamp(min=1e-9), p=2, dim=1)
        extra = {"modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
            "1_Pooling/config.json": {"word_embedding_dimension": H, "pooling_mode_mean_tokens": True}}
    emit(out, name, cfg, g.W, torch.float32, ids, mask, tt, y, kind, 1, extra)


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    bert_like(out, "bert_seqcls", "bert", "BertForSequenceClassification", "seq", 1, tokenizer=True)
    bert_like(out, "bert_mlm_tied_gelu_new", "bert", "BertForMaskedLM", "mlm", 2, tied=True,
              cfg_over={"hidden_act": "gelu_new"}, tokenizer=True)
    bert_like(out, "bert_tokcls_sharded", "bert", "BertForTokenClassification", "tok", 3, shards=3,
              tokenizer=True, labels=["O", "B-PER", "I-PER"])
    bert_like(out, "bert_model_noprefix_st", "bert", "BertModel", "none", 4, prefix="",
              st_pooling=True, tokenizer=True)
    bert_like(out, "bert_model_hidden", "bert", "BertModel", "none", 5, prefix="", tokenizer=True)
    bert_like(out, "bert_qa_f16", "bert", "BertForQuestionAnswering", "qa", 6, storage=torch.float16,
              tokenizer=True)
    bert_like(out, "roberta_qa", "roberta", "RobertaForQuestionAnswering", "qa", 7)
    bert_like(out, "roberta_mlm", "roberta", "RobertaForMaskedLM", "mlm", 8)
    bert_like(out, "roberta_seqcls_bf16", "roberta", "RobertaForSequenceClassification", "seq", 9,
              storage=torch.bfloat16)
    bert_like(out, "xlmr_tokcls", "xlm-roberta", "XLMRobertaForTokenClassification", "tok", 10)
    bert_like(out, "electra_disc", "electra", "ElectraForPreTraining", "disc", 11,
              cfg_over={"embedding_size": 16})
    bert_like(out, "electra_seqcls_bf16", "electra", "ElectraForSequenceClassification", "seq", 12,
              storage=torch.bfloat16, cfg_over={"embedding_size": 32})
    bert_like(out, "electra_mlm_tied", "electra", "ElectraForMaskedLM", "mlm", 13, tied=True,
              cfg_over={"embedding_size": 16})
    distilbert(out, "distilbert_seqcls", "DistilBertForSequenceClassification", "seq", 14)
    distilbert(out, "distilbert_mlm_tied", "DistilBertForMaskedLM", "mlm", 15)
    distilbert(out, "distilbert_tokcls_f16", "DistilBertForTokenClassification", "tok", 16,
               storage=torch.float16)
    distilbert(out, "distilbert_qa", "DistilBertForQuestionAnswering", "qa", 17)
    mpnet(out, "mpnet_model_st", "MPNetModel", "none", 18)
    mpnet(out, "mpnet_seqcls", "MPNetForSequenceClassification", "seq", 19)
    mpnet(out, "mpnet_mlm_tied", "MPNetForMaskedLM", "mlm", 20)


if __name__ == "__main__":
    main()
