// The report of an `--iterations auto` run plots the criterion D_n (threshold and chosen
// iteration marked), and `omnifold check … --report OUT` records the check in OUT/checks/
// and regenerates OUT/report.html with a Checks section that shows what the command printed;
// a folder that is not an unfolding's output is refused, and files the engine did not
// write are never replaced. On the embedded Gaussian toy with the binned classifier.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iterationChoiceFigure } from '../src/plots/iteration_choice_figure.js';
import type { CheckRecord } from '../src/report/checks.js';
import { runWarnings } from '../src/report/warnings.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-report-checks-');
const OUT = 'auto';
const CLOSURE = [
  'check',
  'closure',
  '--toy',
  'gauss',
  '--events',
  '8000',
  '--classifier',
  'binned',
  '--bins',
  'x=-3:3:12',
  '--data-bootstraps',
  '4',
  '--hist-bins',
  'x=-3:3:6',
  '--quiet',
];

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const read = (path: string) => readFileSync(join(dir, path), 'utf8');

/** The SVG of figure `id` embedded in the report. */
function embeddedSvg(html: string, id: string): string {
  const m = new RegExp(`<figure id="fig-${id}" class="plot"><img src="data:image/svg\\+xml;base64,([^"]+)"`).exec(html);
  assert.ok(m, `figure ${id} in the report`);
  return Buffer.from(m[1], 'base64').toString('utf8');
}

test('D_n figure spec: threshold and chosen iteration drawn, log axis when D_n spans decades', () => {
  const choice = {
    values: [300, 12, 0.6, 0.02],
    features: [
      { feature: 'a', values: [300, 12, 0.6, 0.02], ndf: [5, 5, 5, 5] },
      { feature: 'b', values: [40, 2, 0.1, 0.01], ndf: [5, 5, 5, 5] },
    ],
    threshold: 1,
    chosen: 3,
    converged: true,
  };
  const spec = JSON.stringify(iterationChoiceFigure(choice));
  assert.ok(spec.includes('"values":[{"threshold":1}]'), 'threshold rule');
  assert.ok(spec.includes('"values":[{"chosen":3}]'), 'chosen rule');
  assert.ok(spec.includes('"type":"log"'), 'log axis for values from 0.01 to 300');
  assert.ok(spec.includes('"chosen: 3"'), 'label');
  const flat = JSON.stringify(iterationChoiceFigure({ ...choice, values: [2, 1.5, 0.9, 0.8], features: [] }));
  assert.not.ok(flat.includes('"type":"log"'), 'linear axis for values within a factor 20');
  const stuck = JSON.stringify(iterationChoiceFigure({ ...choice, chosen: 4, converged: false }));
  assert.ok(stuck.includes('chosen: 4 (not converged)'));
});

test('a failed check recorded in the folder is a warning: ibu beyond its tolerance, closure beyond 3σ', () => {
  const base = {
    format: 'omnifold-check' as const,
    formatVersion: 1 as const,
    engine: { name: 'omnifold', version: '0' },
    command: '',
    options: {},
    inputs: [],
  };
  const closureRow = (chi2: number) => ({
    name: 'x',
    edges: [0, 1],
    unfolded: [1],
    truth: [1],
    prior: [1],
    sigma: [1],
    chi2,
    ndf: 6,
    priorChi2: 90,
  });
  const checks: CheckRecord[] = [
    {
      ...base,
      check: 'ibu',
      result: {
        rows: [{ iteration: 1, maxRelativeDifference: 1e-3, worstCell: 2 }],
        tolerance: 1e-9,
        pass: false,
        nGenCells: 4,
        withFakes: false,
      },
    },
    {
      ...base,
      check: 'closure',
      result: {
        rows: [closureRow(30), { ...closureRow(6), name: 'y' }],
        covariance: 'data bootstraps',
        nUnfolding: 1,
        nPseudoData: 1,
      },
    },
  ];
  const warnings = runWarnings({ iterations: [], nEvents: 0, observables: [], checks });
  assert.equal(
    warnings.map((w) => `${w.kind} ${w.where}`),
    ['check check ibu', 'check check closure, x'],
  );
  assert.match(warnings[1].message, /χ²\/ndf to the known truth 30\.0\/6 = 5\.00 is above 2\.73/);
  const passing = { ...checks[0], result: { ...checks[0].result, pass: true } } as CheckRecord;
  assert.equal(runWarnings({ iterations: [], nEvents: 0, observables: [], checks: [passing] }), []);
});

