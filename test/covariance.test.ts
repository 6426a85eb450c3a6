import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { combineReplicas, correlationMatrix, type ReplicaValue } from '../src/uncertainty/covariance.js';
import { mergeMoments, Moments } from '../src/uncertainty/moments.js';
import { RandomStream } from '../src/base/rng.js';
import { assertBitEqual, assertClose } from './helpers/close.js';

/** Direct two-pass sample covariance of rows [m × n]. */
function twoPass(rows: Float64Array[], n: number): Float64Array {
  const m = rows.length;
  const mean = new Float64Array(n);
  for (const r of rows) for (let k = 0; k < n; k++) mean[k] += r[k] / m;
  const cov = new Float64Array(n * n);
  for (const r of rows)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) cov[i * n + j] += ((r[i] - mean[i]) * (r[j] - mean[j])) / (m - 1);
  return cov;
}

function randomRows(m: number, n: number, seed: number): Float64Array[] {
  const s = new RandomStream({ seed, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
  return Array.from({ length: m }, () =>
    Float64Array.from({ length: n }, (_, k) => 1000 + 100 * k + 30 * s.nextDouble()),
  );
}

test('hand case: two vectors', () => {
  const m = Moments.of([1, 2]).merge(Moments.of([3, 6]));
  assert.is(m.count, 2);
  assertClose('mean', m.mean, [2, 4]);
  // deviations (-1,-2), (1,2): M2 = [[2,4],[4,8]], covariance = M2/1
  assertClose('cov', m.covariance(), [2, 4, 4, 8]);
});

test('Chan merge of any split into chunks equals the two-pass formula to rounding', () => {
  const n = 5;
  const rows = randomRows(37, n, 3);
  const want = twoPass(rows, n);
  for (const chunks of [1, 2, 3, 7, 37]) {
    const parts: Moments[] = [];
    const size = Math.ceil(rows.length / chunks);
    for (let c = 0; c < rows.length; c += size) {
      const p = new Moments(n);
      for (const r of rows.slice(c, c + size)) p.add(r);
      parts.push(p);
    }
    // relative to the variance scale: values ~1e3 with spread ~10
    assertClose(`covariance, ${chunks} chunks`, mergeMoments(parts, n).covariance(), want, { rtol: 1e-9, atol: 1e-9 });
  }
});

test('combineReplicas: bit-identical for any order and split of the replicas', () => {
  const n = 4;
  const data = randomRows(11, n, 5);
  const sim = randomRows(6, n, 6);
  const nominal = randomRows(1, n, 7)[0];
  const syst = randomRows(2, n, 8);
  const values: ReplicaValue[] = [
    ...data.map((v, index) => ({ family: 'data_bootstrap' as const, index, values: v })),
    ...sim.map((v, index) => ({ family: 'sim_bootstrap' as const, index, values: v })),
    ...syst.map((v, index) => ({ family: 'systematic' as const, index, name: `s${index}`, values: v })),
  ];
  const a = combineReplicas(nominal, values);
  // a "shard" order: reversed and interleaved as results might arrive from workers
  const shuffled = [...values].reverse();
  const b = combineReplicas(nominal, [
    ...shuffled.filter((_, k) => k % 2 === 1),
    ...shuffled.filter((_, k) => k % 2 === 0),
  ]);
  assertBitEqual('total', b.total, a.total);
  assertBitEqual('stat', b.stat, a.stat);
  assertClose('stat vs two-pass', a.stat, twoPass(data, n), { rtol: 1e-9, atol: 1e-9 });
  assertClose('sim-stat vs two-pass', a.simStat, twoPass(sim, n), { rtol: 1e-9, atol: 1e-9 });
  const want = new Float64Array(n * n);
  for (const s of syst)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) want[i * n + j] += (s[i] - nominal[i]) * (s[j] - nominal[j]);
  assertClose('syst', a.syst, want);
  const total = a.stat.map((v, k) => v + a.simStat[k] + want[k]);
  assertClose('total', a.total, total, { rtol: 1e-9, atol: 1e-9 });
  assert.equal(
    a.systematics.map((s) => s.name),
    ['s0', 's1'],
  );
  assert.is(a.nDataBootstraps, 11);
  assert.is(a.nSimBootstraps, 6);
  for (let i = 0; i < n; i++) assert.is(a.correlation[i * n + i], 1);
});

test('correlation: hand case, and zero variance gives 0 off the diagonal', () => {
  assertClose('corr', correlationMatrix(Float64Array.from([4, 2, 2, 9]), 2), [1, 2 / 6, 2 / 6, 1]);
  assert.equal(Array.from(correlationMatrix(Float64Array.from([0, 0, 0, 1]), 2)), [1, 0, 0, 1]);
});

test('errors: duplicate indices and length mismatch', () => {
  const v = Float64Array.from([1, 2]);
  assert.throws(
    () =>
      combineReplicas(v, [
        { family: 'data_bootstrap', index: 0, values: v },
        { family: 'data_bootstrap', index: 0, values: v },
      ]),
    /data_bootstrap replica indices must be unique; got 0 twice/,
  );
  assert.throws(
    () => combineReplicas(v, [{ family: 'sim_bootstrap', index: 3, values: Float64Array.of(1) }]),
    /replica sim_bootstrap#3 values must have length 2 like the nominal; got 1/,
  );
});

test.run();
