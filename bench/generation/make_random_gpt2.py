#!/usr/bin/python3
"""Writes a random GPT-2-shaped model (config.json + model.safetensors, f32, Conv1D [in, out]
layout, tied lm_head) for the decode benchmark.
Usage: make_random_gpt2.py OUT_DIR HIDDEN LAYERS HEADS VOCAB POSITIONS"""
import json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import random_safetensors  # noqa: E402

out = sys.argv[1]
H, L, nh, V, P = map(int, sys.argv[2:7])
rng = np.random.default_rng(0)
T = {"transformer.wte.weight": (V, H), "transformer.wpe.weight": (P, H)}
for i in range(L):
    p = f"transformer.h.{i}."
    T.update({p + "ln_1.weight": (H,), p + "ln_1.bias": (H,), p + "ln_2.weight": (H,), p + "ln_2.bias": (H,),
              p + "attn.c_attn.weight": (H, 3 * H), p + "attn.c_attn.bias": (3 * H,),
              p + "attn.c_proj.weight": (H, H), p + "attn.c_proj.bias": (H,),
              p + "mlp.c_fc.weight": (H, 4 * H), p + "mlp.c_fc.bias": (4 * H,),
              p + "mlp.c_proj.weight": (4 * H, H), p + "mlp.c_proj.bias": (H,)})
T.update({"transformer.ln_f.weight": (H,), "transformer.ln_f.bias": (H,)})


def make(k, s):
    if k.endswith("ln_1.weight") or k.endswith("ln_2.weight") or k.endswith("ln_f.weight"):
        return np.ones(s, np.float32)
    if len(s) == 1:
        return rng.standard_normal(s, dtype=np.float32) * 0.02
    # unit-variance activations, so greedy ids vary and a mismatch would show
    return rng.standard_normal(s, dtype=np.float32) / np.sqrt(s[0] if "c_" in k else 1.0)


os.makedirs(out, exist_ok=True)
random_safetensors.write(out + "/model.safetensors", T, make)
json.dump({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": V, "n_embd": H,
           "n_layer": L, "n_head": nh, "n_positions": P, "n_ctx": P, "n_inner": None,
           "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "tie_word_embeddings": True,
           "bos_token_id": 50256, "eos_token_id": 50256}, open(out + "/config.json", "w"))
