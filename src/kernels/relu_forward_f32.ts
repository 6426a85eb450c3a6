/**
 * ReLU, max(z, 0), in wasm: see asm/relu_forward_f32.ts for the contract.
 */
import { runUnary } from './elementwise.js';

/** ReLU, max(z, 0), of every element of `z`. */
export function reluForwardF32(z: Float32Array): Float32Array {
  return runUnary('relu_forward_f32', z) as Float32Array;
}
