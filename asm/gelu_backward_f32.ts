/**
 * gelu_backward_f32: derivative of the tanh-approximate GELU of gelu_forward_f32,
 *   s = σ(2u) (= (1 + tanh u)/2),  dy/dz = s + z·2s(1−s)·√(2/π)·(1 + 3·0.044715·z²)
 *   dz[i] = dy[i]·dy/dz
 * in    zPtr  f32[n]  pre-activations of the forward pass
 * in    dyPtr f32[n]  ∂L/∂y
 * out   dzPtr f32[n]  ∂L/∂z; may equal dyPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; large |z| → exactly 1 or 0 (once σ saturates the second term is
 * dropped, so z³ overflowing f32 gives no 0·Inf); NaN propagates.
 * Numerics: f32; within 1e-5 relative (+1e-6 absolute) of the f64 reference.
 * Effects: writes only dz; allocates nothing; no globals.
 * Twin: src/reference/gelu_backward_f32.ts; test: test/kernels/gelu_backward_f32.test.ts.
 */
import { sigmoid32 } from './sigmoid_f32';
import { GELU_A, GELU_C } from './gelu_forward_f32';

export function gelu_backward_f32(zPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const z = load<f32>(zPtr + p);
    const z2 = z * z;
    const u = GELU_C * (z + GELU_A * z2 * z);
    const s = sigmoid32(<f32>2 * u);
    const du = GELU_C * (<f32>1 + <f32>3 * GELU_A * z2);
    const t: f32 = <f32>2 * s * (<f32>1 - s);
    // t = 0 once σ saturates; skipping the product avoids 0·Inf when z³ overflows f32
    const d = t == 0 ? s : s + z * t * du;
    store<f32>(dzPtr + p, load<f32>(dyPtr + p) * d);
  }
}
