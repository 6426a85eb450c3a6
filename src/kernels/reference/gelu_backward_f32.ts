/**
 * Reference twin of asm/gelu_backward_f32.ts, differentiating ½·z·(1 + tanh u) directly:
 *   d/dz = ½(1 + tanh u) + ½·z·(1 − tanh² u)·√(2/π)(1 + 3·0.044715 z²)
 */
import { GELU_A, GELU_C } from './gelu_forward_f32.js';

export function geluBackwardF32(z: ArrayLike<number>, dy: ArrayLike<number>): Float32Array {
  return Float32Array.from(z, (v, i) => {
    const t = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
    return dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v));
  });
}
