/**
 * ReLU backward in wasm: see asm/relu_backward_f32.ts for the contract.
 */
import { runBackward } from './elementwise.js';

/** dz = dy·[z > 0], elementwise; `z` is the forward pass's pre-activation. */
export function reluBackwardF32(z: Float32Array, dy: Float32Array): Float32Array {
  return runBackward('relu_backward_f32', z, dy);
}
