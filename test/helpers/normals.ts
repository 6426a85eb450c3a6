/**
 * Standard normal test data: Box–Muller over a Philox stream keyed by `seed`. Math.log and
 * Math.cos are fine here: they generate test inputs and never feed an engine weight.
 */
import { RandomStream } from '../../src/base/rng.js';

/** `n` standard normal draws, the same for the same seed. */
export function normals(n: number, seed: number): Float64Array {
  const s = new RandomStream({ seed, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - s.nextDouble()));
    const phi = 2 * Math.PI * s.nextDouble();
    out[i] = r * Math.cos(phi);
    if (i + 1 < n) out[i + 1] = r * Math.sin(phi);
  }
  return out;
}
