/**
 * relu_backward_f32: dz[i] = dy[i] if z[i] > 0, else 0 (the subgradient at 0 is 0).
 * in    zPtr  f32[n]  pre-activations of the forward pass
 * in    dyPtr f32[n]  ∂L/∂y
 * out   dzPtr f32[n]  ∂L/∂z; may equal dyPtr (in place)
 * Preconditions (glue): n ≥ 0.
 * Edges: n = 0 no-op; tail runs scalar; NaN z gives 0; NaN dy passes where z > 0.
 * Numerics: exact (a bit mask).
 * Effects: writes only dz; allocates nothing; no globals.
 * Twin: src/reference/relu_backward_f32.ts; test: test/kernels/relu_backward_f32.test.ts.
 */
export function relu_backward_f32(zPtr: usize, dyPtr: usize, n: i32, dzPtr: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dzPtr + p, v128.and(v128.load(dyPtr + p), f32x4.gt(v128.load(zPtr + p), zero)));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(dzPtr + p, load<f32>(zPtr + p) > 0 ? load<f32>(dyPtr + p) : 0);
  }
}
