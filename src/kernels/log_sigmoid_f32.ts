/**
 * Stable log σ(z) (f64 out) in wasm: see asm/log_sigmoid_f32.ts for the contract.
 */
import { runUnary } from './elementwise.js';

/** Stable log σ(z) (f64 out) of every element of `z`. */
export function logSigmoidF32(z: Float32Array): Float64Array {
  return runUnary('log_sigmoid_f32', z, true) as Float64Array;
}
