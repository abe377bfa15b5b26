#!/usr/bin/python3
"""Writes tiny random Llama-family decoders whose checkpoints store BF16 (as most real ones
do), plus reference logits. Usage: make_bf16_fixtures.py OUT_DIR

For each model, OUT_DIR/<name>/ holds config.json, model.safetensors (every tensor BF16:
matrices, embedding, norms, biases; torch.bfloat16 bits written by hand, the safetensors
package is not installed) and ref.safetensors: `ids` (I32, [T]) and `logits` (F32, [T, vocab])
from make_decoder_fixtures.forward (float64 torch, transformers' Llama/Qwen2 semantics) over
the bf16 weights upcast exactly — what PyTorch computes running those bf16 weights in a wider
float. OUT_DIR/<name>_f32/ holds the same (bf16-representable) values stored as F32, so a test
can compare memory use and logits of the two loads.
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_decoder_fixtures as mdf  # noqa: E402


def write(path, tensors, dtype):
    """dtype "BF16" or "F32" for float tensors; I32 tensors stay I32."""
    float_type = torch.bfloat16 if dtype == "BF16" else torch.float32
    mdf.write_safetensors(path, {k: v.to(float_type) if v.is_floating_point() else v for k, v in tensors.items()})


def make(out, name, cfg, seed, n_ids):
    # Reuse make_decoder_fixtures' random init (its make() writes F32); round to bf16 here.
    tmp = os.path.join(out, ".tmp_" + name)
    mdf.make(out, ".tmp_" + name, cfg, seed, n_ids)
    W = load_f32(os.path.join(tmp, "model.safetensors"))
    W = {k: v.to(torch.bfloat16).float() for k, v in W.items()}  # the values a bf16 checkpoint holds
    torch.manual_seed(seed + 100)
    ids = torch.randint(0, cfg["vocab_size"], (n_ids,), dtype=torch.int32)
    logits = mdf.forward(cfg, W, ids.tolist())
    for suffix, dtype in (("", "BF16"), ("_f32", "F32")):
        d = os.path.join(out, name + suffix)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        write(os.path.join(d, "model.safetensors"), W, dtype)
        write(os.path.join(d, "ref.safetensors"), {"ids": ids, "logits": logits.float()}, "F32")
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


def load_f32(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in h.items():
        a, b = v["data_offsets"]
        out[k] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).view(v["shape"])
    return out


def main():
    out = sys.argv[1]
    base = {"rms_norm_eps": 1e-5, "hidden_act": "silu", "max_position_embeddings": 64,
            "bos_token_id": 1, "eos_token_id": 2}
    # Ragged sizes on purpose: hidden 48, intermediate 80, vocab 97 are not multiples of the
    # kernels' 16-lane vectors or row blocks.
    make(out, "llama_gqa_bf16", dict(base, model_type="llama", architectures=["LlamaForCausalLM"],
         vocab_size=97, hidden_size=48, intermediate_size=80, num_hidden_layers=3,
         num_attention_heads=6, num_key_value_heads=2, rope_theta=10000.0, tie_word_embeddings=False,
         rope_scaling=None), 11, 37)
    make(out, "qwen2_bias_bf16", dict(base, model_type="qwen2", architectures=["Qwen2ForCausalLM"],
         vocab_size=80, hidden_size=32, intermediate_size=72, num_hidden_layers=2,
         num_attention_heads=4, num_key_value_heads=2, rope_theta=1000000.0, tie_word_embeddings=True,
         use_sliding_window=False, sliding_window=4096, rope_scaling=None), 12, 37)


if __name__ == "__main__":
    main()
