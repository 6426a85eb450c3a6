/**
 * silu_forward_f32: SiLU (swish), y[i] = z[i]·σ(z[i]).
 * in    zPtr f32[n]   pre-activations
 * out   yPtr f32[n]   may equal zPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; 8, then 4 elements at a time, then the tail (n mod 4) one lane at a
 * time through the same f32x4 code (same bits); y(−100) ≈ −3.7e-42; y(+Inf) = +Inf;
 * y(−Inf) = −Inf·0 = NaN; NaN propagates.
 * Numerics: f32x4 with the stable σ and SIMD e^x of asm/lanes.ts (no FMA, no relaxed SIMD:
 * the same bits on every machine); within 4 ulp of the f64 reference (3.1 ulp measured
 * on a sweep of [−120, 120]; the former scalar Mathf.exp version: 3.1).
 * Effects: writes only y; allocates nothing; no globals.
 * Twin: src/reference/silu_forward_f32.ts; test: test/kernels/silu_forward_f32.test.ts.
 */
import { scalarLane, sigmoid4, silu4 } from './lanes';

export function silu_forward_f32(zPtr: usize, n: i32, yPtr: usize): void {
  let i = 0;
  // two independent vectors per iteration: the σ chains overlap
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    const a = silu4(v128.load(zPtr + p));
    const b = silu4(v128.load(zPtr + p, 16));
    v128.store(yPtr + p, a);
    v128.store(yPtr + p, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(yPtr + p, silu4(v128.load(zPtr + p)));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(yPtr + p, scalarLane(silu4(f32x4.splat(load<f32>(zPtr + p)))));
  }
}

/**
 * Internal (the train step's forward): y = z·s as silu_forward_f32 (same bits), and also
 * s = σ(z) to sPtr f32[n], for silu_backward_f32's kept-σ variant.
 */
export function siluForwardKeep(zPtr: usize, n: i32, yPtr: usize, sPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const z = v128.load(zPtr + p);
    const s = sigmoid4(z);
    v128.store(sPtr + p, s);
    v128.store(yPtr + p, f32x4.mul(z, s));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const z = f32x4.splat(load<f32>(zPtr + p));
    const s = sigmoid4(z);
    store<f32>(sPtr + p, scalarLane(s));
    store<f32>(yPtr + p, scalarLane(f32x4.mul(z, s)));
  }
}
