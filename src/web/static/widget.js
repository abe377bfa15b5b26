// The inference widget of a model page: sends the input to POST /models/{id} (the Inference
// API) and draws the answer for the task: bars for scores, highlighted entities, the answer
// span, filled-in sentences, generated text (text-generation streams its tokens in as the
// server sends them: server-sent events, as the JS client reads them). Output is built with DOM
// nodes (textContent), never HTML strings, so model output cannot inject markup.
// The API refuses cookie-authenticated posts without the session's CSRF token (the page's
// <meta name="csrf-token">), so another site cannot run models as our visitor.
const apiHeaders = () => ({
  'Content-Type': 'application/json',
  'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]')?.content || '',
});

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function bars(items) {
  const box = el('div', 'bars');
  for (const { label, score } of items.slice(0, 10)) {
    const row = el('div', 'bar-row');
    row.append(el('span', 'bar-label', label));
    const bar = el('div', 'bar');
    bar.style.width = Math.max(1, Math.round(score * 100)) + '%';
    const track = el('div', 'bar-track');
    track.append(bar);
    row.append(track, el('span', 'num', score.toFixed(3)));
    box.append(row);
  }
  return box;
}

function entities(text, ents) {
  const p = el('p', 'entities');
  let at = 0;
  for (const e of [...ents].sort((a, b) => a.start - b.start)) {
    if (typeof e.start !== 'number' || e.start < at) continue;
    p.append(text.slice(at, e.start));
    const span = el('mark', 'entity', text.slice(e.start, e.end));
    span.append(el('sub', '', e.entity_group || e.entity || ''));
    span.title = (e.score ?? 0).toFixed(3);
    p.append(span);
    at = e.end;
  }
  p.append(text.slice(at));
  return p;
}

function render(kind, task, out, input, context) {
  if (kind === 'classification') {
    let items = Array.isArray(out) ? (Array.isArray(out[0]) ? out[0] : out) : [];
    if (!Array.isArray(out) && out.labels) items = out.labels.map((label, i) => ({ label, score: out.scores[i] }));
    return bars(items);
  }
  if (kind === 'tokens') return entities(input, Array.isArray(out) ? out : []);
  if (kind === 'qa') {
    const a = Array.isArray(out) ? out[0] : out;
    const box = el('div');
    box.append(el('p', 'answer', a.answer), el('p', 'note', 'score ' + (a.score ?? 0).toFixed(3)));
    return box;
  }
  if (kind === 'fill-mask') {
    const items = Array.isArray(out[0]) ? out[0] : out;
    const box = bars(items.map((x) => ({ label: x.token_str, score: x.score })));
    for (const x of items.slice(0, 5)) box.append(el('p', 'note', x.sequence));
    return box;
  }
  if (kind === 'vector') {
    const flat = out.flat(Infinity);
    return el('p', 'mono', `[${flat.slice(0, 8).map((v) => v.toFixed(4)).join(', ')}${flat.length > 8 ? ', …' : ''}] (${flat.length} values)`);
  }
  const first = Array.isArray(out) ? out[0] : out;
  return el('p', 'generated', first?.generated_text ?? first?.summary_text ?? first?.translation_text ?? JSON.stringify(out));
}

// Reads a `stream: true` answer (TGI events: data:{"token":{"text","special"},...}) into the
// page token by token, after the prompt. Resolves once the stream ends.
async function streamInto(res, output, prompt) {
  const p = el('p', 'generated', prompt);
  const added = el('span', 'generated-new');
  p.append(added);
  output.replaceChildren(p);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
      const event = buf.slice(0, end);
      buf = buf.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        let d;
        try { d = JSON.parse(line.slice(5)); } catch { continue; }
        if (d.error) { output.append(el('p', 'error', d.error)); return; }
        if (d.token && !d.token.special) added.textContent += d.token.text;
      }
    }
  }
}

export function init(root) {
  const form = root.querySelector('form');
  const output = root.querySelector('.widget-output');
  const { kind, endpoint, task } = root.dataset;
  const examples = root.querySelector('.widget-examples');
  examples?.addEventListener('change', () => {
    const opt = examples.selectedOptions[0];
    form.text.value = opt.value;
    if (form.context) form.context.value = opt.dataset.context || '';
    if (form.labels) form.labels.value = opt.dataset.labels || '';
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = form.text.value;
    let body = { inputs: text };
    if (kind === 'qa') body = { inputs: { question: text, context: form.context.value } };
    if (kind === 'generation') body.parameters = { max_new_tokens: 30 };
    const streaming = task === 'text-generation';
    if (streaming) body.stream = true;
    if (task === 'zero-shot-classification')
      body.parameters = { candidate_labels: form.labels.value.split(',').map((s) => s.trim()).filter(Boolean) };
    output.replaceChildren(el('p', 'note', 'Computing…'));
    for (let attempt = 0; attempt < 5; attempt++) {
      let res;
      try {
        res = await fetch(endpoint, { method: 'POST', headers: apiHeaders(), body: JSON.stringify(body) });
      } catch (e) {
        output.replaceChildren(el('p', 'error', 'Network error: ' + e.message));
        return;
      }
      if (streaming && res.ok && (res.headers.get('content-type') || '').startsWith('text/event-stream')) {
        await streamInto(res, output, text);
        output.dataset.done = '1';
        return;
      }
      const data = await res.json().catch(() => ({}));
      if (res.status === 503 && data.estimated_time !== undefined) {
        output.replaceChildren(el('p', 'note', `Model is loading (about ${Math.ceil(data.estimated_time)} s)…`));
        await new Promise((r) => setTimeout(r, Math.min(10000, 1000 * Math.max(1, data.estimated_time))));
        continue;
      }
      if (!res.ok) {
        output.replaceChildren(el('p', 'error', data.error || `Inference failed (${res.status})`));
        return;
      }
      output.replaceChildren(render(kind, task, data, text, form.context?.value));
      output.dataset.done = '1';
      return;
    }
    output.replaceChildren(el('p', 'error', 'The model did not load in time; try again.'));
  });
}
