#!/usr/bin/python3
"""The anchor for bench/inference_api: a minimal Python HTTP server (http.server + torch)
running the same model with the same tokenization and text-classification post-processing
(softmax, labels sorted by score, the doubly nested list), one request at a time per thread.

Usage: /usr/bin/python3 torch_server.py MODEL_DIR PORT
"""
import json
import os
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import demo_model as dm  # noqa: E402  (the model definition and tokenizer the demo uses)


def load(model_dir):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    dm.H, dm.LAYERS, dm.HEADS = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]
    dm.INTER, dm.MAXPOS = cfg["intermediate_size"], cfg["max_position_embeddings"]
    model = dm.Bert()
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {k: torch.frombuffer(bytearray(data[v["data_offsets"][0]:v["data_offsets"][1]]), dtype=torch.float32)
               .reshape(v["shape"]) for k, v in header.items() if k != "__metadata__"}
    with torch.no_grad():
        for hf_name, t in dm.hf_params(model).items():
            t.copy_(tensors[hf_name])
    model.eval()
    return model, [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))]


def main():
    model_dir, port = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(os.cpu_count() or 1)
    model, labels = load(model_dir)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
        disable_nagle_algorithm = True  # headers and body go out in two writes
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            ids = dm.encode(body["inputs"])
            with torch.no_grad():
                probs = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long)).softmax(-1)[0]
            out = [[{"label": labels[i], "score": float(probs[i])} for i in probs.argsort(descending=True).tolist()]]
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
