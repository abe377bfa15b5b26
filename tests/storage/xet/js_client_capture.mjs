// The real JS client (@huggingface/hub uploadFiles, tests/node_modules) uploading files through
// Xet to a stand-in hub that records what it sends: every xorb and shard body, as the client
// wrote them (its own chunker, LZ4 and BG4 writers, shard writer). The C++ test then checks
// hubd's parsers accept them and that they describe the files exactly.
// usage: [DEDUP_REPLY=file] node js_client_capture.mjs NODE_MODULES_DIR OUT_DIR FILE...
// With DEDUP_REPLY, every dedup query (GET /v1/chunks/…) is answered 200 with that file's bytes
// (a shard hubd wrote), else 404.
// writes OUT_DIR/xorb-<xhex> and OUT_DIR/shard-<n>; prints "xorb <xhex> <bytes>",
// "shard <n> <bytes>", "file <name> <sha256>" lines and "calls <METHOD path>..." for the log.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import crypto from "node:crypto";
import { pathToFileURL } from "node:url";

const [modules, outDir, ...files] = process.argv.slice(2);
const hub = await import(pathToFileURL(path.join(modules, "@huggingface/hub/dist/index.mjs")).href);

const calls = [];
let shards = 0;
const read = (req) =>
  new Promise((resolve, reject) => {
    const parts = [];
    req.on("data", (d) => parts.push(d));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  calls.push(`${req.method} ${p.replace(/[0-9a-f]{64}/g, "<hash>")}`);
  const body = await read(req);
  const base = `http://127.0.0.1:${server.address().port}`;
  const json = (status, obj, headers = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(obj));
  };
  const token = { accessToken: "capture-token", exp: Math.floor(Date.now() / 1000) + 3600, casUrl: `${base}/cas` };
  const tokenHeaders = {
    "X-Xet-Cas-Url": token.casUrl,
    "X-Xet-Access-Token": token.accessToken,
    "X-Xet-Token-Expiration": String(token.exp),
  };
  let m;
  if (req.method === "POST" && /\/preupload\//.test(p)) {
    const files = JSON.parse(body).files.map((f) => ({ path: f.path, uploadMode: "lfs", shouldIgnore: false }));
    return json(200, { files, commitOid: "0".repeat(40) });
  }
  if (req.method === "POST" && p.endsWith(".git/info/lfs/objects/batch")) {
    const reqBody = JSON.parse(body);
    const href = `${base}/api/models/capture/repo/xet-write-token/main`;
    const objects = reqBody.objects.map((o) => ({ oid: o.oid, size: o.size, actions: { upload: { href, header: tokenHeaders } } }));
    return json(200, { transfer: "xet", objects }, { "Content-Type": "application/vnd.git-lfs+json" });
  }
  if (req.method === "GET" && /\/xet-write-token\//.test(p)) return json(200, token, tokenHeaders);
  if (req.method === "GET" && p.startsWith("/cas/v1/chunks/")) {
    if (!process.env.DEDUP_REPLY) return json(404, { error: "not found" });
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    return res.end(fs.readFileSync(process.env.DEDUP_REPLY));
  }
  if (req.method === "POST" && (m = p.match(/^\/cas\/v1\/xorbs\/default\/([0-9a-f]{64})$/))) {
    fs.writeFileSync(path.join(outDir, `xorb-${m[1]}`), body);
    console.log(`xorb ${m[1]} ${body.length}`);
    return json(200, { was_inserted: true });
  }
  if (req.method === "POST" && p === "/cas/v1/shards") {
    const n = shards++;
    fs.writeFileSync(path.join(outDir, `shard-${n}`), body);
    console.log(`shard ${n} ${body.length}`);
    return json(200, { result: 1 });
  }
  if (req.method === "POST" && p.startsWith("/cas/v1/telemetry")) return json(200, {});
  if (req.method === "POST" && /\/commit\//.test(p)) return json(200, { commitOid: "1".repeat(40), commitUrl: `${base}/c` });
  return json(404, { error: `unexpected ${req.method} ${p}` });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const hubUrl = `http://127.0.0.1:${server.address().port}`;

try {
  await hub.uploadFiles({
    repo: { type: "model", name: "capture/repo" },
    accessToken: "hf_capture",
    hubUrl,
    files: files.map((f) => ({ path: path.basename(f), content: new Blob([fs.readFileSync(f)]) })),
    useWebWorkers: false,
  });
  for (const f of files) {
    const sha = crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
    console.log(`file ${path.basename(f)} ${sha}`);
  }
  console.log(`calls ${calls.join(" | ")}`);
} finally {
  server.close();
}
