/**
 * gelu_forward_f32: GELU, tanh approximation (Hendrycks & Gimpel; PyTorch approximate='tanh'):
 *   y = ½·z·(1 + tanh(u)),  u = √(2/π)·(z + 0.044715·z³);  1 + tanh(u) = 2·σ(2u)
 * in    zPtr f32[n]   pre-activations
 * out   yPtr f32[n]   may equal zPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; y(z ≫ 0) = z, y(z ≪ 0) = −0 (σ underflows, no NaN for finite z);
 * NaN propagates.
 * Numerics: f32 via the stable σ of sigmoid_f32; within 1e-5 relative (+1e-6 absolute)
 * of the f64 reference.
 * Effects: writes only y; allocates nothing; no globals.
 * Twin: src/reference/gelu_forward_f32.ts; test: test/kernels/gelu_forward_f32.test.ts.
 */
import { sigmoid32 } from './sigmoid_f32';

export const GELU_C: f32 = 0.7978845608028654; // √(2/π)
export const GELU_A: f32 = 0.044715;

export function gelu_forward_f32(zPtr: usize, n: i32, yPtr: usize): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const z = load<f32>(zPtr + p);
    const u = GELU_C * (z + GELU_A * z * z * z);
    store<f32>(yPtr + p, z * sigmoid32(<f32>2 * u));
  }
}
