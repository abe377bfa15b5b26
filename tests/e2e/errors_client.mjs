// The real @huggingface/hub client against hubd for errors_test.sh: createRepo({files}) puts the
// files in the first commit (a given .gitattributes replaces the default), a second create is
// a 409 HubApiError, deleteFile works on those files, a missing repo is a 404 HubApiError.
// Env: HUB_URL, HF_TOKEN (alice). Prints PASS/FAIL per step, then DONE.
import * as hub from "@huggingface/hub";

const hubUrl = process.env.HUB_URL;
const accessToken = process.env.HF_TOKEN;
async function step(name, fn) {
  try {
    await fn();
    console.log(`PASS: js: ${name}`);
  } catch (e) {
    console.log(`FAIL: js: ${name}: ${e?.stack ?? e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const repo = { type: "model", name: "alice/js-files" };
await step("createRepo({files}) answers repoUrl and id", async () => {
  const r = await hub.createRepo({
    repo, accessToken, hubUrl,
    files: [
      { path: ".gitattributes", content: new Blob(["*.html filter=lfs diff=lfs merge=lfs -text"]) },
      { path: "file1", content: new Blob(["file1"]) },
      { path: "file2", content: new Blob(["file2"]) },
    ],
  });
  assert(r.repoUrl === `${hubUrl}/alice/js-files` && typeof r.id === "string", JSON.stringify(r));
});
await step("the given .gitattributes replaced the default", async () => {
  const blob = await hub.downloadFile({ repo, path: ".gitattributes", hubUrl, accessToken });
  assert((await blob?.text()) === "*.html filter=lfs diff=lfs merge=lfs -text", "wrong .gitattributes");
});
await step("the files are in the first and only commit", async () => {
  const commits = [];
  for await (const c of hub.listCommits({ repo, hubUrl, accessToken })) commits.push(c);
  assert(commits.length === 1, `${commits.length} commits`);
  assert((await (await hub.downloadFile({ repo, path: "file2", hubUrl, accessToken }))?.text()) === "file2", "file2");
});
await step("deleteFile removes one of them", async () => {
  await hub.deleteFile({ repo, path: "file1", accessToken, hubUrl });
  assert((await hub.downloadFile({ repo, path: "file1", hubUrl, accessToken })) === null, "file1 still there");
});
await step("a second createRepo is a 409 HubApiError", async () => {
  try {
    await hub.createRepo({ repo, accessToken, hubUrl });
  } catch (e) {
    assert(e instanceof hub.HubApiError && e.statusCode === 409, `${e}`);
    return;
  }
  throw new Error("no error");
});
await step("a missing repo is a 404 HubApiError with the request id", async () => {
  try {
    await hub.modelInfo({ name: "alice/nope", hubUrl, accessToken });
  } catch (e) {
    assert(e instanceof hub.HubApiError && e.statusCode === 404 && e.requestId, `${e} ${e.requestId}`);
    return;
  }
  throw new Error("no error");
});
await hub.deleteRepo({ repo, accessToken, hubUrl });
console.log("DONE");
