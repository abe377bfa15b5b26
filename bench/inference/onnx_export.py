#!/usr/bin/python3
"""ONNX side of bench/inference/run.sh: exports torch_encoder.py's models (the same weights, via
torch_encoder.cases()) with torch.onnx.export (opset 14, dynamic batch axis) to
OUT/<model>.onnx, and each case's token ids (int64, raw) and the torch output (float32, raw) to
OUT/<model>_b<batch>.ids / .ref, for ort_bench.mjs to time and check.
Usage: onnx_export.py OUT_DIR"""
import os
import sys

import torch

import torch_encoder


class Encoder(torch.nn.Module):
    def __init__(self, W, n_head):
        super().__init__()
        self.W, self.n_head = W, n_head

    def forward(self, ids, types, mask):
        return torch_encoder.forward(self.W, ids, types, mask, self.n_head)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, nh, W, batch, ids in torch_encoder.cases():
        m = Encoder(W, nh).eval()
        args = (ids, torch.zeros_like(ids), torch.ones_like(ids))
        path = os.path.join(out, name + ".onnx")
        if batch == 1:
            names = ["input_ids", "token_type_ids", "attention_mask"]
            torch.onnx.export(m, args, path, opset_version=14, input_names=names,
                              output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch"} for n in names + ["last_hidden_state"]})
        with torch.inference_mode():
            ref = m(*args)
        stem = os.path.join(out, "%s_b%d" % (name, batch))
        ids.numpy().astype("int64").tofile(stem + ".ids")
        ref.numpy().astype("float32").tofile(stem + ".ref")
        print("exported %s batch=%d" % (name, batch), flush=True)


if __name__ == "__main__":
    main()
