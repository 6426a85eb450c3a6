import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bceLossF32 } from '../../src/kernels/bce_loss_f32.js';
import { bceLossF32 as reference } from '../../src/kernels/reference/bce_loss_f32.js';
import { assertBitEqual, assertClose } from '../helpers/close.js';
import { LENGTHS, labelsF32, stream, uniformF32, uniformF64 } from './random_inputs.js';

test('tier A: z = 0 gives log 2 per unit weight; large |z| neither overflows nor loses the linear term', () => {
  const r = bceLossF32(
    new Float32Array([0, 0, 100, -100]),
    new Float32Array([1, 0, 0, 1]),
    new Float64Array([1, 2, 0.5, -1]),
    0.5,
  );
  // log 2 + 2 log 2 + 0.5·100 − 1·100
  assertClose('loss', r.loss, 3 * Math.LN2 + 50 - 100, { rtol: 1e-15, atol: 0 });
  // 0.5·w·(σ − y): 0.5·(0.5 − 1), 0.5·2·0.5, 0.5·0.5·1, 0.5·(−1)·(0 − 1)
  assertClose('grad', r.grad, [-0.25, 0.5, 0.25, 0.5], { rtol: 1e-7, atol: 1e-30 });
});

test('a running sum through chunks (init) is the one-pass sum, bit for bit', () => {
  const s = stream('bce_loss_f32 chunks');
  const n = 1001;
  const z = uniformF32(s, n, -20, 20);
  const y = labelsF32(s, n);
  const w = uniformF64(s, n, -1, 2);
  const whole = bceLossF32(z, y, w).loss;
  for (const chunk of [1, 3, 128, 1000]) {
    let sum = 0;
    for (let r = 0; r < n; r += chunk)
      sum = bceLossF32(z.subarray(r, r + chunk), y.subarray(r, r + chunk), w.subarray(r, r + chunk), 1, sum).loss;
    assertBitEqual(`chunk ${chunk}`, new Float64Array([sum]), new Float64Array([whole]));
  }
  assert.is(bceLossF32(new Float32Array(0), new Float32Array(0), new Float64Array(0), 1, 2.5).loss, 2.5);
});

test('tier B: kernel vs reference (lengths 0..4099, negative and zero weights, |z| to 100)', () => {
  const s = stream('bce_loss_f32');
  for (const n of LENGTHS) {
    const z = uniformF32(s, n, -100, 100);
    const y = labelsF32(s, n);
    const w = uniformF64(s, n, -1, 2);
    for (let i = 2; i < n; i += 9) w[i] = 0;
    const got = bceLossF32(z, y, w, 1 / Math.max(n, 1));
    const want = reference(z, y, w, 1 / Math.max(n, 1));
    // sum of per-event terms that differ by ulps of exp/log1p; sums of mixed signs: absolute floor
    assertClose(`loss (n=${n})`, got.loss, want.loss, { rtol: 1e-12, atol: 1e-12 });
    assertClose(`grad (n=${n})`, got.grad, want.grad, { rtol: 1e-6, atol: 1e-30 });
  }
});

test('extra: a per-event term added to the gradient before its rounding (kernel vs reference); the loss unchanged', () => {
  const s = stream('bce_loss_f32 extra');
  for (const n of LENGTHS) {
    const z = uniformF32(s, n, -20, 20);
    const y = labelsF32(s, n);
    const w = uniformF64(s, n, -1, 2);
    const extra = uniformF64(s, n, -0.5, 0.5);
    const scale = 1 / Math.max(n, 1);
    const got = bceLossF32(z, y, w, scale, 0, extra);
    const want = reference(z, y, w, scale, extra);
    assertClose(`grad (n=${n})`, got.grad, want.grad, { rtol: 1e-6, atol: 1e-12 });
    assert.is(got.loss, bceLossF32(z, y, w, scale).loss);
    // one rounding: f32(g + extra), not f32(f32(g) + extra)
    const plain = bceLossF32(z, y, w, scale).grad;
    for (let i = 0; i < n; i++) assertClose(`sum ${i}`, got.grad[i], plain[i] + extra[i], { rtol: 1e-6, atol: 1e-7 });
  }
});

test('gradient check: central differences of the loss in f64', () => {
  const s = stream('bce_loss_f32 fd');
  const z = uniformF32(s, 33, -6, 6);
  const y = labelsF32(s, 33);
  const w = uniformF64(s, 33, -1, 2);
  const { grad } = bceLossF32(z, y, w);
  const h = 1 / 1024;
  for (let i = 0; i < z.length; i++) {
    const one = (zi: number) => bceLossF32(new Float32Array([zi]), y.subarray(i, i + 1), w.subarray(i, i + 1)).loss;
    const fd = (one(z[i] + h) - one(z[i] - h)) / (2 * h);
    assertClose(`dL/dz[${i}]`, grad[i], fd, { rtol: 1e-5, atol: 1e-6 }); // h²·L'''/6 ≈ 1e-8
  }
});

test('errors: lengths', () => {
  assert.throws(
    () => bceLossF32(new Float32Array(2), new Float32Array(1), new Float64Array(2)),
    /bce_loss_f32: y must hold the length of z = 2 numbers; got 1/,
  );
});

test.run();
