// The web UI in a real browser (Debian's chromium through playwright-core): sign up, log in,
// create a repo, upload files, browse tree/blob/commit diff, find it by search and filters,
// like it, metrics charts, tokens, settings, run the widget (when the Inference API can),
// log out; a malicious card's script never runs; forms without a CSRF token are refused.
// usage: node web_test.mjs URL SCREENSHOT_DIR TMP_DIR SOURCE_DIR
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(new URL('../package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [URL_, SHOTS, TMP, SRC] = process.argv.slice(2);

let passes = 0, fails = 0;
const pass = (m) => { passes++; console.log('PASS: ' + m); };
const fail = (m) => { fails++; console.log('FAIL: ' + m); };
const check = (m, ok) => (ok ? pass(m) : fail(m));

const browser = await chromium.launchPersistentContext(path.join(TMP, 'chromium-profile'), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  baseURL: URL_,
});
const page = browser.pages()[0] || await browser.newPage();
const dialogs = [];
page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
const shot = (name) => page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    fail(`${name}: ${e.message.split('\n')[0]}`);
    await shot('failed-' + name.replace(/\W+/g, '-')).catch(() => {});
  }
}

const user = 'alice', password = 'correct-horse-9';
// The session's CSRF token as the current page publishes it (<meta name="csrf-token">): API
// posts that ride on the session cookie must carry it (issue 14 #10), as widget.js does.
const csrfHeader = async () => ({ 'X-CSRF-Token': await page.getAttribute('meta[name="csrf-token"]', 'content') });
const repo = `${user}/demo-model`;
const card = `---
license: mit
language: en
pipeline_tag: text-classification
tags: [demo, sentiment]
model-index:
- name: demo-model
  results:
  - task: {type: text-classification}
    dataset: {type: sst2, name: SST-2, split: validation}
    metrics:
    - {type: accuracy, value: 0.925}
---
# Demo model

A **tiny** model for the web test.

| metric | value |
|--------|-------|
| accuracy | 0.925 |

<script>window.__pwned = 1; alert('card script ran')</script>
<img src="x" onerror="window.__pwned = 2; alert('onerror ran')">
[click](javascript:window.__pwned=3)
`;

// A small safetensors file: header (name, dtype, shape) + zero data.
function safetensors() {
  const header = JSON.stringify({ __metadata__: { format: 'pt' }, 'encoder.weight': { dtype: 'F32', shape: [4, 8], data_offsets: [0, 128] }, 'encoder.bias': { dtype: 'F32', shape: [4], data_offsets: [128, 144] } });
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, Buffer.from(header), Buffer.alloc(144)]);
}

await step('sign up', async () => {
  await page.goto('/join');
  await shot('join');
  await page.fill('#join-form input[name=username]', user);
  await page.fill('#join-form input[name=fullname]', 'Alice Example');
  await page.fill('#join-form input[name=password]', password);
  await Promise.all([page.waitForURL(`**/${user}`), page.click('#join-form button[type=submit]')]);
  check('sign-up lands on the new profile, signed in', (await page.textContent('header nav')).includes(user));
});

await step('log out and log in again', async () => {
  await Promise.all([page.waitForURL(URL_ + '/'), page.click('#logout')]);
  check('logged out: the nav offers log in', (await page.textContent('header nav')).includes('Log in'));
  await page.goto('/login');
  await page.fill('#login-form input[name=username]', user);
  await page.fill('#login-form input[name=password]', 'wrong-password');
  await page.click('#login-form button[type=submit]');
  check('a wrong password is refused', (await page.textContent('.error')).includes('Invalid'));
  await shot('login');
  await page.fill('#login-form input[name=password]', password);
  await Promise.all([page.waitForURL(URL_ + '/'), page.click('#login-form button[type=submit]')]);
  check('logged in again', (await page.textContent('header nav')).includes(user));
});

await step('create a repo', async () => {
  await page.goto('/new');
  await page.fill('#new-repo-form input[name=name]', 'demo-model');
  await shot('new-repo');
  await Promise.all([page.waitForURL(`**/${repo}`), page.click('#new-repo-form button[type=submit]')]);
  check('the new repo page opens', (await page.textContent('.repo-head h1')).includes('demo-model'));
});