let chosen = 0;

test('an --iterations auto run: report.html plots D_n with the threshold and the chosen iteration, beside the table', () => {
  const r = run([
    'unfold',
    '--toy',
    'gauss',
    '--events',
    '10000',
    '--classifier',
    'binned',
    '--data-bootstraps',
    '4',
    '--iterations',
    'auto:6',
    '--out',
    OUT,
  ]);
  assert.is(r.code, 0, r.stderr);
  chosen = Number(/iterations auto: chose (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(chosen >= 1 && chosen <= 6, r.stderr);
  const html = read(`${OUT}/report.html`);
  assert.ok(html.includes(`<td class="warn">${chosen} (chosen)</td>`), 'the table stays');
  const svg = embeddedSvg(html, 'iteration_choice');
  assert.ok(svg.includes(`chosen: ${chosen}`), 'chosen iteration marked');
  assert.ok(svg.includes('D_n'), 'axis title');
  assert.ok(/stroke="#e42536"[^>]*stroke-dasharray/.test(svg) || /stroke-dasharray[^>]*stroke="#e42536"/.test(svg));
  assert.ok(existsSync(join(dir, OUT, 'plots', 'iteration_choice.svg')));
  assert.ok(existsSync(join(dir, OUT, 'plots', 'iteration_choice.png')));
  // a run without the search has no such figure
  const plain = run(['unfold', '--toy', 'gauss', '--events', '2000', '--classifier', 'binned', '--out', 'own']);
  assert.is(plain.code, 0, plain.stderr);
  assert.not.ok(read('own/report.html').includes('fig-iteration_choice'));
});

test('check closure --report OUT: the record and the report’s Checks section hold the χ² the command printed', () => {
  const before = readdirSync(join(dir, OUT)).sort();
  const r = run([...CLOSURE, '--report', OUT]);
  assert.is(r.code, 0, r.stderr);
  const row = /^x +([\d.]+)\/(\d+) +([\d.]+)\/\d+$/m.exec(r.stdout);
  assert.ok(row, r.stdout);
  const [printed, ndf, printedPrior] = [Number(row[1]), Number(row[2]), Number(row[3])];
  assert.match(r.stderr, /recorded the check in auto\/checks\/closure\.json and regenerated auto\/report\.html/);
  const record = JSON.parse(read(`${OUT}/checks/closure.json`));
  assert.is(record.format, 'omnifold-check');
  assert.is(record.check, 'closure');
  assert.is(record.toy, 'gauss');
  assert.ok(record.command.startsWith('omnifold check closure --toy gauss'), record.command);
  assert.is(record.options['hist-bins'], 'x=-3:3:6');
  assert.not.ok('report' in record.options);
  const [rec] = record.result.rows;
  assert.ok(Math.abs(rec.chi2 - printed) <= 0.05, `record χ² ${rec.chi2} vs printed ${printed}`);
  assert.ok(Math.abs(rec.priorChi2 - printedPrior) <= 0.05);
  assert.is(rec.ndf, ndf);
  // the report: the same χ², χ²/ndf, ndf and the prior's, in the closure table
  const html = read(`${OUT}/report.html`);
  assert.ok(html.includes('<h2 id="checks">Checks</h2>'), 'Checks section');
  assert.ok(html.includes('<li><a href="#checks">Checks</a></li>'), 'nav link');
  const cells =
    /<table class="check-closure">.*?<tbody><tr><td class="text">x<\/td><td>([^<]+)<\/td><td>(\d+)<\/td><td class="(?:ok|warn)">([^<]+)<\/td><td>([^<]+)<\/td>/s.exec(
      html,
    );
  assert.ok(cells, 'closure table row');
  assert.ok(Math.abs(Number(cells[1]) - printed) <= 0.05 + 5e-4 * printed, `report χ² ${cells[1]} vs ${printed}`);
  assert.is(Number(cells[2]), ndf);
  assert.ok(Math.abs(Number(cells[3]) - printed / ndf) <= 0.01 + 5e-4 * (printed / ndf));
  assert.ok(Math.abs(Number(cells[4]) - printedPrior) <= 0.05 + 5e-4 * printedPrior);
  // a closure beyond 3σ of its ndf is a warning at the top of the report, else none
  const warned = html.includes('<li class="warn">check closure, x: χ²/ndf to the known truth');
  assert.is(warned, printed / ndf > 1 + 3 * Math.sqrt(2 / ndf), `χ²/ndf ${printed / ndf}`);
  // everything the report had stays: the unfolding's results and the D_n figure
  assert.ok(html.includes(`<td class="warn">${chosen} (chosen)</td>`));
  embeddedSvg(html, 'iteration_choice');
  assert.ok(html.includes('<h3 id="obs-x">'));
  // the folder: checks/ added and listed in the manifest as the engine's, nothing else new
  assert.equal(readdirSync(join(dir, OUT)).sort(), [...new Set([...before, 'checks'])].sort());
  const manifest = JSON.parse(read(`${OUT}/.omnifold-output.json`));
  assert.ok(manifest.entries.includes('checks'));
  assert.is(manifest.state, 'complete');
  // omnifold plot re-renders the same Checks section from the folder's files
  const plot = run(['plot', OUT, '--no-png']);
  assert.is(plot.code, 0, plot.stderr);
  assert.ok(read(`${OUT}/report.html`).includes(cells[0]), 'same closure table after omnifold plot');
});

test('--report refuses a folder that is not an unfolding output, before running the check', () => {
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'weights.arrow'), 'my own file');
  writeFileSync(join(dir, 'notes', 'todo.txt'), 'keep me');
  mkdirSync(join(dir, 'empty'));
  for (const [folder, got] of [
    ['notes', 'a folder not written by omnifold unfold'],
    ['empty', 'an empty folder'],
    ['missing', 'no such folder'],
  ] as const) {
    const r = run([...CLOSURE, '--report', folder]);
    assert.is(r.code, 2, `${folder}: ${r.stderr}`);
    assert.is(r.stdout, '', 'refused before the check ran');
    assert.match(
      r.stderr,
      new RegExp(`^omnifold: --report ${folder} must be an omnifold unfold output folder .*; got ${got}.*\\n$`),
    );
  }
  assert.equal(readdirSync(join(dir, 'notes')).sort(), ['todo.txt', 'weights.arrow']);
  assert.is(read('notes/weights.arrow'), 'my own file');
});

