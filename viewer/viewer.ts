/**
 * The static weights viewer (viewer/index.html): opens a `weights.arrow` (file picker, drag
 * and drop, a URL or `?file=URL`), shows its metadata, and draws the histogram of any
 * expression with its per-family uncertainties and correlation matrix, computed in the
 * page by the same functions as `omnifold hist --json` (src/publish/hist_query.ts), so
 * the numbers agree. Nothing is fetched but the weights file and the files it links.
 */
import {
  COLOURS,
  decodeWeightsFile,
  describeNormalisation,
  histogramJson,
  histQuery,
  histSource,
  parseBins,
  parseNormalisation,
  toYaml11,
  type HistogramNormalisation,
  type HistSource,
  type WeightsFile,
} from 'omnifold/browser';

type Json = ReturnType<typeof histogramJson>;
interface FamilyEntry {
  uncertainty: number[];
  correlation: number[];
  columns: number;
}

/** One column of the table: a family's key in `hist --json` `families` and its label. */
interface FamilyColumn {
  key: string;
  label: string;
  entry: FamilyEntry;
}

interface Loaded {
  name: string;
  file: WeightsFile;
  source: HistSource;
}

interface Drawn {
  obs: string;
  where: string | undefined;
  edges: Float64Array;
  normalisation: HistogramNormalisation;
  json: Json;
  families: FamilyColumn[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`viewer page must have an element #${id}; got none`);
  return el as T;
};
const SVG = 'http://www.w3.org/2000/svg';

let current: Loaded | undefined;
let drawn: Drawn | undefined;
let draws = 0;
const objectUrls: string[] = [];

// ---------------------------------------------------------------- errors

function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  $('error').textContent = message.split('\n')[0];
  document.body.dataset.status = 'error';
}

function clearError(): void {
  $('error').textContent = '';
}

/** Runs `fn`, showing any error as the page's one error line. */
function guarded(fn: () => void | Promise<void>): () => void {
  return () => {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch(showError);
    } catch (error) {
      showError(error);
    }
  };
}

