import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { denseForwardF32, type DenseForwardF32Export } from '../../src/kernels/dense_forward_f32.js';
import { kernels } from '../../src/kernels/wasm.js';
import { denseForwardF32 as denseForwardRef } from '../../src/kernels/reference/dense_forward_f32.js';
import { assertBitEqual } from '../helpers/close.js';
import { SHAPES, stream, uniformF32 } from './random_inputs.js';

test('tier A: a 2×2 layer by hand', () => {
  // x = [[1, 2], [3, 4]], w = [[1, -1], [0.5, 2]], b = [0.25, -1]
  // y[0] = [1 + 1 + 0.25, -1 + 4 - 1] = [2.25, 2]; y[1] = [3 + 2 + 0.25, -3 + 8 - 1] = [5.25, 4]
  const y = denseForwardF32(
    new Float32Array([1, 2, 3, 4]),
    new Float32Array([1, -1, 0.5, 2]),
    new Float32Array([0.25, -1]),
    2,
    2,
    2,
  );
  assert.equal(Array.from(y), [2.25, 2, 5.25, 4]);
});

test('tier B: wasm equals the reference bit for bit on every tile and tail', () => {
  const s = stream('dense_forward_f32');
  const shapes: [number, number, number][] = [
    ...SHAPES,
    [0, 3, 5],
    [4099, 3, 5],
    [4, 200, 4],
    [6, 130, 12],
    [7, 140, 13],
    [130, 50, 50],
    [5, 8, 100],
    [5, 3, 1],
    [9, 4, 1],
    [7, 13, 1],
    [8, 101, 1],
  ]; // N = 1: the 4×1 row-lane tiles
  for (const [nBatch, nIn, nOut] of shapes) {
    const x = uniformF32(s, nBatch * nIn, -3, 3);
    const w = uniformF32(s, nIn * nOut);
    const b = uniformF32(s, nOut);
    const got = denseForwardF32(x, w, b, nBatch, nIn, nOut);
    const want = denseForwardRef(x, w, b, nBatch, nIn, nOut);
    assertBitEqual(`y (${nBatch}×${nIn}×${nOut})`, got, want);
  }
});

test('tier B: large and non-finite values propagate like the reference', () => {
  const x = new Float32Array([1e30, -1e30, Infinity, NaN, 0, 1, 2, 3, -0, 1e-40, 5, 6]);
  const w = new Float32Array([1e10, 1, -1, 2, 0.5, 0, 3, 4, 1, 1, 1, 1]);
  const b = new Float32Array([0, -0, 1]);
  for (const [nBatch, nIn, nOut] of [
    [3, 4, 3],
    [4, 3, 3],
    [6, 2, 3],
    [4, 3, 1],
    [6, 2, 1],
    [3, 4, 1],
  ] as const) {
    const got = denseForwardF32(
      x.subarray(0, nBatch * nIn),
      w.subarray(0, nIn * nOut),
      b.subarray(0, nOut),
      nBatch,
      nIn,
      nOut,
    );
    const want = denseForwardRef(
      x.subarray(0, nBatch * nIn),
      w.subarray(0, nIn * nOut),
      b.subarray(0, nOut),
      nBatch,
      nIn,
      nOut,
    );
    assertBitEqual(`y (${nBatch}×${nIn}×${nOut})`, got, want);
  }
});

test('column tails never read past the weights: W placed at the very end of wasm memory', () => {
  const { exports, arena } = kernels();
  const fw = exports.dense_forward_f32 as DenseForwardF32Export;
  const s = stream('dense_forward_f32 end of memory');
  for (const [nBatch, nIn, nOut] of [
    [4, 4, 1],
    [5, 4, 2],
    [9, 12, 3],
    [4, 8, 6],
  ] as const) {
    const mark = arena.mark();
    try {
      const x = uniformF32(s, nBatch * nIn);
      const w = uniformF32(s, nIn * nOut);
      const b = uniformF32(s, nOut);
      const xPtr = arena.allocF32(x.length);
      const bPtr = arena.allocF32(nOut);
      const yPtr = arena.allocF32(nBatch * nOut);
      // filler so that W's last byte is the memory's last byte (W's size is a multiple of 16)
      const end = arena.memory.buffer.byteLength;
      const top = (arena.mark() + 15) & ~15;
      const room = end - top - w.length * 4;
      if (room > 0) arena.alloc(room);
      const wPtr = arena.allocF32(w.length);
      assert.is(wPtr + w.length * 4, arena.memory.buffer.byteLength, 'W must end at the end of memory');
      arena.f32(xPtr, x.length).set(x);
      arena.f32(wPtr, w.length).set(w);
      arena.f32(bPtr, nOut).set(b);
      fw(xPtr, wPtr, bPtr, yPtr, nBatch, nIn, nOut);
      assertBitEqual(
        `y (${nBatch}×${nIn}×${nOut})`,
        arena.f32(yPtr, nBatch * nOut),
        denseForwardRef(x, w, b, nBatch, nIn, nOut),
      );
    } finally {
      arena.release(mark);
    }
  }
});

test('errors: shapes and sizes', () => {
  const z = new Float32Array(4);
  assert.throws(() => denseForwardF32(z, z, z, 2, 0, 2), /dense_forward_f32: nIn must be an integer >= 1; got 0/);
  assert.throws(
    () => denseForwardF32(z, z, new Float32Array(2), 1, 2, 2),
    /dense_forward_f32: x must hold nBatch × nIn = 1 × 2 = 2 numbers; got 4/,
  );
  assert.throws(() => denseForwardF32(z, z, z, 2, 2, 2), /dense_forward_f32: b must hold nOut = 2 numbers; got 4/);
});

test.run();
