#!/usr/bin/python3
"""Writes tiny random T5 models in Hugging Face layout plus float64 reference outputs.

Usage: make_t5_fixtures.py OUT_DIR [e2e]   (e2e: only the full-vocab model, for the API test)

transformers is not installed here: the forward (T5LayerNorm, unscaled attention, relative
position buckets, gated-GELU FF, d_model^-0.5 before a tied lm_head) and generate()'s greedy
and beam search (log_softmax, logits processors, running/finished beams, length penalty,
early stopping heuristic) are written from reading modeling_t5.py and generation/utils.py.
Each OUT_DIR/<name>/ holds config.json, model.safetensors, ref.safetensors (enc_ids,
dec_ids, encoder_hidden, logits) and ref.json (generation cases). OUT_DIR/t5_e2e/ is a
full-vocab model with the real t5-small tokenizer.json (../shared/tokenizers/t5-small, or
$HUBD_SHARED_DIR) and T5's task_specific_params, for the task and API tests.
"""
import json
import math
import os
import shutil
import struct
import sys

import torch

DT = torch.float64
NEG = -1.0e9


def write_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.int32: "I32"}
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.contiguous().numpy().tobytes()
        header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def make_weights(cfg, gen, eos_boost):
    V, D, K, F, H = cfg["vocab_size"], cfg["d_model"], cfg["d_kv"], cfg["d_ff"], cfg["num_heads"]
    inner = H * K
    gated = cfg["feed_forward_proj"].startswith("gated-")
    w = {}

    def r(*shape, s=0.5):
        return (torch.randn(*shape, generator=gen) * s).to(torch.float32)

    w["shared.weight"] = r(V, D, s=1.0)
    for stack, n in (("encoder", cfg["num_layers"]), ("decoder", cfg["num_decoder_layers"])):
        for i in range(n):
            p = f"{stack}.block.{i}.layer."
            attns = [("0.SelfAttention.", True)] + ([("1.EncDecAttention.", False)] if stack == "decoder" else [])
            for a, self_attn in attns:
                for m in "qkv":
                    w[p + a + m + ".weight"] = r(inner, D, s=D ** -0.5)
                w[p + a + "o.weight"] = r(D, inner, s=inner ** -0.5)
                if i == 0 and self_attn:
                    w[p + a + "relative_attention_bias.weight"] = r(cfg["relative_attention_num_buckets"], H, s=1.0)
            nl = 3 if stack == "decoder" else 2
            for j in range(nl):
                w[p + f"{j}.layer_norm.weight"] = (1.0 + r(D, s=0.2)).to(torch.float32)
            ff = p + f"{nl - 1}.DenseReluDense."
            if gated:
                w[ff + "wi_0.weight"] = r(F, D, s=D ** -0.5)
                w[ff + "wi_1.weight"] = r(F, D, s=D ** -0.5)
            else:
                w[ff + "wi.weight"] = r(F, D, s=D ** -0.5)
            w[ff + "wo.weight"] = r(D, F, s=F ** -0.5)
        w[f"{stack}.final_layer_norm.weight"] = (1.0 + r(D, s=0.2)).to(torch.float32)
    if not cfg.get("tie_word_embeddings", True):
        w["lm_head.weight"] = r(V, D, s=1.0)
    # Make </s> (id 1) a likely choice so hypotheses end at different lengths.
    head = "shared.weight" if cfg.get("tie_word_embeddings", True) else "lm_head.weight"
    w[head][1] *= eos_boost
    return w


# ---- forward (float64) -------------------------------------------------------------------

def t5_bucket(rel, bidirectional, nb, maxd):
    ret = torch.zeros_like(rel)
    if bidirectional:
        nb //= 2
        ret += (rel > 0).to(torch.long) * nb
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = nb // 2
    small = rel < max_exact
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(maxd / max_exact) * (nb - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, nb - 1))
    return ret + torch.where(small, rel, large)


