/**
 * GELU (tanh approximation) backward in wasm: see asm/gelu_backward_f32.ts for the contract.
 */
import { runBackward } from './elementwise.js';

/** dz = dy·d gelu(z)/dz, elementwise; `z` is the forward pass's pre-activation. */
export function geluBackwardF32(z: Float32Array, dy: Float32Array): Float32Array {
  return runBackward('gelu_backward_f32', z, dy);
}
