// A protocol-level client making hf_xet's calls in hf_xet's order (XET.md §1.1, §1.2), since
// hf_xet itself cannot be installed here: chunking and hashing with xet-core's own WebAssembly
// build (vendored in @huggingface/hub, so the test does not trust hubd's hashing), xorbs and
// shards written per XET.md §3, commit by sha256, download through ranged v2 reconstructions
// and signed xorb ranges; then the attacks of issue 16. Driven by xet_test.sh.
// env: HUB_URL, ALICE, BOB (write tokens), MODULES (tests/node_modules), FILE1, FILE2.
// Prints PASS/FAIL lines; exits 1 on any FAIL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { pathToFileURL } from "node:url";

const hubUrl = process.env.HUB_URL;
const ALICE = process.env.ALICE, BOB = process.env.BOB;
let fails = 0;
async function step(name, fn) {
  try {
    const detail = await fn();
    console.log(`PASS: ${name}${detail ? ` (${detail})` : ""}`);
  } catch (e) {
    fails++;
    console.log(`FAIL: ${name}: ${e?.stack ?? e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const sha256 = (buf) => crypto.createHash("sha256").update(buf).digest("hex");

// ---- xet-core's WebAssembly (as tests/storage/xet/xet_core_oracle.mjs loads it) ----
const vendor = path.join(process.env.MODULES, "@huggingface/hub/src/vendor/xet-chunk");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xet-py-"));
const glue = path.join(tmp, "chunker_wasm_bg.mjs");
fs.copyFileSync(path.join(vendor, "chunker_wasm_bg.js"), glue);
const b64src = fs.readFileSync(path.join(vendor, "chunker_wasm_bg.wasm.base64.ts"), "utf8");
const wasm = Buffer.from(b64src.match(/const wasmBase64 = `([^`]*)`/)[1].replace(/\s+/g, ""), "base64");
const X = await import(pathToFileURL(glue).href);
X.initSync({ module: wasm });
fs.rmSync(tmp, { recursive: true, force: true });

function chunk(data) {
  const c = new X.Chunker(65536);
  const out = [];
  let off = 0;
  for (const piece of [...c.add_data(data), ...c.finish()]) {
    out.push({ hash: piece.hash, length: piece.length, data: data.subarray(off, off + piece.length) });
    off += piece.length;
  }
  c.free();
  return out;
}
// xhex <-> raw 32 bytes (each 8-byte group is a little-endian u64).
function raw(xhex) {
  const b = Buffer.alloc(32);
  for (let g = 0; g < 4; g++) b.writeBigUInt64LE(BigInt("0x" + xhex.slice(16 * g, 16 * g + 16)), 8 * g);
  return b;
}
function xhex(b) {
  let s = "";
  for (let g = 0; g < 4; g++) s += b.readBigUInt64LE(8 * g).toString(16).padStart(16, "0");
  return s;
}
const eligible = (h) => BigInt("0x" + h.slice(48)) % 1024n === 0n;

// ---- formats (XET.md §3) ----
function xorbBody(chunks) {
  const parts = [];
  for (const c of chunks) {
    const h = Buffer.alloc(8);
    h[0] = 0;
    h.writeUIntLE(c.data.length, 1, 3);
    h[4] = 0;  // stored as is
    h.writeUIntLE(c.data.length, 5, 3);
    parts.push(h, c.data);
  }
  return Buffer.concat(parts);
}
const SHARD_TAG = Buffer.from([0x48,0x46,0x52,0x65,0x70,0x6f,0x4d,0x65,0x74,0x61,0x44,0x61,0x74,0x61,0x00,0x55,0x69,0x67,0x45,0x6a,0x7b,0x81,0x57,0x83,0xa5,0xbd,0xd9,0x5c,0xcd,0xd1,0x4a,0xa9]);
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const BOOKEND = Buffer.concat([Buffer.alloc(32, 0xff), Buffer.alloc(16)]);
// files: [{hash, sha, terms:[{xorb, start, end, bytes, verification}]}]; xorbs: [{hash, chunks:[{hash,length}]}]
function shardBody(files, xorbs) {
  const p = [SHARD_TAG, u64(2), u64(0)];
  for (const f of files) {
    p.push(raw(f.hash), u32(0xc0000000), u32(f.terms.length), u64(0));
    for (const t of f.terms) p.push(raw(t.xorb), u32(0), u32(t.bytes), u32(t.start), u32(t.end));
    for (const t of f.terms) p.push(raw(t.verification), Buffer.alloc(16));
    p.push(raw(f.sha), Buffer.alloc(16));
  }
  p.push(BOOKEND);
  for (const x of xorbs) {
    const total = x.chunks.reduce((a, c) => a + c.length, 0);
    p.push(raw(x.hash), u32(0), u32(x.chunks.length), u32(total), u32(0));
    let at = 0;
    for (const c of x.chunks) {
      p.push(raw(c.hash), u32(at), u32(c.length), u32(eligible(c.hash) ? 0x80000000 : 0), u32(0));
      at += c.length;
    }
  }
  p.push(BOOKEND);
  return Buffer.concat(p);
}
// A dedup reply: its CAS blocks (chunk hashes as sent: keyed) and the footer's key.
function parseDedupReply(b) {
  let pos = 48;
  while (!b.subarray(pos, pos + 32).equals(Buffer.alloc(32, 0xff))) pos += 48;  // file section: bookend only
  pos += 48;
  const xorbs = [];
  while (!b.subarray(pos, pos + 32).equals(Buffer.alloc(32, 0xff))) {
    const hash = xhex(b.subarray(pos, pos + 32));
    const n = b.readUInt32LE(pos + 36);
    pos += 48;
    const chunks = [];
    for (let i = 0; i < n; i++, pos += 48) chunks.push(xhex(b.subarray(pos, pos + 32)));
    xorbs.push({ hash, chunks });
  }
  const footer = b.subarray(b.length - 200);
  return { xorbs, key: xhex(footer.subarray(72, 104)) };
}

// ---- HTTP ----
async function call(method, url, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  const r = await fetch(url, { method, headers: h, body });
  const buf = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, buf, text: () => buf.toString(), json: () => JSON.parse(buf.toString()) };
}
const api = (repo) => `${hubUrl}/api/models/${repo}`;
async function casToken(repo, op, hubToken) {
  const r = await call("GET", `${api(repo)}/xet-${op}-token/main`, { token: hubToken });
  assert(r.status === 200, `${op} token for ${repo}: ${r.status} ${r.text()}`);
  const t = r.json();
  assert(t.accessToken && t.casUrl && t.exp > Date.now() / 1000, JSON.stringify(t));
  assert(r.headers.get("X-Xet-Access-Token") === t.accessToken, "token header");
  return t;
}

// hf_xet's upload of one file to `repo` (token -> dedup -> xorbs -> shard v2|v1 -> telemetry -> commit).
async function upload(repo, data, hubToken) {
  const pre = await call("POST", `${api(repo)}/preupload/main`, {
    token: hubToken, headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ files: [{ path: "big.bin", size: data.length, sample: data.subarray(0, 512).toString("base64") }] }),
  });
  assert(pre.status === 200 && pre.json().files[0].uploadMode === "lfs", "preupload: " + pre.text());
  const t = await casToken(repo, "write", hubToken);
  const chunks = chunk(data);
  // Dedup queries: the first chunk and eligible ones, at most one per 256 chunks.
  const known = new Map();  // our chunk xhex -> {xorb, index}
  let lastQuery = -1000;
  for (let i = 0; i < chunks.length; i++) {
    if (!(i === 0 || (eligible(chunks[i].hash) && i - lastQuery >= 256))) continue;
    lastQuery = i;
    const r = await call("GET", `${t.casUrl}/v1/chunks/default-merkledb/${chunks[i].hash}`, { token: t.accessToken });
    assert(r.status === 200 || r.status === 404, "dedup query: " + r.status);
    if (r.status !== 200) continue;
    const reply = parseDedupReply(r.buf);
    const keyed = new Map();
    for (const x of reply.xorbs) x.chunks.forEach((h, idx) => keyed.set(h, { xorb: x.hash, index: idx }));
    for (const c of chunks) {
      const k = /^0+$/.test(reply.key) ? c.hash : X.compute_hmac(c.hash, reply.key);
      if (keyed.has(k)) known.set(c.hash, keyed.get(k));
    }
  }
  // New chunks into one xorb (the test files are far below 64 MiB / 8192 chunks).
  const fresh = chunks.filter((c) => !known.has(c.hash));
  const xorbs = [];
  let sent = 0;
  if (fresh.length) {
    const uniq = [...new Map(fresh.map((c) => [c.hash, c])).values()];
    const hash = X.compute_xorb_hash(uniq.map((c) => ({ hash: c.hash, length: c.length })));
    uniq.forEach((c, i) => known.set(c.hash, { xorb: hash, index: i }));
    const body = xorbBody(uniq);
    const r = await call("POST", `${t.casUrl}/v1/xorbs/default/${hash}`, { token: t.accessToken, body });
    assert(r.status === 200 && typeof r.json().was_inserted === "boolean", `xorb: ${r.status} ${r.text()}`);
    sent += body.length;
    xorbs.push({ hash, chunks: uniq, body });
  }
  // Terms: runs of consecutive chunks of one xorb.
  const terms = [];
  for (const c of chunks) {
    const k = known.get(c.hash);
    const last = terms[terms.length - 1];
    if (last && last.xorb === k.xorb && last.end === k.index) {
      last.end++;
      last.bytes += c.length;
      last.hashes.push(c.hash);
    } else terms.push({ xorb: k.xorb, start: k.index, end: k.index + 1, bytes: c.length, hashes: [c.hash] });
  }
  for (const tm of terms) tm.verification = X.compute_verification_hash(tm.hashes);
  const file = { hash: X.compute_file_hash(chunks.map((c) => ({ hash: c.hash, length: c.length }))), sha: sha256(data), terms };
  const shard = shardBody([file], xorbs);
  let r = await call("POST", `${t.casUrl}/v2/shards`, { token: t.accessToken, body: shard });
  if (r.status === 404 || r.status === 501) r = await call("POST", `${t.casUrl}/v1/shards`, { token: t.accessToken, body: shard });
  assert(r.status === 200, `shard: ${r.status} ${r.text()}`);
  const lines = r.text().trim().split("\n").map((l) => JSON.parse(l));
  assert(lines.some((l) => l.type === "result") || "result" in lines[0], "shard reply: " + r.text());
  await call("POST", `${t.casUrl}/v1/telemetry`, { token: t.accessToken, body: "{}" });
  const ndjson = [
    { key: "header", value: { summary: "upload through Xet" } },
    { key: "lfsFile", value: { path: "big.bin", algo: "sha256", oid: file.sha, size: data.length } },
  ].map((l) => JSON.stringify(l)).join("\n");
  const c = await call("POST", `${api(repo)}/commit/main`, { token: hubToken, body: ndjson, headers: { "Content-Type": "application/x-ndjson" } });
  assert(c.status === 200, `commit: ${c.status} ${c.text()}`);
  return { sent, file, chunks, shard, xorbs, token: t };
}

