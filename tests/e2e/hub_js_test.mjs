// The real @huggingface/hub client (tests/node_modules) against a running hubd: repos, uploads
// (inline and LFS), listing, downloads, deletions, history, branches, repo info, private repos.
// Driven by hub_js_test.sh, which passes HUB_URL, HF_TOKEN (alice), OTHER_TOKEN (bob), and
// UPLOAD_DIR (files to upload; the script pushes the same files with git to compare trees).
// Prints PASS/FAIL per step; exits 1 on any FAIL.
import * as hub from "@huggingface/hub";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";

const hubUrl = process.env.HUB_URL;
const accessToken = process.env.HF_TOKEN;
const otherToken = process.env.OTHER_TOKEN;
const uploadDir = process.env.UPLOAD_DIR;
const user = process.env.HF_USER ?? "alice";
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
async function rejects(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`${what} should have failed`);
}
async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}
async function filesUnder(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.path ?? e.parentPath, e.name)));
  }
  return out.sort();
}
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const creds = { accessToken, hubUrl };

const model = { type: "model", name: `${user}/js-model` };
const privModel = { type: "model", name: `${user}/js-private` };
const dataset = { type: "dataset", name: `${user}/js-data` };
const privDataset = { type: "dataset", name: `${user}/js-data-private` };
const same = { type: "model", name: `${user}/js-same` };

await step("whoAmI names the token's user", async () => {
  const me = await hub.whoAmI(creds);
  assert(me.name === user && me.type === "user", JSON.stringify(me));
  assert(me.auth?.accessToken?.role === "write", "token role: " + JSON.stringify(me.auth));
});

await step("createRepo: public and private models and datasets", async () => {
  for (const [repo, priv] of [[model, false], [privModel, true], [dataset, false], [privDataset, true], [same, false]]) {
    const r = await hub.createRepo({ ...creds, repo, private: priv });
    assert(r.repoUrl.startsWith(hubUrl), r.repoUrl);
  }
  const again = await rejects(hub.createRepo({ ...creds, repo: model }), "creating an existing repo");
  assert(again.statusCode === 409, "status " + again.statusCode);
});

// Files from UPLOAD_DIR: small ones go inline, the 20 MB one through preupload -> LFS batch.
const localFiles = await filesUnder(uploadDir);
const contents = new Map();
for (const p of localFiles) contents.set(p, await readFile(join(uploadDir, p)));
const bigPath = localFiles.find((p) => contents.get(p).length >= 20e6);
let uploadCommit;

await step("uploadFiles: small files and a 20 MB file (LFS)", async () => {
  assert(bigPath, "UPLOAD_DIR needs a 20 MB file");
  const res = await hub.uploadFiles({
    ...creds,
    repo: model,
    files: localFiles.map((p) => ({ path: p, content: new Blob([contents.get(p)]) })),
    commitTitle: "Upload from the JS client",
    useXet: false,
  });
  uploadCommit = res.commit.oid;
  assert(/^[0-9a-f]{40}$/.test(uploadCommit), JSON.stringify(res));
  assert(res.commit.url === `${hubUrl}/${model.name}/commit/${uploadCommit}`, res.commit.url);
  return `${localFiles.length} files, commit ${uploadCommit.slice(0, 8)}`;
});

await step("same files uploaded to a second repo (git comparison)", async () => {
  await hub.uploadFiles({
    ...creds,
    repo: same,
    files: localFiles.map((p) => ({ path: p, content: new Blob([contents.get(p)]) })),
    useXet: false,
  });
});

await step("listFiles recursive: every file and folder, LFS entry for the big file", async () => {
  const entries = await collect(hub.listFiles({ ...creds, repo: model, recursive: true }));
  const files = entries.filter((e) => e.type === "file").map((e) => e.path).sort();
  const want = [".gitattributes", ...localFiles].sort();
  assert(JSON.stringify(files) === JSON.stringify(want), `files ${files} vs ${want}`);
  const dirs = new Set(entries.filter((e) => e.type === "directory").map((e) => e.path));
  for (const p of localFiles) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) assert(dirs.has(parts.slice(0, i).join("/")), "missing dir for " + p);
  }
  const big = entries.find((e) => e.path === bigPath);
  assert(big.lfs && big.lfs.oid === sha256(contents.get(bigPath)), "lfs entry: " + JSON.stringify(big));
  assert(big.size === contents.get(bigPath).length, "size " + big.size);
  const small = entries.find((e) => e.path === localFiles.find((p) => p !== bigPath));
  assert(!small.lfs, "small file must not be LFS");
  return `${entries.length} entries`;
});

await step("fileExists: present and missing files", async () => {
  assert(await hub.fileExists({ ...creds, repo: model, path: bigPath }), "big file");
  assert(await hub.fileExists({ ...creds, repo: model, path: localFiles[0] }), localFiles[0]);
  assert(!(await hub.fileExists({ ...creds, repo: model, path: "no/such/file.txt" })), "missing file");
});

await step("downloadFile: byte-identical small and LFS files", async () => {
  for (const p of localFiles) {
    const blob = await hub.downloadFile({ ...creds, repo: model, path: p });
    assert(blob, "no blob for " + p);
    const got = Buffer.from(await blob.arrayBuffer());
    assert(got.equals(contents.get(p)), `content of ${p} differs (${got.length} vs ${contents.get(p).length})`);
  }
  assert((await hub.downloadFile({ ...creds, repo: model, path: "missing.txt" })) === null, "missing file is null");
});

