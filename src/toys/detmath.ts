/**
 * Deterministic elementary functions: exp, log, log1p, sin, cos, atan, atan2, sinh, asinh,
 * written with IEEE-754 double arithmetic only (+ − × ÷, Math.sqrt, which IEEE makes
 * correctly rounded, and exact operations such as Math.floor and bit extraction). JS
 * `Math.exp`/`Math.log`/`Math.sin` are implementation-defined and differ between Node
 * versions; these give the same bits on every machine, so the embedded toys are identical
 * everywhere.
 *
 * Accuracy (checked against Math.* in test/detmath.test.ts): within 2 ulp for exp, log,
 * log1p, atan, atan2; within 2 ulp for sin and cos on |x| ≤ 1e5 (argument reduction by a
 * three-part π/2 that is exact for |x| < 2^20·π/2; beyond that the reduction loses
 * accuracy but stays deterministic); sinh and asinh within 4 ulp.
 *
 * Method: range reduction to a small interval, then a truncated Taylor series evaluated by
 * Horner's rule, with hi/lo split constants where a reduction subtracts a multiple of one.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
// Index of the high word (sign, exponent, top mantissa bits): 1 on little-endian hosts.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** 2^k for an integer k in [-1022, 1023], built from its bits (exact). */
function pow2(k: number): number {
  U32[HI] = (k + 1023) << 20;
  U32[LO] = 0;
  return F64[0];
}

/** x · 2^k for an integer k in [-2044, 2046], rounding once (the first product is exact). */
function scaleByPow2(x: number, k: number): number {
  if (k > 1023) return x * pow2(k - 1023) * pow2(1023);
  if (k < -1022) return x * pow2(k + 1022) * pow2(-1022);
  return x * pow2(k);
}

const LN2_HI = 0.6931471803691238; // 32 significant bits: k·LN2_HI is exact for |k| < 2^21
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = 1.4426950408889634;

/** 1/n! for n = 0..22, rounded once. */
const INV_FACT: number[] = (() => {
  const out = [1];
  let f = 1;
  for (let n = 1; n <= 22; n++) {
    f *= n;
    out.push(1 / f);
  }
  return out;
})();

/** e^r − 1 for |r| ≤ ln2/2 (+ rounding): Taylor series to r^14. */
function expm1Small(r: number): number {
  let p = INV_FACT[14];
  for (let n = 13; n >= 1; n--) p = INV_FACT[n] + r * p;
  return r * p;
}

/** e^x. */
export function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  if (Math.abs(x) < 1e-300) return 1 + x;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  return scaleByPow2(1 + expm1Small(r), k);
}

const SQRT2 = 1.4142135623730951;

/** log(1 + f) for f = m − 1, m ∈ [√2/2, √2]: f − s·(f − T) with s = f/(2 + f). */
function log1pReduced(f: number): number {
  const s = f / (2 + f);
  const z = s * s;
  let p = 1 / 25;
  for (let d = 23; d >= 3; d -= 2) p = 1 / d + z * p;
  const t = 2 * z * p;
  return f - s * (f - t);
}

/** Natural logarithm. */
export function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let y = x;
  let e = 0;
  if (y < 2.2250738585072014e-308) {
    y *= 18014398509481984; // 2^54: subnormal → normal
    e = -54;
  }
  F64[0] = y;
  e += ((U32[HI] >>> 20) & 0x7ff) - 1023;
  U32[HI] = (U32[HI] & 0x000fffff) | 0x3ff00000; // mantissa m ∈ [1, 2)
  let m = F64[0];
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const f = m - 1;
  return e * LN2_HI + (log1pReduced(f) + e * LN2_LO);
}

/** log(1 + x), accurate for small x. */
export function log1p(x: number): number {
  if (Number.isNaN(x) || x < -1) return NaN;
  if (x > 9007199254740992) return log(x); // 1 + x rounds to x beyond 2^53
  const u = 1 + x;
  if (u === 1) return x;
  // log(u)·x/(u − 1) corrects the rounding of 1 + x (u − 1 is exact by Sterbenz or small).
  return (log(u) * x) / (u - 1);
}

// π/2 = P1 + P2 + P3: P1 and P2 have 33 significant bits, so k·P1 and k·P2 are exact for |k| < 2^20.
const PIO2_P1 = 1.5707963267341256;
const PIO2_P2 = 6.077100506303966e-11;
const PIO2_P3 = 2.0222662487959506e-21;
const TWO_OVER_PI = 0.6366197723675814;
const PIO4 = 0.7853981633974483;

/** sin(r + rl) for |r| ≤ π/4: Taylor series to r^21, first-order in the tail rl. */
function sinKernel(r: number, rl: number): number {
  const z = r * r;
  let p = INV_FACT[21];
  for (let n = 19; n >= 3; n -= 2) p = (((n - 1) / 2) % 2 === 0 ? INV_FACT[n] : -INV_FACT[n]) + z * p;
  return r + (r * z * p + rl * (1 - 0.5 * z));
}

