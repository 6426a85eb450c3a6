/**
 * Seeded random inputs for the kernel tests (RandomStream, no Math.random), and the
 * lengths and shapes every kernel pair is checked at: 0, 1, lanes−1, lanes, lanes+1 and
 * several blocks plus a tail.
 */
import { RandomStream, type RngKey } from '../../src/base/rng.js';

export const LENGTHS = [0, 1, 3, 4, 5, 4099];

/** [nBatch, nIn, nOut] with odd sizes so every tile and tail of tile_gemm runs. */
export const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 2, 5],
  [4, 8, 8],
  [5, 7, 13],
  [9, 3, 17],
  [130, 24, 50],
  [257, 1, 9],
  [131, 50, 1],
];

export function stream(test: string, member = 0): RandomStream {
  const key: RngKey = { seed: 12345, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member };
  const s = new RandomStream(key, 'toy');
  // decorrelate tests by burning a test-specific number of draws
  let h = 0;
  for (let i = 0; i < test.length; i++) h = (h * 31 + test.charCodeAt(i)) % 997;
  for (let i = 0; i < h; i++) s.nextUint32();
  return s;
}

/** n uniform values in [lo, hi), as f32. */
export function uniformF32(s: RandomStream, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * s.nextDouble();
  return out;
}

/** n uniform values in [lo, hi), as f64. */
export function uniformF64(s: RandomStream, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * s.nextDouble();
  return out;
}

/** n labels 0/1, as f32. */
export function labelsF32(s: RandomStream, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = s.nextUint32() & 1;
  return out;
}
