/**
 * gelu_backward_f32: derivative of the tanh-approximate GELU of gelu_forward_f32,
 *   s = σ(2u) (= (1 + tanh u)/2),  dy/dz = s + z·2s(1−s)·√(2/π)·(1 + 3·0.044715·z²)
 *   dz[i] = dy[i]·dy/dz
 * in    zPtr  f32[n]  pre-activations of the forward pass
 * in    dyPtr f32[n]  ∂L/∂y
 * out   dzPtr f32[n]  ∂L/∂z; may equal dyPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; 8, then 4 elements at a time, then the tail (n mod 4) one lane at a
 * time through the same f32x4 code (same bits); large |z| → exactly 1 or 0 (once σ
 * saturates the second term is dropped, so z³ overflowing f32 gives no 0·Inf); NaN
 * propagates.
 * Numerics: f32x4 (asm/lanes.ts geluGrad4; no FMA, no relaxed SIMD: the same bits on every
 * machine); within 1e-5 relative (+1e-6 absolute) of the f64 reference.
 * Effects: writes only dz; allocates nothing; no globals.
 * Twin: src/reference/gelu_backward_f32.ts; test: test/kernels/gelu_backward_f32.test.ts.
 */
import { geluGrad4, geluGradS4, scalarLane } from './lanes';

export function gelu_backward_f32(zPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  let i = 0;
  // two independent vectors per iteration: the σ chains overlap
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    const a = f32x4.mul(v128.load(dyPtr + p), geluGrad4(v128.load(zPtr + p)));
    const b = f32x4.mul(v128.load(dyPtr + p, 16), geluGrad4(v128.load(zPtr + p, 16)));
    v128.store(dzPtr + p, a);
    v128.store(dzPtr + p, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dzPtr + p, f32x4.mul(v128.load(dyPtr + p), geluGrad4(v128.load(zPtr + p))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(dzPtr + p, load<f32>(dyPtr + p) * scalarLane(geluGrad4(f32x4.splat(load<f32>(zPtr + p)))));
  }
}

/**
 * Internal (the train step's backward): dz as gelu_backward_f32 (same bits) from s = σ(2u)
 * kept by geluForwardKeep (sPtr f32[n]) instead of recomputing it; dz may equal dy.
 */
export function geluBackwardKept(zPtr: usize, sPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dzPtr + p, f32x4.mul(v128.load(dyPtr + p), geluGradS4(v128.load(zPtr + p), v128.load(sPtr + p))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const d = geluGradS4(f32x4.splat(load<f32>(zPtr + p)), f32x4.splat(load<f32>(sPtr + p)));
    store<f32>(dzPtr + p, load<f32>(dyPtr + p) * scalarLane(d));
  }
}
