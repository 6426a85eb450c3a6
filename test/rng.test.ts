import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { philox4x32, poissonOneWeights, RandomStream, streamKey, type RngKey } from '../src/rng.js';

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).join(' ');
const key: RngKey = { seed: 7, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 };

test('philox4x32-10 known-answer vectors (Random123 kat_vectors)', () => {
  const out = new Uint32Array(4);
  assert.is(hex(philox4x32([0, 0, 0, 0], 0, 0, out)), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  assert.is(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 0xffffffff, 0xffffffff, out)), '408f276d 41c83b0e a20bc7c6 6d5451fd');
  assert.is(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], 0xa4093822, 0x299f31d0, out)), 'd16cfe09 94fdcceb 5001e420 24126ea1');
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
  assert.equal(sorted, Array.from({ length: 1001 }, (_, i) => i));
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

test.run();
