import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkStandardise, standardiseRowsF32 } from '../../src/kernels/standardise_rows_f32.js';
import { standardiseRowsF32 as reference } from '../../src/kernels/reference/standardise_rows_f32.js';
import { assertBitEqual } from '../helpers/close.js';
import { InputError } from '../../src/base/errors.js';
import { LENGTHS, stream, uniformF32, uniformF64 } from './random_inputs.js';

test('tier A: hand-computed rows (odd feature count: pairs plus a scalar tail)', () => {
  const x = new Float32Array([1, 2, 3, 5, 10, -4]);
  const mean = new Float64Array([1, 0, -1]);
  const scale = new Float64Array([2, 4, 0.5]);
  // row 0: (1−1)/2, (2−0)/4, (3+1)/0.5; row 1: (5−1)/2, (10−0)/4, (−4+1)/0.5
  assert.equal(Array.from(standardiseRowsF32(x, 3, mean, scale)), [0, 0.5, 8, 2, 2.5, -6]);
  // one f64 rounding to f32: (0.1f − 0) / 3 is not (0.1f / 3f) in f32
  const y = standardiseRowsF32(new Float32Array([0.1, 0.1]), 2, new Float64Array([0, 0]), new Float64Array([3, 3]));
  assert.equal(Array.from(y), [Math.fround(Math.fround(0.1) / 3), Math.fround(Math.fround(0.1) / 3)]);
});

test('tier B: kernel equals the reference bit for bit at every length and feature count', () => {
  const s = stream('standardise_rows_f32');
  for (const nf of [1, 2, 3, 4, 5, 7, 8, 9, 17]) {
    for (const nRows of LENGTHS) {
      const x = uniformF32(s, nRows * nf, -50, 50);
      const mean = uniformF64(s, nf, -3, 3);
      const scale = uniformF64(s, nf, 0.01, 20);
      assertBitEqual(`nf=${nf} nRows=${nRows}`, standardiseRowsF32(x, nf, mean, scale), reference(x, nf, mean, scale));
    }
  }
});

test('tier B: bit-identical to the JS formula f32((x − mean) / scale) in f64, incl. extreme ratios', () => {
  const s = stream('standardise_rows_f32/formula');
  const nf = 5;
  const nRows = 4099;
  const x = uniformF32(s, nRows * nf, -1e6, 1e6);
  x[0] = 3.4028234663852886e38; // f32 max
  x[1] = 1e-45; // f32 subnormal
  x[2] = -0;
  const mean = new Float64Array([1e-300, -2.5, 0, 1e6, 0.1]);
  const scale = new Float64Array([1e-30, 3, 1e-300, 7e-3, 0.3]);
  const want = new Float32Array(x.length);
  for (let r = 0; r < nRows; r++) {
    for (let f = 0; f < nf; f++) want[r * nf + f] = Math.fround((x[r * nf + f] - mean[f]) / scale[f]);
  }
  assertBitEqual('formula', standardiseRowsF32(x, nf, mean, scale), want);
});

test('preconditions are InputErrors', () => {
  const m = new Float64Array(2);
  assert.throws(
    () => standardiseRowsF32(new Float32Array(3), 2, m, m),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => standardiseRowsF32(new Float32Array(4), 0, m, m),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => checkStandardise(1, 2, new Float64Array(3), m),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => checkStandardise(-1, 2, m, m),
    (e: unknown) => e instanceof InputError,
  );
  assert.equal(standardiseRowsF32(new Float32Array(0), 2, m, m).length, 0);
});

test.run();
