#!/usr/bin/python3
"""Writes a random Llama-shaped model (config.json + model.safetensors) for the decode
benchmark. Usage: make_random_llama.py OUT_DIR HIDDEN LAYERS HEADS KV_HEADS INTERMEDIATE VOCAB [DTYPE]
DTYPE: f32 (default) or bf16 (every tensor stored BF16, as most real checkpoints are; the
values are the f32 ones rounded to nearest even, so both dtypes hold the same model)."""
import json, os, struct, sys
import numpy as np

out = sys.argv[1]
H, L, nh, kv, I, V = map(int, sys.argv[2:8])
dtype = sys.argv[8] if len(sys.argv) > 8 else "f32"
assert dtype in ("f32", "bf16"), "DTYPE must be f32 or bf16"
esize = 4 if dtype == "f32" else 2


def to_bytes(a):
    if dtype == "f32":
        return a.astype(np.float32).tobytes()
    u = a.astype(np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16).tobytes()  # round to nearest even

hd = H // nh
rng = np.random.default_rng(0)
T = {"model.embed_tokens.weight": (V, H), "model.norm.weight": (H,), "lm_head.weight": (V, H)}
for i in range(L):
    p = f"model.layers.{i}."
    T.update({p + "input_layernorm.weight": (H,), p + "post_attention_layernorm.weight": (H,),
              p + "self_attn.q_proj.weight": (nh * hd, H), p + "self_attn.k_proj.weight": (kv * hd, H),
              p + "self_attn.v_proj.weight": (kv * hd, H), p + "self_attn.o_proj.weight": (H, nh * hd),
              p + "mlp.gate_proj.weight": (I, H), p + "mlp.up_proj.weight": (I, H), p + "mlp.down_proj.weight": (H, I)})
header, off = {}, 0
for k, s in T.items():
    n = int(np.prod(s)) * esize
    header[k] = {"dtype": "F32" if dtype == "f32" else "BF16", "shape": list(s), "data_offsets": [off, off + n]}
    off += n
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
os.makedirs(out, exist_ok=True)
with open(out + "/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for k, s in T.items():
        scale = 1.0 if k.endswith("norm.weight") else 1.0 / np.sqrt(s[-1])
        a = (rng.standard_normal(s, dtype=np.float32) * scale) if not k.endswith("norm.weight") else np.ones(s, np.float32)
        f.write(to_bytes(a))
json.dump({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": V, "hidden_size": H,
           "intermediate_size": I, "num_hidden_layers": L, "num_attention_heads": nh, "num_key_value_heads": kv,
           "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
           "tie_word_embeddings": False}, open(out + "/config.json", "w"))
