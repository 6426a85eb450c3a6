import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { histFillF64 } from '../../src/kernels/hist_fill_f64.js';
import { histFillF64 as histFillRef } from '../../src/kernels/reference/hist_fill_f64.js';
import { assertBitEqual } from '../helpers/close.js';
import { LENGTHS, stream, uniformF64 } from './random_inputs.js';

test('tier A: a 3-event fill into 2 bins', () => {
  const edges = new Float64Array([0, 1, 2]);
  const sumw = new Float64Array(4);
  const sumw2 = new Float64Array(4);
  const nNaN = histFillF64(new Float64Array([0.5, 1.5, 1.0]), new Float64Array([2, -1, 3]), edges, sumw, sumw2);
  assert.is(nNaN, 0);
  // 0.5 → bin 1 (w 2); 1.5 and 1.0 → bin 2 (w −1 and 3): sumw = [0, 2, 2, 0], sumw2 = [0, 4, 10, 0]
  assert.equal(Array.from(sumw), [0, 2, 2, 0]);
  assert.equal(Array.from(sumw2), [0, 4, 10, 0]);
});

test('tier A: underflow, overflow, edges, ±Inf, NaN skipped and counted, unit weights', () => {
  const edges = new Float64Array([-1, 0, 1]);
  const sumw = new Float64Array(4);
  const sumw2 = new Float64Array(4);
  const x = new Float32Array([-2, -1, 0, 1, 5, NaN, -Infinity, Infinity, NaN]);
  assert.is(histFillF64(x, undefined, edges, sumw, sumw2), 2);
  assert.equal(Array.from(sumw), [2, 1, 1, 3]);
  assert.equal(Array.from(sumw2), [2, 1, 1, 3]);
});

test('tier B: wasm equals the reference bit for bit (lengths 0..4099, negative and zero weights, NaN)', () => {
  const s = stream('hist_fill_f64');
  for (const nBins of [1, 3, 20]) {
    const edges = new Float64Array(nBins + 1).map((_, k) => -2 + (4 * k) / nBins);
    for (const n of [...LENGTHS, 40000]) {
      const x = uniformF64(s, n, -3, 3);
      const w = uniformF64(s, n, -1, 2);
      for (let i = 0; i < n; i += 7) x[i] = NaN;
      for (let i = 3; i < n; i += 11) w[i] = 0;
      for (let i = 5; i < n; i += 13) x[i] = edges[i % (nBins + 1)];
      for (const weights of [w, undefined]) {
        const a = [new Float64Array(nBins + 2), new Float64Array(nBins + 2)];
        const b = [new Float64Array(nBins + 2), new Float64Array(nBins + 2)];
        a[0][1] = b[0][1] = 0.25; // accumulates into existing contents
        const nA = histFillF64(x, weights, edges, a[0], a[1]);
        const nB = histFillRef(x, weights, edges, b[0], b[1]);
        assert.is(nA, nB, `NaN count n=${n}`);
        assertBitEqual(`sumw n=${n} nBins=${nBins}`, a[0], b[0]);
        assertBitEqual(`sumw2 n=${n} nBins=${nBins}`, a[1], b[1]);
      }
    }
  }
});

test('tier B: f32 values give the same sums as the same values widened to f64', () => {
  const s = stream('hist_fill_f64 f32');
  const x32 = new Float32Array(uniformF64(s, 5001, -3, 3));
  const w = uniformF64(s, 5001);
  const edges = new Float64Array([-2, -0.5, 0, 0.5, 2]);
  const a = [new Float64Array(6), new Float64Array(6)];
  const b = [new Float64Array(6), new Float64Array(6)];
  histFillF64(x32, w, edges, a[0], a[1]);
  histFillF64(Float64Array.from(x32), w, edges, b[0], b[1]);
  assertBitEqual('sumw', a[0], b[0]);
});

test('errors: bad edges, lengths', () => {
  const z = () => new Float64Array(4);
  assert.throws(
    () => histFillF64(new Float64Array(1), undefined, new Float64Array([0, 0, 1]), z(), z()),
    /hist_fill_f64: edges must be finite and strictly increasing; got 0 at index 1/,
  );
  assert.throws(
    () => histFillF64(new Float64Array(2), new Float64Array(1), new Float64Array([0, 1, 2]), z(), z()),
    /weights must have the same length as values; got 1 and 2/,
  );
  assert.throws(
    () => histFillF64(new Float64Array(2), undefined, new Float64Array([0, 1, 2]), new Float64Array(3), z()),
    /sumw and sumw2 must hold nBins \+ 2 = 4 numbers; got 3 and 4/,
  );
});

test.run();
