/**
 * lanes (internal, not exported): shared inline f32x4 helpers of the smooth activations
 * (SiLU, GELU) and their derivatives, used by silu_*_f32 and gelu_*_f32.
 *   expNonPos4(x) = e^x for x ≤ 0 (Cody–Waite reduction x = n·ln2 + r, |r| ≲ ln2/2,
 *     Cephes' expf polynomial for e^r, then ·2^⌊n/2⌋·2^(n−⌊n/2⌋))
 *   sigmoid4(z) = 1/(1+e), e = e^(−|z|), or e·1/(1+e) for z < 0 (never overflows)
 *   silu4, siluGrad4, gelu4, geluGrad4: the activations and their derivatives, written with
 *     the same operations in the same order as the scalar formulas in the kernel contracts;
 *     siluGradS4 / geluGradS4 take the σ value s the forward computed (bit-identical to
 *     recomputing it: siluGrad4(z) = siluGradS4(z, σ(z)), and GELU's backward uses the
 *     forward's u = C·(z + ((A·z)·z)·z)).
 * Scalars go through lane 0 of a splat (scalarLane), so tails give the same bits as full
 * vectors.
 * Numerics: plain f32x4 mul/add/sub/div/pmax and integer ops, no FMA and no relaxed-SIMD:
 * the same bits on every machine. e^x within 2 ulp for normal results (subnormal results,
 * x < −87.3, are rounded twice); −Inf → +0; below −104 → +0; NaN propagates (pmax keeps
 * a NaN first operand; the polynomial is NaN whatever the scale).
 * Effects: pure functions of their arguments; allocate nothing; no globals.
 */

const LOG2E: f32 = 1.44269504088896341;
const ROUND_MAGIC: f32 = 12582912; // 1.5·2^23
const ROUND_MAGIC_BITS: i32 = 0x4b400000;
const LN2_HI: f32 = 0.693359375; // 9 significant bits: n·LN2_HI is exact for |n| ≤ 2^15
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
export const GELU_C: f32 = 0.7978845608028654; // √(2/π)
export const GELU_A: f32 = 0.044715;

/** e^x for lanes x ≤ 0 (or NaN); positive lanes are outside the contract. */
// @ts-ignore: decorator
@inline export function expNonPos4(x: v128): v128 {
  // below −104, e^x < 2^−150 rounds to +0: clamping keeps n ≥ −150. pmax (b if a < b,
  // else a) is one maxps and keeps a NaN x.
  const xc = f32x4.pmax(x, f32x4.splat(-104));
  // n = x·log2e rounded to an integer by adding 1.5·2^23 (round to nearest even); the
  // integer is then the low bits of t
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(ROUND_MAGIC));
  const n = f32x4.sub(t, f32x4.splat(ROUND_MAGIC));
  const ni = i32x4.sub(t, i32x4.splat(ROUND_MAGIC_BITS));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n as two normal factors (n ≥ −150 would underflow one), each exact
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** Stable σ(z): e = e^(−|z|); 1/(1+e) where z ≥ 0, else e·(1/(1+e)); σ(NaN) = NaN. */
// @ts-ignore: decorator
@inline export function sigmoid4(z: v128): v128 {
  const e = expNonPos4(v128.or(z, i32x4.splat(0x80000000))); // −|z|
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(z, f32x4.splat(0)));
}

/** SiLU: z·σ(z). */
// @ts-ignore: decorator
@inline export function silu4(z: v128): v128 {
  return f32x4.mul(z, sigmoid4(z));
}

/** d silu/dz = s·(1 + z·(1 − s)), s = σ(z). */
// @ts-ignore: decorator
@inline export function siluGrad4(z: v128): v128 {
  return siluGradS4(z, sigmoid4(z));
}

/** d silu/dz given s = σ(z) (kept from the forward pass by the train step). */
// @ts-ignore: decorator
@inline export function siluGradS4(z: v128, s: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.mul(s, f32x4.add(one, f32x4.mul(z, f32x4.sub(one, s))));
}

/** GELU's σ argument 2u, u = C·(z + A·z·z·z). */
// @ts-ignore: decorator
@inline export function geluArg4(z: v128): v128 {
  const z3a = f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(GELU_A), z), z), z);
  return f32x4.mul(f32x4.splat(2), f32x4.mul(f32x4.splat(GELU_C), f32x4.add(z, z3a)));
}

/** GELU (tanh form): z·σ(2u). */
// @ts-ignore: decorator
@inline export function gelu4(z: v128): v128 {
  return f32x4.mul(z, sigmoid4(geluArg4(z)));
}

/** d gelu/dz = s + z·t·du, s = σ(2u) (the forward's s), t = 2s(1 − s), du = C·(1 + 3A·z²). */
// @ts-ignore: decorator
@inline export function geluGrad4(z: v128): v128 {
  return geluGradS4(z, sigmoid4(geluArg4(z)));
}

/**
 * d gelu/dz given s = σ(2u); exactly s where t = 0 (σ saturated: z·t·du could be 0·Inf
 * once z³ overflows).
 */
// @ts-ignore: decorator
@inline export function geluGradS4(z: v128, s: v128): v128 {
  const one = f32x4.splat(1);
  const z2 = f32x4.mul(z, z);
  const du = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(one, f32x4.mul(f32x4.splat(<f32>3 * GELU_A), z2)));
  const t = f32x4.mul(f32x4.mul(f32x4.splat(2), s), f32x4.sub(one, s));
  const d = f32x4.add(s, f32x4.mul(f32x4.mul(z, t), du));
  return v128.bitselect(s, d, f32x4.eq(t, f32x4.splat(0)));
}

/** Lane 0 of f(splat(x)): the scalar path with the vector path's bits. */
// @ts-ignore: decorator
@inline export function scalarLane(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}
