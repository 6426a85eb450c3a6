// The static weights viewer (viewer/) served by `omnifold view`: in headless Chromium the page
// opens a weights file (by ?file= URL, file picker and drag and drop), and the bin values,
// per-family uncertainties and correlations it draws, and the CSV and YAML it exports, are
// exactly those of `omnifold hist --json` for the same expression, binning and selection.
// The page makes no request outside 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { parse } from 'yaml';
import type { Browser, Page } from 'playwright-core';
import { runHist } from '../src/cli/hist.js';
import { serveViewer, viewerDir, type ViewerServer } from '../src/cli/view.js';
import { writeFamiliesFixture } from './helpers/families_fixture.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = new URL('../../bin/omnifold.js', import.meta.url).pathname;
const tmp = testDir('omnifold-viewer-');
const unfolded = join(tmp, 'out');
const familiesDir = writeFamiliesFixture();

let browser: Browser | undefined;
let viewer: ViewerServer | undefined;
/** Every http(s) URL the pages asked for; those not on 127.0.0.1 were refused. */
const requested: string[] = [];
const refused: string[] = [];

/** `omnifold hist FILE ARGS --json` in this process: the parsed JSON. */
async function histJson(file: string, args: string[]): Promise<any> {
  const json = join(tmp, `hist-${Math.random().toString(36).slice(2)}.json`);
  const [write, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  const err: string[] = [];
  process.stdout.write = () => true;
  process.stderr.write = (s: string) => (err.push(s), true);
  let code: number;
  try {
    code = await runHist([file, ...args, '--json', json]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  assert.is(code, 0, err.join(''));
  return JSON.parse(readFileSync(json, 'utf8'));
}

/** The table the page drew: per key (value, stat, …, systematics.NAME, total) the numbers per bin. */
async function drawnTable(page: Page): Promise<Record<string, number[]>> {
  const cells = await page.$$eval('#bins-table td[data-key]', (tds) =>
    tds.map((td) => [td.getAttribute('data-key')!, Number(td.getAttribute('data-bin')), td.getAttribute('data-v')!]),
  );
  const out: Record<string, number[]> = {};
  for (const [key, bin, v] of cells as [string, number, string][]) (out[key] ??= [])[bin] = Number(v);
  return out;
}

/** What the table must show, from `hist --json`: the value and each family's uncertainty. */
function expectedTable(h: any): Record<string, number[]> {
  const out: Record<string, number[]> = { value: h.value };
  for (const [key, entry] of Object.entries<any>(h.families)) {
    if (key === 'systematics')
      for (const [name, s] of Object.entries<any>(entry)) out[`systematics.${name}`] = s.uncertainty;
    else out[key] = entry.uncertainty;
  }
  return out;
}

async function drawnCorrelation(page: Page): Promise<number[]> {
  const cells = await page.$$eval('#correlation-svg rect[data-v]', (rects) =>
    rects.map((r) => [Number(r.getAttribute('data-i')), Number(r.getAttribute('data-j')), r.getAttribute('data-v')!]),
  );
  const n = Math.round(Math.sqrt(cells.length));
  const out = new Array<number>(n * n);
  for (const [i, j, v] of cells as [number, number, string][]) out[i * n + j] = Number(v);
  return out;
}

/** The text of the element `selector` ('' when it has none). */
async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector)) ?? '';
}

/** Types the query and draws it; waits for the page to say it drew (or showed an error). */
async function query(page: Page, expr: string, bins: string, where: string, normalise = 'events'): Promise<void> {
  const before = Number((await page.getAttribute('body', 'data-draws')) ?? 0);
  await page.fill('#expr', expr);
  await page.fill('#bins', bins);
  await page.fill('#where', where);
  await page.fill('#normalise', normalise);
  await page.click('#draw');
  await page.waitForFunction(
    (n) =>
      (globalThis as any).document.body.dataset.status === 'error' ||
      Number((globalThis as any).document.body.dataset.draws ?? 0) > n,
    before,
  );
}

async function newPage(): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1100, height: 1000 } });
  page.on('request', (r) => {
    if (/^https?:/.test(r.url())) requested.push(r.url());
  });
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'file:' || url.hostname === '127.0.0.1') return route.continue();
    refused.push(url.href);
    return route.abort('internetdisconnected');
  });
  return page;
}

