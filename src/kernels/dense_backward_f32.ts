/**
 * Dense layer backward pass (dX, dW, db) in wasm: see asm/dense_backward_f32.ts for the contract.
 */
import { checkInt, checkLength } from './check.js';
import { kernels } from './wasm.js';

/** Raw export: pointers in bytes (dxPtr = 0 skips dX), sizes in elements. */
export type DenseBackwardF32Export = (
  xPtr: number,
  wPtr: number,
  dyPtr: number,
  nBatch: number,
  nIn: number,
  nOut: number,
  dxPtr: number,
  dwPtr: number,
  dbPtr: number,
  scratchPtr: number,
) => void;

const NAME = 'dense_backward_f32';

/** Gradients of a dense layer: dx [nBatch × nIn] (unless `wantDx` is false), dw [nIn × nOut], db [nOut]. */
export interface DenseGradients {
  dx: Float32Array | undefined;
  dw: Float32Array;
  db: Float32Array;
}

/** Backward pass of y = x·w + b given dy [nBatch × nOut]; copies through the arena. */
export function denseBackwardF32(
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
  nBatch: number,
  nIn: number,
  nOut: number,
  wantDx = true,
): DenseGradients {
  checkInt(NAME, 'nBatch', nBatch, 0);
  checkInt(NAME, 'nIn', nIn, 1);
  checkInt(NAME, 'nOut', nOut, 1);
  checkLength(NAME, 'x', x, nBatch * nIn, `nBatch × nIn = ${nBatch} × ${nIn}`);
  checkLength(NAME, 'w', w, nIn * nOut, `nIn × nOut = ${nIn} × ${nOut}`);
  checkLength(NAME, 'dy', dy, nBatch * nOut, `nBatch × nOut = ${nBatch} × ${nOut}`);
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(x.length);
    const wPtr = arena.allocF32(w.length);
    const dyPtr = arena.allocF32(dy.length);
    const dxPtr = wantDx ? arena.allocF32(nBatch * nIn) : 0;
    const dwPtr = arena.allocF32(nIn * nOut);
    const dbPtr = arena.allocF32(nOut);
    const scratchPtr = arena.allocF32(nIn * nOut);
    arena.f32(xPtr, x.length).set(x);
    arena.f32(wPtr, w.length).set(w);
    arena.f32(dyPtr, dy.length).set(dy);
    (exports.dense_backward_f32 as DenseBackwardF32Export)(
      xPtr,
      wPtr,
      dyPtr,
      nBatch,
      nIn,
      nOut,
      dxPtr,
      dwPtr,
      dbPtr,
      scratchPtr,
    );
    return {
      dx: wantDx ? arena.f32(dxPtr, nBatch * nIn).slice() : undefined,
      dw: arena.f32(dwPtr, nIn * nOut).slice(),
      db: arena.f32(dbPtr, nOut).slice(),
    };
  } finally {
    arena.release(mark);
  }
}
