/**
 * Stable logistic σ(z) in wasm: see asm/sigmoid_f32.ts for the contract.
 */
import { runUnary } from './elementwise.js';

/** Stable logistic σ(z) of every element of `z`. */
export function sigmoidF32(z: Float32Array): Float32Array {
  return runUnary('sigmoid_f32', z) as Float32Array;
}
