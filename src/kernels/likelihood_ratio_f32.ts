/**
 * Logits → clipped likelihood ratios f/(1−f)·S1/S0 in wasm: see asm/likelihood_ratio_f32.ts.
 */
import { checkRange } from './check.js';
import { kernels } from './wasm.js';

/** Clipping guards applied by a trained classifier's ratio (src/classifiers/classifier.ts). */
export interface RatioClip {
  /** Classifier output f is clipped to [epsilon, 1 − epsilon]. */
  epsilon: number;
  /** The ratio is clipped to [0, wMax]. */
  wMax: number;
}

/** Ratios on a set of events plus how many of them a guard clipped. */
export interface RatioResult {
  /** [nEvents], f/(1−f)·S1/S0 after clipping */
  ratio: Float64Array;
  /** Events whose f or ratio was clipped. */
  nClipped: number;
}

/** Raw export: returns the clipped count. */
export type LikelihoodRatioF32Export = (
  zPtr: number,
  n: number,
  eps: number,
  wMax: number,
  s10: number,
  ratioPtr: number,
) => number;

const NAME = 'likelihood_ratio_f32';

/** Checks the guards and S1/S0; throws InputError. */
export function checkRatioClip(clip: RatioClip, s10: number): void {
  checkRange(NAME, 'clip.epsilon', clip.epsilon, clip.epsilon >= 0 && clip.epsilon < 0.5, 'in [0, 0.5)');
  checkRange(NAME, 'clip.wMax', clip.wMax, clip.wMax > 0, 'positive');
  checkRange(NAME, 'S1/S0', s10, s10 > 0, 'positive');
}

/**
 * Ratios of the `n` f32 logits at `zPtr` into the f64 block at `ratioPtr`, both already in
 * wasm memory; returns the clipped count. The guards are checked once by the caller
 * ({@link checkRatioClip}); nothing is checked per call.
 */
export function likelihoodRatioF32InWasm(
  zPtr: number,
  n: number,
  clip: RatioClip,
  s10: number,
  ratioPtr: number,
): number {
  return (kernels().exports.likelihood_ratio_f32 as LikelihoodRatioF32Export)(
    zPtr,
    n,
    clip.epsilon,
    clip.wMax,
    s10,
    ratioPtr,
  );
}

/** Ratios of every logit in `z`, with `s10 = S1/S0`; copies through the arena. */
export function likelihoodRatioF32(z: Float32Array, clip: RatioClip, s10: number): RatioResult {
  checkRatioClip(clip, s10);
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const n = z.length;
    const rPtr = arena.allocF64(n);
    const zPtr = arena.allocF32(n);
    arena.f32(zPtr, n).set(z);
    const nClipped = likelihoodRatioF32InWasm(zPtr, n, clip, s10, rPtr);
    return { ratio: arena.f64(rPtr, n).slice(), nClipped };
  } finally {
    arena.release(mark);
  }
}
