/**
 * sigmoid_f32: numerically stable logistic function, out[i] = σ(z[i]) = 1 / (1 + e^(−z[i])).
 *   e = exp(−|z|);  σ = 1/(1+e) for z ≥ 0,  e/(1+e) for z < 0   (never overflows)
 * in    zPtr   f32[n]  logits
 * out   outPtr f32[n]  may equal zPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; σ(±Inf) = 1, 0; σ(NaN) = NaN; σ(−100) is a subnormal-free 3.7e-44.
 * Numerics: f32 throughout, AssemblyScript's Mathf.exp (deterministic for the pinned
 * compiler and flags); within 2 ulp of the f64 reference.
 * Effects: writes only out; allocates nothing; no globals.
 * Twin: src/reference/sigmoid_f32.ts; test: test/kernels/sigmoid_f32.test.ts.
 */
export function sigmoid_f32(zPtr: usize, n: i32, outPtr: usize): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(outPtr + p, sigmoid32(load<f32>(zPtr + p)));
  }
}

/** Stable σ(z) in f32 (scalar; the smooth activations use the f32x4 sigmoid4 of asm/lanes.ts). */
// @ts-ignore: decorator
@inline export function sigmoid32(z: f32): f32 {
  const e = Mathf.exp(-Mathf.abs(z));
  const r: f32 = <f32>1 / (<f32>1 + e);
  return z >= 0 ? r : e * r;
}

/** Stable σ(z) in f64 (shared by the loss and the ratio). */
// @ts-ignore: decorator
@inline export function sigmoid64(z: f64): f64 {
  return sigmoidFromExp64(z, Math.exp(-Math.abs(z)));
}

/** σ(z) in f64 given e = exp(−|z|) (so a caller that also needs softplus computes e once). */
// @ts-ignore: decorator
@inline export function sigmoidFromExp64(z: f64, e: f64): f64 {
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}