const lfsBytes = Buffer.alloc(64 * 1024, 7);
await step('upload files through the browser', async () => {
  await page.goto(`/${repo}/tree/main`);
  await Promise.all([page.waitForURL('**/upload/main'), page.click('#upload-link')]);
  await page.setInputFiles('#upload-form input[type=file]', [
    { name: 'README.md', mimeType: 'text/markdown', buffer: Buffer.from(card) },
    { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "architectures": ["BertForSequenceClassification"],\n  "model_type": "bert",\n  "hidden_size": 32\n}\n') },
    { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: safetensors() },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: lfsBytes },
  ]);
  await page.fill('#upload-form input[name=summary]', 'Add card, config and weights');
  await shot('upload');
  await Promise.all([page.waitForURL('**/commit/*'), page.click('#upload-form button[type=submit]')]);
  await shot('commit');
  const title = await page.textContent('.commit-head h2');
  check('the upload became a commit with its message', title.includes('Add card, config and weights'));
  const added = await page.$$eval('section.diff-file[data-path="README.md"] tr.add td.lc', (tds) => tds.map((t) => t.textContent));
  check('the commit diff shows README.md lines as added', added.includes('license: mit') && added.includes('# Demo model'));
  const lfs = await page.textContent('section.diff-file[data-path="weights.bin"] .diff-summary');
  const oid = createHash('sha256').update(lfsBytes).digest('hex');
  check('the LFS change is summarised with its sha256', lfs.includes('Git LFS') && lfs.includes(oid));
});

