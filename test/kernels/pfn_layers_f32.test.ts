import { test } from 'uvu';
import { denseReluBackwardF32, denseReluForwardF32 } from '../../src/kernels/pfn_layers_f32.js';
import { denseBackwardF32 as denseBackwardRef } from '../../src/kernels/reference/dense_backward_f32.js';
import { denseForwardF32 as denseForwardRef } from '../../src/kernels/reference/dense_forward_f32.js';
import { reluBackwardF32 as reluBackwardRef } from '../../src/kernels/reference/relu_backward_f32.js';
import { reluForwardF32 as reluForwardRef } from '../../src/kernels/reference/relu_forward_f32.js';
import { assertBitEqual } from '../helpers/close.js';
import { SHAPES, stream, uniformF32 } from './random_inputs.js';

const shapes: [number, number, number][] = [
  ...SHAPES,
  [0, 5, 7],
  [0, 4, 4],
  [2, 9, 6],
  [6, 4, 4],
  [7, 5, 9],
  [129, 100, 128],
  [300, 17, 33],
  [5, 13, 1],
];

/** A ReLU output: about half exact zeros. */
function reluInput(x: Float32Array): Float32Array {
  return reluForwardRef(x);
}

test('dense_relu_forward_f32 equals dense_forward then relu_forward (references) bit for bit, dense and sparse', () => {
  const s = stream('dense_relu_forward_f32');
  for (const [nBatch, nIn, nOut] of shapes) {
    const x = reluInput(uniformF32(s, nBatch * nIn, -2, 2));
    const w = uniformF32(s, nIn * nOut);
    const b = uniformF32(s, nOut, -0.2, 0.2);
    const want = reluForwardRef(denseForwardRef(x, w, b, nBatch, nIn, nOut));
    for (const sparse of [false, true]) {
      assertBitEqual(
        `a ${nBatch}×${nIn}×${nOut} sparse ${sparse}`,
        denseReluForwardF32(x, w, b, nBatch, nIn, nOut, sparse),
        want,
      );
    }
  }
});

test('dense_relu_backward_f32 equals dense_backward then relu_backward on dX (references) bit for bit, every path', () => {
  const s = stream('dense_relu_backward_f32');
  for (const [nBatch, nIn, nOut] of shapes) {
    const x = reluInput(uniformF32(s, nBatch * nIn, -2, 2));
    const w = uniformF32(s, nIn * nOut);
    // a masked gradient, as behind a ReLU: about half exact zeros
    const dy = reluInput(uniformF32(s, nBatch * nOut, -1, 1)).map((v, i) => (i % 3 === 0 ? -v : v));
    const ref = denseBackwardRef(x, w, dy, nBatch, nIn, nOut, true);
    for (const [wantDx, relu] of [
      [true, true],
      [true, false],
      [false, false],
    ] as const) {
      const got = denseReluBackwardF32(x, w, dy, nBatch, nIn, nOut, wantDx, relu);
      const label = `${nBatch}×${nIn}×${nOut} dx ${wantDx} relu ${relu}`;
      assertBitEqual(`${label} dw`, got.dw, ref.dw);
      assertBitEqual(`${label} db`, got.db, ref.db);
      if (wantDx) assertBitEqual(`${label} dx`, got.dx!, relu ? reluBackwardRef(x, ref.dx!) : ref.dx!);
    }
  }
});

test.run();
