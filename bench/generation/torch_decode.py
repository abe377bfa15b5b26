#!/usr/bin/python3
"""PyTorch side of bench/generation/run.sh: the same Llama-family weights (read from
model.safetensors by hand; the safetensors package is not installed), float32, with a KV cache
(keys/values appended per step, so no quadratic recomputation), greedy decode, best of 3;
batch 1, then 8 sequences decoded together (batched tensors, one step for all).
Usage: torch_decode.py NAME DIR THREADS PROMPT N [DTYPE]
Checkpoints may be F32, F16 or BF16; weights are upcast to float32 on load. DTYPE (Llama
family only): f32 (default) runs float32; bf16 runs the model twice, in torch.bfloat16
(weights, activations, KV cache: torch's own bf16 path) and in float32 over the upcast
weights, prints the faster as the CASE lines (field torch_dtype= says which: the fair anchor
is the best PyTorch can do on this CPU) and the other on stderr."""
import json, math, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in h.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        if v["dtype"] == "BF16":  # exact: bf16 is the top half of a float32
            u = np.frombuffer(data[a:b], dtype=np.uint16).astype(np.uint32) << 16
            arr = u.view(np.float32)
        elif v["dtype"] == "F16":
            arr = np.frombuffer(data[a:b], dtype=np.float16).astype(np.float32)
        else:
            arr = np.frombuffer(data[a:b], dtype=np.float32).copy()
        out[k] = torch.from_numpy(arr).view(v["shape"])
    return out


def main():
    name, d, threads, P, N = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    dtype = sys.argv[6] if len(sys.argv) > 6 else "f32"
    assert dtype in ("f32", "bf16"), "DTYPE must be f32 or bf16"
    torch.set_num_threads(threads)
    cfg = json.load(open(d + "/config.json"))
    W = load(d + "/model.safetensors")
    if cfg.get("model_type") == "gpt2":
        return bench(name, P, N, cfg["vocab_size"], *gpt2(cfg, W, P + N))
    if dtype == "f32":
        return bench(name, P, N, cfg["vocab_size"], *llama(cfg, W, P + N, torch.float32))
    runs = {}
    for dt, tdt in (("bf16", torch.bfloat16), ("f32", torch.float32)):
        runs[dt] = bench(name, P, N, cfg["vocab_size"], *llama(cfg, W, P + N, tdt), quiet=True)
    best = max(runs, key=lambda k: runs[k][1])
    for dt in (best, "f32" if best == "bf16" else "bf16"):
        for line in runs[dt][3]:
            print(line + " torch_dtype=" + dt, file=sys.stdout if dt == best else sys.stderr)