await step('see the files in the tree and the file views', async () => {
  await page.goto(`/${repo}/tree/main`);
  const names = await page.$$eval('.file-table td.name a', (as) => as.map((a) => a.textContent.trim()));
  check('the tree lists the uploaded files', ['README.md', 'config.json', 'model.safetensors', 'weights.bin'].every((n) => names.some((x) => x.endsWith(n))));
  await shot('tree');
  await page.click('.file-table a:has-text("config.json")');
  await page.waitForSelector('table.lines');
  check('config.json is shown with line numbers and highlighted keys', (await page.$$('td.ln')).length === 5 && (await page.textContent('.hl-k')).includes('architectures'));
  await shot('blob-json');
  await page.goto(`/${repo}/blob/main/weights.bin`);
  check('an LFS file shows its sha256 instead of content', (await page.textContent('#lfs-oid')).trim() === createHash('sha256').update(lfsBytes).digest('hex'));
  await page.goto(`/${repo}/blob/main/model.safetensors`);
  const rows = await page.$$eval('table.tensors tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  check('a safetensors file is a table of tensors', JSON.stringify(rows[1]?.slice(0, 3)) === JSON.stringify(['encoder.weight', 'F32', '[4, 8]']));
  await shot('blob-safetensors');
});

await step('the repo page renders the card safely', async () => {
  await page.goto(`/${repo}`);
  await page.waitForLoadState('networkidle');
  check('card markdown is rendered (heading, table)', (await page.textContent('.markdown h1')) === 'Demo model' && (await page.$$('.markdown table')).length === 1);
  check('metadata chips show the license', (await page.textContent('.chips')).includes('mit'));
  check('model-index eval results are a table', (await page.textContent('table.evals')).includes('0.925'));
  check('the malicious card script did not run', (await page.evaluate(() => window.__pwned)) === undefined && dialogs.length === 0);
  check('no script, event handler or javascript: URL inside the card', (await page.$$('.markdown script, .markdown img[onerror], .markdown a[href^="javascript"]')).length === 0);
  await shot('repo');
});

await step('search and filter to find the model', async () => {
  await page.goto('/models');
  await Promise.all([page.waitForURL('**pipeline_tag=text-classification**'), page.click('a.task-tag[data-task="text-classification"]')]);
  let ids = await page.$$eval('.repo-card-id', (as) => as.map((a) => a.textContent));
  check('the task filter finds the model', ids.includes(repo));
  await page.goto('/models?pipeline_tag=fill-mask');
  ids = await page.$$eval('.repo-card-id', (as) => as.map((a) => a.textContent));
  check('another task filter does not', !ids.includes(repo));
  await page.goto('/models');
  await page.fill('#filter-search', 'demo-mo');
  await Promise.all([page.waitForURL('**search=demo-mo**'), page.press('#filter-search', 'Enter')]);
  ids = await page.$$eval('.repo-card-id', (as) => as.map((a) => a.textContent));
  check('text search finds the model', ids.includes(repo));
  await shot('explore');
  await page.fill('header input[data-suggest]', 'demo');
  await page.waitForSelector('.suggest li a', { timeout: 5000 });
  check('search-as-you-type suggests it', (await page.textContent('.suggest')).includes(repo));
});

await step('like the model', async () => {
  await page.goto(`/${repo}`);
  await Promise.all([page.waitForURL(`**/${repo}`), page.click('#like')]);
  const text = await page.textContent('#like');
  check('the like button now says Liked with count 1', text.includes('Liked') && text.includes('1'));
});

// Issue 17: a pull request from the Community tab: open it, push a commit to refs/pr/N through
// the API (session + CSRF header), publish it, see its diff, comment, merge.
await step('pull request: open, diff, comment, merge', async () => {
  await page.goto(`/${repo}`);
  await Promise.all([page.waitForURL('**/discussions'), page.click('a.tab[data-tab=community]')]);
  await page.fill('#new-discussion input[name=title]', 'Add usage notes');
  await page.check('#new-discussion input[name=pull_request]');
  await Promise.all([page.waitForURL(/\/discussions\/\d+$/), page.click('#new-discussion button[type=submit]')]);
  const num = page.url().match(/discussions\/(\d+)$/)[1];
  check('the new PR page opens as a draft', (await page.textContent('#discussion-status')).trim() === 'draft');
  const ndjson = JSON.stringify({ key: 'header', value: { summary: 'Add NOTES.md' } }) + '\n' +
    JSON.stringify({ key: 'file', value: { path: 'NOTES.md', content: 'Use it gently.\n', encoding: 'utf-8' } }) + '\n';
  const res = await page.request.post(`/api/models/${repo}/commit/refs%2Fpr%2F${num}`,
    { headers: { ...(await csrfHeader()), 'Content-Type': 'application/x-ndjson' }, data: ndjson });
  check('a commit to the PR ref through the API lands', res.status() === 200);
  await page.reload();
  check('the conversation shows the pushed commit', (await page.textContent('#events')).includes('Add NOTES.md'));
  await Promise.all([page.waitForURL(`**/discussions/${num}`), page.click('#publish')]);
  check('publishing makes it open', (await page.textContent('#discussion-status')).trim() === 'open');
  await Promise.all([page.waitForURL('**/files'), page.click('a.tab[data-tab=pr-files]')]);
  const added = await page.textContent('.diff-file[data-path="NOTES.md"] table.diff');
  check('the files tab shows the diff against main', added.includes('Use it gently.'));
  await shot('pr-files');
  await page.goto(`/${repo}/discussions/${num}`);
  await page.fill('#comment-form textarea[name=comment]', 'Looks **great**');
  await Promise.all([page.waitForURL(`**/discussions/${num}**`), page.click('#comment-form button[type=submit]')]);
  check('the comment appears, rendered', (await page.innerHTML('#events')).includes('<strong>great</strong>'));
  await Promise.all([page.waitForURL(`**/discussions/${num}`), page.click('#merge')]);
  check('merging marks the PR merged', (await page.textContent('#discussion-status')).trim() === 'merged');
  await shot('pr-merged');
  await page.goto(`/${repo}/blob/main/NOTES.md`);
  check('main has the merged file', (await page.textContent('body')).includes('Use it gently.'));
});

await step('training metrics charts', async () => {
  const fx = path.join(SRC, 'tests/tensorboard/fixtures/runs');
  for (const run of ['exp1', 'exp2']) {
    await page.goto(`/${repo}/upload/main`);
    const files = fs.readdirSync(path.join(fx, run)).map((f) => path.join(fx, run, f));
    await page.setInputFiles('#upload-form input[type=file]', files);
    await page.fill('#upload-form input[name=folder]', `runs/${run}`);
    await Promise.all([page.waitForURL('**/commit/*'), page.click('#upload-form button[type=submit]')]);
  }
  await page.goto(`/${repo}`);
  check('the repo has a Metrics tab', (await page.$$('a.tab[data-tab=metrics]')).length === 1);
  await page.goto(`/${repo}/metrics`);
  const html = await (await page.request.get(`/${repo}/metrics`)).text();
  check('server-drawn charts exist without JS', html.includes('<svg class="spark"') && html.includes('data-tag="loss"'));
  if (!(await page.evaluate(() => document.body.dataset.uplotJs))) throw new Error('uPlot is not bundled into hubd: run bash web/build.sh, then rebuild');
  await page.waitForSelector('figure.chart[data-tag="loss"][data-interactive="1"] .uplot', { timeout: 10000 });
  const legend = await page.textContent('figure.chart[data-tag="loss"] .uplot');
  check('interactive uPlot charts overlay both runs', legend.includes('runs/exp1') && legend.includes('runs/exp2'));
  await page.fill('input.smoothing', '0.9');
  await page.check('input.logscale');
  check('smoothing slider and log scale redraw the charts', (await page.textContent('.smoothing-value')) === '0.90' && (await page.$$('figure.chart .uplot')).length > 0);
  await shot('metrics');
});

await step('widget (when the Inference API can run a model)', async () => {
  const dir = process.env.DEMO_MODEL_DIR;
  if (!dir || !fs.existsSync(dir)) { console.log('SKIP: widget: no demo model (scripts/demo_model.py needs python3-torch)'); return; }
  await page.goto('/new');
  await page.fill('#new-repo-form input[name=name]', 'sentiment');
  await Promise.all([page.waitForURL(`**/${user}/sentiment`), page.click('#new-repo-form button[type=submit]')]);
  await page.goto(`/${user}/sentiment/upload/main`);
  await page.setInputFiles('#upload-form input[type=file]', fs.readdirSync(dir).map((f) => path.join(dir, f)));
  await Promise.all([page.waitForURL('**/commit/*'), page.click('#upload-form button[type=submit]')]);
  // 503 + estimated_time while the model loads, as on the Hub: ask again.
  let probe;
  for (let i = 0; i < 60; i++) {
    probe = await page.request.post(`/models/${user}/sentiment`, { data: { inputs: 'I love this movie' }, headers: await csrfHeader(), timeout: 60000 });
    if (probe.status() !== 503) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!probe.ok()) { console.log(`SKIP: widget: the Inference API answered ${probe.status()} for this model`); return; }
  const expected = await probe.json();
  await page.goto(`/${user}/sentiment`);
  check('the widget starts with the card example', (await page.inputValue('.widget-input')) === 'I love this movie');
  await page.click('.widget-run');
  await page.waitForSelector('.widget-output[data-done="1"]', { timeout: 60000 });
  const bars = await page.$$eval('.widget-output .bar-row', (rows) => rows.map((r) => [r.children[0].textContent, r.children[2].textContent]));
  const want = (Array.isArray(expected[0]) ? expected[0] : expected).map((x) => [x.label, x.score.toFixed(3)]);
  check('the widget draws the Inference API scores as bars', bars.length > 0 && JSON.stringify(bars) === JSON.stringify(want.slice(0, 10)));
  await shot('widget');
});

await step('text-generation widget streams tokens into the page', async () => {
  const dir = process.env.STORIES_MODEL_DIR;
  if (!dir || !fs.existsSync(dir)) { console.log('SKIP: streaming widget: no stories260K model (../shared/models)'); return; }
  await page.goto('/new');
  await page.fill('#new-repo-form input[name=name]', 'stories');
  await Promise.all([page.waitForURL(`**/${user}/stories`), page.click('#new-repo-form button[type=submit]')]);
  await page.goto(`/${user}/stories/upload/main`);
  await page.setInputFiles('#upload-form input[type=file]', fs.readdirSync(dir).map((f) => path.join(dir, f)));
  await Promise.all([page.waitForURL('**/commit/*'), page.click('#upload-form button[type=submit]')]);
  let probe;
  for (let i = 0; i < 60; i++) {
    probe = await page.request.post(`/models/${user}/stories`, { data: { inputs: 'Once upon a time', parameters: { max_new_tokens: 30 } }, headers: await csrfHeader(), timeout: 60000 });
    if (probe.status() !== 503) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  check('the Inference API runs the uploaded Llama', probe.ok());
  if (!probe.ok()) return;
  const expected = (await probe.json())[0].generated_text;  // greedy, return_full_text: prompt + continuation
  await page.goto(`/${user}/stories`);
  check('the text-generation widget starts with the card example', (await page.inputValue('.widget-input')) === 'Once upon a time');
  // The widget must ask for a stream and read the server-sent events (the tiny model answers
  // all 30 tokens within a few milliseconds, so the page cannot be caught half-way reliably).
  const seen = page.waitForResponse((r) => r.url().endsWith(`/models/${user}/stories`) && r.request().method() === 'POST');
  await page.click('.widget-run');
  const res = await seen;
  check('the widget asks for stream: true', JSON.parse(res.request().postData() || '{}').stream === true);
  check('and reads a text/event-stream answer', (res.headers()['content-type'] || '').startsWith('text/event-stream'));
  await page.waitForSelector('.widget-output[data-done="1"]', { timeout: 60000 });
  const shown = await page.textContent('.widget-output .generated');
  check('the streamed text equals the non-streamed greedy answer', shown === expected);
  check('the new text is marked apart from the prompt', (await page.textContent('.widget-output .generated-new')) === expected.slice('Once upon a time'.length));
  await shot('widget-generation');
});

await step('tokens page', async () => {
  await page.goto('/settings/tokens');
  await page.fill('input[name=name]', 'laptop');
  await page.selectOption('select[name=role]', 'write');
  await page.click('form.row button[type=submit]');
  const token = (await page.textContent('#new-token')).trim();
  check('a new token is shown once', /^hf_[A-Za-z]{34}$/.test(token));
  const who = await fetch(URL_ + '/api/whoami-v2', { headers: { Authorization: 'Bearer ' + token } }).then((r) => r.json());
  check('the token works with the API', who.name === user);
  await shot('tokens');
  const forged = await page.request.post('/settings/tokens', { form: { name: 'forged', role: 'write' }, maxRedirects: 0 });
  check('a form post without the CSRF token is refused', forged.status() === 403);
  await page.reload();
  check('the refused post created nothing', !(await page.textContent('table.tokens')).includes('forged'));
  // The API takes the session cookie for writes only with the page's CSRF token (issue 14 #10).
  const noToken = await page.request.post('/api/repos/create', { data: { name: 'csrf-probe' } });
  check('a cookie API write without the CSRF token is refused', noToken.status() === 403);
  const withToken = await page.request.post('/api/repos/create', { data: { name: 'csrf-probe' }, headers: await csrfHeader() });
  check('with the page\'s CSRF token it works', withToken.status() === 200);
});

await step('settings: private repos 404 for others', async () => {
  await page.goto(`/${repo}/settings`);
  await Promise.all([page.waitForURL('**/settings?msg=*'), page.click('#make-private')]);
  await shot('settings');
  const anon = await fetch(`${URL_}/${repo}`);
  check('the private repo is a 404 for anonymous visitors', anon.status === 404);
  const anonTree = await fetch(`${URL_}/${repo}/tree/main`);
  check('and so are its files', anonTree.status === 404 && !(await anonTree.text()).includes('README.md'));
  const own = await page.goto(`/${repo}`);
  check('the owner still sees it', own.status() === 200 && (await page.textContent('.badge.private')) === 'private');
});

await step('datasets and renaming', async () => {
  await page.goto('/new?type=dataset');
  await page.fill('#new-repo-form input[name=name]', 'reviews');
  await Promise.all([page.waitForURL(`**/datasets/${user}/reviews`), page.click('#new-repo-form button[type=submit]')]);
  check('a dataset page lives under /datasets/', (await page.textContent('.repo-head h1')).includes('Dataset:'));
  await page.goto(`/datasets/${user}/reviews/settings`);
  await page.fill('input[name=new_id]', `${user}/reviews-v2`);
  await Promise.all([page.waitForURL(`**/datasets/${user}/reviews-v2`), page.click('form.row button[type=submit]')]);
  const old = await fetch(`${URL_}/datasets/${user}/reviews/tree/main`, { redirect: 'manual' });
  check('the old name redirects to the renamed dataset', old.status === 301 && old.headers.get('location') === `/datasets/${user}/reviews-v2/tree/main`);
  await page.goto('/datasets');
  check('the datasets list shows it', (await page.$$eval('.repo-card-id', (as) => as.map((a) => a.textContent))).includes(`${user}/reviews-v2`));
});

await step('gated repo: request access, accept', async () => {
  // alice gates a new repo (manual approval) from its settings page.
  await page.goto('/new');
  await page.fill('#new-repo-form input[name=name]', 'gated-model');
  await Promise.all([page.waitForURL(`**/${user}/gated-model`), page.click('#new-repo-form button[type=submit]')]);
  await page.goto(`/${user}/gated-model/settings`);
  await page.selectOption('#gate-mode select[name=gated]', 'manual');
  await Promise.all([page.waitForURL('**/settings?msg=*'), page.click('#gate-mode button[type=submit]')]);
  check('the repo header shows the gated badge', (await page.textContent('.badge.gated')) === 'gated');
  // bob, in a browser of his own, signs up and asks.
  const bobCtx = await chromium.launchPersistentContext(path.join(TMP, 'chromium-profile-bob'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], baseURL: URL_,
  });
  try {
    const bob = bobCtx.pages()[0] || await bobCtx.newPage();
    bob.on('pageerror', (e) => pageErrors.push(String(e)));
    await bob.goto('/join');
    await bob.fill('#join-form input[name=username]', 'bob');
    await bob.fill('#join-form input[name=password]', 'bob-password-9');
    await Promise.all([bob.waitForURL('**/bob'), bob.click('#join-form button[type=submit]')]);
    const blocked = await bob.goto(`/${user}/gated-model/blob/main/.gitattributes`);
    check('bob without access: the blob page is refused (403)', blocked.status() === 403);
    await bob.goto(`/${user}/gated-model`);
    check('bob sees the request form', await bob.isVisible('#gate-form'));
    await bob.screenshot({ path: path.join(SHOTS, 'gated-request.png'), fullPage: true });
    await Promise.all([bob.waitForURL(`**/${user}/gated-model`), bob.click('#gate-submit')]);
    check('after asking, bob sees his request pending', await bob.isVisible('.gate-pending'));
    // alice accepts from the settings page.
    await page.goto(`/${user}/gated-model/settings`);
    check('alice sees bob in the pending list', (await page.textContent('#requests-pending')).includes('bob'));
    await shot('gated-review');
    await Promise.all([page.waitForURL('**/settings?msg=*'), page.click('#requests-pending tr[data-user=bob] button.accept')]);
    check('bob moves to the accepted list', (await page.textContent('#requests-accepted')).includes('bob'));
    await bob.goto(`/${user}/gated-model`);
    check('bob now has access', await bob.isVisible('.gate-granted'));
    const open = await bob.goto(`/${user}/gated-model/blob/main/.gitattributes`);
    check('bob reads the blob page (200)', open.status() === 200);
  } finally {
    await bobCtx.close();
  }
});

await step('profile and home', async () => {
  await page.goto(`/${user}`);
  check('the profile lists the repos', (await page.textContent('.repo-list')).includes(repo));
  await shot('profile');
  await page.goto('/');
  await shot('home');
});

await step('log out', async () => {
  await Promise.all([page.waitForURL(URL_ + '/'), page.click('#logout')]);
  check('logged out', (await page.textContent('header nav')).includes('Log in'));
  const r = await page.goto(`/${repo}`);
  check('after log-out the private repo is a 404', r.status() === 404);
});

check('no JavaScript errors on any page', pageErrors.length === 0 || (console.log(pageErrors), false));
await browser.close();
console.log(`${passes} passed, ${fails} failed (browser)`);
process.exit(fails ? 1 : 0);
