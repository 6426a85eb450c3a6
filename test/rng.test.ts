import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  philox4x32,
  poissonOneWeights,
  RandomPermutation,
  RandomStream,
  streamKey,
  type RngKey,
} from '../src/base/rng.js';

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).join(' ');
const key: RngKey = { seed: 7, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 };

test('philox4x32-10 known-answer vectors (Random123 kat_vectors)', () => {
  const out = new Uint32Array(4);
  assert.is(hex(philox4x32([0, 0, 0, 0], 0, 0, out)), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  assert.is(
    hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 0xffffffff, 0xffffffff, out)),
    '408f276d 41c83b0e a20bc7c6 6d5451fd',
  );
  assert.is(
    hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], 0xa4093822, 0x299f31d0, out)),
    'd16cfe09 94fdcceb 5001e420 24126ea1',
  );
});

test('every key component and the purpose change the stream', () => {
  const base = streamKey(key, 'init').join(',');
  const variants: RngKey[] = [
    { ...key, seed: 8 },
    { ...key, kind: 'data' },
    { ...key, replica: 1 },
    { ...key, iteration: 2 },
    { ...key, step: 'step2' },
    { ...key, member: 1 },
  ];
  const seen = new Set([base, streamKey(key, 'shuffle').join(',')]);
  assert.is(seen.size, 2);
  for (const v of variants) seen.add(streamKey(v, 'init').join(','));
  assert.is(seen.size, 2 + variants.length);
});

test('uniform doubles: same key same stream, mean and variance of U(0,1)', () => {
  const a = new RandomStream(key, 'shuffle');
  const b = new RandomStream(key, 'shuffle');
  let s = 0;
  let s2 = 0;
  const n = 200000;
  for (let i = 0; i < n; i++) {
    const u = a.nextDouble();
    assert.is(u, b.nextDouble());
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  // standard errors: mean 1/sqrt(12 n) = 6.5e-4, variance ~ 1/sqrt(180 n) = 1.7e-4; 5σ bounds
  assert.ok(Math.abs(s / n - 0.5) < 5 * 6.5e-4, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12) < 5 * 1.7e-4, `variance ${s2 / n - (s / n) ** 2}`);
});

test('shuffle is a permutation and nextBelow stays in range', () => {
  const a = new Uint32Array(1001).map((_, i) => i);
  new RandomStream(key, 'shuffle').shuffle(a);
  const sorted = Array.from(a).sort((x, y) => x - y);
  assert.equal(
    sorted,
    Array.from({ length: 1001 }, (_, i) => i),
  );
  assert.not.equal(Array.from(a), sorted);
});

test('Poisson(1) weights: mean 1, variance 1, P(0) = 1/e, independent of n', () => {
  const n = 200000;
  const w = poissonOneWeights(n, { ...key, kind: 'data', step: 'none', iteration: 0 });
  let s = 0;
  let s2 = 0;
  let zeros = 0;
  for (const x of w) {
    s += x;
    s2 += x * x;
    if (x === 0) zeros++;
  }
  const mean = s / n;
  // 5σ: σ(mean) = 1/sqrt(n) = 2.2e-3; σ(var) ≈ sqrt(3/n) = 3.9e-3; σ(P0) = sqrt(p(1-p)/n) = 1.1e-3
  assert.ok(Math.abs(mean - 1) < 0.011, `mean ${mean}`);
  assert.ok(Math.abs(s2 / n - mean * mean - 1) < 0.02, `variance ${s2 / n - mean * mean}`);
  assert.ok(Math.abs(zeros / n - Math.exp(-1)) < 0.0055, `P(0) ${zeros / n}`);
  const head = poissonOneWeights(1000, { ...key, kind: 'data', step: 'none', iteration: 0 });
  assert.equal(Array.from(head), Array.from(w.subarray(0, 1000)));
});