// hf_hub_download's Xet path: HEAD resolve -> read token -> v2 reconstruction with Range -> ranges.
async function download(repo, hubToken, first, last) {
  const head = await call("HEAD", `${hubUrl}/${repo}/resolve/main/big.bin`, { token: hubToken });
  const hash = head.headers.get("X-Xet-Hash");
  const link = head.headers.get("Link") ?? "";
  assert(head.status === 200 && /^[0-9a-f]{64}$/.test(hash ?? ""), `resolve HEAD: ${head.status} ${hash}`);
  const auth = link.match(/<([^>]+)>;\s*rel="xet-auth"/);
  assert(auth, "no xet-auth link: " + link);
  const tr = await call("GET", auth[1], { token: hubToken });
  assert(tr.status === 200, "read token: " + tr.status);
  const t = tr.json();
  const r = await call("GET", `${t.casUrl}/v2/reconstructions/${hash}`, { token: t.accessToken, headers: { Range: `bytes=${first}-${last}` } });
  assert(r.status === 200, `reconstruction: ${r.status} ${r.text()}`);
  const plan = r.json();
  const decoded = new Map();  // xorb -> chunk index -> bytes
  for (const [x, entries] of Object.entries(plan.xorbs)) {
    const m = decoded.get(x) ?? new Map();
    decoded.set(x, m);
    for (const e of entries)
      for (const rg of e.ranges) {
        const d = await call("GET", e.url, { headers: { Range: `bytes=${rg.bytes.start}-${rg.bytes.end}` } });
        assert(d.status === 206 && d.buf.length === rg.bytes.end - rg.bytes.start + 1, `xorb range: ${d.status} ${d.buf.length}`);
        let pos = 0;
        for (let ci = rg.chunks.start; ci < rg.chunks.end; ci++) {
          const csize = d.buf.readUIntLE(pos + 1, 3), scheme = d.buf[pos + 4], usize = d.buf.readUIntLE(pos + 5, 3);
          assert(scheme === 0 && csize === usize, "unexpected compression");
          m.set(ci, d.buf.subarray(pos + 8, pos + 8 + csize));
          pos += 8 + csize;
        }
      }
  }
  const parts = [];
  for (const term of plan.terms) {
    let n = 0;
    for (let ci = term.range.start; ci < term.range.end; ci++) {
      const b = decoded.get(term.hash).get(ci);
      parts.push(b);
      n += b.length;
    }
    assert(n === term.unpacked_length, "term length");
  }
  const all = Buffer.concat(parts);
  return all.subarray(plan.offset_into_first_range, plan.offset_into_first_range + (last - first + 1));
}