test.before(async () => {
  const u = spawnSync(
    process.execPath,
    [
      BIN,
      'unfold',
      '--toy',
      'gauss',
      '--events',
      '20000',
      '--classifier',
      'binned',
      '--data-bootstraps',
      '3',
      '--sim-bootstraps',
      '2',
      '--no-plots',
      '--quiet',
      '--out',
      unfolded,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.is(u.status, 0, u.stderr);
  viewer = await serveViewer({ weights: join(unfolded, 'weights.arrow') });
  if (existsSync(CHROMIUM)) {
    browser = await launchChromium();
  }
});

test.after(async () => {
  await browser?.close();
  await viewer?.close();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(familiesDir, { recursive: true, force: true });
});

/** Skips a browser check without Chromium, saying so. */
function needsChromium(): boolean {
  if (browser !== undefined) return true;
  console.log(`skipped: viewer check needs ${CHROMIUM} (apt-get install -y chromium)`);
  return false;
}

test('omnifold view OUT serves the page and weights.arrow on 127.0.0.1 until stopped; a wrong folder exits 2', async () => {
  const child = spawn(process.execPath, [BIN, 'view', unfolded, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed; got ${out}`)), 20_000);
    child.stdout.on('data', () => {
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?file=weights\.arrow)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  try {
    assert.match(out, /serving \S+weights\.arrow \(20000 events\) on 127\.0\.0\.1 only/);
    const page = await fetch(url);
    assert.is(page.status, 200);
    assert.match(await page.text(), /<script type="module" src="\.\/viewer\.js"><\/script>/);
    assert.is((await fetch(new URL('/viewer.js', url))).status, 200);
    const bytes = new Uint8Array(await (await fetch(new URL('/weights.arrow', url))).arrayBuffer());
    assert.equal(bytes, new Uint8Array(readFileSync(join(unfolded, 'weights.arrow'))));
    assert.is((await fetch(new URL('/summary.json', url))).status, 404, 'only the page and the weights file');
    // a request naming another host (DNS rebinding) is refused
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      request(
        { host: '127.0.0.1', port: u.port, path: '/weights.arrow', headers: { host: 'evil.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    assert.is(status, 403);
  } finally {
    child.kill('SIGINT');
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.is(code, 0);
  assert.match(out, /stopped\n$/);
  const bad = spawnSync(process.execPath, [BIN, 'view', join(tmp, 'missing')], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^omnifold: view target \S+missing must exist; got none\n$/);
});

test('the page shows the metadata and draws exactly what hist --json computes, with no request off 127.0.0.1', async () => {
  if (!needsChromium()) return;
  const page = await newPage();
  await page.goto(viewer!.url);
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.status === 'drawn', undefined, {
    timeout: 15_000,
  });
  assert.match(await textOf(page, '#file-name'), /^weights\.arrow: 20000 events, 9 columns$/);
  assert.match(await textOf(page, '[data-meta="families"]'), /^nominal 1, data_bootstrap 3, sim_bootstrap 2$/);
  assert.match(await textOf(page, '[data-meta="observables"]'), /\bx\b/);
  assert.match(await textOf(page, '[data-meta="engine"]'), /^omnifold \S+, seed 0/);
  assert.match(await textOf(page, '[data-meta="normalisation"]'), /sumWeights/);

  const [expr, bins, where] = ['2*x - 0.5', '-3:4:7', 'x > -1 && x < 2.5'];
  await query(page, expr, bins, where);
  assert.is(await textOf(page, '#error'), '');
  const json = await histJson(join(unfolded, 'weights.arrow'), ['--obs', expr, '--bins', bins, '--where', where]);
  const h = json.histogram;
  const table = await drawnTable(page);
  assert.equal(Object.keys(table), ['value', 'stat', 'simStat', 'total']);
  assert.equal(table, expectedTable(h), 'bin values and per-family uncertainties');
  assert.ok(h.value.every((v: number) => v > 0) && h.families.stat.uncertainty[3] > 0, 'a histogram, not zeros');
  assert.equal(await drawnCorrelation(page), h.correlation, 'total correlation');
  await page.selectOption('#correlation-family', 'simStat');
  assert.equal(await drawnCorrelation(page), h.families.simStat.correlation, 'sim-stat correlation');
  assert.is(await page.locator('#histogram-svg .band-total').count(), 7);

  // the exports: the table as CSV, the hist --json document as YAML
  const text = (id: string) =>
    page.evaluate(async (i) => (await fetch((globalThis as any).document.getElementById(i).href)).text(), id);
  const csv = (await text('export-csv')).trim().split('\n');
  assert.is(csv[0], 'bin,low,high,value,stat,sim-stat,total');
  assert.is(csv.length, 8);
  csv.slice(1).forEach((line, k) => {
    const cells = line.split(',').map(Number);
    assert.equal(cells, [
      k + 1,
      h.edges[k],
      h.edges[k + 1],
      h.value[k],
      ...['stat', 'simStat', 'total'].map((f) => h.families[f].uncertainty[k]),
    ]);
  });
  const yaml = parse(await text('export-yaml'), { version: '1.1' });
  assert.equal(yaml.where, where);
  assert.equal(yaml.histogram, h, 'YAML export = hist --json');

  assert.ok(
    requested.length >= 3 && requested.every((u) => u.startsWith(`http://127.0.0.1:${viewer!.port}/`)),
    requested.join(' '),
  );
  // normalised as hist --normalise does
  await query(page, expr, bins, where, 'xsec:2:fb');
  const xsec = (
    await histJson(join(unfolded, 'weights.arrow'), [
      '--obs',
      expr,
      '--bins',
      bins,
      '--where',
      where,
      '--normalise',
      'xsec:2:fb',
    ])
  ).histogram;
  assert.equal(await drawnTable(page), expectedTable(xsec), 'xsec');
  assert.equal(parse(await text('export-yaml'), { version: '1.1' }).histogram, xsec, 'YAML export with xsec');

  assert.equal(refused, [], 'no request outside 127.0.0.1');
  await page.close();
});

test('a bad expression, an unknown column or bad bins: one line in the page, no crash', async () => {
  if (!needsChromium()) return;
  const page = await newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(viewer!.url);
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.status === 'drawn');
  const cases: [string, string, string, RegExp][] = [
    ['2*x +', '0:1:2', '', /^expression/],
    ['y', '0:1:2', '', /"y"/],
    ['x', '0:1:2', 'x >> 1', /./],
    ['x', '1:0:2', '', /^bins lo:hi:n must have finite lo < hi and a positive integer n; got "1:0:2"$/],
  ];
  for (const [expr, bins, where, message] of cases) {
    await query(page, expr, bins, where);
    assert.is(await page.getAttribute('body', 'data-status'), 'error', expr);
    const line = await textOf(page, '#error');
    assert.match(line, message);
    assert.not.ok(line.includes('\n'), 'one line');
  }
  await query(page, 'x', '-2:2:4', '');
  assert.is(await page.getAttribute('body', 'data-status'), 'drawn', 'the page still works');
  assert.is(await textOf(page, '#error'), '');
  assert.equal(errors, [], 'no uncaught error');
  await page.close();
});

test('file picker and drag and drop: every family (systematics, ensemble, background) as hist --json', async () => {
  if (!needsChromium()) return;
  const page = await newPage();
  await page.goto(viewer!.url.replace(/\?.*/, ''));
  const path = join(familiesDir, 'weights.arrow');
  const h = (await histJson(path, ['--obs', 'x', '--bins', '0,1,2'])).histogram;
  const expected = expectedTable(h);
  assert.equal(Object.keys(expected), [
    'value',
    'stat',
    'simStat',
    'backgroundStat',
    'systematics.a',
    'systematics.b',
    'syst',
    'ensemble',
    'total',
  ]);

  await page.setInputFiles('#file', path);
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.status === 'drawn');
  assert.match(
    await textOf(page, '[data-meta="families"]'),
    /^nominal 1, ensemble 4, data_bootstrap 3, sim_bootstrap 2, background_bootstrap 2, systematic 2$/,
  );
  await query(page, 'x', '0,1,2', '');
  assert.equal(await drawnTable(page), expected, 'file picker');

  // drop the same file on a fresh page
  await page.goto(viewer!.url.replace(/\?.*/, ''));
  const bytes = Array.from(readFileSync(path));
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new (globalThis as any).DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'weights.arrow'));
    return dt;
  }, bytes);
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.status === 'drawn');
  await query(page, 'x', '0,1,2', '');
  assert.equal(await drawnTable(page), expected, 'drag and drop');
  await page.selectOption('#correlation-family', 'systematics.b');
  assert.equal(await drawnCorrelation(page), h.families.systematics.b.correlation);
  assert.equal(refused, [], 'no request outside 127.0.0.1');
  await page.close();
});

test('viewer-offline.html opened from disk, with no server: a picked file draws as hist --json', async () => {
  if (!needsChromium()) return;
  const page = await newPage();
  const before = requested.length;
  await page.goto(pathToFileURL(join(await viewerDir(), 'viewer-offline.html')).href);
  const path = join(unfolded, 'weights.arrow');
  await page.setInputFiles('#file', path);
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.status === 'drawn');
  await query(page, 'x', '-1:3:4', 'x > 0');
  const h = (await histJson(path, ['--obs', 'x', '--bins', '-1:3:4', '--where', 'x > 0'])).histogram;
  assert.equal(await drawnTable(page), expectedTable(h));
  assert.is(requested.length, before, 'no http request at all');
  await page.close();
});

test.run();
