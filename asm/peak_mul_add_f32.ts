/**
 * peak_mul_add_f32: the ceiling of this machine's wasm SIMD for the arithmetic of the dense
 * kernels (f32x4 multiplies and adds, without fused multiply-add, which wasm SIMD has only
 * in relaxed SIMD), for bench/kernels.bench.ts: `rounds` rounds of 12 independent chains
 *   acc_k ← acc_k·m + c   (f32x4, k = 0..11; m = 0.5, c = 1; acc_k starts at k + lane/4)
 * in registers: no loads or stores, so memory and the loop's own work do not count.
 * 12 chains of a multiply then an add keep 2 multiply and 2 add units busy through their
 * latencies; a round is 12·2·4 = 96 FLOP.
 * in    rounds i32  rounds (≥ 0)
 * out   the sum over k, then over lanes, of acc_k (f32), so that no work can be dropped
 * Numerics: acc_k tends to 2 (the fixed point of a·0.5 + 1): no overflow, no subnormals;
 * f32 multiplies and adds in this order, the same bits everywhere.
 * Effects: none; allocates nothing; no globals.
 * Twin: src/kernels/reference/peak_mul_add_f32.ts; test: test/kernels/peak_mul_add_f32.test.ts.
 */
export function peak_mul_add_f32(rounds: i32): f32 {
  const m = f32x4.splat(0.5);
  const c = f32x4.splat(1);
  const lanes = f32x4(0, 0.25, 0.5, 0.75);
  let a0 = f32x4.add(lanes, f32x4.splat(0));
  let a1 = f32x4.add(lanes, f32x4.splat(1));
  let a2 = f32x4.add(lanes, f32x4.splat(2));
  let a3 = f32x4.add(lanes, f32x4.splat(3));
  let a4 = f32x4.add(lanes, f32x4.splat(4));
  let a5 = f32x4.add(lanes, f32x4.splat(5));
  let a6 = f32x4.add(lanes, f32x4.splat(6));
  let a7 = f32x4.add(lanes, f32x4.splat(7));
  let a8 = f32x4.add(lanes, f32x4.splat(8));
  let a9 = f32x4.add(lanes, f32x4.splat(9));
  let a10 = f32x4.add(lanes, f32x4.splat(10));
  let a11 = f32x4.add(lanes, f32x4.splat(11));
  for (let r = 0; r < rounds; r++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c);
    a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c);
    a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c);
    a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c);
    a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c);
    a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c);
    a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  let s = f32x4.add(a0, a1);
  s = f32x4.add(s, a2);
  s = f32x4.add(s, a3);
  s = f32x4.add(s, a4);
  s = f32x4.add(s, a5);
  s = f32x4.add(s, a6);
  s = f32x4.add(s, a7);
  s = f32x4.add(s, a8);
  s = f32x4.add(s, a9);
  s = f32x4.add(s, a10);
  s = f32x4.add(s, a11);
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
