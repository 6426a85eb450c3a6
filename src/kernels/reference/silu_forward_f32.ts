/** Reference twin of asm/silu_forward_f32.ts: y = z·σ(z) in f64, rounded to f32. */
import { sigmoid } from './sigmoid_f32.js';

export function siluForwardF32(z: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, (v) => v * sigmoid(v));
}