/** cos(r + rl) for |r| ≤ π/4: Taylor series to r^22, first-order in the tail rl. */
function cosKernel(r: number, rl: number): number {
  const z = r * r;
  let p = -INV_FACT[22];
  for (let n = 20; n >= 4; n -= 2) p = ((n / 2) % 2 === 0 ? INV_FACT[n] : -INV_FACT[n]) + z * p;
  const hz = 0.5 * z;
  const w = 1 - hz;
  // (1 − w) − hz recovers the rounding error of w.
  return w + (1 - w - hz + (z * z * p - r * rl));
}

/** x = k·π/2 + r + rl with |r| ≲ π/4; returns [k mod 4, r, rl]. */
function reduceHalfPi(xIn: number): [number, number, number] {
  if (Math.abs(xIn) <= PIO4) return [0, xIn, 0];
  let x = xIn;
  // Beyond 2^20·π/2, k·P1 is no longer exact: fold by 2π first (deterministic, not accurate).
  while (Math.abs(x) > 1.6e6) x -= 2 * PI_HI * Math.floor(x / (2 * PI_HI));
  const k = Math.floor(x * TWO_OVER_PI + 0.5);
  const t = x - k * PIO2_P1;
  const w = k * PIO2_P2;
  const y = t - w;
  const e = t - y - w - k * PIO2_P3;
  const r = y + e;
  const rl = e - (r - y);
  return [((k % 4) + 4) % 4, r, rl];
}

/** Sine (radians). */
export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (x === 0) return x;
  const [q, r, rl] = reduceHalfPi(x);
  if (q === 0) return sinKernel(r, rl);
  if (q === 1) return cosKernel(r, rl);
  if (q === 2) return -sinKernel(r, rl);
  return -cosKernel(r, rl);
}

/** Cosine (radians). */
export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [q, r, rl] = reduceHalfPi(x);
  if (q === 0) return cosKernel(r, rl);
  if (q === 1) return -sinKernel(r, rl);
  if (q === 2) return -cosKernel(r, rl);
  return sinKernel(r, rl);
}

const PI_HI = 3.141592653589793;
const PI_LO = 1.2246467991473532e-16;
const PIO2_HI = 1.5707963267948966;
const PIO2_LO = 6.123233995736766e-17;
const PIO4_LO = 3.061616997868383e-17;
const ATAN_HALF_HI = 0.4636476090008061;
const ATAN_HALF_LO = 2.2698777452961687e-17;
const ATAN_1P5_HI = 0.982793723247329;
const ATAN_1P5_LO = 1.3903311031230998e-17;

/** atan(u) for |u| ≤ 0.44: alternating Taylor series to u^49. */
function atanSmall(u: number): number {
  const z = u * u;
  let p = 1 / 49;
  for (let d = 47; d >= 3; d -= 2) p = (((d - 1) / 2) % 2 === 0 ? 1 / d : -1 / d) + z * p;
  return u + u * z * p;
}

/** atan(c) + atan(u) with atan(c) = hi + lo. */
function atanAround(hi: number, lo: number, u: number): number {
  return hi + (lo + atanSmall(u));
}

/** Arc tangent, in (−π/2, π/2). */
export function atan(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 0.4375) r = a === 0 ? a : atanSmall(a);
  else if (a < 0.6875) r = atanAround(ATAN_HALF_HI, ATAN_HALF_LO, (2 * a - 1) / (2 + a));
  else if (a < 1.1875) r = atanAround(PIO4, PIO4_LO, (a - 1) / (a + 1));
  else if (a < 2.4375) r = atanAround(ATAN_1P5_HI, ATAN_1P5_LO, (2 * a - 3) / (2 + 3 * a));
  else r = a === Infinity ? PIO2_HI : atanAround(PIO2_HI, PIO2_LO, -1 / a);
  return x < 0 ? -r : x === 0 ? x : r;
}

/** Angle of the point (x, y) in (−π, π], with the IEEE signed-zero and infinity cases. */
export function atan2(y: number, x: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  const sy = y < 0 || Object.is(y, -0) ? -1 : 1;
  const negX = x < 0 || Object.is(x, -0);
  if (y === 0) return negX ? sy * PI_HI : y;
  if (x === 0) return sy * PIO2_HI;
  if (x === Infinity || x === -Infinity) {
    if (y === Infinity || y === -Infinity) return sy * (negX ? 3 * PIO4 : PIO4);
    return negX ? sy * PI_HI : sy * 0;
  }
  if (y === Infinity || y === -Infinity) return sy * PIO2_HI;
  const a = atan(Math.abs(y / x));
  return negX ? sy * (PI_HI - (a - PI_LO)) : sy * a;
}

/** Hyperbolic sine. */
export function sinh(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 1) {
    const z = a * a;
    let p = INV_FACT[21];
    for (let n = 19; n >= 3; n -= 2) p = INV_FACT[n] + z * p;
    r = a + a * z * p;
  } else if (a < 700) {
    const e = exp(a);
    r = 0.5 * (e - 1 / e);
  } else {
    const h = exp(0.5 * a);
    r = 0.5 * h * h;
  }
  return x < 0 ? -r : x === 0 ? x : r;
}

/** Inverse hyperbolic sine: sign(x)·log1p(|x| + x²/(1 + √(1 + x²))). */
export function asinh(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a > 1e150) r = log(a) + LN2_HI + LN2_LO;
  else r = log1p(a + (a * a) / (1 + Math.sqrt(1 + a * a)));
  return x < 0 ? -r : x === 0 ? x : r;
}
