/**
 * adam_step_f32: one Adam update (Kingma & Ba, Algorithm 1) of n parameters.
 *   m = β1·m + (1−β1)·g;   v = β2·v + (1−β2)·g²
 *   p = p − (lr/bc1)·m / (sqrt(v/bc2) + ε),   bc1 = 1 − β1^t, bc2 = 1 − β2^t
 * inout pPtr f32[n]  parameters
 * in    gPtr f32[n]  gradients
 * inout mPtr, vPtr f32[n]  first and second moments (zero before step t = 1)
 * in    lr, beta1, beta2, eps, bc1, bc2: f32 scalars; the caller keeps β^t as running
 *       products (deterministic arithmetic, no pow) and passes bc = 1 − β^t
 * Preconditions (glue): n ≥ 0, 0 ≤ β < 1, bc1, bc2 in (0, 1], ε > 0; arrays disjoint.
 * Edges: n = 0 no-op; tail (n mod 4) runs scalar with the same f32 operations; g = 0 for
 * all t leaves p unchanged; NaN g propagates into p.
 * Numerics: f32, no FMA; IEEE sqrt and division are correctly rounded, so the result is
 * bit-identical to the reference.
 * Effects: writes only p, m, v; allocates nothing; no globals.
 * Twin: src/reference/adam_step_f32.ts; test: test/kernels/adam_step_f32.test.ts.
 */
export function adam_step_f32(pPtr: usize, gPtr: usize, mPtr: usize, vPtr: usize, n: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32): void {
  const step: f32 = lr / bc1;
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(<f32>1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(<f32>1 - beta2);
  const vStep = f32x4.splat(step), vEps = f32x4.splat(eps), vBc2 = f32x4.splat(bc2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(gPtr + o);
    const m = f32x4.add(f32x4.mul(b1, v128.load(mPtr + o)), f32x4.mul(c1, g));
    const v = f32x4.add(f32x4.mul(b2, v128.load(vPtr + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(mPtr + o, m);
    v128.store(vPtr + o, v);
    const den = f32x4.add(f32x4.sqrt(f32x4.div(v, vBc2)), vEps);
    v128.store(pPtr + o, f32x4.sub(v128.load(pPtr + o), f32x4.div(f32x4.mul(vStep, m), den)));
  }
  const s1: f32 = <f32>1 - beta1, s2: f32 = <f32>1 - beta2;
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(gPtr + o);
    const m = beta1 * load<f32>(mPtr + o) + s1 * g;
    const v = beta2 * load<f32>(vPtr + o) + s2 * (g * g);
    store<f32>(mPtr + o, m);
    store<f32>(vPtr + o, v);
    store<f32>(pPtr + o, load<f32>(pPtr + o) - (step * m) / (Mathf.sqrt(v / bc2) + eps));
  }
}
