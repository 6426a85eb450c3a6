/**
 * tile_gemm (internal, not exported): the register-tiled f32x4 matrix product behind
 * dense_forward_f32 and dense_backward_f32.
 *   C[m,n] = init[m,n] + Σ_{k<K} A[m,k]·B[k,n],   summed in increasing k, one product at a time
 * in    A  f32, element (m,k) at aPtr + 4·(m·sAm + k·sAk)   (strides let A be a transpose)
 * in    B  f32, element (k,n) at bPtr + 4·(k·ldb + n)      (rows contiguous)
 * inout C  f32, element (m,n) at cPtr + 4·(m·ldc + n)
 * in    biasPtr f32[N] or 0; init = C (load = true), else bias[n] (biasPtr ≠ 0), else 0
 * Edges: any M, N, K ≥ 0 (K = 0 writes init). Tiles are 4 rows × 8 columns (two f32x4),
 * then 4×4, then one 4-row tile over the last 1–3 columns (f32x4 with unused lanes, which
 * never reads past B's last element and stores only the valid lanes); leftover rows use
 * 1×8, 1×4 and 1×1 tiles.
 * Numerics: no fused multiply-add, so every lane and every scalar tail performs the same
 * f32 operations in the same order as the scalar reference: results are bit-identical to
 * src/reference/dense_forward_f32.ts whatever the tile. K is processed in blocks of 128
 * (C is stored and reloaded between blocks), which keeps the B block in cache and does
 * not change the order of the sum.
 * Effects: writes only C; allocates nothing; no globals.
 */

const KBLOCK: i32 = 128;

export function tileGemm(
  aPtr: usize, sAm: i32, sAk: i32,
  bPtr: usize, ldb: i32,
  cPtr: usize, ldc: i32,
  M: i32, N: i32, K: i32,
  biasPtr: usize, load: bool,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!load) initOnly(cPtr, ldc, M, N, biasPtr);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KBLOCK) {
    const k1 = min(K, k0 + KBLOCK);
    const mode: i32 = load || k0 > 0 ? 2 : biasPtr != 0 ? 1 : 0;
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      let n = 0;
      for (; n + 8 <= N; n += 8) mk4x8(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode);
      for (; n + 4 <= N; n += 4) mk4x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode);
      if (n < N) mk4xTail(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, N - n, k0, k1, K, biasPtr, mode);
    }
    for (; m < M; m++) {
      let n = 0;
      for (; n + 8 <= N; n += 8) {
        mk1x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode);
        mk1x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n + 4, k0, k1, biasPtr, mode);
      }
      for (; n + 4 <= N; n += 4) mk1x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode);
      for (; n < N; n++) mk1x1(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode);
    }
  }
}

function initOnly(cPtr: usize, ldc: i32, M: i32, N: i32, biasPtr: usize): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      store<f32>(cPtr + ((<usize>m * ldc + n) << 2), biasPtr != 0 ? load<f32>(biasPtr + (<usize>n << 2)) : 0);
    }
  }
}

// mode 0: start from zero; 1: start from bias; 2: start from C
@inline function initVec(cAt: usize, biasPtr: usize, n: i32, mode: i32): v128 {
  if (mode == 2) return v128.load(cAt);
  if (mode == 1) return v128.load(biasPtr + (<usize>n << 2));
  return f32x4.splat(0);
}

@inline function initScalar(cAt: usize, biasPtr: usize, n: i32, mode: i32): f32 {
  if (mode == 2) return load<f32>(cAt);
  if (mode == 1) return load<f32>(biasPtr + (<usize>n << 2));
  return 0;
}

function mk4x8(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32): void {
  const c0 = cPtr + ((<usize>m * ldc + n) << 2);
  const c1 = c0 + (<usize>ldc << 2);
  const c2 = c1 + (<usize>ldc << 2);
  const c3 = c2 + (<usize>ldc << 2);
  let a00 = initVec(c0, biasPtr, n, mode), a01 = initVec(c0 + 16, biasPtr, n + 4, mode);
  let a10 = initVec(c1, biasPtr, n, mode), a11 = initVec(c1 + 16, biasPtr, n + 4, mode);
  let a20 = initVec(c2, biasPtr, n, mode), a21 = initVec(c2 + 16, biasPtr, n + 4, mode);
  let a30 = initVec(c3, biasPtr, n, mode), a31 = initVec(c3 + 16, biasPtr, n + 4, mode);
  const rowStep = <usize>sAm << 2;
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  const ap1 = rowStep, ap2 = 2 * rowStep, ap3 = 3 * rowStep;
  for (let k = k0; k < k1; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = f32x4.splat(load<f32>(ap));
    a00 = f32x4.add(a00, f32x4.mul(x, b0));
    a01 = f32x4.add(a01, f32x4.mul(x, b1));
    x = f32x4.splat(load<f32>(ap + ap1));
    a10 = f32x4.add(a10, f32x4.mul(x, b0));
    a11 = f32x4.add(a11, f32x4.mul(x, b1));
    x = f32x4.splat(load<f32>(ap + ap2));
    a20 = f32x4.add(a20, f32x4.mul(x, b0));
    a21 = f32x4.add(a21, f32x4.mul(x, b1));
    x = f32x4.splat(load<f32>(ap + ap3));
    a30 = f32x4.add(a30, f32x4.mul(x, b0));
    a31 = f32x4.add(a31, f32x4.mul(x, b1));
    ap += kStep;
    bp += bStep;
  }
  v128.store(c0, a00); v128.store(c0 + 16, a01);
  v128.store(c1, a10); v128.store(c1 + 16, a11);
  v128.store(c2, a20); v128.store(c2 + 16, a21);
  v128.store(c3, a30); v128.store(c3 + 16, a31);
}

