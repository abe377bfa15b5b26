#!/usr/bin/python3
"""Writes a random Llama-shaped model (config.json + model.safetensors) for the decode
benchmark. Usage: make_random_llama.py OUT_DIR HIDDEN LAYERS HEADS KV_HEADS INTERMEDIATE VOCAB [DTYPE]
DTYPE: f32 (default) or bf16 (every tensor stored BF16, as most real checkpoints are; the
values are the f32 ones rounded to nearest even, so both dtypes hold the same model)."""
import json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import random_safetensors  # noqa: E402

out = sys.argv[1]
H, L, nh, kv, I, V = map(int, sys.argv[2:8])
dtype = sys.argv[8] if len(sys.argv) > 8 else "f32"
hd = H // nh
rng = np.random.default_rng(0)
T = {"model.embed_tokens.weight": (V, H), "model.norm.weight": (H,), "lm_head.weight": (V, H)}
for i in range(L):
    p = f"model.layers.{i}."
    T.update({p + "input_layernorm.weight": (H,), p + "post_attention_layernorm.weight": (H,),
              p + "self_attn.q_proj.weight": (nh * hd, H), p + "self_attn.k_proj.weight": (kv * hd, H),
              p + "self_attn.v_proj.weight": (kv * hd, H), p + "self_attn.o_proj.weight": (H, nh * hd),
              p + "mlp.gate_proj.weight": (I, H), p + "mlp.up_proj.weight": (I, H), p + "mlp.down_proj.weight": (H, I)})


def make(k, s):
    if k.endswith("norm.weight"):
        return np.ones(s, np.float32)
    return rng.standard_normal(s, dtype=np.float32) * (1.0 / np.sqrt(s[-1]))


os.makedirs(out, exist_ok=True)
random_safetensors.write(out + "/model.safetensors", T, make, dtype)
json.dump({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": V, "hidden_size": H,
           "intermediate_size": I, "num_hidden_layers": L, "num_attention_heads": nh, "num_key_value_heads": kv,
           "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
           "tie_word_embeddings": False}, open(out + "/config.json", "w"))