test('--report never replaces a file the engine did not write; other records and files in checks/ are kept', () => {
  // a user's checks/ in an output that has none of the engine's
  mkdirSync(join(dir, 'own', 'checks'));
  writeFileSync(join(dir, 'own', 'checks', 'closure.json'), 'my closure notes');
  const reportBefore = read('own/report.html');
  const r = run([...CLOSURE, '--report', 'own']);
  assert.is(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^omnifold: --report own must not hold checks unless the engine wrote it; got checks not listed/,
  );
  assert.is(read('own/checks/closure.json'), 'my closure notes');
  assert.is(read('own/report.html'), reportBefore);
  // a user's file named like a record inside the engine's checks/
  writeFileSync(join(dir, OUT, 'checks', 'notes.txt'), 'mine');
  const ibu = run(['check', 'ibu', '--events', '2000', '--iterations', '2', '--report', OUT]);
  assert.is(ibu.code, 0, ibu.stderr);
  assert.is(read(`${OUT}/checks/notes.txt`), 'mine', 'a user file in checks/ is carried over');
  assert.equal(readdirSync(join(dir, OUT, 'checks')).sort(), ['closure.json', 'ibu.json', 'notes.txt']);
  const html = read(`${OUT}/report.html`);
  assert.ok(html.includes('<h3 id="check-ibu">check ibu</h3>') && html.includes('<h3 id="check-closure">'));
  writeFileSync(join(dir, OUT, 'checks', 'ibu.json'), 'not a record');
  const again = run(['check', 'ibu', '--events', '2000', '--iterations', '2', '--report', OUT]);
  assert.is(again.code, 2, again.stderr);
  assert.match(again.stderr, /^omnifold: --report auto must not hold checks\/ibu\.json unless the engine wrote it;/);
  assert.is(read(`${OUT}/checks/ibu.json`), 'not a record');
});

test.run();