function mk4x4(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32): void {
  const c0 = cPtr + ((<usize>m * ldc + n) << 2);
  const c1 = c0 + (<usize>ldc << 2);
  const c2 = c1 + (<usize>ldc << 2);
  const c3 = c2 + (<usize>ldc << 2);
  let a0 = initVec(c0, biasPtr, n, mode);
  let a1 = initVec(c1, biasPtr, n, mode);
  let a2 = initVec(c2, biasPtr, n, mode);
  let a3 = initVec(c3, biasPtr, n, mode);
  const rowStep = <usize>sAm << 2;
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  for (let k = k0; k < k1; k++) {
    const b0 = v128.load(bp);
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(ap)), b0));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(ap + rowStep)), b0));
    a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(ap + 2 * rowStep)), b0));
    a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(ap + 3 * rowStep)), b0));
    ap += kStep;
    bp += bStep;
  }
  v128.store(c0, a0);
  v128.store(c1, a1);
  v128.store(c2, a2);
  v128.store(c3, a3);
}

function mk1x4(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32): void {
  const c0 = cPtr + ((<usize>m * ldc + n) << 2);
  let a0 = initVec(c0, biasPtr, n, mode);
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  for (let k = k0; k < k1; k++) {
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(ap)), v128.load(bp)));
    ap += kStep;
    bp += bStep;
  }
  v128.store(c0, a0);
}

function mk1x1(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32): void {
  const c0 = cPtr + ((<usize>m * ldc + n) << 2);
  let a0 = initScalar(c0, biasPtr, n, mode);
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  for (let k = k0; k < k1; k++) {
    a0 = a0 + load<f32>(ap) * load<f32>(bp);
    ap += kStep;
    bp += bStep;
  }
  store<f32>(c0, a0);
}

// Safe vector of B(k, n .. n+t−1), t in 1..3, with zeros in the unused lanes.
// @ts-ignore: decorator
@inline function tailLoad(p: usize, t: i32): v128 {
  let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
  if (t > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (t > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// @ts-ignore: decorator
@inline function tailInit(cAt: usize, biasPtr: usize, n: i32, t: i32, mode: i32): v128 {
  if (mode == 2) return tailLoad(cAt, t);
  if (mode == 1) return tailLoad(biasPtr + (<usize>n << 2), t);
  return f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function tailStore(p: usize, v: v128, t: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (t > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (t > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/**
 * 4 rows × the last t (1..3) columns. Rows of B whose 4-float load stays inside B are
 * loaded as full vectors (the extra lanes read the following elements of B and are never
 * stored); the remaining last rows are assembled from scalars, so nothing past B is read.
 */
function mk4xTail(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, t: i32, k0: i32, k1: i32, K: i32, biasPtr: usize, mode: i32): void {
  const c0 = cPtr + ((<usize>m * ldc + n) << 2);
  const c1 = c0 + (<usize>ldc << 2);
  const c2 = c1 + (<usize>ldc << 2);
  const c3 = c2 + (<usize>ldc << 2);
  let a0 = tailInit(c0, biasPtr, n, t, mode);
  let a1 = tailInit(c1, biasPtr, n, t, mode);
  let a2 = tailInit(c2, biasPtr, n, t, mode);
  let a3 = tailInit(c3, biasPtr, n, t, mode);
  const rowStep = <usize>sAm << 2;
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  // rows k whose 4-float load ends inside B: k·ldb + n + 4 ≤ K·ldb
  const room = K * ldb - n - 4;
  const kFull = room < 0 ? k0 : max(k0, min(k1, room / ldb + 1));
  let k = k0;
  for (; k < kFull; k++) {
    const b0 = v128.load(bp);
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(ap)), b0));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(ap + rowStep)), b0));
    a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(ap + 2 * rowStep)), b0));
    a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(ap + 3 * rowStep)), b0));
    ap += kStep;
    bp += bStep;
  }
  for (; k < k1; k++) {
    const b0 = tailLoad(bp, t);
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(ap)), b0));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(ap + rowStep)), b0));
    a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(ap + 2 * rowStep)), b0));
    a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(ap + 3 * rowStep)), b0));
    ap += kStep;
    bp += bStep;
  }
  tailStore(c0, a0, t);
  tailStore(c1, a1, t);
  tailStore(c2, a2, t);
  tailStore(c3, a3, t);
}
