/**
 * likelihood_ratio_f32: classifier logits → clipped likelihood ratios.
 *   f = σ(z), 1−f computed directly (no cancellation);  f, 1−f clipped to [ε, 1−ε]
 *   ratio = f/(1−f)·s10, clipped to [0, wMax];   s10 = S1/S0
 * in    zPtr     f32[n]  logits
 * in    n, eps (0 ≤ ε < ½), wMax (> 0), s10 (> 0): f64 scalars
 * out   ratioPtr f64[n]  8-byte aligned
 * Returns the number of events clipped by either guard (each event counted once).
 * Preconditions (glue): n ≥ 0, the scalar ranges above.
 * Edges: n = 0 returns 0; z = 0 gives exactly s10; z = ±100 hits the ε guard
 * (ratio (1−ε)/ε·s10 or ε/(1−ε)·s10, then the wMax guard); NaN z gives NaN, not counted.
 * Numerics: f64 with AssemblyScript's Math.exp; within 1e-15 relative of the reference.
 * Effects: writes only ratio; allocates nothing; no globals.
 * Twin: src/reference/likelihood_ratio_f32.ts; test: test/kernels/likelihood_ratio_f32.test.ts.
 */
export function likelihood_ratio_f32(zPtr: usize, n: i32, eps: f64, wMax: f64, s10: f64, ratioPtr: usize): i32 {
  let nClipped = 0;
  const hi = 1 - eps;
  for (let i = 0; i < n; i++) {
    const z = <f64>load<f32>(zPtr + (<usize>i << 2));
    const e = Math.exp(-Math.abs(z));
    const big = 1 / (1 + e);
    const small = e / (1 + e);
    let f = z >= 0 ? big : small;
    let g = z >= 0 ? small : big;
    let clipped = false;
    if (f < eps) { f = eps; g = hi; clipped = true; }
    else if (g < eps) { g = eps; f = hi; clipped = true; }
    let r = (f / g) * s10;
    if (r > wMax) { r = wMax; clipped = true; }
    if (clipped) nClipped++;
    store<f64>(ratioPtr + (<usize>i << 3), r);
  }
  return nClipped;
}
