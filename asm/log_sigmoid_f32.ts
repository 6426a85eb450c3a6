/**
 * log_sigmoid_f32: numerically stable log σ(z) for f32 logits, in f64.
 *   log σ(z) = −(max(−z, 0) + log1p(exp(−|z|)))
 * in    zPtr   f32[n]  logits
 * out   outPtr f64[n]  8-byte aligned
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; log σ(100) = −3.7e-44 (not 0), log σ(−100) = −100 exactly-ish
 * (no overflow, no log(0)); log σ(+Inf) = 0, log σ(−Inf) = −Inf; NaN propagates.
 * Numerics: f64 with AssemblyScript's Math.exp / Math.log1p; within 1e-15 relative of the
 * reference.
 * Effects: writes only out; allocates nothing; no globals.
 * Twin: src/reference/log_sigmoid_f32.ts; test: test/kernels/log_sigmoid_f32.test.ts.
 */
export function log_sigmoid_f32(zPtr: usize, n: i32, outPtr: usize): void {
  for (let i = 0; i < n; i++) {
    store<f64>(outPtr + (<usize>i << 3), logSigmoid64(<f64>load<f32>(zPtr + (<usize>i << 2))));
  }
}

/** softplus(z) = log(1 + e^z), stable for any z. */
// @ts-ignore: decorator
@inline export function softplus64(z: f64): f64 {
  return softplusFromExp64(z, Math.exp(-Math.abs(z)));
}

/** softplus(z) given e = exp(−|z|). */
// @ts-ignore: decorator
@inline export function softplusFromExp64(z: f64, e: f64): f64 {
  return Math.max(z, 0) + Math.log1p(e);
}

/** log σ(z) = −softplus(−z). */
// @ts-ignore: decorator
@inline export function logSigmoid64(z: f64): f64 {
  return -softplus64(-z);
}