class T5:
    def __init__(self, cfg, w):
        self.c = cfg
        self.w = {k: v.to(DT) for k, v in w.items()}
        self.tied = cfg.get("tie_word_embeddings", True)
        self.gated = cfg["feed_forward_proj"].startswith("gated-")
        act = cfg["feed_forward_proj"].split("-")[-1]
        if act == "gelu" and self.gated:
            self.act = lambda x: torch.nn.functional.gelu(x, approximate="tanh")
        elif act == "gelu":
            self.act = torch.nn.functional.gelu
        else:
            self.act = torch.relu

    def ln(self, x, name):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.w[name] * (x * torch.rsqrt(var + self.c["layer_norm_epsilon"]))

    def bias(self, table, q, k, bidirectional):
        ctx = torch.arange(q)[:, None]
        mem = torch.arange(k)[None, :]
        b = t5_bucket(mem - ctx, bidirectional, self.c["relative_attention_num_buckets"],
                      self.c["relative_attention_max_distance"])
        return self.w[table][b].permute(2, 0, 1)  # [H, q, k]

    def attn(self, p, xq, xkv, bias):
        H, K = self.c["num_heads"], self.c["d_kv"]
        q = (xq @ self.w[p + "q.weight"].T).view(-1, H, K).transpose(0, 1)
        k = (xkv @ self.w[p + "k.weight"].T).view(-1, H, K).transpose(0, 1)
        v = (xkv @ self.w[p + "v.weight"].T).view(-1, H, K).transpose(0, 1)
        s = q @ k.transpose(1, 2)
        if bias is not None:
            s = s + bias
        a = torch.softmax(s, dim=-1) @ v
        return a.transpose(0, 1).reshape(xq.shape[0], H * K) @ self.w[p + "o.weight"].T

    def ff(self, p, x):
        if self.gated:
            h = self.act(x @ self.w[p + "wi_0.weight"].T) * (x @ self.w[p + "wi_1.weight"].T)
        else:
            h = self.act(x @ self.w[p + "wi.weight"].T)
        return h @ self.w[p + "wo.weight"].T

    def encode(self, ids):
        x = self.w["shared.weight"][torch.tensor(ids)]
        n = len(ids)
        pb = self.bias("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", n, n, True)
        for i in range(self.c["num_layers"]):
            p = f"encoder.block.{i}.layer."
            h = self.ln(x, p + "0.layer_norm.weight")
            x = x + self.attn(p + "0.SelfAttention.", h, h, pb)
            x = x + self.ff(p + "1.DenseReluDense.", self.ln(x, p + "1.layer_norm.weight"))
        return self.ln(x, "encoder.final_layer_norm.weight")

    def decode(self, dec_ids, enc):
        x = self.w["shared.weight"][torch.tensor(dec_ids)]
        t = len(dec_ids)
        pb = self.bias("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", t, t, False)
        pb = pb + torch.triu(torch.full((t, t), float("-inf"), dtype=DT), diagonal=1)
        for i in range(self.c["num_decoder_layers"]):
            p = f"decoder.block.{i}.layer."
            h = self.ln(x, p + "0.layer_norm.weight")
            x = x + self.attn(p + "0.SelfAttention.", h, h, pb)
            h = self.ln(x, p + "1.layer_norm.weight")
            x = x + self.attn(p + "1.EncDecAttention.", h, enc, None)
            x = x + self.ff(p + "2.DenseReluDense.", self.ln(x, p + "2.layer_norm.weight"))
        x = self.ln(x, "decoder.final_layer_norm.weight")
        if self.tied:
            x = x * self.c["d_model"] ** -0.5
        head = self.w["shared.weight"] if self.tied else self.w["lm_head.weight"]
        return x @ head.T


# ---- BART (modeling_bart: post-LN, learned positions offset 2, scaled attention) -------------

def make_bart_weights(cfg, gen, eos_boost):
    V, D, F, P = cfg["vocab_size"], cfg["d_model"], cfg["encoder_ffn_dim"], cfg["max_position_embeddings"]

    def r(*shape, s=0.5):
        return (torch.randn(*shape, generator=gen) * s).to(torch.float32)

    w = {"model.shared.weight": r(V, D, s=1.0), "final_logits_bias": r(1, V, s=0.3)}
    for stack, n in (("encoder", cfg["encoder_layers"]), ("decoder", cfg["decoder_layers"])):
        p = f"model.{stack}."
        w[p + "embed_positions.weight"] = r(P + 2, D, s=0.5)
        w[p + "layernorm_embedding.weight"] = (1.0 + r(D, s=0.2)).to(torch.float32)
        w[p + "layernorm_embedding.bias"] = r(D, s=0.1)
        for i in range(n):
            l = f"{p}layers.{i}."
            for a in ["self_attn"] + (["encoder_attn"] if stack == "decoder" else []):
                for m in ("q_proj", "k_proj", "v_proj", "out_proj"):
                    w[f"{l}{a}.{m}.weight"] = r(D, D, s=D ** -0.5)
                    w[f"{l}{a}.{m}.bias"] = r(D, s=0.1)
                w[f"{l}{a}_layer_norm.weight"] = (1.0 + r(D, s=0.2)).to(torch.float32)
                w[f"{l}{a}_layer_norm.bias"] = r(D, s=0.1)
            w[l + "fc1.weight"], w[l + "fc1.bias"] = r(F, D, s=D ** -0.5), r(F, s=0.1)
            w[l + "fc2.weight"], w[l + "fc2.bias"] = r(D, F, s=F ** -0.5), r(D, s=0.1)
            w[l + "final_layer_norm.weight"] = (1.0 + r(D, s=0.2)).to(torch.float32)
            w[l + "final_layer_norm.bias"] = r(D, s=0.1)
    w["final_logits_bias"][0, 2] += eos_boost
    return w


