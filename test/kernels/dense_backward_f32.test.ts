import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { denseBackwardF32 } from '../../src/kernels/dense_backward_f32.js';
import { denseForwardF32 } from '../../src/kernels/dense_forward_f32.js';
import { denseBackwardF32 as denseBackwardRef } from '../../src/kernels/reference/dense_backward_f32.js';
import { assertBitEqual, assertClose } from '../helpers/close.js';
import { SHAPES, stream, uniformF32 } from './random_inputs.js';

test('tier A: a 2×2 layer by hand', () => {
  // x = [[1, 2], [3, 4]], w = [[1, -1], [0.5, 2]], dy = [[1, 0], [0, 1]]
  // dW = xᵀ·dy = [[1, 3], [2, 4]]; db = [1, 1]; dX = dy·wᵀ = [[1, 0.5], [-1, 2]]
  const g = denseBackwardF32(
    new Float32Array([1, 2, 3, 4]),
    new Float32Array([1, -1, 0.5, 2]),
    new Float32Array([1, 0, 0, 1]),
    2,
    2,
    2,
  );
  assert.equal(Array.from(g.dw), [1, 3, 2, 4]);
  assert.equal(Array.from(g.db), [1, 1]);
  assert.equal(Array.from(g.dx!), [1, 0.5, -1, 2]);
});

test('tier B: wasm equals the reference bit for bit (dX, dW across 128-event blocks, db)', () => {
  const s = stream('dense_backward_f32');
  const shapes: [number, number, number][] = [
    ...SHAPES,
    [0, 3, 5],
    [4099, 3, 5],
    [300, 9, 10],
    [5, 100, 50],
    [300, 7, 13],
    [6, 131, 50],
    [300, 50, 1],
    [5, 21, 1],
    [7, 3, 1],
  ];
  for (const [nBatch, nIn, nOut] of shapes) {
    const x = uniformF32(s, nBatch * nIn, -3, 3);
    const w = uniformF32(s, nIn * nOut);
    const dy = uniformF32(s, nBatch * nOut);
    const got = denseBackwardF32(x, w, dy, nBatch, nIn, nOut);
    const want = denseBackwardRef(x, w, dy, nBatch, nIn, nOut);
    const shape = `${nBatch}×${nIn}×${nOut}`;
    assertBitEqual(`dw (${shape})`, got.dw, want.dw);
    assertBitEqual(`db (${shape})`, got.db, want.db);
    assertBitEqual(`dx (${shape})`, got.dx!, want.dx!);
    assert.is(denseBackwardF32(x, w, dy, nBatch, nIn, nOut, false).dx, undefined);
  }
});

test('gradient check: central differences of L = Σ c·(x·w + b)', () => {
  const s = stream('dense_backward_f32 fd');
  const [nBatch, nIn, nOut] = [5, 3, 6];
  const x = uniformF32(s, nBatch * nIn);
  const w = uniformF32(s, nIn * nOut);
  const b = uniformF32(s, nOut);
  const c = uniformF32(s, nBatch * nOut);
  const loss = (xx: Float32Array, ww: Float32Array, bb: Float32Array) => {
    const y = denseForwardF32(xx, ww, bb, nBatch, nIn, nOut);
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += c[i] * y[i];
    return sum;
  };
  const g = denseBackwardF32(x, w, c, nBatch, nIn, nOut);
  const h = 1 / 64; // exact in f32; L is linear, so only f32 rounding of y (~1e-7·Σ|c|) enters
  const fd = (arr: Float32Array) => {
    const out = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const keep = arr[i];
      arr[i] = keep + h;
      const up = loss(x, w, b);
      arr[i] = keep - h;
      const down = loss(x, w, b);
      arr[i] = keep;
      out[i] = (up - down) / (2 * h);
    }
    return out;
  };
  const tol = { rtol: 1e-4, atol: 1e-4 }; // f32 rounding of y divided by 2h
  assertClose('dL/dx', g.dx!, fd(x), tol);
  assertClose('dL/dw', g.dw, fd(w), tol);
  assertClose('dL/db', g.db, fd(b), tol);
});

test('errors: shapes and sizes', () => {
  const z = new Float32Array(4);
  assert.throws(
    () => denseBackwardF32(z, z, z, -1, 2, 2),
    /dense_backward_f32: nBatch must be an integer >= 0; got -1/,
  );
  assert.throws(
    () => denseBackwardF32(z, z, new Float32Array(3), 2, 2, 2),
    /dense_backward_f32: dy must hold nBatch × nOut = 2 × 2 = 4 numbers; got 3/,
  );
});

test.run();
