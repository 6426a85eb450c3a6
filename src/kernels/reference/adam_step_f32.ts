/**
 * Reference twin of asm/adam_step_f32.ts: Kingma & Ba's update, element by element, with
 * every operation rounded to f32 (Math.fround) in the kernel's order.
 */
import type { AdamScalars } from '../adam_step_f32.js';

export function adamStepF32(
  p: Float32Array,
  g: ArrayLike<number>,
  m: Float32Array,
  v: Float32Array,
  a: AdamScalars,
): void {
  const f = Math.fround;
  const [lr, b1, b2, eps, bc1, bc2] = [a.lr, a.beta1, a.beta2, a.eps, a.bc1, a.bc2].map(f);
  const step = f(lr / bc1);
  const c1 = f(1 - b1);
  const c2 = f(1 - b2);
  for (let i = 0; i < p.length; i++) {
    const gi = f(g[i]);
    m[i] = f(f(b1 * m[i]) + f(c1 * gi));
    v[i] = f(f(b2 * v[i]) + f(c2 * f(gi * gi)));
    const den = f(f(Math.sqrt(f(v[i] / bc2))) + eps);
    p[i] = f(p[i] - f(f(step * m[i]) / den));
  }
}
