/**
 * GELU (tanh approximation) in wasm: see asm/gelu_forward_f32.ts for the contract.
 */
import { runUnary } from './elementwise.js';

/** GELU (tanh approximation) of every element of `z`. */
export function geluForwardF32(z: Float32Array): Float32Array {
  return runUnary('gelu_forward_f32', z) as Float32Array;
}
