/** Reference twin of asm/silu_backward_f32.ts: dz = dy·σ(z)·(1 + z·(1 − σ(z))) in f64. */
import { sigmoid } from './sigmoid_f32.js';

export function siluBackwardF32(z: ArrayLike<number>, dy: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, (v, i) => {
    const s = sigmoid(v);
    return dy[i] * s * (1 + v * (1 - s));
  });
}