def llama(cfg, W, maxp, dt):
    """Returns (forward, new_cache) computing in dtype dt (weights cast once)."""
    W = {k: v.to(dt) for k, v in W.items()}
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    kv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim") or H // nh
    L, eps = cfg["num_hidden_layers"], cfg["rms_norm_eps"]
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else W["lm_head.weight"]
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, hd, 2).float() / hd))
    fr = torch.outer(torch.arange(maxp).float(), inv)
    cos_t, sin_t = torch.cat((fr, fr), -1).cos().to(dt), torch.cat((fr, fr), -1).sin().to(dt)
    lw = [{k[len(f"model.layers.{i}."):]: v for k, v in W.items() if k.startswith(f"model.layers.{i}.")} for i in range(L)]

    def rms(x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def rot(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), -1)

    def forward(ids, cache, pos0):
        """ids [B, T]; cache: per layer (K, V) [B, kv, maxp, hd]; returns last logits [B, V]."""
        B, T = ids.shape
        x = W["model.embed_tokens.weight"][ids]
        cos, sin = cos_t[pos0:pos0 + T], sin_t[pos0:pos0 + T]
        for i in range(L):
            w = lw[i]
            h = rms(x, w["input_layernorm.weight"])
            q = F.linear(h, w["self_attn.q_proj.weight"]).view(B, T, nh, hd).transpose(1, 2)
            k = F.linear(h, w["self_attn.k_proj.weight"]).view(B, T, kv, hd).transpose(1, 2)
            v = F.linear(h, w["self_attn.v_proj.weight"]).view(B, T, kv, hd).transpose(1, 2)
            q = q * cos + rot(q) * sin
            k = k * cos + rot(k) * sin
            ck, cv = cache[i]
            ck[:, :, pos0:pos0 + T] = k
            cv[:, :, pos0:pos0 + T] = v
            K = ck[:, :, :pos0 + T].repeat_interleave(nh // kv, 1)
            Vv = cv[:, :, :pos0 + T].repeat_interleave(nh // kv, 1)
            s = q @ K.transpose(2, 3) / math.sqrt(hd)
            if T > 1:
                s = s + torch.full((T, pos0 + T), float("-inf"), dtype=s.dtype).triu(pos0 + 1)
            a = torch.softmax(s, -1) @ Vv
            x = x + F.linear(a.transpose(1, 2).reshape(B, T, nh * hd), w["self_attn.o_proj.weight"])
            h = rms(x, w["post_attention_layernorm.weight"])
            x = x + F.linear(F.silu(F.linear(h, w["mlp.gate_proj.weight"])) * F.linear(h, w["mlp.up_proj.weight"]),
                             w["mlp.down_proj.weight"])
        return F.linear(rms(x[:, -1], W["model.norm.weight"]), head)

    return forward, lambda B: [(torch.zeros(B, kv, maxp, hd, dtype=dt), torch.zeros(B, kv, maxp, hd, dtype=dt))
                               for _ in range(L)]


def gpt2(cfg, W, maxp):
    """GPT-2: learned positions, LayerNorm, fused Conv1D qkv ([in, out] weights), GELU (tanh), tied head."""
    H, nh, L, eps = cfg["n_embd"], cfg["n_head"], cfg["n_layer"], cfg.get("layer_norm_epsilon", 1e-5)
    hd = H // nh
    g = lambda k: W["transformer." + k]
    lw = [{k: g(f"h.{i}.{k}") for k in ["ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "attn.c_attn.weight",
           "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
           "mlp.c_proj.weight", "mlp.c_proj.bias"]} for i in range(L)]
    # Conv1D computes x @ W + b; F.linear wants [out, in]: transpose once, as hubd does at load.
    for w in lw:
        for k in ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"]:
            w[k] = w[k].t().contiguous()

    def forward(ids, cache, pos0):
        B, T = ids.shape
        x = g("wte.weight")[ids] + g("wpe.weight")[pos0:pos0 + T]
        for i in range(L):
            w = lw[i]
            h = F.layer_norm(x, (H,), w["ln_1.weight"], w["ln_1.bias"], eps)
            q, k, v = F.linear(h, w["attn.c_attn.weight"], w["attn.c_attn.bias"]).split(H, -1)
            q, k, v = (t.view(B, T, nh, hd).transpose(1, 2) for t in (q, k, v))
            ck, cv = cache[i]
            ck[:, :, pos0:pos0 + T] = k
            cv[:, :, pos0:pos0 + T] = v
            s = q @ ck[:, :, :pos0 + T].transpose(2, 3) / math.sqrt(hd)
            if T > 1:
                s = s + torch.full((T, pos0 + T), float("-inf")).triu(pos0 + 1)
            a = torch.softmax(s, -1) @ cv[:, :, :pos0 + T]
            x = x + F.linear(a.transpose(1, 2).reshape(B, T, H), w["attn.c_proj.weight"], w["attn.c_proj.bias"])
            h = F.layer_norm(x, (H,), w["ln_2.weight"], w["ln_2.bias"], eps)
            x = x + F.linear(F.gelu(F.linear(h, w["mlp.c_fc.weight"], w["mlp.c_fc.bias"]), approximate="tanh"),
                             w["mlp.c_proj.weight"], w["mlp.c_proj.bias"])
        return F.linear(F.layer_norm(x[:, -1], (H,), g("ln_f.weight"), g("ln_f.bias"), eps), g("wte.weight"))

    return forward, lambda B: [(torch.zeros(B, nh, maxp, hd), torch.zeros(B, nh, maxp, hd)) for _ in range(L)]


def bench(name, P, N, V, forward, new_cache, quiet=False):
    def run(B):
        prompt = torch.tensor([[(i * 7919 + 1 + b) % V for i in range(P)] for b in range(B)])
        best_p = best_d = 1e30
        with torch.no_grad():
            for _ in range(3):
                cache = new_cache(B)
                t0 = time.perf_counter()
                logits = forward(prompt, cache, 0)
                t1 = time.perf_counter()
                ids = []
                for i in range(N):
                    tok = logits.argmax(-1)
                    ids.append(int(tok[0]))
                    logits = forward(tok.view(B, 1), cache, P + i)
                t2 = time.perf_counter()
                best_p, best_d = min(best_p, t1 - t0), min(best_d, t2 - t1)
        return B * P / best_p, B * N / best_d, ids

    p1, d1, ids = run(1)
    lines = ["CASE %s prefill_tok_s=%.1f decode_tok_s=%.1f ids=%s" % (name, p1, d1, ",".join(map(str, ids[:8])))]
    _, d8, ids8 = run(8)
    lines.append("CASE %s/b8 prefill_tok_s=0 decode_tok_s=%.1f ids=%s" % (name, d8, ",".join(map(str, ids8[:8]))))
    if not quiet:
        print("\n".join(lines))
    return p1, d1, d8, lines

main()
