"""Streams a random model.safetensors for the decode benchmark's model makers: the header from
the tensors' shapes, then each tensor generated and written one at a time (a 4.4 GB model
never sits in memory whole). write(path, shapes, make, dtype): shapes = {name: shape} in file
order, make(name, shape) -> float32 numpy array, dtype "f32" or "bf16" (rounded to nearest even)."""
import json, struct
import numpy as np


def to_bytes(a, dtype):
    if dtype == "f32":
        return a.astype(np.float32).tobytes()
    u = a.astype(np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16).tobytes()


def write(path, shapes, make, dtype="f32"):
    assert dtype in ("f32", "bf16"), "dtype must be f32 or bf16"
    esize, code = (4, "F32") if dtype == "f32" else (2, "BF16")
    header, off = {}, 0
    for k, s in shapes.items():
        n = int(np.prod(s)) * esize
        header[k] = {"dtype": code, "shape": list(s), "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for k, s in shapes.items():
            f.write(to_bytes(make(k, s), dtype))
