#!/usr/bin/python3
"""PyTorch side of bench/inference/run.sh: the same BERT-family encoder forward (post-LN,
GELU, masked attention) in float32 with torch.set_num_threads(N), random weights.
Prints CASE lines like encoder_bench."""
import math
import sys
import time

import torch
import torch.nn.functional as F


def make(h, layers, inter, g):
    def lin(i, o):
        return (torch.randn(o, i, generator=g) * 0.02, torch.randn(o, generator=g) * 0.02)
    def norm(d):
        return (torch.ones(d), torch.zeros(d))
    W = {"wte": torch.randn(30522, h, generator=g) * 0.02, "wpe": torch.randn(512, h, generator=g) * 0.02,
         "wtt": torch.randn(2, h, generator=g) * 0.02, "eln": norm(h), "layers": []}
    for _ in range(layers):
        W["layers"].append({"q": lin(h, h), "k": lin(h, h), "v": lin(h, h), "o": lin(h, h),
                            "ln1": norm(h), "i": lin(h, inter), "o2": lin(inter, h), "ln2": norm(h)})
    return W


def forward(W, ids, types, mask, n_head):
    B, S = ids.shape
    x = W["wte"][ids] + W["wpe"][torch.arange(S)][None] + W["wtt"][types]
    H = W["wte"].shape[1]  # a Python int, so torch.onnx.export can trace the layer norms
    x = F.layer_norm(x, (H,), *W["eln"], 1e-12)
    ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    d = H // n_head
    for L in W["layers"]:
        def split(t):
            return t.view(B, S, n_head, d).permute(0, 2, 1, 3)
        q, k, v = split(F.linear(x, *L["q"])), split(F.linear(x, *L["k"])), split(F.linear(x, *L["v"]))
        p = (q @ k.transpose(-1, -2) / math.sqrt(d) + ext).softmax(-1)
        ctx = (p @ v).permute(0, 2, 1, 3).reshape(B, S, H)
        a = F.layer_norm(F.linear(ctx, *L["o"]) + x, (H,), *L["ln1"], 1e-12)
        x = F.layer_norm(F.linear(F.gelu(F.linear(a, *L["i"])), *L["o2"]) + a, (H,), *L["ln2"], 1e-12)
    return x


def cases():
    """(name, n_head, W, batch, ids) for every case, in run order. onnx_export.py walks the same
    sequence, so the ONNX models and inputs are these very weights and token ids."""
    g = torch.Generator().manual_seed(42)
    for name, h, layers, nh, inter in (("bert-base", 768, 12, 12, 3072), ("minilm-l6", 384, 6, 12, 1536)):
        W = make(h, layers, inter, g)
        for batch in (1, 8):
            yield name, nh, W, batch, torch.randint(100, 30100, (batch, 128), generator=g)


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    for name, nh, W, batch, ids in cases():
        types = torch.zeros_like(ids)
        mask = torch.ones_like(ids)
        with torch.inference_mode():
            forward(W, ids, types, mask, nh)
            times = []
            for _ in range(10 if batch == 1 else 4):
                t0 = time.perf_counter()
                forward(W, ids, types, mask, nh)
                times.append((time.perf_counter() - t0) * 1000)
        # Best of N, as encoder_bench: the least disturbed run on a shared machine.
        print("CASE %s batch=%d seq=128 ms=%.2f" % (name, batch, min(times)), flush=True)


if __name__ == "__main__":
    main()