window.addEventListener('error', (e) => showError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

// ---------------------------------------------------------------- loading

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Decodes a weights file and the files it links (alternative unfoldings), each checked
 * against the SHA-256 and size recorded in it; `linkedBytes` finds a linked file by name
 * (undefined when it is not at hand: its systematic is then left out, said so).
 */
async function open(
  name: string,
  bytes: Uint8Array,
  linkedBytes: (file: string) => Promise<Uint8Array | undefined>,
): Promise<void> {
  const file = decodeWeightsFile(bytes, name);
  const linked: { name: string; source: string; file: WeightsFile }[] = [];
  const missing: string[] = [];
  for (const link of file.metadata.linked ?? []) {
    const b = await linkedBytes(link.file);
    if (b === undefined) {
      missing.push(`${link.file} (systematic ${link.name})`);
      continue;
    }
    const sha = await sha256Hex(b);
    if (sha !== link.sha256 || b.length !== link.bytes)
      throw new Error(
        `${name}: linked weights file ${link.file} must have the SHA-256 recorded in it; got ${sha.slice(0, 12)}… (recorded ${link.sha256.slice(0, 12)}…)`,
      );
    linked.push({ name: link.name, source: link.file, file: decodeWeightsFile(b, link.file) });
  }
  current = { name, file, source: histSource(file, name, linked) };
  drawn = undefined;
  $('notice').textContent =
    missing.length === 0
      ? ''
      : `Linked weights file${missing.length === 1 ? '' : 's'} not loaded: ${missing.join(', ')}; ${missing.length === 1 ? 'its systematic is' : 'their systematics are'} left out (open ${missing.length === 1 ? 'it' : 'them'} together with ${name}).`;
  showMetadata(current);
  clearError();
  document.body.dataset.status = 'loaded';
  fillDefaults(current);
  draw();
}

async function openUrl(url: string): Promise<void> {
  const absolute = new URL(url, location.href);
  const get = async (u: URL): Promise<Uint8Array> => {
    let response: Response;
    try {
      response = await fetch(u);
    } catch (cause) {
      throw new Error(`${u.href} must be readable; got ${(cause as Error).message}`);
    }
    if (!response.ok) throw new Error(`${u.href} must be readable; got HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const bytes = await get(absolute);
  const name = decodeURIComponent(absolute.pathname.split('/').pop() || absolute.href);
  await open(name, bytes, async (file) => {
    try {
      return await get(new URL(file, absolute));
    } catch {
      return undefined;
    }
  });
}

async function openFiles(files: FileList | File[]): Promise<void> {
  const list = Array.from(files);
  if (list.length === 0) return;
  const main = list.find((f) => f.name === 'weights.arrow') ?? list[0];
  const bytes = new Uint8Array(await main.arrayBuffer());
  await open(main.name, bytes, async (name) => {
    const f = list.find((g) => g.name === name && g !== main);
    return f === undefined ? undefined : new Uint8Array(await f.arrayBuffer());
  });
}

// ---------------------------------------------------------------- metadata

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function showMetadata({ name, file }: Loaded): void {
  const m = file.metadata;
  $('file-name').textContent = `${name}: ${file.nRows} events, ${file.columnNames.length} columns`;
  const list = $('meta-list');
  list.replaceChildren();
  const row = (term: string, ...content: (string | Node)[]) => {
    list.append(el('dt', term));
    const dd = el('dd', undefined, { 'data-meta': term });
    dd.append(...content);
    list.append(dd);
  };
  row('engine', `${m.engine?.name ?? '?'} ${m.engine?.version ?? ''}, seed ${m.seed}, format ${m.formatVersion}`);
  row(
    'observables',
    (m.observables ?? [])
      .map((o) => `${o.name}${o.label && o.label !== o.name ? ` (${o.label})` : ''}${o.unit ? ` [${o.unit}]` : ''}`)
      .join(', ') || 'none',
  );
  const families = new Map<string, number>();
  for (const c of m.columns ?? []) families.set(c.role, (families.get(c.role) ?? 0) + 1);
  row(
    'families',
    [...families]
      .filter(([role]) => role !== 'gen_feature' && role !== 'mask' && role !== 'iteration')
      .map(([role, n]) => `${role} ${n}`)
      .join(', ') || 'none',
  );
  if (m.ensemble)
    row(
      'ensemble',
      `${m.ensemble.members} member(s), ${m.ensemble.runs} run(s), ${m.ensemble.combine}, standard-error factor ${m.ensemble.standardErrorFactor}`,
    );
  row(
    'normalisation',
    Object.entries(m.normalisation ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('; '),
  );
  if (m.selection) row('selection', `gen: ${m.selection.gen ?? '—'}; reco: ${m.selection.reco ?? '—'}`);
  const inputs = el('ul');
  for (const i of m.inputs ?? [])
    inputs.append(el('li', `${i.role}: ${i.path} (${i.bytes} bytes, SHA-256 ${i.sha256})`, { class: 'mono' }));
  row('inputs', (m.inputs ?? []).length === 0 ? 'none recorded' : inputs);
  if (m.linked?.length) row('linked', m.linked.map((l) => `${l.name}: ${l.file}`).join(', '));
  row('iterations', String(m.iterations?.length ?? 0));
  const details = el('details');
  details.append(el('summary', 'show'), el('pre', JSON.stringify(m.configuration, null, 2), { class: 'mono' }));
  row('configuration', details);
  const datalist = $('columns');
  datalist.replaceChildren(...file.columnNames.map((c) => el('option', undefined, { value: c })));
  $('metadata').classList.remove('hidden');
  $('query').classList.remove('hidden');
}

/** Number text with 6 significant digits, as `omnifold hist` prints edges. */
const short = (v: number) => String(Number(v.toPrecision(6)));

/** The 1-2-5 step nearest to `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
}

/**
 * When the boxes are empty: the first observable, in about 20 bins of a 1-2-5 width that
 * span its 0.1 % to 99.9 % quantiles over the events passing the gen selection.
 */
function fillDefaults({ file, source }: Loaded): void {
  const expr = $<HTMLInputElement>('expr');
  const bins = $<HTMLInputElement>('bins');
  if (expr.value.trim() === '' || !file.columnNames.includes(expr.value.trim())) {
    expr.value = file.metadata.observables?.[0]?.name ?? file.columnNames[0];
    bins.value = '';
  }
  if (bins.value.trim() !== '' || !file.columnNames.includes(expr.value.trim())) return;
  const x = source.column(expr.value.trim());
  const pass = file.columnNames.includes('pass_gen') ? source.column('pass_gen') : undefined;
  const values: number[] = [];
  for (let i = 0; i < x.length; i++) if ((!pass || pass[i]) && Number.isFinite(x[i])) values.push(x[i]);
  values.sort((a, b) => a - b);
  if (values.length < 2) return;
  const lo = values[Math.floor(0.001 * (values.length - 1))];
  const hi = values[Math.ceil(0.999 * (values.length - 1))];
  if (!(hi > lo)) return;
  const step = niceStep((hi - lo) / 20);
  const a = Math.floor(lo / step) * step;
  let n = Math.ceil((hi - a) / step);
  if (a + n * step <= hi) n++;
  bins.value = `${short(a)}:${short(a + n * step)}:${n}`;
}

// ---------------------------------------------------------------- histogram

const FAMILY_LABELS: Record<string, string> = {
  stat: 'stat',
  simStat: 'sim-stat',
  backgroundStat: 'background-stat',
  syst: 'syst',
  ensemble: 'ensemble',
  total: 'total',
};

/** The families of `hist --json`, in its order, systematics by name (`systematics.NAME`). */
function familyColumns(json: Json): FamilyColumn[] {
  const out: FamilyColumn[] = [];
  for (const [key, value] of Object.entries(json.families as Record<string, unknown>)) {
    if (key === 'systematics') {
      for (const [name, entry] of Object.entries(value as Record<string, FamilyEntry>))
        out.push({ key: `systematics.${name}`, label: `syst ${name}`, entry });
    } else out.push({ key, label: FAMILY_LABELS[key] ?? key, entry: value as FamilyEntry });
  }
  return out;
}

function draw(): void {
  if (current === undefined) throw new Error('a weights file must be open first; got none');
  const obs = $<HTMLInputElement>('expr').value.trim();
  const binsText = $<HTMLInputElement>('bins').value.trim();
  const whereText = $<HTMLInputElement>('where').value.trim();
  if (obs === '') throw new Error('expression must be given; got an empty box');
  const edges = parseBins(binsText, 'bins');
  const where = whereText === '' ? undefined : whereText;
  const normalisation = parseNormalisation($<HTMLInputElement>('normalise').value.trim() || 'events', 'normalise');
  const u = histQuery(current.source, obs, edges, where, normalisation);
  const json = histogramJson(obs, edges, normalisation, u);
  drawn = { obs, where, edges, normalisation, json, families: familyColumns(json) };
  clearError();
  renderResult(drawn, current);
  draws++;
  document.body.dataset.status = 'drawn';
  document.body.dataset.draws = String(draws);
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Axis title of the expression: its label and unit when it is an observable's name. */
function axisTitle(obs: string, file: WeightsFile): string {
  const o = file.metadata.observables?.find((x) => x.name === obs);
  if (o === undefined) return obs;
  return `${o.label || o.name}${o.unit ? ` [${o.unit}]` : ''}`;
}

function renderResult(d: Drawn, loaded: Loaded): void {
  const n = d.edges.length - 1;
  $('result').classList.remove('hidden');
  $('result-title').textContent = `${d.obs}${d.where ? ` where ${d.where}` : ''}: ${n} bins`;
  $('result-note').textContent =
    `${d.normalisation.kind === 'events' ? '' : `values: ${describeNormalisation(d.normalisation)}; `}${d.json.statDescription}; ${plural(d.json.nDataBootstraps, 'data bootstrap')}, ${plural(d.json.nSimBootstraps, 'sim bootstrap')}, ` +
    `${plural(Object.keys(d.json.covariance.systematics).length, 'systematic')}, ${plural(d.json.nEnsemble, 'ensemble column')}`;
  $('histogram-figure').replaceChildren(histogramSvg(d, axisTitle(d.obs, loaded.file)));
  const select = $<HTMLSelectElement>('correlation-family');
  const previous = select.value || 'total';
  select.replaceChildren(
    ...d.families.map((f) => el('option', f.label, { value: f.key, ...(f.key === previous ? { selected: '' } : {}) })),
  );
  if (!d.families.some((f) => f.key === previous)) select.value = 'total';
  renderCorrelation();
  renderTable(d);
  renderExports(d, loaded);
}

function renderCorrelation(): void {
  if (drawn === undefined) return;
  const key = $<HTMLSelectElement>('correlation-family').value || 'total';
  const family = drawn.families.find((f) => f.key === key) ?? drawn.families[drawn.families.length - 1];
  $('correlation-figure').replaceChildren(
    correlationSvg(family.entry.correlation, drawn.edges.length - 1, family.label),
  );
}

function renderTable(d: Drawn): void {
  const table = $('bins-table');
  const head = el('tr');
  for (const h of ['bin', 'low edge', 'high edge', 'value', ...d.families.map((f) => `± ${f.label}`)])
    head.append(el('th', h));
  const rows = [head];
  const cell = (v: number, key: string, k: number) =>
    el('td', v === 0 ? '0' : Number.isFinite(v) ? v.toPrecision(6) : String(v), {
      'data-key': key,
      'data-bin': String(k),
      'data-v': String(v),
    });
  for (let k = 0; k < d.edges.length - 1; k++) {
    const tr = el('tr');
    tr.append(el('td', String(k + 1)), el('td', short(d.edges[k])), el('td', short(d.edges[k + 1])));
    tr.append(cell(d.json.value[k], 'value', k));
    for (const f of d.families) tr.append(cell(f.entry.uncertainty[k], f.key, k));
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}

function csvText(d: Drawn): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['bin', 'low', 'high', 'value', ...d.families.map((f) => f.label)].map(quote).join(',')];
  for (let k = 0; k < d.edges.length - 1; k++)
    lines.push(
      [k + 1, d.edges[k], d.edges[k + 1], d.json.value[k], ...d.families.map((f) => f.entry.uncertainty[k])]
        .map(String)
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

function renderExports(d: Drawn, loaded: Loaded): void {
  for (const u of objectUrls.splice(0)) URL.revokeObjectURL(u);
  const link = (id: string, text: string, type: string) => {
    const url = URL.createObjectURL(new Blob([text], { type }));
    objectUrls.push(url);
    $<HTMLAnchorElement>(id).href = url;
  };
  link('export-csv', csvText(d), 'text/csv');
  // the same document as `omnifold hist --json`, as YAML
  const doc = { file: loaded.name, where: d.where ?? null, histogram: d.json };
  link('export-yaml', toYaml11(doc), 'application/yaml');
}

// ---------------------------------------------------------------- figures

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The figures' colours (src/plots/style.ts): Petroff's 10-colour sequence, and the grey of bands. */
const FAMILY_COLOURS = COLOURS.series;
const BAND = COLOURS.band;

/** Major ticks on 1-2-5 steps inside [lo, hi], about `count` of them. */
function linearTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(k * step);
  return out;
}

/** The y title of the histogram for its normalisation. */
function yTitle(n: HistogramNormalisation): string {
  if (n.kind === 'xsec') return `Σw / (luminosity · bin width) [${n.unit} per x unit]`;
  if (n.kind === 'shape') return 'Σw / (Σw over the bins · bin width)';
  return 'Σ weights per bin';
}

/** Tick label text: at most 4 significant digits, without binary noise. */
const tickText = (v: number) => String(Number(v.toPrecision(4)));

/**
 * Top: the value per bin (black steps) with its total (grey) and stat (blue) bands. Bottom:
 * each family's relative uncertainty per bin, in %.
 */
function histogramSvg(d: Drawn, xTitle: string): SVGElement {
  const W = 600;
  const H = 470;
  const left = 70;
  const right = 130;
  const top = 20;
  const mainH = 270;
  const gap = 24;
  const lowH = 110;
  const lowTop = top + mainH + gap;
  const n = d.edges.length - 1;
  const v = d.json.value;
  const total = d.families.find((f) => f.key === 'total')!.entry.uncertainty;
  const stat = d.families.find((f) => f.key === 'stat')!.entry.uncertainty;
  const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
  const yHi = Math.max(...finite(v.map((x, k) => x + total[k])), 0) * 1.08 || 1;
  const yLo = Math.min(0, ...finite(v.map((x, k) => x - total[k])));
  const x0 = d.edges[0];
  const x1 = d.edges[n];
  const X = (x: number) => left + ((x - x0) / (x1 - x0)) * (W - left - right);
  const Y = (y: number) => top + mainH - ((y - yLo) / (yHi - yLo)) * mainH;
  const svg = svgEl('svg', { xmlns: SVG, width: W, height: H, viewBox: `0 0 ${W} ${H}`, id: 'histogram-svg' });
  svg.append(svgEl('style', {}, 'text{font-family:DejaVu Sans,Verdana,sans-serif;font-size:11px}'));
  // bands and steps
  for (let k = 0; k < n; k++) {
    const a = X(d.edges[k]);
    const w = X(d.edges[k + 1]) - a;
    const band = (s: number, fill: string, opacity: number, cls: string) =>
      Number.isFinite(s) && Number.isFinite(v[k])
        ? svg.append(
            svgEl('rect', {
              x: a,
              y: Y(v[k] + s),
              width: Math.max(w, 0.5),
              height: Math.max(Y(v[k] - s) - Y(v[k] + s), 0.5),
              fill,
              'fill-opacity': opacity,
              class: cls,
            }),
          )
        : undefined;
    band(total[k], BAND, 0.55, 'band-total');
    band(stat[k], FAMILY_COLOURS[0], 0.45, 'band-stat');
  }
  let path = '';
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(v[k])) continue;
    path += `M${X(d.edges[k])},${Y(v[k])}H${X(d.edges[k + 1])}`;
  }
  svg.append(svgEl('path', { d: path, stroke: '#000', 'stroke-width': 1.8, fill: 'none', class: 'value' }));
  // axes
  const frame = (t: number, h: number) =>
    svg.append(svgEl('rect', { x: left, y: t, width: W - left - right, height: h, fill: 'none', stroke: '#000' }));
  frame(top, mainH);
  frame(lowTop, lowH);
  const xt = linearTicks(x0, x1, 6);
  for (const t of xt) {
    for (const yy of [top + mainH, lowTop + lowH])
      svg.append(svgEl('line', { x1: X(t), x2: X(t), y1: yy, y2: yy - 6, stroke: '#000' }));
    svg.append(svgEl('text', { x: X(t), y: lowTop + lowH + 14, 'text-anchor': 'middle' }, tickText(t)));
  }
  svg.append(svgEl('text', { x: W - right, y: lowTop + lowH + 32, 'text-anchor': 'end' }, xTitle));
  for (const t of linearTicks(yLo, yHi, 5)) {
    svg.append(svgEl('line', { x1: left, x2: left + 6, y1: Y(t), y2: Y(t), stroke: '#000' }));
    svg.append(svgEl('text', { x: left - 4, y: Y(t) + 4, 'text-anchor': 'end' }, tickText(t)));
  }
  svg.append(
    svgEl('text', { x: 14, y: top, 'text-anchor': 'end', transform: `rotate(-90 14 ${top})` }, yTitle(d.normalisation)),
  );
  // lower panel: relative uncertainty per family, in %
  const rel = d.families.map((f) => f.entry.uncertainty.map((s, k) => (100 * s) / Math.abs(v[k])));
  const relHi = Math.max(...rel.flatMap((r) => finite(r)), 0) * 1.1 || 1;
  const R = (p: number) => lowTop + lowH - (Math.min(p, relHi) / relHi) * lowH;
  for (const t of linearTicks(0, relHi, 3)) {
    svg.append(svgEl('line', { x1: left, x2: left + 6, y1: R(t), y2: R(t), stroke: '#000' }));
    svg.append(svgEl('text', { x: left - 4, y: R(t) + 4, 'text-anchor': 'end' }, tickText(t)));
  }
  svg.append(
    svgEl(
      'text',
      { x: 14, y: lowTop + lowH / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${lowTop + lowH / 2})` },
      'σ / value [%]',
    ),
  );
  d.families.forEach((f, i) => {
    const colour = f.key === 'total' ? '#000' : FAMILY_COLOURS[i % FAMILY_COLOURS.length];
    let p = '';
    for (let k = 0; k < n; k++)
      if (Number.isFinite(rel[i][k])) p += `M${X(d.edges[k])},${R(rel[i][k])}H${X(d.edges[k + 1])}`;
    svg.append(
      svgEl('path', {
        d: p,
        stroke: colour,
        'stroke-width': f.key === 'total' ? 2 : 1.4,
        'stroke-dasharray': f.key === 'total' ? '' : i % 2 ? '4 2' : '',
        fill: 'none',
      }),
    );
    const ly = lowTop + 10 + i * 15;
    svg.append(
      svgEl('line', { x1: W - right + 10, x2: W - right + 30, y1: ly, y2: ly, stroke: colour, 'stroke-width': 2 }),
    );
    svg.append(svgEl('text', { x: W - right + 34, y: ly + 4 }, f.label));
  });
  // legend of the top panel
  const legend: [string, string, number][] = [
    ['value', '#000', 1],
    ['± stat', FAMILY_COLOURS[0], 0.45],
    ['± total', BAND, 0.55],
  ];
  legend.forEach(([label, colour, opacity], i) => {
    const ly = top + 12 + i * 16;
    svg.append(
      i === 0
        ? svgEl('line', { x1: W - right + 10, x2: W - right + 30, y1: ly, y2: ly, stroke: colour, 'stroke-width': 2 })
        : svgEl('rect', { x: W - right + 10, y: ly - 6, width: 20, height: 12, fill: colour, 'fill-opacity': opacity }),
    );
    svg.append(svgEl('text', { x: W - right + 34, y: ly + 4 }, label));
  });
  return svg;
}

/** Colour of a correlation in [-1, 1]: blue through white to red. */
function correlationColour(c: number): string {
  if (!Number.isFinite(c)) return '#ddd';
  const t = Math.max(-1, Math.min(1, c));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * Math.abs(t));
  return t >= 0 ? `rgb(255,${mix(255, 40)},${mix(255, 40)})` : `rgb(${mix(255, 40)},${mix(255, 90)},255)`;
}

function correlationSvg(corr: number[], n: number, label: string): SVGElement {
  const margin = 30;
  const size = Math.min(380, Math.max(300, margin + 10 + 32 * n));
  const cellSize = (size - margin - 10) / n;
  const svg = svgEl('svg', { xmlns: SVG, width: size, height: size + 20, id: 'correlation-svg' });
  svg.append(svgEl('style', {}, 'text{font-family:DejaVu Sans,Verdana,sans-serif;font-size:10px}'));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = corr[i * n + j];
      const x = margin + j * cellSize;
      const y = 10 + (n - 1 - i) * cellSize;
      const rect = svgEl('rect', {
        x,
        y,
        width: cellSize,
        height: cellSize,
        fill: correlationColour(c),
        'data-i': i,
        'data-j': j,
        'data-v': String(c),
      });
      rect.append(svgEl('title', {}, `bins ${i + 1}, ${j + 1}: ${c.toFixed(3)}`));
      svg.append(rect);
      if (cellSize >= 30)
        svg.append(
          svgEl(
            'text',
            {
              x: x + cellSize / 2,
              y: y + cellSize / 2 + 3,
              'text-anchor': 'middle',
              'font-size': cellSize >= 40 ? 11 : 9,
            },
            c.toFixed(2),
          ),
        );
    }
  }
  const every = Math.ceil(n / 10);
  for (let k = 0; k < n; k += every) {
    svg.append(
      svgEl('text', { x: margin + (k + 0.5) * cellSize, y: size + 2, 'text-anchor': 'middle' }, String(k + 1)),
    );
    svg.append(
      svgEl('text', { x: margin - 4, y: 10 + (n - k - 0.5) * cellSize + 3, 'text-anchor': 'end' }, String(k + 1)),
    );
  }
  svg.append(
    svgEl('text', { x: size / 2 + margin / 2, y: size + 16, 'text-anchor': 'middle' }, `bin (${label} correlation)`),
  );
  return svg;
}

// ---------------------------------------------------------------- wiring

$<HTMLInputElement>('file').addEventListener(
  'change',
  guarded(async () => {
    const input = $<HTMLInputElement>('file');
    if (input.files) await openFiles(input.files);
  }),
);
$('open-url').addEventListener(
  'click',
  guarded(() => openUrl($<HTMLInputElement>('url').value.trim())),
);
$('url').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') guarded(() => openUrl($<HTMLInputElement>('url').value.trim()))();
});
$('query').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded(draw)();
});
$('correlation-family').addEventListener('change', guarded(renderCorrelation));
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const files = e.dataTransfer?.files;
  if (files && files.length > 0) guarded(() => openFiles(files))();
});

const initial = new URLSearchParams(location.search).get('file');
if (initial) {
  $<HTMLInputElement>('url').value = initial;
  guarded(() => openUrl(initial))();
}
