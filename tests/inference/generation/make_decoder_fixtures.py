#!/usr/bin/python3
"""Writes tiny random Llama-family decoders in Hugging Face layout plus reference logits.

Usage: make_decoder_fixtures.py OUT_DIR

Each OUT_DIR/<name>/ holds config.json, model.safetensors and ref.safetensors: `ids` (I32,
[T]) and `logits` (F32, [T, vocab]) from the independent float64 torch forward below, which
mirrors transformers' modeling_llama / modeling_mistral / modeling_qwen2 semantics
(RMSNorm, rotate_half RoPE with rope_scaling, repeat_kv GQA, causal softmax, SwiGLU).
transformers itself is not installed here, so this is written from those semantics.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.bfloat16: "BF16"}


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        # torch 1.13 has no numpy bfloat16: bf16 tensors are written as their 16-bit patterns.
        b = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def inv_freq(cfg, rd):
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, rd, 2, dtype=torch.float64) / rd))
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "linear":
        return inv / rs["factor"]
    if kind == "llama3":
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        lo_wl, hi_wl = old / lo, old / hi
        wl = 2 * math.pi / inv
        out = torch.where(wl > lo_wl, inv / factor, inv)
        smooth = (old / wl - lo) / (hi - lo)
        smoothed = (1 - smooth) * out / factor + smooth * out
        medium = ~(wl < hi_wl) & ~(wl > lo_wl)
        return torch.where(medium, smoothed, out)
    raise ValueError(kind)


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(cfg, W, ids):
    """Full (uncached) forward, float64; returns logits [T, vocab]."""
    T = len(ids)
    H, nh, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", H // nh)
    rd = hd
    eps = cfg["rms_norm_eps"]
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    g = {k: v.double() for k, v in W.items()}
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq(cfg, rd))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x = g["model.embed_tokens.weight"][torch.tensor(ids)]
    mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        lin = lambda n, t, b=False: F.linear(t, g[p + n + ".weight"], g[p + n + ".bias"] if b else None)
        h = rms(x, g[p + "input_layernorm.weight"], eps)
        q = lin("self_attn.q_proj", h, bias).view(T, nh, hd).transpose(0, 1)
        k = lin("self_attn.k_proj", h, bias).view(T, kv, hd).transpose(0, 1)
        v = lin("self_attn.v_proj", h, bias).view(T, kv, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // kv, dim=0)
        v = v.repeat_interleave(nh // kv, dim=0)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + mask, dim=-1) @ v
        x = x + lin("self_attn.o_proj", a.transpose(0, 1).reshape(T, nh * hd), cfg.get("attention_bias", False))
        h = rms(x, g[p + "post_attention_layernorm.weight"], eps)
        x = x + lin("mlp.down_proj", F.silu(lin("mlp.gate_proj", h)) * lin("mlp.up_proj", h))
    x = rms(x, g["model.norm.weight"], eps)
    head = g["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else g["lm_head.weight"]
    return x @ head.T


def make(out, name, cfg, seed, n_ids):
    torch.manual_seed(seed)
    H, nh, kv, I, V = (cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"],
                       cfg["intermediate_size"], cfg["vocab_size"])
    hd = cfg.get("head_dim", H // nh)
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    r = lambda *s: torch.randn(*s) * 0.3
    W = {"model.embed_tokens.weight": torch.randn(V, H)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        W[p + "input_layernorm.weight"] = 1 + 0.2 * torch.randn(H)
        W[p + "post_attention_layernorm.weight"] = 1 + 0.2 * torch.randn(H)
        for n, o, i_ in (("q", nh * hd, H), ("k", kv * hd, H), ("v", kv * hd, H)):
            W[p + f"self_attn.{n}_proj.weight"] = r(o, i_)
            if bias:
                W[p + f"self_attn.{n}_proj.bias"] = r(o)
        W[p + "self_attn.o_proj.weight"] = r(H, nh * hd)
        if cfg.get("attention_bias", False):
            W[p + "self_attn.o_proj.bias"] = r(H)
        W[p + "mlp.gate_proj.weight"] = r(I, H)
        W[p + "mlp.up_proj.weight"] = r(I, H)
        W[p + "mlp.down_proj.weight"] = r(H, I)
    W["model.norm.weight"] = 1 + 0.2 * torch.randn(H)
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = r(V, H)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    write_safetensors(os.path.join(d, "model.safetensors"), W)
    ids = torch.randint(0, V, (n_ids,), dtype=torch.int32)
    logits = forward(cfg, W, ids.tolist())
    write_safetensors(os.path.join(d, "ref.safetensors"), {"ids": ids, "logits": logits.float()})


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def gpt2_forward(cfg, W, ids):
    """modeling_gpt2 semantics: Conv1D is x @ W + b with W [in, out]; fused c_attn."""
    T, H, nh = len(ids), cfg["n_embd"], cfg["n_head"]
    hd, eps = H // nh, cfg["layer_norm_epsilon"]
    g = {k: v.double() for k, v in W.items()}
    conv = lambda n, t: t @ g[n + ".weight"] + g[n + ".bias"]
    ln = lambda n, t: F.layer_norm(t, (H,), g[n + ".weight"], g[n + ".bias"], eps)
    x = g["transformer.wte.weight"][torch.tensor(ids)] + g["transformer.wpe.weight"][:T]
    mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        q, k, v = conv(p + "attn.c_attn", ln(p + "ln_1", x)).split(H, dim=-1)
        q, k, v = (t.view(T, nh, hd).transpose(0, 1) for t in (q, k, v))
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + mask, dim=-1) @ v
        x = x + conv(p + "attn.c_proj", a.transpose(0, 1).reshape(T, H))
        x = x + conv(p + "mlp.c_proj", gelu_new(conv(p + "mlp.c_fc", ln(p + "ln_2", x))))
    return ln("transformer.ln_f", x) @ g["transformer.wte.weight"].T


def make_gpt2(out, name, cfg, seed, n_ids):
    torch.manual_seed(seed)
    H, V, P = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    I = cfg.get("n_inner") or 4 * H
    r = lambda *s: torch.randn(*s) * 0.3
    W = {"transformer.wte.weight": torch.randn(V, H), "transformer.wpe.weight": 0.5 * torch.randn(P, H)}
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        for n in ("ln_1", "ln_2"):
            W[p + n + ".weight"] = 1 + 0.2 * torch.randn(H)
            W[p + n + ".bias"] = 0.1 * torch.randn(H)
        for n, i_, o in (("attn.c_attn", H, 3 * H), ("attn.c_proj", H, H), ("mlp.c_fc", H, I), ("mlp.c_proj", I, H)):
            W[p + n + ".weight"] = r(i_, o)
            W[p + n + ".bias"] = r(o)
        # Old checkpoints carry the causal-mask buffer; loaders must ignore it.
        W[p + "attn.bias"] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)
    W["transformer.ln_f.weight"] = 1 + 0.2 * torch.randn(H)
    W["transformer.ln_f.bias"] = 0.1 * torch.randn(H)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    write_safetensors(os.path.join(d, "model.safetensors"), W)
    ids = torch.randint(0, V, (n_ids,), dtype=torch.int32)
    logits = gpt2_forward(cfg, W, ids.tolist())
    write_safetensors(os.path.join(d, "ref.safetensors"), {"ids": ids, "logits": logits.float()})


def main():
    out = sys.argv[1]
    base = {"rms_norm_eps": 1e-5, "hidden_act": "silu", "max_position_embeddings": 64,
            "bos_token_id": 1, "eos_token_id": 2}
    make(out, "llama_gqa", dict(base, model_type="llama", architectures=["LlamaForCausalLM"],
         vocab_size=97, hidden_size=48, intermediate_size=80, num_hidden_layers=3,
         num_attention_heads=6, num_key_value_heads=2, rope_theta=10000.0, tie_word_embeddings=False,
         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                       "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
         1, 37)
    make(out, "qwen2_bias", dict(base, model_type="qwen2", architectures=["Qwen2ForCausalLM"],
         vocab_size=80, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
         num_attention_heads=4, num_key_value_heads=2, rope_theta=1000000.0, tie_word_embeddings=True,
         use_sliding_window=False, sliding_window=4096, rope_scaling={"type": "linear", "factor": 2.0}),
         2, 37)
    make(out, "mistral_mqa", dict(base, model_type="mistral", architectures=["MistralForCausalLM"],
         vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
         num_attention_heads=4, num_key_value_heads=1, head_dim=16, rope_theta=10000.0,
         tie_word_embeddings=False, sliding_window=4096, rope_scaling=None),
         3, 37)
    make_gpt2(out, "gpt2_tiny", {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
              "vocab_size": 91, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 48,
              "n_inner": None, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
              "bos_token_id": 90, "eos_token_id": 90}, 4, 37)


if __name__ == "__main__":
    main()