class Bart:
    def __init__(self, cfg, w):
        self.c = cfg
        self.w = {k: v.to(DT) for k, v in w.items()}
        self.scale = math.sqrt(cfg["d_model"]) if cfg.get("scale_embedding") else 1.0

    def ln(self, x, p):
        return torch.nn.functional.layer_norm(x, (x.shape[-1],), self.w[p + ".weight"], self.w[p + ".bias"], 1e-5)

    def lin(self, p, x):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def attn(self, p, xq, xkv, heads, mask=None):
        D = self.c["d_model"]
        hd = D // heads
        q = (self.lin(p + ".q_proj", xq) * hd ** -0.5).view(-1, heads, hd).transpose(0, 1)
        k = self.lin(p + ".k_proj", xkv).view(-1, heads, hd).transpose(0, 1)
        v = self.lin(p + ".v_proj", xkv).view(-1, heads, hd).transpose(0, 1)
        s = q @ k.transpose(1, 2)
        if mask is not None:
            s = s + mask
        a = (torch.softmax(s, -1) @ v).transpose(0, 1).reshape(xq.shape[0], D)
        return self.lin(p + ".out_proj", a)

    def embed(self, ids, stack):
        p = f"model.{stack}."
        x = self.w["model.shared.weight"][torch.tensor(ids)] * self.scale
        x = x + self.w[p + "embed_positions.weight"][torch.arange(len(ids)) + 2]
        return self.ln(x, p + "layernorm_embedding")

    def ff(self, l, x):
        return self.lin(l + "fc2", torch.nn.functional.gelu(self.lin(l + "fc1", x)))

    def encode(self, ids):
        x = self.embed(ids, "encoder")
        for i in range(self.c["encoder_layers"]):
            l = f"model.encoder.layers.{i}."
            x = self.ln(x + self.attn(l + "self_attn", x, x, self.c["encoder_attention_heads"]), l + "self_attn_layer_norm")
            x = self.ln(x + self.ff(l, x), l + "final_layer_norm")
        return x

    def decode(self, dec, enc):
        x = self.embed(dec, "decoder")
        t = len(dec)
        mask = torch.triu(torch.full((t, t), float("-inf"), dtype=DT), diagonal=1)
        H = self.c["decoder_attention_heads"]
        for i in range(self.c["decoder_layers"]):
            l = f"model.decoder.layers.{i}."
            x = self.ln(x + self.attn(l + "self_attn", x, x, H, mask), l + "self_attn_layer_norm")
            x = self.ln(x + self.attn(l + "encoder_attn", x, enc, H), l + "encoder_attn_layer_norm")
            x = self.ln(x + self.ff(l, x), l + "final_layer_norm")
        return x @ self.w["model.shared.weight"].T + self.w["final_logits_bias"][0]


# ---- generate() semantics ------------------------------------------------------------------

def process(seq, scores, g, max_length):
    """The logits processors generate() builds from g, in its order, on one hypothesis."""
    eos = g["eos"]
    n = g.get("no_repeat_ngram_size", 0)
    if n and len(seq) + 1 >= n:
        prev = tuple(seq[len(seq) - n + 1:])
        for i in range(len(seq) - n + 1):
            if tuple(seq[i:i + n - 1]) == prev:
                scores[seq[i + n - 1]] = float("-inf")
    for bw in g.get("bad_words_ids", []):
        if len(bw) == 1 and bw[0] in eos:
            continue
        if len(bw) == 1 or (len(seq) >= len(bw) - 1 and seq[len(seq) - len(bw) + 1:] == bw[:-1]):
            scores[bw[-1]] = float("-inf")
    if len(seq) < g.get("min_length", 0):
        for e in eos:
            scores[e] = float("-inf")
    if len(seq) - 1 < g.get("min_new_tokens", 0):
        for e in eos:
            scores[e] = float("-inf")
    if g.get("forced_bos_token_id") is not None and len(seq) == 1:
        scores[:] = float("-inf")
        scores[g["forced_bos_token_id"]] = 0
    if g.get("forced_eos_token_id") is not None and len(seq) == max_length - 1:
        scores[:] = float("-inf")
        scores[g["forced_eos_token_id"]] = 0
    return scores


