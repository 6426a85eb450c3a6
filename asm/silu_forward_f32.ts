/**
 * silu_forward_f32: SiLU (swish), y[i] = z[i]·σ(z[i]).
 * in    zPtr f32[n]   pre-activations
 * out   yPtr f32[n]   may equal zPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; y(−100) ≈ −3.7e-42; y(+Inf) = +Inf; y(−Inf) = −Inf·0 = NaN;
 * NaN propagates.
 * Numerics: f32 with the stable σ of sigmoid_f32 (Mathf.exp); within 4 ulp of the f64 reference.
 * Effects: writes only y; allocates nothing; no globals.
 * Twin: src/reference/silu_forward_f32.ts; test: test/kernels/silu_forward_f32.test.ts.
 */
import { sigmoid32 } from './sigmoid_f32';

export function silu_forward_f32(zPtr: usize, n: i32, yPtr: usize): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const z = load<f32>(zPtr + p);
    store<f32>(yPtr + p, z * sigmoid32(z));
  }
}
