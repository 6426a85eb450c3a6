/**
 * Random draws for the embedded toys: uniform, normal and exponential variates from a
 * {@link RandomStream} with purpose `toy`, using only deterministic arithmetic (src/toys/detmath.ts),
 * so a toy is bit-identical on every machine and Node version.
 */
import { cos, log, sin } from './detmath.js';
import { RandomStream } from '../base/rng.js';

const TWO_PI = 6.283185307179586;

/** Draws of one toy stream, keyed by (seed, stream index). */
export class ToyRandom {
  private readonly stream: RandomStream;
  private spare: number | undefined;

  constructor(seed: number, streamIndex: number) {
    this.stream = new RandomStream(
      { seed, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: streamIndex },
      'toy',
    );
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.stream.nextDouble();
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.stream.nextDouble();
  }

  /** Normal(mean, sigma) by Box–Muller; the second variate of each pair is kept for the next call. */
  normal(mean = 0, sigma = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sigma * z;
    }
    const u1 = 1 - this.stream.nextDouble(); // (0, 1]: log stays finite
    const u2 = this.stream.nextDouble();
    const r = Math.sqrt(-2 * log(u1));
    this.spare = r * sin(TWO_PI * u2);
    return mean + sigma * r * cos(TWO_PI * u2);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * log(1 - this.stream.nextDouble());
  }
}
