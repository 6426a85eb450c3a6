// Covariance and correlation per weight-column family: `omnifold hist --json` and
// `--families` against covariances worked out by hand (test/helpers/families_fixture.ts),
// and the properties every family's matrices must have on a larger file.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runHist } from '../src/cli/hist.js';
import { combineReplicas, familyTerms } from '../src/uncertainty/covariance.js';
import { assertClose } from './helpers/close.js';
import { FAMILY_CORRELATIONS, FAMILY_COVARIANCES, writeFamiliesFixture } from './helpers/families_fixture.js';
import { writeFixture } from './helpers/weights_fixture.js';

const dir = writeFamiliesFixture();
const weightsPath = join(dir, 'weights.arrow');
const tol = { rtol: 1e-12, atol: 1e-14 };

/** Runs `omnifold hist` in this process; returns its exit code, stdout and stderr. */
async function hist(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = (s: string) => (out.push(s), true);
  process.stderr.write = (s: string) => (err.push(s), true);
  try {
    const code = await runHist(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

interface FamilyJson {
  how: string;
  columns: number;
  partOf?: string;
  delta?: number[];
  uncertainty: number[];
  covariance: number[];
  correlation: number[];
}

/** Symmetric, unit diagonal, entries in [−1, 1]. */
function assertCorrelation(name: string, r: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    assert.is(r[i * n + i], 1, `${name}: diagonal ${i}`);
    for (let j = 0; j < n; j++) {
      assert.is(r[i * n + j], r[j * n + i], `${name}: symmetric at ${i},${j}`);
      assert.ok(Math.abs(r[i * n + j]) <= 1 + 1e-12, `${name}: |r| ≤ 1 at ${i},${j}; got ${r[i * n + j]}`);
    }
  }
}

test('hist --json: every family covariance and correlation equals the hand computation', async () => {
  const jsonPath = join(dir, 'h.json');
  const out = await hist([weightsPath, '--obs', 'x', '--bins', '0,1,2', '--json', jsonPath]);
  assert.is(out.stderr, '');
  assert.is(out.code, 0);
  const h = JSON.parse(readFileSync(jsonPath, 'utf8')).histogram;
  assert.equal(h.value, [2, 2], 'the fake with weight 100 is not counted');
  const f = h.families as Record<string, FamilyJson> & { systematics: Record<string, FamilyJson> };
  assert.equal(Object.keys(f), ['stat', 'simStat', 'backgroundStat', 'systematics', 'syst', 'ensemble', 'total']);
  assert.equal(Object.keys(f.systematics), ['a', 'b']);
  const got = { ...f, a: f.systematics.a, b: f.systematics.b } as unknown as Record<string, FamilyJson>;
  for (const [name, want] of Object.entries(FAMILY_COVARIANCES)) {
    assertClose(`${name} covariance`, got[name].covariance, want, tol);
    assertClose(`${name} uncertainty`, got[name].uncertainty, [Math.sqrt(want[0]), Math.sqrt(want[3])], tol);
    assertCorrelation(name, got[name].correlation, 2);
  }
  for (const [name, want] of Object.entries(FAMILY_CORRELATIONS))
    assertClose(`${name} correlation`, got[name].correlation, want, tol);
  assert.equal(
    Object.fromEntries(
      Object.entries(got)
        .filter(([k]) => k !== 'systematics')
        .map(([k, v]) => [k, [v.columns, v.partOf]]),
    ),
    {
      stat: [3, 'total'],
      simStat: [2, 'total'],
      backgroundStat: [2, 'stat'],
      syst: [2, 'total'],
      ensemble: [4, 'total'],
      total: [11, undefined],
      a: [1, 'syst'],
      b: [1, 'syst'],
    },
  );
  assert.equal(f.systematics.b.delta, [0.5, -0.5]);
  assert.match(f.stat.how, /^stat: sample covariance over 3 data bootstraps$/);
  assert.match(f.ensemble.how, /f = metadata\.ensemble\.standardErrorFactor/);
  assert.match(f.backgroundStat.how, /reported, not added/);
  // the families agree with the older keys of the same file
  assert.equal(h.covariance.total, f.total.covariance);
  assert.equal(h.correlation, f.total.correlation);
  assert.equal(h.backgroundStat.covariance, f.backgroundStat.covariance);
});

test('hist --families prints each family, --moment too; without it stdout is as before', async () => {
  const plain = await hist([weightsPath, '--obs', 'x', '--bins', '0,1,2']);
  const out = await hist([weightsPath, '--obs', 'x', '--bins', '0,1,2', '--families']);
  assert.is(out.code, 0, out.stderr);
  assert.ok(out.stdout.startsWith(plain.stdout), 'the default report comes first, unchanged');
  assert.not.match(plain.stdout, /covariance\n/);
  const extra = out.stdout.slice(plain.stdout.length);
  const titles = [...extra.matchAll(/^\n([^\n:]+): /gm)].map((m) => m[1]);
  assert.equal(titles, [
    'stat',
    'sim-stat',
    'background-stat',
    'systematic a',
    'systematic b',
    'syst',
    'ensemble',
    'total',
  ]);
  assert.match(
    extra,
    /\nbackground-stat: sample covariance over 2 background bootstraps \(part of stat, not added again\)\n/,
  );
  assert.match(extra, /\nsystematic a: δδᵀ with δ = H\(syst_a\) − H\(weight\)\n/);
  assert.match(extra, /\nensemble: 1\.253²·S\/4, S the sample covariance over 4 ensemble columns/);
  assert.match(extra, /\ntotal: stat \+ sim-stat \+ syst \+ ensemble\n/);
  // sim-stat: covariance [[0, 0], [0, 2]], correlation the identity (bin 1 has no variance)
  assert.match(
    extra,
    /\nsim-stat: [^\n]+\ncovariance\n +1 +2\n1 +0\.00000 +0\.00000\n2 +0\.00000 +2\.00000\ncorrelation\n +1 +2\n1 +1\.00 +0\.00\n2 +0\.00 +1\.00\n/,
  );
  assert.match(
    extra,
    /\nsystematic b: [^\n]+\ncovariance\n +1 +2\n1 +0\.250000 +-0\.250000\n2 +-0\.250000 +0\.250000\n/,
  );
  const moment = await hist([weightsPath, '--moment', 'x', '--families']);
  assert.is(moment.code, 0, moment.stderr);
  assert.match(
    moment.stdout,
    /\nper family:\n {2}stat: variance [0-9.e+-]+ \(± [0-9.e+-]+\): sample covariance over 3 data bootstraps\n {2}sim-stat: /,
  );
  assert.match(
    moment.stdout,
    /\n {2}total: variance [0-9.e+-]+ \(± [0-9.e+-]+\): stat \+ sim-stat \+ syst \+ ensemble\n$/,
  );
});

test('families on a larger file: correlations valid, the terms add up to syst and total', async () => {
  const fixture = writeFixture(); // 6 data bootstraps, 4 sim bootstraps, 1 systematic
  try {
    const jsonPath = join(fixture.dir, 'h.json');
    const out = await hist([
      join(fixture.dir, 'weights.arrow'),
      '--obs',
      'gen_pt',
      '--bins',
      '20:80:6',
      '--moment',
      'gen_eta',
      '--json',
      jsonPath,
    ]);
    assert.is(out.code, 0, out.stderr);
    const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
    for (const [what, n] of [
      ['histogram', 6],
      ['moment', 1],
    ] as const) {
      const f = json[what].families;
      assert.equal(Object.keys(f), ['stat', 'simStat', 'systematics', 'syst', 'total'], what);
      const entries: [string, FamilyJson][] = [
        ...Object.entries(f as Record<string, FamilyJson>).filter(([k]) => k !== 'systematics'),
        ...Object.entries(f.systematics as Record<string, FamilyJson>),
      ];
      for (const [name, e] of entries) {
        assert.is(e.covariance.length, n * n, `${what} ${name}`);
        assertCorrelation(`${what} ${name}`, e.correlation, n);
      }
      const sum = (part: string) =>
        entries
          .filter(([, e]) => e.partOf === part)
          .reduce((acc, [, e]) => acc.map((v, k) => v + e.covariance[k]), new Array(n * n).fill(0));
      assertClose(`${what}: systematic terms add up to syst`, sum('syst'), f.syst.covariance, tol);
      assertClose(`${what}: the parts of the total add up to it`, sum('total'), f.total.covariance, tol);
    }
    assert.ok(json.histogram.families.stat.correlation[1] !== 0, 'bootstraps give off-diagonal correlations');
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('familyTerms leaves out families with too few columns; stat and total are always there', () => {
  const one = (family: 'data_bootstrap' | 'sim_bootstrap' | 'background_bootstrap' | 'ensemble') => ({
    family,
    index: 0,
    values: Float64Array.of(1, 2),
  });
  const u = combineReplicas(
    [1, 1],
    [one('data_bootstrap'), one('sim_bootstrap'), one('background_bootstrap'), one('ensemble')],
    [0.5, 0],
  );
  const terms = familyTerms(u);
  assert.equal(
    terms.map((t) => t.kind),
    ['stat', 'total'],
  );
  assert.equal(Array.from(terms[0].covariance), [0.5, 0, 0, 0], 'stat from the given variance, diagonal');
  assert.equal(Array.from(terms[0].correlation), [1, 0, 0, 1], 'zero variance: 0 off the diagonal, 1 on it');
  assert.equal(Array.from(terms[1].uncertainty), [Math.sqrt(0.5), 0]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
