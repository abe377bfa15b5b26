#!/usr/bin/env python3
"""Slow and greedy HTTP clients for security_http_test.sh (issue 14, finding 6). Each mode opens
N raw TCP connections from a chosen source address (any 127.x.y.z is this machine, so one host
plays many clients) and misbehaves for a while, then prints one JSON line of what it saw.

  upload-pack HOSTPORT SRC N SECONDS PATH SHA   valid want + flush, ~70 KiB of haves, then one have/s
  download    HOSTPORT SRC N SECONDS PATH       GET a large file and never read the body
  slowloris   HOSTPORT SRC N SECONDS            send a request header one byte per second
  idle        HOSTPORT SRC N                    open N connections; count those refused with 429
  trickle     HOSTPORT SRC SECONDS PATH SHA     like upload-pack, one connection; report when the
                                                server dropped it (seconds after the preload)
"""
import json
import socket
import sys
import threading
import time


def connect(hostport, src):
    host, port = hostport.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: downloads stall fast
    s.bind((src, 0))
    s.settimeout(10)
    s.connect((host, int(port)))
    return s


def pkt(line):
    return b"%04x" % (len(line) + 4) + line


def upload_pack_preload(path, sha, hostport):
    body = pkt(b"want " + sha.encode() + b"\n") + b"0000"
    haves = b"".join(pkt(b"have %040x\n" % i) for i in range(1, 1600))  # ~ 72 KiB, past the pre-read
    head = (
        "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-git-upload-pack-request\r\n"
        "Content-Length: 100000000\r\n\r\n" % (path, hostport)
    ).encode()
    return head + body + haves


def hold_upload_pack(hostport, src, seconds, path, sha, out, idx):
    try:
        s = connect(hostport, src)
        s.sendall(upload_pack_preload(path, sha, hostport))
        t0 = time.time()
        i = 0x100000
        while time.time() - t0 < seconds:
            s.sendall(pkt(b"have %040x\n" % i))
            i += 1
            time.sleep(1)
        out[idx] = "held"
    except OSError as e:
        out[idx] = "dropped:" + type(e).__name__
    finally:
        try:
            s.close()
        except Exception:
            pass


def hold_download(hostport, src, seconds, path, out, idx):
    try:
        s = connect(hostport, src)
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, hostport)).encode())
        s.recv(64)  # the status line arrived: the server is sending
        time.sleep(seconds)
        out[idx] = "held"
        s.close()
    except OSError as e:
        out[idx] = "dropped:" + type(e).__name__


def hold_slowloris(hostport, src, seconds, out, idx):
    req = ("GET /api/health HTTP/1.1\r\nHost: %s\r\nX-Pad: " % hostport).encode() + b"a" * 10000
    try:
        s = connect(hostport, src)
        t0 = time.time()
        for b in req:
            if time.time() - t0 > seconds:
                break
            s.send(bytes([b]))
            time.sleep(1)
        out[idx] = "held"
        s.close()
    except OSError as e:
        out[idx] = "dropped:" + type(e).__name__


def run_threads(target, n, *args):
    out = [None] * n
    ts = [threading.Thread(target=target, args=args + (out, i), daemon=True) for i in range(n)]
    for t in ts:
        t.start()
        time.sleep(0.01)
    for t in ts:
        t.join()
    return out


def summary(out):
    d = {}
    for o in out:
        d[o] = d.get(o, 0) + 1
    return d


def main():
    mode, hostport, src = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "upload-pack":
        n, secs, path, sha = int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
        print(json.dumps(summary(run_threads(hold_upload_pack, n, hostport, src, secs, path, sha))))
    elif mode == "download":
        n, secs, path = int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
        print(json.dumps(summary(run_threads(hold_download, n, hostport, src, secs, path))))
    elif mode == "slowloris":
        n, secs = int(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(summary(run_threads(hold_slowloris, n, hostport, src, secs))))
    elif mode == "idle":
        n = int(sys.argv[4])
        socks, refused, open_ = [], 0, 0
        for _ in range(n):
            s = connect(hostport, src)
            socks.append(s)
        time.sleep(0.5)
        for s in socks:
            s.setblocking(False)
            try:
                data = s.recv(200)
                if data.startswith(b"HTTP/1.1 429"):
                    refused += 1
                else:
                    open_ += 1
            except BlockingIOError:
                open_ += 1
        # The ones still open must still be served.
        served = 0
        for s in socks:
            s.setblocking(True)
            try:
                s.sendall(("GET /api/health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % hostport).encode())
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    served += 1
            except OSError:
                pass
        print(json.dumps({"open": open_, "refused": refused, "served": served}))
    elif mode == "trickle":
        secs, path, sha = float(sys.argv[4]), sys.argv[5], sys.argv[6]
        s = connect(hostport, src)
        s.sendall(upload_pack_preload(path, sha, hostport))
        t0 = time.time()
        i = 0x200000
        dropped = None
        while time.time() - t0 < secs:
            try:
                s.sendall(pkt(b"have %040x\n" % i))
                s.setblocking(False)
                try:
                    s.recv(4096)  # an answer (the server's 4xx) or EOF: it gave up on us
                    dropped = time.time() - t0
                    break
                except BlockingIOError:
                    pass
                s.setblocking(True)
            except OSError:
                dropped = time.time() - t0
                break
            i += 1
            time.sleep(1)
        print(json.dumps({"dropped_after": dropped}))


if __name__ == "__main__":
    main()
