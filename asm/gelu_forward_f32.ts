/**
 * gelu_forward_f32: GELU, tanh approximation (Hendrycks & Gimpel; PyTorch approximate='tanh'):
 *   y = ½·z·(1 + tanh(u)),  u = √(2/π)·(z + 0.044715·z³);  1 + tanh(u) = 2·σ(2u)
 * in    zPtr f32[n]   pre-activations
 * out   yPtr f32[n]   may equal zPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; 8, then 4 elements at a time, then the tail (n mod 4) one lane at a
 * time through the same f32x4 code (same bits); y(z ≫ 0) = z, y(z ≪ 0) = −0 (σ
 * underflows, no NaN for finite z); NaN propagates.
 * Numerics: f32x4 via the stable σ and SIMD e^x of asm/lanes.ts (no FMA, no relaxed SIMD:
 * the same bits on every machine); within 1e-5 relative (+1e-6 absolute) of the f64
 * reference (the f32 cancellation in u for z ≪ 0 dominates, as with the former Mathf.exp).
 * Effects: writes only y; allocates nothing; no globals.
 * Twin: src/reference/gelu_forward_f32.ts; test: test/kernels/gelu_forward_f32.test.ts.
 */
import { gelu4, geluArg4, scalarLane, sigmoid4 } from './lanes';

export function gelu_forward_f32(zPtr: usize, n: i32, yPtr: usize): void {
  let i = 0;
  // two independent vectors per iteration: the σ chains overlap
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    const a = gelu4(v128.load(zPtr + p));
    const b = gelu4(v128.load(zPtr + p, 16));
    v128.store(yPtr + p, a);
    v128.store(yPtr + p, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(yPtr + p, gelu4(v128.load(zPtr + p)));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(yPtr + p, scalarLane(gelu4(f32x4.splat(load<f32>(zPtr + p)))));
  }
}

/**
 * Internal (the train step's forward): y as gelu_forward_f32 (same bits), and also
 * s = σ(2u) to sPtr f32[n], for gelu_backward_f32's kept-σ variant.
 */
export function geluForwardKeep(zPtr: usize, n: i32, yPtr: usize, sPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const z = v128.load(zPtr + p);
    const s = sigmoid4(geluArg4(z));
    v128.store(sPtr + p, s);
    v128.store(yPtr + p, f32x4.mul(z, s));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const z = f32x4.splat(load<f32>(zPtr + p));
    const s = sigmoid4(geluArg4(z));
    store<f32>(sPtr + p, scalarLane(s));
    store<f32>(yPtr + p, scalarLane(f32x4.mul(z, s)));
  }
}
