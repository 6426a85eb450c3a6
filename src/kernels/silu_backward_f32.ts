/**
 * SiLU backward in wasm: see asm/silu_backward_f32.ts for the contract.
 */
import { runBackward } from './elementwise.js';

/** dz = dy·σ(z)·(1 + z·(1 − σ(z))), elementwise; `z` is the forward pass's pre-activation. */
export function siluBackwardF32(z: Float32Array, dy: Float32Array): Float32Array {
  return runBackward('silu_backward_f32', z, dy);
}