const file1 = fs.readFileSync(process.env.FILE1);
const file2 = fs.readFileSync(process.env.FILE2);
let up1;

await step("hf_xet upload flow: token, dedup query, xorb, v2 shard, commit by sha256", async () => {
  up1 = await upload("alice/py-private", file1, ALICE);
  return `${up1.chunks.length} chunks, ${up1.sent} xorb bytes`;
});

await step("hf_hub_download flow: ranged v2 reconstructions and signed xorb ranges", async () => {
  const whole = await download("alice/py-private", ALICE, 0, file1.length - 1);
  assert(whole.equals(file1), "whole file differs");
  const a = 1234567, b = 3456789;
  const mid = await download("alice/py-private", ALICE, a, b);
  assert(mid.equals(file1.subarray(a, b + 1)), "middle range differs");
  return `${file1.length} bytes and a middle range`;
});

await step("a changed copy in another repo: dedup against the first sends < 25%", async () => {
  const up2 = await upload("alice/py-copy", file2, ALICE);
  console.log(`dedup: sent ${up2.sent} xorb bytes for a ${file2.length}-byte file (first upload sent ${up1.sent})`);
  assert(up2.sent < file2.length / 4, `sent ${up2.sent} of ${file2.length}`);
  const back = await download("alice/py-copy", ALICE, 0, file2.length - 1);
  assert(back.equals(file2), "copy reads back different bytes");
  return `${up2.sent} of ${file2.length} bytes sent`;
});

