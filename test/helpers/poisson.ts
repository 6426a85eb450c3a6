// Poisson draws for test data (particle multiplicities), by inversion of the CDF.
import type { RandomStream } from '../../src/base/rng.js';

/** Poisson(mean) from one uniform of `s`; exact enough for the small means of test data (capped at 100). */
export function poisson(s: RandomStream, mean: number): number {
  const u = s.nextDouble();
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < 100) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}
