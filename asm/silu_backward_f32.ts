/**
 * silu_backward_f32: dz[i] = dy[i]·σ(z)·(1 + z·(1 − σ(z))), the derivative of z·σ(z).
 * in    zPtr  f32[n]  pre-activations of the forward pass
 * in    dyPtr f32[n]  ∂L/∂y
 * out   dzPtr f32[n]  ∂L/∂z; may equal dyPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; large |z|: derivative → 1 (z ≫ 0) or 0 (z ≪ 0); NaN propagates.
 * Numerics: f32 (Mathf.exp); within 1e-5 relative of the f64 reference, and of central
 * differences of silu_forward_f32 to finite-difference accuracy.
 * Effects: writes only dz; allocates nothing; no globals.
 * Twin: src/reference/silu_backward_f32.ts; test: test/kernels/silu_backward_f32.test.ts.
 */
import { sigmoid32 } from './sigmoid_f32';

export function silu_backward_f32(zPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const z = load<f32>(zPtr + p);
    const s = sigmoid32(z);
    store<f32>(dzPtr + p, load<f32>(dyPtr + p) * (s * (<f32>1 + z * (<f32>1 - s))));
  }
}