// ---- attacks ----
const cas = up1.token.casUrl;
const wtok = (await casToken("alice/py-private", "write", ALICE)).accessToken;
const x0 = up1.xorbs[0];
const expect = async (what, want, r) => {
  await step(`${what} -> ${want}`, async () => {
    const res = await r;
    assert(res.status === want, `got ${res.status} ${res.text().slice(0, 200)}`);
    if (want >= 400 && res.status !== 404) assert(res.headers.get("X-Error-Message"), "no X-Error-Message");
    const h = await call("GET", `${hubUrl}/api/health`);
    assert(h.status === 200, "server unhealthy");
  });
};
const otherName = "1".repeat(64);
await expect("xorb under a name its content does not hash to", 400, call("POST", `${cas}/v1/xorbs/default/${otherName}`, { token: wtok, body: x0.body }));
await expect("malformed xorb hash in the path", 400, call("POST", `${cas}/v1/xorbs/default/not-a-hash`, { token: wtok, body: x0.body }));
await expect("truncated xorb", 400, call("POST", `${cas}/v1/xorbs/default/${x0.hash}`, { token: wtok, body: x0.body.subarray(0, x0.body.length - 100) }));
await expect("garbage xorb", 400, call("POST", `${cas}/v1/xorbs/default/${x0.hash}`, { token: wtok, body: crypto.randomBytes(5000) }));
await expect("empty xorb", 400, call("POST", `${cas}/v1/xorbs/default/${x0.hash}`, { token: wtok, body: Buffer.alloc(0) }));
await expect("truncated shard", 400, call("POST", `${cas}/v1/shards`, { token: wtok, body: up1.shard.subarray(0, up1.shard.length - 30) }));
await expect("garbage shard", 400, call("POST", `${cas}/v1/shards`, { token: wtok, body: crypto.randomBytes(3000) }));
{
  // A shard whose file names a xorb the CAS does not hold.
  const f = structuredClone(up1.file);
  f.terms[0].xorb = "2".repeat(64);
  await expect("shard naming a xorb that does not exist", 400, call("POST", `${cas}/v1/shards`, { token: wtok, body: shardBody([f], []) }));
  const g = structuredClone(up1.file);
  g.terms[0].verification = "3".repeat(64);
  await expect("shard with a wrong verification hash", 400, call("POST", `${cas}/v1/shards`, { token: wtok, body: shardBody([g], []) }));
}
await expect("no token", 401, call("POST", `${cas}/v1/shards`, { body: up1.shard }));
await expect("tampered token", 401, call("POST", `${cas}/v1/shards`, { token: wtok.slice(0, -2) + (wtok.endsWith("AA") ? "BB" : "AA"), body: up1.shard }));
await expect("a Hub token is not a CAS token", 401, call("POST", `${cas}/v1/shards`, { token: ALICE, body: up1.shard }));
{
  const rtok = (await casToken("alice/py-private", "read", ALICE)).accessToken;
  await expect("read token writing a xorb", 403, call("POST", `${cas}/v1/xorbs/default/${x0.hash}`, { token: rtok, body: x0.body }));
  await expect("read token writing a shard", 403, call("POST", `${cas}/v1/shards`, { token: rtok, body: up1.shard }));
  await expect("range past the end", 416, call("GET", `${cas}/v2/reconstructions/${up1.file.hash}`, { token: rtok, headers: { Range: `bytes=${file1.length}-${file1.length + 10}` } }));
  await step("v1 reconstruction (the older clients' form): terms and fetch_info", async () => {
    const r = await call("GET", `${cas}/v1/reconstructions/${up1.file.hash}`, { token: rtok, headers: { Range: "bytes=100-199" } });
    assert(r.status === 200, `${r.status} ${r.text()}`);
    const j = r.json();
    assert(j.terms.length >= 1 && j.fetch_info && Object.keys(j.fetch_info).length >= 1, r.text().slice(0, 300));
    const e = Object.values(j.fetch_info)[0][0];
    assert(e.url && e.url_range && e.range, JSON.stringify(e));
    assert(j.offset_into_first_range === 100, "offset " + j.offset_into_first_range);
  });
  await expect("malformed Range on a reconstruction", 416, call("GET", `${cas}/v2/reconstructions/${up1.file.hash}`, { token: rtok, headers: { Range: "bytes=abc" } }));
  await expect("malformed file hash", 400, call("GET", `${cas}/v2/reconstructions/xyz`, { token: rtok }));
  await expect("malformed chunk hash", 400, call("GET", `${cas}/v1/chunks/default-merkledb/${"g".repeat(64)}`, { token: rtok }));
  await expect("unknown file", 404, call("GET", `${cas}/v2/reconstructions/${"4".repeat(64)}`, { token: rtok }));
  // Signed transfer URLs: tampering with the range or signature is refused.
  const plan = (await call("GET", `${cas}/v2/reconstructions/${up1.file.hash}`, { token: rtok })).json();
  const url = Object.values(plan.xorbs)[0][0].url;
  await expect("transfer URL with a widened range", 403, call("GET", url.replace(/range=(\d+)-(\d+)/, (m, a, b) => `range=${a}-${Number(b) + 1}`)));
  await expect("transfer URL with a forged signature", 403, call("GET", url.replace(/sig=[^&]+/, "sig=AAAA")));
  await step("transfer URL with two ranges -> 206 multipart/byteranges", async () => {
    const m = url.match(/range=(\d+)-(\d+)/);
    const a = Number(m[1]), b = Number(m[2]);
    const r = await call("GET", url, { headers: { Range: `bytes=${a}-${a + 9},${b - 9}-${b}` } });
    const ct = r.headers.get("Content-Type") ?? "";
    assert(r.status === 206 && ct.startsWith("multipart/byteranges; boundary="), `${r.status} ${ct}`);
    const whole = await call("GET", url);
    assert(whole.status === 200 && whole.buf.length === b - a + 1, `whole: ${whole.status} ${whole.buf.length}`);
    const text = r.buf.toString("latin1");
    assert(text.includes(`Content-Range: bytes ${a}-${a + 9}/`) && text.includes(`Content-Range: bytes ${b - 9}-${b}/`), "part headers");
    assert(text.includes(whole.buf.subarray(0, 10).toString("latin1")) && text.includes(whole.buf.subarray(b - a - 9).toString("latin1")), "part bytes");
  });
  await expect("transfer URL with a malformed Range", 416, call("GET", url, { headers: { Range: "bytes=x-y" } }));
  await expect("transfer URL without a signature", 403, call("GET", url.replace(/&sig=[^&]+/, "")));
  await expect("transfer URL Range outside its grant", 416, call("GET", url, { headers: { Range: "bytes=0-99999999999" } }));
  await expect("xet-read-token of a repo that does not exist", 404, call("GET", `${api("alice/nope")}/xet-read-token/main`, { token: ALICE }));
}
{
  // Bob: a stranger to alice's private repo.
  await expect("stranger asks a read token of a private repo", 404, call("GET", `${api("alice/py-private")}/xet-read-token/main`, { token: BOB }));
  await expect("write token without write access", 403, call("GET", `${api("alice/py-copy")}/xet-write-token/main`, { token: BOB }));
  const bt = await casToken("bob/bob-repo", "write", BOB);
  await expect("stranger's dedup probe of a private repo's first chunk", 404, call("GET", `${bt.casUrl}/v1/chunks/default-merkledb/${up1.chunks[0].hash}`, { token: bt.accessToken }));
  await expect("stranger's dedup probe (JS path)", 404, call("GET", `${bt.casUrl}/v1/chunks/default/${up1.chunks[0].hash}`, { token: bt.accessToken }));
  await expect("stranger's reconstruction of a private file", 404, call("GET", `${bt.casUrl}/v2/reconstructions/${up1.file.hash}`, { token: bt.accessToken }));
  // Even knowing every hash (verification entries included), a shard claiming alice's xorb for
  // bob's repo is refused: the xorb is not bob's to use.
  await expect("stranger's shard reusing a private xorb", 400, call("POST", `${bt.casUrl}/v1/shards`, { token: bt.accessToken, body: shardBody([up1.file], []) }));
  const c = await call("POST", `${api("bob/bob-repo")}/commit/main`, {
    token: BOB, headers: { "Content-Type": "application/x-ndjson" },
    body: [{ key: "header", value: { summary: "steal" } }, { key: "lfsFile", value: { path: "x.bin", algo: "sha256", oid: up1.file.sha, size: file1.length } }].map((l) => JSON.stringify(l)).join("\n"),
  });
  await expect("commit by sha256 of a file uploaded through another repo", 422, Promise.resolve(c));
}
{
  // A token for repo A used for repo B: alice's py-copy token cannot read py-private's file
  // reconstruction through py-copy unless it is linked there (it is not: py-copy's file differs).
  const t2 = await casToken("alice/py-copy", "read", ALICE);
  await expect("token for repo A reconstructing repo B's file", 404, call("GET", `${t2.casUrl}/v2/reconstructions/${up1.file.hash}`, { token: t2.accessToken }));
}
await step("after all of it, the first file still downloads", async () => {
  const whole = await download("alice/py-private", ALICE, 0, file1.length - 1);
  assert(whole.equals(file1), "differs");
});

// For the crash test of xet_test.sh: a fresh file's xorb and shard, written out, not uploaded.
if (process.env.CRASH_DIR) {
  const dir = process.env.CRASH_DIR;
  const data = crypto.randomBytes(3000000);
  const chunks = chunk(data);
  const hash = X.compute_xorb_hash(chunks.map((c) => ({ hash: c.hash, length: c.length })));
  const file = {
    hash: X.compute_file_hash(chunks.map((c) => ({ hash: c.hash, length: c.length }))),
    sha: sha256(data),
    terms: [{ xorb: hash, start: 0, end: chunks.length, bytes: data.length, verification: X.compute_verification_hash(chunks.map((c) => c.hash)) }],
  };
  fs.writeFileSync(path.join(dir, "crash.bin"), data);
  fs.writeFileSync(path.join(dir, "crash.xorb"), xorbBody(chunks));
  fs.writeFileSync(path.join(dir, "crash.shard"), shardBody([file], [{ hash, chunks }]));
  fs.writeFileSync(path.join(dir, "crash.ids"), `${hash} ${file.hash} ${file.sha}\n`);
}

process.exit(fails ? 1 : 0);
