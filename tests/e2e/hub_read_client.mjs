// Read calls of the real @huggingface/hub client (tests/node_modules) against a running hubd.
// Usage: node hub_read_client.mjs URL TOKEN REPO LOCAL_DIR LFS_PATH
// LOCAL_DIR is a checkout of REPO's main branch (what the server should serve). Prints
// PASS/FAIL per step; exits non-zero on any FAIL.
import { modelInfo, listFiles, fileExists, downloadFile, listCommits, countCommits, fileDownloadInfo }
  from "@huggingface/hub";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";

const [hubUrl, accessToken, name, localDir, lfsPath] = process.argv.slice(2);
const repo = { type: "model", name };
let fails = 0;
async function step(what, fn) {
  try {
    const ok = await fn();
    if (ok === true) console.log(`PASS: js ${what}`);
    else { fails++; console.log(`FAIL: js ${what}: ${JSON.stringify(ok)}`); }
  } catch (e) {
    fails++;
    console.log(`FAIL: js ${what}: ${e?.stack ?? e}`);
  }
}
const git = (...args) => execFileSync("git", ["-C", localDir, ...args], { encoding: "utf8" }).trim();
const head = git("rev-parse", "HEAD");
const gitFiles = git("ls-files").split("\n").filter(Boolean).sort();

await step("modelInfo names the repo, its task and head commit", async () => {
  const info = await modelInfo({ name, hubUrl, accessToken, additionalFields: ["sha", "library_name", "tags"] });
  return (info.name === name && typeof info.id === "string" && info.task === "text-classification" &&
          info.sha === head && info.private === false && Array.isArray(info.tags)) || info;
});

await step("listFiles recursive lists every file and directory (paginated)", async () => {
  const files = [], dirs = [];
  for await (const f of listFiles({ repo, hubUrl, accessToken, recursive: true })) {
    (f.type === "file" ? files : dirs).push(f.path);
  }
  files.sort();
  const wantDirs = git("ls-tree", "-r", "-d", "--name-only", "HEAD").split("\n").filter(Boolean);
  return (JSON.stringify(files) === JSON.stringify(gitFiles) && dirs.length === wantDirs.length) ||
    { files: files.length, want: gitFiles.length, dirs: dirs.length, wantDirs: wantDirs.length };
});

await step("listFiles of a sub-folder with expand carries lastCommit", async () => {
  const out = [];
  for await (const f of listFiles({ repo, hubUrl, accessToken, path: "sub", expand: true })) out.push(f);
  return (out.length > 0 && out.every((f) => f.lastCommit && f.lastCommit.id.length === 40)) || out;
});

await step("fileExists true for a file, false for a missing one", async () => {
  const a = await fileExists({ repo, hubUrl, accessToken, path: "config.json" });
  const b = await fileExists({ repo, hubUrl, accessToken, path: "does/not/exist.txt" });
  return (a === true && b === false) || { a, b };
});

for (const path of ["config.json", lfsPath, "sub/dir/notes.txt"]) {
  await step(`downloadFile ${path} byte-identical`, async () => {
    const blob = await downloadFile({ repo, hubUrl, accessToken, path });
    const got = Buffer.from(await blob.arrayBuffer());
    const want = readFileSync(`${localDir}/${path}`);
    return got.equals(want) || { got: got.length, want: want.length };
  });
}

await step("downloadFile of a missing file is null", async () =>
  (await downloadFile({ repo, hubUrl, accessToken, path: "nope.bin" })) === null);

await step("fileDownloadInfo of the LFS file: sha256 etag and real size", async () => {
  const info = await fileDownloadInfo({ repo, hubUrl, accessToken, path: lfsPath });
  const bytes = readFileSync(`${localDir}/${lfsPath}`);
  const sha = createHash("sha256").update(bytes).digest("hex");
  return (info.size === bytes.length && info.etag === `"${sha}"` && !info.xet) || info;
});

await step("fileDownloadInfo raw of the LFS file is the pointer", async () => {
  const info = await fileDownloadInfo({ repo, hubUrl, accessToken, path: lfsPath, raw: true });
  return (info.size > 100 && info.size < 200) || info;
});

await step("listCommits matches git log, newest first", async () => {
  const ids = [];
  for await (const c of listCommits({ repo, hubUrl, accessToken, batchSize: 2 })) ids.push(c.oid);
  const want = git("log", "--format=%H").split("\n");
  return JSON.stringify(ids) === JSON.stringify(want) || { ids, want };
});

await step("countCommits reads X-Total-Count", async () => {
  const n = await countCommits({ repo, hubUrl, accessToken });
  return n === Number(git("rev-list", "--count", "HEAD")) || n;
});

console.log(fails ? `js client: ${fails} failed` : "js client: all passed");
process.exit(fails ? 1 : 0);
