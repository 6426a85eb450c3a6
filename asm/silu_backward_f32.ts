/**
 * silu_backward_f32: dz[i] = dy[i]·σ(z)·(1 + z·(1 − σ(z))), the derivative of z·σ(z).
 * in    zPtr  f32[n]  pre-activations of the forward pass
 * in    dyPtr f32[n]  ∂L/∂y
 * out   dzPtr f32[n]  ∂L/∂z; may equal dyPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; 8, then 4 elements at a time, then the tail (n mod 4) one lane at a
 * time through the same f32x4 code (same bits); large |z|: derivative → 1 (z ≫ 0) or
 * 0 (z ≪ 0); NaN propagates.
 * Numerics: f32x4 (asm/lanes.ts siluGrad4; no FMA, no relaxed SIMD: the same bits on every
 * machine); within 1e-5 relative (+1e-6 absolute near the derivative's zero) of the f64
 * reference, and of central differences of silu_forward_f32 to finite-difference accuracy.
 * Effects: writes only dz; allocates nothing; no globals.
 * Twin: src/reference/silu_backward_f32.ts; test: test/kernels/silu_backward_f32.test.ts.
 */
import { scalarLane, siluGrad4, siluGradS4 } from './lanes';

export function silu_backward_f32(zPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  let i = 0;
  // two independent vectors per iteration: the σ chains overlap
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    const a = f32x4.mul(v128.load(dyPtr + p), siluGrad4(v128.load(zPtr + p)));
    const b = f32x4.mul(v128.load(dyPtr + p, 16), siluGrad4(v128.load(zPtr + p, 16)));
    v128.store(dzPtr + p, a);
    v128.store(dzPtr + p, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dzPtr + p, f32x4.mul(v128.load(dyPtr + p), siluGrad4(v128.load(zPtr + p))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(dzPtr + p, load<f32>(dyPtr + p) * scalarLane(siluGrad4(f32x4.splat(load<f32>(zPtr + p)))));
  }
}

/**
 * Internal (the train step's backward): dz as silu_backward_f32 (same bits) from s = σ(z)
 * kept by siluForwardKeep (sPtr f32[n]) instead of recomputing it; dz may equal dy.
 */
export function siluBackwardKept(zPtr: usize, sPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dzPtr + p, f32x4.mul(v128.load(dyPtr + p), siluGradS4(v128.load(zPtr + p), v128.load(sPtr + p))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const d = siluGradS4(f32x4.splat(load<f32>(zPtr + p)), f32x4.splat(load<f32>(sPtr + p)));
    store<f32>(dzPtr + p, load<f32>(dyPtr + p) * scalarLane(d));
  }
}