def greedy(m, src, g):
    enc = m.encode(src)
    seq = [g["start"]]
    while True:
        logits = m.decode(seq, enc)[-1].clone()
        tok = int(torch.argmax(process(seq, logits, g, g["max_length"])))
        seq.append(tok)
        if tok in g["eos"] or len(seq) >= g["max_length"]:
            return seq[1:]


def beam(m, src, g):
    """generate()'s beam search (transformers >= 4.50: running and finished beams as tensors)."""
    enc = m.encode(src)
    nb, lp, es, ml = g["num_beams"], g.get("length_penalty", 1.0), g.get("early_stopping", False), g["max_length"]
    keep = max(2, 1 + len(g["eos"])) * nb
    running = [[g["start"]] for _ in range(nb)]
    run_scores = torch.full((nb,), NEG, dtype=DT)
    run_scores[0] = 0
    fin = [[g["start"]] for _ in range(nb)]
    fin_scores = torch.full((nb,), NEG, dtype=DT)
    fin_done = [False] * nb
    unsat = True
    cur = 1
    while True:
        lps = []
        for b in range(nb):
            logits = m.decode(running[b], enc)[-1]
            lps.append(process(running[b], torch.log_softmax(logits, -1).clone(), g, ml))
        allp = (torch.stack(lps) + run_scores[:, None]).reshape(-1)
        V = lps[0].shape[0]
        top, idx = torch.topk(allp, keep)
        cands = [running[int(i) // V] + [int(i) % V] for i in idx]
        hits = torch.tensor([c[-1] in g["eos"] or len(c) >= ml for c in cands])
        pen = top + hits.to(DT) * NEG
        nxt = torch.topk(pen, nb)[1]
        new_running = [cands[int(i)] for i in nxt]
        new_scores = pen[nxt]
        # finished: top-nb ranks that hit a stop, length-penalised, merged with the kept ones
        fs = top / ((cur + 1 - 1) ** lp)
        if all(fin_done) and es is True:
            fs = fs + NEG
        if not unsat:
            fs = fs + NEG
        top_mask = torch.tensor([k < nb for k in range(keep)])
        just = hits & top_mask
        fs = fs + (~just).to(DT) * NEG
        merged_s = torch.cat([fin_scores, fs])
        merged_q = fin + cands
        merged_d = fin_done + [bool(x) for x in just]
        sel = torch.topk(merged_s, nb)[1]
        fin = [merged_q[int(i)] for i in sel]
        fin_scores = merged_s[sel]
        fin_done = [merged_d[int(i)] for i in sel]
        running, run_scores = new_running, new_scores
        cur += 1
        best_len = (ml - 1) if (es == "never" and lp > 0) else (cur - 1)
        best_possible = run_scores[0] / (best_len ** lp)
        worst = [float(fin_scores.min()) if d else NEG for d in fin_done]
        unsat = unsat and any(best_possible > w for w in worst)
        if not (unsat and not (all(fin_done) and es is True) and not bool(hits.all())):
            break
    best = fin[0]
    return best[1:]


def fixture(out, name, cfg, seed, cases, eos_boost, tokenizer_dir=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    bart = cfg["model_type"] == "bart"
    eos, start = (2, 2) if bart else (1, 0)
    w = (make_bart_weights if bart else make_weights)(cfg, gen, eos_boost)
    write_safetensors(os.path.join(d, "model.safetensors"), w)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    if tokenizer_dir:
        shutil.copy(os.path.join(tokenizer_dir, "tokenizer.json"), d)
        return
    m = Bart(cfg, w) if bart else T5(cfg, w)
    V = cfg["vocab_size"]
    src = [int(x) for x in torch.randint(3, V, (11,), generator=gen)] + [eos]
    dec = [start] + [int(x) for x in torch.randint(3, V, (7,), generator=gen)]
    enc = m.encode(src)
    logits = m.decode(dec, enc)
    write_safetensors(os.path.join(d, "ref.safetensors"), {
        "enc_ids": torch.tensor(src, dtype=torch.int32), "dec_ids": torch.tensor(dec, dtype=torch.int32),
        "encoder_hidden": enc.to(torch.float32), "logits": logits.to(torch.float32)})
    ref = []
    for i, g in enumerate(cases):
        s = [int(x) for x in torch.randint(3, V, (5 + 3 * i % 9,), generator=gen)] + [eos]
        g = dict(g, eos=[eos], start=start)
        if g.get("forced_eos_token_id") is not None:
            g["forced_eos_token_id"] = eos
        outp = greedy(m, s, g) if g.get("num_beams", 1) == 1 else beam(m, s, g)
        params = {k: v for k, v in g.items() if k not in ("eos", "start")}
        ref.append({"input_ids": s, "params": params, "output_ids": outp})
    with open(os.path.join(d, "ref.json"), "w") as f:
        json.dump(ref, f, indent=1)


def base_cfg(**kw):
    c = {"architectures": ["T5ForConditionalGeneration"], "model_type": "t5", "vocab_size": 96, "d_model": 32,
         "d_kv": 8, "d_ff": 48, "num_layers": 2, "num_decoder_layers": 3, "num_heads": 4,
         "relative_attention_num_buckets": 8, "relative_attention_max_distance": 20,
         "layer_norm_epsilon": 1e-6, "feed_forward_proj": "relu", "tie_word_embeddings": True,
         "pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0}
    c.update(kw)
    return c


CASES = [
    {"max_length": 12},
    {"max_length": 16, "no_repeat_ngram_size": 2},
    {"max_length": 14, "min_length": 6, "bad_words_ids": [[5], [7, 8]]},
    {"max_length": 10, "forced_bos_token_id": 9, "forced_eos_token_id": 1},
    {"num_beams": 3, "max_length": 14},
    {"num_beams": 4, "max_length": 16, "length_penalty": 2.0, "early_stopping": False},
    {"num_beams": 4, "max_length": 16, "length_penalty": 0.5, "early_stopping": True},
    {"num_beams": 2, "max_length": 18, "no_repeat_ngram_size": 3, "early_stopping": "never"},
    {"num_beams": 3, "max_length": 12, "length_penalty": -1.0, "min_length": 5, "bad_words_ids": [[4]]},
    {"num_beams": 5, "max_length": 15, "forced_bos_token_id": 11, "forced_eos_token_id": 1},
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    e2e_only = len(sys.argv) > 2 and sys.argv[2] == "e2e"
    # v1.0: ReLU, tied head (scaled by d_model^-0.5); v1.1/Flan: gated-GELU, untied head.
    if not e2e_only:
        fixture(out, "t5_relu_tied", base_cfg(), 1, CASES, 3.0)
        fixture(out, "t5_gated_untied", base_cfg(feed_forward_proj="gated-gelu", tie_word_embeddings=False,
                                                 num_decoder_layers=2), 2, CASES, 1.2)
        fixture(out, "bart_tiny", {
            "architectures": ["BartForConditionalGeneration"], "model_type": "bart", "vocab_size": 96, "d_model": 32,
            "encoder_layers": 2, "decoder_layers": 2, "encoder_attention_heads": 4, "decoder_attention_heads": 4,
            "encoder_ffn_dim": 48, "decoder_ffn_dim": 48, "max_position_embeddings": 64, "scale_embedding": True,
            "activation_function": "gelu", "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
            "decoder_start_token_id": 2}, 4, CASES, 1.0)
    shared = os.environ.get("HUBD_SHARED_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                "../../../../shared")
    tok = os.path.join(shared, "tokenizers/t5-small")
    if os.path.isfile(os.path.join(tok, "tokenizer.json")):
        cfg = base_cfg(vocab_size=32128, d_model=16, d_kv=4, d_ff=24, num_layers=1, num_decoder_layers=1,
                       n_positions=512, task_specific_params={
                           "summarization": {"early_stopping": True, "length_penalty": 2.0, "max_length": 24,
                                             "min_length": 4, "no_repeat_ngram_size": 3, "num_beams": 4,
                                             "prefix": "summarize: "},
                           "translation_en_to_de": {"early_stopping": True, "max_length": 20, "num_beams": 2,
                                                    "prefix": "translate English to German: "},
                           "translation_en_to_fr": {"early_stopping": True, "max_length": 6, "num_beams": 3,
                                                    "prefix": "translate English to French: "}})
        fixture(out, "t5_e2e", cfg, 3, [], 4.0, tok)
    with open(os.path.join(out, "stamp"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main()