const deleted = localFiles.find((p) => p.includes("/") && p !== bigPath);
await step("commit with deletions and an addition", async () => {
  const res = await hub.commit({
    ...creds,
    repo: model,
    title: "Delete and add",
    operations: [
      { operation: "delete", path: deleted },
      { operation: "addOrUpdate", path: "added.txt", content: new Blob(["added\n"]) },
    ],
    parentCommit: uploadCommit,
    useXet: false,
  });
  const entries = await collect(hub.listFiles({ ...creds, repo: model, recursive: true }));
  const paths = new Set(entries.map((e) => e.path));
  assert(!paths.has(deleted) && paths.has("added.txt"), [...paths].join(","));
  const stale = await rejects(
    hub.commit({ ...creds, repo: model, title: "stale", parentCommit: uploadCommit, useXet: false,
                 operations: [{ operation: "addOrUpdate", path: "x.txt", content: new Blob(["x"]) }] }),
    "a commit on a stale parentCommit");
  assert(stale.statusCode === 412, "stale parent status " + stale.statusCode);
  const missing = await rejects(
    hub.deleteFile({ ...creds, repo: model, path: "never-there.txt" }), "deleting a missing file");
  assert(missing.statusCode === 404, "missing delete status " + missing.statusCode);
  return res.commit.oid.slice(0, 8);
});

await step("listCommits: newest first, titles and count", async () => {
  const commits = await collect(hub.listCommits({ ...creds, repo: model }));
  const titles = commits.map((c) => c.title);
  assert(JSON.stringify(titles) === JSON.stringify(["Delete and add", "Upload from the JS client", "initial commit"]),
         JSON.stringify(titles));
  assert(commits[1].oid === uploadCommit, "second commit is the upload");
  const n = await hub.countCommits({ ...creds, repo: model });
  assert(n === 3, "countCommits " + n);
});

await step("branches: createBranch from a revision, commit to it, deleteBranch", async () => {
  await hub.createBranch({ ...creds, repo: model, branch: "dev", revision: uploadCommit });
  const dev = await collect(hub.listCommits({ ...creds, repo: model, revision: "dev" }));
  assert(dev[0].oid === uploadCommit, "dev starts at the upload commit");
  await hub.uploadFile({ ...creds, repo: model, branch: "dev", file: { path: "dev.txt", content: new Blob(["dev"]) },
                         useXet: false });
  assert(await hub.fileExists({ ...creds, repo: model, path: "dev.txt", revision: "dev" }), "dev.txt on dev");
  assert(!(await hub.fileExists({ ...creds, repo: model, path: "dev.txt" })), "dev.txt not on main");
  const dup = await rejects(hub.createBranch({ ...creds, repo: model, branch: "dev" }), "creating dev twice");
  assert(dup.statusCode === 409, "status " + dup.statusCode);
  await hub.createBranch({ ...creds, repo: model, branch: "empty", empty: true });
  await hub.deleteBranch({ ...creds, repo: model, branch: "dev" });
  await rejects(collect(hub.listCommits({ ...creds, repo: model, revision: "dev" })), "listing a deleted branch");
});

await step("modelInfo / datasetInfo: sha, privacy", async () => {
  const head = (await collect(hub.listCommits({ ...creds, repo: model, batchSize: 1 })))[0].oid;
  const info = await hub.modelInfo({ ...creds, name: model.name, additionalFields: ["sha", "siblings"] });
  assert(info.name === model.name && info.private === false, JSON.stringify(info));
  assert(info.sha === head, `sha ${info.sha} vs ${head}`);
  const pinfo = await hub.modelInfo({ ...creds, name: privModel.name });
  assert(pinfo.private === true, "private flag");
  const dinfo = await hub.datasetInfo({ ...creds, name: dataset.name });
  assert(dinfo.private === false, "dataset flag");
});

await step("private repos: owner uploads, others see nothing", async () => {
  for (const repo of [privModel, privDataset]) {
    await hub.uploadFiles({ ...creds, repo, files: [{ path: "secret.txt", content: new Blob(["s3cret"]) }], useXet: false });
    assert(await hub.fileExists({ ...creds, repo, path: "secret.txt" }), "owner reads " + repo.name);
    const anon = await rejects(collect(hub.listFiles({ hubUrl, repo })), "anonymous listing " + repo.name);
    assert(anon.statusCode === 401 || anon.statusCode === 404, "anon status " + anon.statusCode);
    const other = await rejects(
      hub.uploadFiles({ hubUrl, accessToken: otherToken, repo, files: [{ path: "x.txt", content: new Blob(["x"]) }],
                        useXet: false }), "another user's upload");
    assert(other.statusCode === 404 || other.statusCode === 403, "other status " + other.statusCode);
  }
  const pub = await rejects(
    hub.uploadFiles({ hubUrl, accessToken: otherToken, repo: dataset, files: [{ path: "x", content: new Blob(["x"]) }],
                      useXet: false }), "another user's upload to a public repo");
  assert(pub.statusCode === 403, "public repo write by another user: " + pub.statusCode);
});

await step("deleteRepo: the repo is gone", async () => {
  await hub.deleteRepo({ ...creds, repo: dataset });
  const gone = await rejects(hub.datasetInfo({ ...creds, name: dataset.name }), "info of a deleted repo");
  assert(gone.statusCode === 404, "status " + gone.statusCode);
  assert(!(await hub.repoExists({ ...creds, repo: dataset })), "repoExists after delete");
});

console.log(`js client: ${fails} failed`);
process.exit(fails ? 1 : 0);