test('RandomPermutation is a bijection of [0, n) with its inverse, for small, odd and power-of-two sizes', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 1000, 4099, 65536, 65537]) {
    const perm = new RandomPermutation(n, new RandomStream(key, 'shuffle'));
    const seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = perm.at(i);
      assert.ok(Number.isInteger(j) && j >= 0 && j < n, `n=${n}: at(${i}) = ${j}`);
      assert.is(seen[j], 0, `n=${n}: ${j} hit twice`);
      seen[j] = 1;
      assert.is(perm.inverse(j), i, `n=${n}: inverse(at(${i}))`);
    }
  }
  const big = new RandomPermutation(2 ** 32, new RandomStream(key, 'shuffle'));
  for (const i of [0, 1, 2 ** 31, 2 ** 32 - 1]) assert.is(big.inverse(big.at(i)), i);
  assert.throws(
    () => new RandomPermutation(-1, new RandomStream(key, 'shuffle')),
    /permutation size must be an integer in \[0, 2\^32\]; got -1/,
  );
});

test('RandomPermutation: same key same permutation; rekey and other keys give others', () => {
  const n = 1000;
  const list = (p: RandomPermutation) => Array.from({ length: n }, (_, i) => p.at(i));
  const a = list(new RandomPermutation(n, new RandomStream(key, 'shuffle')));
  assert.equal(list(new RandomPermutation(n, new RandomStream(key, 'shuffle'))), a);
  assert.not.equal(list(new RandomPermutation(n, new RandomStream({ ...key, member: 1 }, 'shuffle'))), a);
  const stream = new RandomStream(key, 'shuffle');
  const p = new RandomPermutation(n, stream);
  p.rekey(stream);
  const b = list(p);
  assert.not.equal(b, a);
  // successive permutations are unrelated: the fixed points of b∘a⁻¹ number Poisson(1), not many
  let fixed = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) fixed++;
  assert.ok(fixed < 8, `${fixed} common positions`);
});

test('RandomPermutation: positions and ordered pairs are uniform over keys (χ²)', () => {
  // n = 6 (the smallest network, walked from 256 values): over K rekeyed permutations,
  // count (at(0), at(1)) in the 30 ordered pairs and at(i) = j in the 36 cells; each χ²
  // must stay below its 0.999 quantile, so a sound generator fails 1 run in 500
  const n = 6;
  const K = 12000;
  const stream = new RandomStream(key, 'shuffle');
  const perm = new RandomPermutation(n, stream);
  const cells = new Float64Array(n * n);
  const pairs = new Float64Array(n * n);
  for (let k = 0; k < K; k++) {
    perm.rekey(stream);
    for (let i = 0; i < n; i++) cells[i * n + perm.at(i)]++;
    pairs[perm.at(0) * n + perm.at(1)]++;
  }
  let chiCells = 0;
  for (const c of cells) chiCells += (c - K / n) ** 2 / (K / n);
  let chiPairs = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) assert.is(pairs[a * n + b], 0);
      else chiPairs += (pairs[a * n + b] - K / 30) ** 2 / (K / 30);
    }
  }
  // each row and column of `cells` sums to K, so 25 degrees of freedom: χ²₀.₉₉₉ = 52.6; pairs: 29 dof, 58.3
  assert.ok(chiCells < 52.6, `positions χ² ${chiCells.toFixed(1)} / 25`);
  assert.ok(chiPairs < 58.3, `pairs χ² ${chiPairs.toFixed(1)} / 29`);
  // n = 1000: at(0..9) in 10 equal bins of values, 2000 keys: 90 dof, χ²₀.₉₉₉ = 137.2
  const big = new RandomPermutation(1000, stream);
  const bins = new Float64Array(100);
  for (let k = 0; k < 2000; k++) {
    big.rekey(stream);
    for (let i = 0; i < 10; i++) bins[i * 10 + Math.floor(big.at(i) / 100)]++;
  }
  let chiBig = 0;
  for (const c of bins) chiBig += (c - 200) ** 2 / 200;
  assert.ok(chiBig < 137.2, `n = 1000 χ² ${chiBig.toFixed(1)} / 90`);
});

test.run();
