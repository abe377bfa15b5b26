// Metrics tab: replaces each server-drawn chart with an interactive uPlot chart (runs
// overlaid, exponential-moving-average smoothing like TensorBoard's, log-scale toggle). uPlot
// is the npm package bundled by web/build.sh; without it the static SVG charts stay.
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = reject;
    document.head.append(s);
  });
}

// TensorBoard's debiased EMA over finite values.
function smooth(values, weight) {
  const out = [];
  let last = 0, n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) { out.push(v); continue; }
    last = last * weight + (1 - weight) * v;
    n++;
    out.push(weight === 0 ? v : last / (1 - Math.pow(weight, n)));
  }
  return out;
}

const num = (v) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);

export async function init(root, assets) {
  if (!assets.uplotJs) return;
  if (assets.uplotCss) {
    const l = document.createElement('link');
    l.rel = 'stylesheet';
    l.href = assets.uplotCss;
    document.head.append(l);
  }
  const [data] = await Promise.all([fetch(root.dataset.metrics).then((r) => r.json()), loadScript(assets.uplotJs)]);
  const byTag = new Map();
  for (const run of data.runs) for (const t of run.tags) {
    if (!byTag.has(t.tag)) byTag.set(t.tag, []);
    byTag.get(t.tag).push({ run: run.name, points: t.points });
  }
  const slider = root.querySelector('.smoothing');
  const shown = root.querySelector('.smoothing-value');
  const logBox = root.querySelector('.logscale');
  const charts = [];
  const build = () => {
    for (const c of charts) c.destroy();
    charts.length = 0;
    const weight = Number(slider.value);
    shown.textContent = weight.toFixed(2);
    for (const fig of root.querySelectorAll('figure.chart')) {
      const series = byTag.get(fig.dataset.tag) || [];
      // One shared x axis: the union of steps; runs missing a step get null (a gap).
      const steps = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
      const index = new Map(steps.map((s, i) => [s, i]));
      const ys = series.map((s) => {
        const col = new Array(steps.length).fill(null);
        const sm = smooth(s.points.map((p) => num(p[2])), weight);
        s.points.forEach((p, i) => { col[index.get(p[0])] = Number.isFinite(sm[i]) && (!logBox.checked || sm[i] > 0) ? sm[i] : null; });
        return col;
      });
      const target = fig.querySelector('.chart-static');
      target.replaceChildren();
      const opts = {
        width: Math.max(300, target.clientWidth || 420), height: 220,
        scales: { x: { time: false }, y: { distr: logBox.checked ? 3 : 1 } },
        series: [{ label: 'step' }, ...series.map((s, i) => ({ label: s.run, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
        axes: [{}, {}],
      };
      charts.push(new window.uPlot(opts, [steps, ...ys], target));
      fig.dataset.interactive = '1';
    }
  };
  slider.addEventListener('input', build);
  logBox.addEventListener('change', build);
  build();
}
