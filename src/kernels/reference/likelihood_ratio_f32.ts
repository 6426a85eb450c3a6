/**
 * Reference twin of asm/likelihood_ratio_f32.ts: f = σ(z) and 1 − f = σ(−z) from the
 * reference sigmoid, both clipped to [ε, 1 − ε], ratio f/(1−f)·s10 clipped to [0, wMax].
 */
import type { RatioClip, RatioResult } from '../likelihood_ratio_f32.js';
import { sigmoid } from './sigmoid_f32.js';

export function likelihoodRatioF32(z: ArrayLike<number>, clip: RatioClip, s10: number): RatioResult {
  const ratio = new Float64Array(z.length);
  let nClipped = 0;
  for (let i = 0; i < z.length; i++) {
    let f = sigmoid(z[i]);
    let g = sigmoid(-z[i]);
    let clipped = false;
    if (f < clip.epsilon) [f, g, clipped] = [clip.epsilon, 1 - clip.epsilon, true];
    else if (g < clip.epsilon) [f, g, clipped] = [1 - clip.epsilon, clip.epsilon, true];
    let r = (f / g) * s10;
    if (r > clip.wMax) [r, clipped] = [clip.wMax, true];
    if (clipped) nClipped++;
    ratio[i] = r;
  }
  return { ratio, nClipped };
}
