// Progressive enhancement for every page: copy buttons, auto-submitting selects, search
// suggestions, and loading the widget / metrics modules where a page has them. Pages work
// without any of this.
const assets = document.body.dataset;

for (const b of document.querySelectorAll('[data-copy]')) {
  b.addEventListener('click', () => navigator.clipboard?.writeText(b.dataset.copy));
}
for (const s of document.querySelectorAll('select[data-autosubmit]')) {
  s.addEventListener('change', () => s.form.submit());
}

// Search-as-you-type: the top search box suggests repos from /-/suggest.
const input = document.querySelector('input[data-suggest]');
if (input) {
  const list = input.parentElement.querySelector('.suggest');
  let timer = 0, seq = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      const mine = ++seq;
      if (!q) { list.hidden = true; return; }
      const res = await fetch('/-/suggest?q=' + encodeURIComponent(q));
      if (!res.ok || mine !== seq) return;
      const items = await res.json();
      list.replaceChildren(...items.map((it) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = it.url;
        a.textContent = (it.type === 'dataset' ? 'Dataset: ' : '') + it.id;
        li.append(a);
        return li;
      }));
      list.hidden = items.length === 0;
    }, 120);
  });
  input.addEventListener('blur', () => setTimeout(() => { list.hidden = true; }, 200));
}

if (document.querySelector('[data-widget]') && assets.widgetJs) {
  import(assets.widgetJs).then((m) => m.init(document.querySelector('[data-widget]')));
}
if (document.querySelector('[data-metrics]') && assets.metricsJs) {
  import(assets.metricsJs).then((m) => m.init(document.querySelector('[data-metrics]'), assets));
}
