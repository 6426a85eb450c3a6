import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { runPlot } from '../src/cli/plot.js';
import { writePlotsAndReport } from '../src/report/publish.js';
import type { RunData } from '../src/report/run_data.js';
import { runWarnings } from '../src/report/warnings.js';
import { writeFixture } from './helpers/weights_fixture.js';

const fixture = writeFixture();
let html = '';

test('writePlotsAndReport writes SVG + PNG per figure and report.html', async () => {
  const result = await writePlotsAndReport(fixture.dir);
  const stems = ['gen_pt', 'gen_pt_correlation', 'gen_eta', 'gen_eta_correlation', 'diagnostics'];
  assert.equal(result.files, [...stems.flatMap((s) => [`plots/${s}.svg`, `plots/${s}.png`]), 'report.html']);
  for (const f of result.files) assert.ok(existsSync(join(fixture.dir, f)), `${f} exists`);
  assert.equal(
    result.warnings.map((w) => `${w.kind} ${w.where}`),
    ['ess iteration 2, step2', 'clipped iteration 2, step2', 'chi2 gen_eta'],
  );
  html = readFileSync(join(fixture.dir, 'report.html'), 'utf8');
});

test('report is self-contained: no http(s) or protocol-relative URL in src/href, no scripts, inline CSS', () => {
  const urls = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]);
  assert.ok(urls.length > 0, 'the report has src/href attributes to check');
  const remote = urls.filter((u) => /^(https?:)?\/\//i.test(u.trim()));
  assert.equal(remote, [], 'remote URLs');
  assert.not.ok(/<script/i.test(html), 'no script element');
  assert.not.ok(/<link[^>]+stylesheet/i.test(html), 'no external stylesheet');
  assert.ok(/<style>[^<]+<\/style>/.test(html), 'inline style');
  assert.not.ok(/url\(\s*['"]?https?:/i.test(html), 'no remote url() in CSS');
});

test('report holds every figure, the tables, inputs with hashes, configuration', () => {
  const figures = html.match(/<img src="data:image\/svg\+xml;base64,/g) ?? [];
  assert.is(figures.length, 5);
  for (const id of ['fig-gen_pt', 'fig-gen_pt_correlation', 'fig-gen_eta', 'fig-diagnostics'])
    assert.ok(html.includes(`id="${id}"`), id);
  assert.ok(html.includes('a'.repeat(64)) && html.includes('sim.arrow'), 'input hash and path');
  assert.ok(html.includes('classifier.hidden') && html.includes('[50,50,50]'), 'flattened configuration');
  assert.ok(html.includes('<th>sim-stat</th>') && html.includes('<th>unfolded / truth</th>'), 'result table columns');
  assert.ok(html.includes('data_boot_0') && html.includes('data_bootstrap'), 'column families');
  assert.match(html, /unfolded, bootstrap variance \(3 data, 2 sim\)<\/td><td>2\.5<\/td><td>5<\/td><td>0\.5<\/td>/);
});

test('warnings are highlighted: the box, and the offending table cells', () => {
  assert.ok(html.includes('class="warnings"') && html.includes('3 warnings'));
  assert.match(html, /<li class="warn">iteration 2, step2: effective sample size 120 is 6\.3 % of its 1900 events/);
  assert.match(html, /<li class="warn">iteration 2, step2: 3\.0 % of the ratios were clipped/);
  assert.match(
    html,
    /<li class="warn">gen_eta: unfolded χ²\/ndf vs truth 30\.0\/3 = 10\.00 is worse than the prior&#39;s 3\.0\/3 = 1\.00 and above 3\.45 \(3σ for ndf 3\)/,
  );
  assert.match(html, /<td class="warn">120 \(6\.3 %\)<\/td>/);
  assert.match(html, /<td class="warn">3\.000 %<\/td>/);
  assert.match(html, /<td class="warn">10<\/td>/);
});

test('omnifold plot OUT/ regenerates; a folder without an output, or none given, exits 2', async () => {
  rmSync(join(fixture.dir, 'report.html'));
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  const out: string[] = [];
  process.stdout.write = (s: string) => (out.push(s), true);
  process.stderr.write = (s: string) => (out.push(s), true);
  let codes: number[];
  try {
    codes = [
      await runPlot([fixture.dir, '--no-png']),
      await runPlot([join(fixture.dir, 'missing')]),
      await runPlot([]),
    ];
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
  assert.equal(codes, [0, 2, 2]);
  assert.ok(existsSync(join(fixture.dir, 'report.html')));
  assert.match(
    out.join(''),
    /omnifold: plot folder \S+missing must hold weights\.arrow \(an omnifold output\); got none/,
  );
  assert.not.ok(existsSync(join(fixture.dir, 'missing')), 'no folder made for a wrong path');
  assert.match(out.join(''), /wrote 5 figures under .* and .*report\.html/);
  assert.match(out.join(''), /omnifold: plot must be given one output directory; got 0/);
});

test('headless Chromium shows every figure with a non-zero box', async () => {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: Chromium check needs ${CHROMIUM} (apt-get install -y chromium)`);
    return;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(join(fixture.dir, 'report.html')).href, { waitUntil: 'load' });
    const images = page.locator('figure.plot img');
    assert.is(await images.count(), 5);
    for (let k = 0; k < 5; k++) {
      const img = images.nth(k);
      await img.scrollIntoViewIfNeeded();
      assert.ok(await img.isVisible(), `figure ${k} visible`);
      const box = await img.boundingBox();
      assert.ok(box !== null && box.width > 100 && box.height > 100, `figure ${k} box ${JSON.stringify(box)}`);
      const natural = await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
      assert.ok(natural > 100, `figure ${k} decoded (naturalWidth ${natural})`);
    }
    assert.ok(await page.locator('.warnings li.warn').first().isVisible(), 'warnings visible');
    assert.equal(requests, [], 'no network requests');
  } finally {
    await browser.close();
  }
});

test.after(() => rmSync(fixture.dir, { recursive: true, force: true }));

test('χ² warning only when the unfolded result is worse than the prior and beyond 3σ of χ²/ndf', () => {
  const observable = (priorChi2: number, unfoldedChi2: number) => ({
    info: { name: 'x' },
    summary: { priorVsTruth: { chi2: priorChi2, ndf: 11 }, unfoldedVsTruth: { chi2: unfoldedChi2, ndf: 11 } },
  });
  const run = (o: ReturnType<typeof observable>) =>
    ({ iterations: [], nEvents: 1000, observables: [o] }) as unknown as RunData;
  // ndf 11: the 3σ limit of χ²/ndf is 1 + 3·sqrt(2/11) = 2.28
  assert.equal(runWarnings(run(observable(5.2, 8.9))), [], 'worse than the prior but statistically fine');
  assert.equal(runWarnings(run(observable(30, 26))), [], 'bad but better than the prior');
  assert.equal(
    runWarnings(run(observable(5.2, 26))).map((w) => w.kind),
    ['chi2'],
  );
});

test.run();
