/**
 * One ReLU layer forward (A = max(X·W + b, 0)) and a dense layer's backward with an
 * optional ReLU mask on dX, in wasm with the MLP's tile and sparse products: see
 * asm/pfn_layers_f32.ts for the contracts. The PFN's passes (./pfn_workspace.ts) call the
 * raw exports on arena pointers; these wrappers copy through the arena (tests).
 */
import { checkDenseForward } from './dense_forward_f32.js';
import { checkLength } from './check.js';
import { kernels } from './wasm.js';

type Raw = (...args: number[]) => void;

/** max(x·w + b, 0), [nBatch × nOut]; `sparseInput`: skip x's exact zeros (x a ReLU output; same bits for finite w). */
export function denseReluForwardF32(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  nBatch: number,
  nIn: number,
  nOut: number,
  sparseInput = false,
): Float32Array {
  checkDenseForward(x, w, b, nBatch, nIn, nOut);
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(Math.max(x.length, 1));
    const wPtr = arena.allocF32(w.length);
    const bPtr = arena.allocF32(b.length);
    const aPtr = arena.allocF32(Math.max(nBatch * nOut, 1));
    const listPtr = sparseInput ? arena.allocF32(2 * Math.max(nIn, nOut, nBatch)) : 0;
    arena.f32(xPtr, x.length).set(x);
    arena.f32(wPtr, w.length).set(w);
    arena.f32(bPtr, b.length).set(b);
    (exports.dense_relu_forward_f32 as Raw)(xPtr, wPtr, bPtr, aPtr, nBatch, nIn, nOut, listPtr);
    return arena.f32(aPtr, nBatch * nOut).slice();
  } finally {
    arena.release(mark);
  }
}

/**
 * dW, db of a dense layer and, when `wantDx`, dX — masked by x > 0 when `reluInput` (x a
 * ReLU output). Returns new arrays.
 */
export function denseReluBackwardF32(
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  nBatch: number,
  nIn: number,
  nOut: number,
  wantDx: boolean,
  reluInput: boolean,
): { dx: Float32Array | undefined; dw: Float32Array; db: Float32Array } {
  checkDenseForward(x, w, new Float32Array(nOut), nBatch, nIn, nOut);
  checkLength('dense_relu_backward_f32', 'dy', dy, nBatch * nOut, `nBatch × nOut = ${nBatch} × ${nOut}`);
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(Math.max(x.length, 1));
    const wPtr = arena.allocF32(w.length);
    const dyPtr = arena.allocF32(Math.max(dy.length, 1));
    const dxPtr = wantDx ? arena.allocF32(Math.max(x.length, 1)) : 0;
    const dwPtr = arena.allocF32(w.length);
    const dbPtr = arena.allocF32(nOut);
    const wtPtr = arena.allocF32(w.length);
    const listPtr = arena.allocF32(2 * Math.max(nBatch, nIn, nOut));
    const tPtr = arena.allocF32(nIn * (nBatch + 32));
    arena.f32(xPtr, x.length).set(x);
    arena.f32(wPtr, w.length).set(w);
    arena.f32(dyPtr, dy.length).set(dy);
    arena.f32(dwPtr, w.length).fill(NaN); // overwritten, never accumulated
    (exports.dense_relu_backward_f32 as Raw)(
      xPtr,
      wPtr,
      dyPtr,
      nBatch,
      nIn,
      nOut,
      dxPtr,
      dwPtr,
      dbPtr,
      reluInput ? 1 : 0,
      wtPtr,
      listPtr,
      tPtr,
    );
    return {
      dx: wantDx ? arena.f32(dxPtr, x.length).slice() : undefined,
      dw: arena.f32(dwPtr, w.length).slice(),
      db: arena.f32(dbPtr, nOut).slice(),
    };
  } finally {
    arena.release(mark);
  }
}
