#!/usr/bin/env python3
"""A webhook receiver for webhooks_test.sh: listens on 127.0.0.1 (a free port, written to
PORT_FILE), appends one JSON line per request to LOG_FILE ({path, secret, body, status}) and
answers 200, except under /flaky/: the first request to each such path gets a 500."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file = sys.argv[1], sys.argv[2]
seen = {}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        count = seen.get(self.path, 0)
        seen[self.path] = count + 1
        status = 500 if self.path.startswith("/flaky/") and count == 0 else 200
        with open(log_file, "a") as f:
            f.write(json.dumps({"path": self.path, "secret": self.headers.get("X-Webhook-Secret"),
                                "contentType": self.headers.get("Content-Type"), "body": body,
                                "status": status}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
