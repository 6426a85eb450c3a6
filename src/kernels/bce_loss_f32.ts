/**
 * Weighted binary cross-entropy on logits and its gradient in wasm: see asm/bce_loss_f32.ts.
 */
import { checkLength } from './check.js';
import { InputError } from '../base/errors.js';
import { kernels } from './wasm.js';

/** Raw export: returns init + Σ w·loss (summed in event order); gradPtr = 0 skips the gradient. */
export type BceLossF32Export = (
  zPtr: number,
  yPtr: number,
  wPtr: number,
  n: number,
  scale: number,
  gradPtr: number,
  init: number,
  extraPtr: number,
) => number;

/**
 * init + Σ w·loss over the `n` logits at `zPtr` (f32) with labels at `yPtr` (f32) and
 * weights at `wPtr` (f64), and the gradient at `gradPtr` (0: skipped), plus the f64
 * per-event term at `extraPtr` before rounding (0: none): every buffer already in wasm
 * memory; nothing is checked per call.
 */
export function bceLossF32InWasm(
  zPtr: number,
  yPtr: number,
  wPtr: number,
  n: number,
  scale: number,
  gradPtr: number,
  init: number,
  extraPtr = 0,
): number {
  return (kernels().exports.bce_loss_f32 as BceLossF32Export)(zPtr, yPtr, wPtr, n, scale, gradPtr, init, extraPtr);
}

/**
 * init + Σ_i w_i·BCE(z_i, y_i) (f64, added in event order) and grad_i = scale·w_i·(σ(z_i) − y_i)
 * (+ extra_i, before the rounding to f32, when `extra` is given); `init` continues a
 * running sum over earlier events.
 */
export function bceLossF32(
  z: Float32Array,
  y: Float32Array,
  w: Float64Array,
  scale = 1,
  init = 0,
  extra?: Float64Array,
): { loss: number; grad: Float32Array } {
  checkLength('bce_loss_f32', 'y', y, z.length, 'the length of z');
  checkLength('bce_loss_f32', 'w', w, z.length, 'the length of z');
  if (extra !== undefined) checkLength('bce_loss_f32', 'extra', extra, z.length, 'the length of z');
  if (!Number.isFinite(scale)) throw new InputError(`bce_loss_f32: scale must be finite; got ${scale}`);
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const n = z.length;
    const wPtr = arena.allocF64(n);
    const zPtr = arena.allocF32(n);
    const yPtr = arena.allocF32(n);
    const gPtr = arena.allocF32(n);
    const extraPtr = extra !== undefined ? arena.allocF64(n) : 0;
    if (extra !== undefined) arena.f64(extraPtr, n).set(extra);
    arena.f64(wPtr, n).set(w);
    arena.f32(zPtr, n).set(z);
    arena.f32(yPtr, n).set(y);
    const loss = bceLossF32InWasm(zPtr, yPtr, wPtr, n, scale, gPtr, init, extraPtr);
    return { loss, grad: arena.f32(gPtr, n).slice() };
  } finally {
    arena.release(mark);
  }
}
