import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/base/errors.js';
import { gatherRowsF32 } from '../../src/kernels/gather_rows_f32.js';
import { gatherRowsF32 as reference } from '../../src/kernels/reference/gather_rows_f32.js';
import { assertBitEqual } from '../helpers/close.js';
import { LENGTHS, stream, uniformF32, uniformF64 } from './random_inputs.js';

test('tier A: hand-made events: rows, labels from n0 on, weights, repeats allowed', () => {
  // 3 events of 2 features; n0 = 2 (events 0, 1 are class 0)
  const rows = new Float32Array([1, 2, 3, 4, 5, 6]);
  const weights = new Float64Array([0.5, -1, 7]);
  const got = gatherRowsF32(rows, 2, weights, 2, [2, 0, 2, 1]);
  assert.equal(Array.from(got.x), [5, 6, 1, 2, 5, 6, 3, 4]);
  assert.equal(Array.from(got.y), [1, 0, 1, 0]);
  assert.equal(Array.from(got.w), [7, 0.5, 7, -1]);
});

test('tier B: kernel equals the reference bit for bit at every count and feature count (vector and scalar tails)', () => {
  const s = stream('gather_rows_f32');
  for (const nf of [1, 2, 3, 4, 5, 7, 8, 9, 12, 17, 24]) {
    const n = 301;
    const rows = uniformF32(s, n * nf, -50, 50);
    const weights = uniformF64(s, n, -2, 5);
    for (const count of LENGTHS) {
      const index = Uint32Array.from({ length: count }, () => s.nextUint32() % n);
      if (count > 1) index[count - 1] = n - 1; // the last row of the block
      const n0 = (count * 7) % n;
      const got = gatherRowsF32(rows, nf, weights, n0, index);
      const want = reference(rows, nf, weights, n0, index);
      assertBitEqual(`x nf=${nf} count=${count}`, got.x, want.x);
      assertBitEqual(`y nf=${nf} count=${count}`, got.y, want.y);
      assertBitEqual(`w nf=${nf} count=${count}`, got.w, want.w);
    }
  }
});

test('bit patterns copied as they are: NaN payloads, −0, subnormals, ±∞', () => {
  const rows = new Float32Array(5);
  const bits = new Uint32Array(rows.buffer);
  bits.set([0x7fc00123, 0x80000000, 0x00000001, 0x7f800000, 0xff800000]);
  const weights = new Float64Array([-0]);
  const got = gatherRowsF32(rows, 5, weights, 1, [0]);
  assert.equal(Array.from(new Uint32Array(got.x.buffer)), Array.from(bits));
  assert.ok(Object.is(got.w[0], -0));
});

test('preconditions are InputErrors naming the argument', () => {
  const rows = new Float32Array(6);
  const w = new Float64Array(3);
  const fails = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof InputError && re.test(e.message));
  fails(() => gatherRowsF32(rows, 2, w, 0, [3]), /^gather_rows_f32: index\[0\] must be an integer in \[0, 3\); got 3$/);
  fails(() => gatherRowsF32(rows, 2, w, 0, [0, -1]), /index\[1\]/);
  fails(() => gatherRowsF32(rows, 0, w, 0, [0]), /nFeatures must be an integer >= 1/);
  fails(() => gatherRowsF32(rows, 4, w, 0, [0]), /rows must hold n × nFeatures = 3 × 4 = 12 numbers; got 6/);
  fails(() => gatherRowsF32(rows, 2, w, -1, [0]), /n0 must be an integer >= 0/);
  assert.equal(gatherRowsF32(rows, 2, w, 0, []).x.length, 0);
});

test.run();
