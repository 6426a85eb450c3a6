/**
 * Dense layer forward pass Y = X·W + b in wasm: see asm/dense_forward_f32.ts for the contract.
 */
import { checkInt, checkLength } from './check.js';
import { kernels } from './wasm.js';

/** Raw export: pointers in bytes, sizes in elements. */
export type DenseForwardF32Export = (
  xPtr: number,
  wPtr: number,
  bPtr: number,
  yPtr: number,
  nBatch: number,
  nIn: number,
  nOut: number,
) => void;

const NAME = 'dense_forward_f32';

/** Checks the shapes of a dense forward call; throws InputError. */
export function checkDenseForward(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  nBatch: number,
  nIn: number,
  nOut: number,
): void {
  checkInt(NAME, 'nBatch', nBatch, 0);
  checkInt(NAME, 'nIn', nIn, 1);
  checkInt(NAME, 'nOut', nOut, 1);
  checkLength(NAME, 'x', x, nBatch * nIn, `nBatch × nIn = ${nBatch} × ${nIn}`);
  checkLength(NAME, 'w', w, nIn * nOut, `nIn × nOut = ${nIn} × ${nOut}`);
  checkLength(NAME, 'b', b, nOut, 'nOut');
}

/**
 * y [nBatch × nOut] = x [nBatch × nIn] · w [nIn × nOut] + b [nOut], all row-major f32.
 * Copies through the arena; for hot loops call the raw export on arena pointers.
 */
export function denseForwardF32(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  nBatch: number,
  nIn: number,
  nOut: number,
): Float32Array {
  checkDenseForward(x, w, b, nBatch, nIn, nOut);
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(x.length);
    const wPtr = arena.allocF32(w.length);
    const bPtr = arena.allocF32(b.length);
    const yPtr = arena.allocF32(nBatch * nOut);
    arena.f32(xPtr, x.length).set(x);
    arena.f32(wPtr, w.length).set(w);
    arena.f32(bPtr, b.length).set(b);
    (exports.dense_forward_f32 as DenseForwardF32Export)(xPtr, wPtr, bPtr, yPtr, nBatch, nIn, nOut);
    return arena.f32(yPtr, nBatch * nOut).slice();
  } finally {
    arena.release(mark);
  }
}
