/**
 * relu_forward_f32: y[i] = max(z[i], 0).
 * in    zPtr f32[n]   pre-activations
 * out   yPtr f32[n]   may equal zPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; tail (n mod 4) runs scalar; NaN propagates (wasm f32x4.max), −0 → +0.
 * Numerics: exact.
 * Effects: writes only y; allocates nothing; no globals.
 * Twin: src/reference/relu_forward_f32.ts; test: test/kernels/relu_forward_f32.test.ts.
 */
export function relu_forward_f32(zPtr: usize, n: i32, yPtr: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(yPtr + p, f32x4.max(v128.load(zPtr + p), zero));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(yPtr + p, Mathf.max(load<f32>(zPtr + p), 0));
  }
}
