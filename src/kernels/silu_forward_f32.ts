/**
 * SiLU, z·σ(z), in wasm: see asm/silu_forward_f32.ts for the contract.
 */
import { runUnary } from './elementwise.js';

/** SiLU, z·σ(z), of every element of `z`. */
export function siluForwardF32(z: Float32Array): Float32Array {
  return runUnary('silu_forward_f32', z) as Float32Array;
}
