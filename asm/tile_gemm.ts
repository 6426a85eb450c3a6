/**
 * tile_gemm (internal, not exported): the register-tiled f32x4 matrix product behind
 * dense_forward_f32, dense_backward_f32 and the fused MLP kernels.
 *   C[m,n] = init[m,n] + Σ_{k<K} A[m,k]·B[k,n],   summed in increasing k, one product at a time
 *   then, optionally, an epilogue on the finished C (see epi below)
 * in    A  f32, element (m,k) at aPtr + 4·(m·sAm + k·sAk)   (strides let A be a transpose)
 * in    B  f32, element (k,n) at bPtr + 4·(k·ldb + n)      (rows contiguous)
 * inout C  f32, element (m,n) at cPtr + 4·(m·ldc + n)
 * in    biasPtr f32[N] or 0; init = C (load = true), else bias[n] (biasPtr ≠ 0), else 0
 * in    epi, ePtr: 0 none; EPI_RELU_FWD: C ← max(C, 0) (ePtr unused); EPI_RELU_BWD:
 *       C ← C where E > 0, else +0 (E, element (m,n) at ePtr + 4·(m·ldc + n), read only:
 *       the pre-activation or, the same mask, the ReLU output). Applied once, after the last
 *       K block.
 * Edges: any M, N, K ≥ 0 (K = 0 writes init and applies no epilogue: callers pass K ≥ 1
 * with an epilogue). When M ≥ 4 and N ≥ 4 every tile is a full 4×8 or 4×4 register tile:
 * the last row tile and the last column tile are shifted back to end at M and N and
 * overlap their neighbours; they compute the overlapped elements again (identically)
 * but store only the new ones, so nothing outside [0,M)×[0,N) is read or written and
 * a C that is read (load = true or a later K block) is read only where it is stored.
 * Smaller M or N use 4×8, 4×4, 4×(1..3) (unused lanes, never reading past B's last
 * element), 1×16, 1×4 (the last one shifted back to end at N when N ≥ 4) and 1×1 tiles;
 * N = 1 with A row-major (the logit layer) uses 4×1 tiles whose lanes are the 4 rows
 * (A's 4×4 blocks transposed in registers: 2× faster than 4×(1..3), the same bits).
 * Numerics: no fused multiply-add, so every lane and every scalar tail performs the same
 * f32 operations in the same order as the scalar reference: results are bit-identical to
 * src/reference/dense_forward_f32.ts whatever the tile. K is processed in blocks of 128 (C
 * is stored and reloaded between blocks), which keeps the B block in cache and does not
 * change the order of the sum. The epilogues are exact (max with 0; a bit mask), as in
 * relu_forward_f32 / relu_backward_f32.
 * Speed (V8, x64): the 4×8 inner loop keeps its 8 accumulators in registers and broadcasts
 * A with v128.load32_splat; A row-major (sAk = 1) walks one pointer per row, A transposed
 * (sAm = 1) uses immediate offsets; loops end on a pointer, not a counter. Unrolling k was
 * slower: V8 hoists the second half's loads and spills (15 usable xmm registers). The
 * interior 4×8 tiles of a row panel are inlined once per (init mode, epilogue) with both
 * as constants, so their init and stores carry no runtime branches (+4–9 % per MLP train
 * step at widths 50–100; specialising the edge tiles too measured slower).
 * Effects: writes only C; allocates nothing; no globals.
 */

const KBLOCK: i32 = 128;
export const EPI_NONE: i32 = 0;
export const EPI_RELU_FWD: i32 = 1;
export const EPI_RELU_BWD: i32 = 2;

export function tileGemm(
  aPtr: usize, sAm: i32, sAk: i32,
  bPtr: usize, ldb: i32,
  cPtr: usize, ldc: i32,
  M: i32, N: i32, K: i32,
  biasPtr: usize, load: bool,
  ePtr: usize, epi: i32,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!load) initOnly(cPtr, ldc, M, N, biasPtr);
    return;
  }
  const big = M >= 4 && N >= 4;
  for (let k0 = 0; k0 < K; k0 += KBLOCK) {
    const k1 = min(K, k0 + KBLOCK);
    const mode: i32 = load || k0 > 0 ? 2 : biasPtr != 0 ? 1 : 0;
    const e: i32 = k1 == K ? epi : EPI_NONE;
    if (big) {
      let m = 0;
      while (true) {
        let skipR = 0;
        if (m + 4 > M) {
          skipR = m + 4 - M;
          m = M - 4;
        }
        rowPanel(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, skipR, N, k0, k1, biasPtr, mode, ePtr, e);
        m += 4;
        if (m >= M) break;
      }
    } else {
      let m = 0;
      for (; m + 4 <= M; m += 4) {
        let n = 0;
        for (; n + 8 <= N; n += 8) mk4x8(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, 0, 0, ePtr, e);
        for (; n + 4 <= N; n += 4) mk4x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, 0, 0, ePtr, e);
        if (N == 1 && sAk == 1) mk4x1(aPtr, sAm, bPtr, ldb, cPtr, ldc, m, k0, k1, biasPtr, mode, ePtr, e);
        else if (n < N) mk4xTail(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, N - n, k0, k1, K, biasPtr, mode, ePtr, e);
      }
      for (; m < M; m++) {
        let n = 0;
        for (; n + 16 <= N; n += 16) mk1x16(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, ePtr, e);
        for (; n + 4 <= N; n += 4) mk1x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, 0, ePtr, e);
        if (n < N && N >= 4) mk1x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N - 4, k0, k1, biasPtr, mode, 4 - (N - n), ePtr, e);
        else for (; n < N; n++) mk1x1(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, ePtr, e);
      }
    }
  }
}

/** Rows m .. m+3 (the first skipR not stored) across all N ≥ 4 columns. */
function rowPanel(
  aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32,
  m: i32, skipR: i32, N: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32, ePtr: usize, epi: i32,
): void {
  let n = 0;
  if (skipR != 0) {
    for (; n + 8 <= N; n += 8) mk4x8(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, skipR, 0, ePtr, epi);
  } else {
    // the interior tiles store everything: one copy per (mode, epilogue), with both as
    // compile-time constants, so no per-vector branch on them is left in the tile
    if (mode == 0) {
      if (epi == EPI_NONE) fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 0, ePtr, EPI_NONE);
      else if (epi == EPI_RELU_FWD) fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 0, ePtr, EPI_RELU_FWD);
      else fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 0, ePtr, EPI_RELU_BWD);
    } else if (mode == 1) {
      if (epi == EPI_NONE) fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 1, ePtr, EPI_NONE);
      else if (epi == EPI_RELU_FWD) fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 1, ePtr, EPI_RELU_FWD);
      else fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 1, ePtr, EPI_RELU_BWD);
    } else {
      if (epi == EPI_NONE) fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 2, ePtr, EPI_NONE);
      else if (epi == EPI_RELU_FWD) fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 2, ePtr, EPI_RELU_FWD);
      else fullTiles(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N, k0, k1, biasPtr, 2, ePtr, EPI_RELU_BWD);
    }
    n = N & ~7;
  }
  const r = N - n;
  if (r >= 5) mk4x8(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N - 8, k0, k1, biasPtr, mode, skipR, 8 - r, ePtr, epi);
  else if (r > 0) mk4x4(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, N - 4, k0, k1, biasPtr, mode, skipR, 4 - r, ePtr, epi);
}

/** The full 4×8 tiles of rows m..m+3, columns 0 .. N&~7 (inlined with constant mode, epi). */
// @ts-ignore: decorator
@inline function fullTiles(
  aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32,
  m: i32, N: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32, ePtr: usize, epi: i32,
): void {
  for (let n = 0; n + 8 <= N; n += 8) mk4x8(aPtr, sAm, sAk, bPtr, ldb, cPtr, ldc, m, n, k0, k1, biasPtr, mode, 0, 0, ePtr, epi);
}

function initOnly(cPtr: usize, ldc: i32, M: i32, N: i32, biasPtr: usize): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      store<f32>(cPtr + ((<usize>m * ldc + n) << 2), biasPtr != 0 ? load<f32>(biasPtr + (<usize>n << 2)) : 0);
    }
  }
}

// mode 0: start from zero; 1: start from bias; 2: start from C
// @ts-ignore: decorator
@inline function initVec(cAt: usize, biasPtr: usize, n: i32, mode: i32): v128 {
  if (mode == 2) return v128.load(cAt);
  if (mode == 1) return v128.load(biasPtr + (<usize>n << 2));
  return f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function initScalar(cAt: usize, biasPtr: usize, n: i32, mode: i32): f32 {
  if (mode == 2) return load<f32>(cAt);
  if (mode == 1) return load<f32>(biasPtr + (<usize>n << 2));
  return 0;
}

/** Stores lanes skip..3 of v at p (skip in 0..3). */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, skip: i32): void {
  if (skip == 0) v128.store(p, v);
  else if (skip == 1) {
    store<f32>(p, f32x4.extract_lane(v, 1), 4);
    v128.store64_lane(p, v, 1, 8);
  } else if (skip == 2) v128.store64_lane(p, v, 1, 8);
  else store<f32>(p, f32x4.extract_lane(v, 3), 12);
}

/**
 * Applies the epilogue to one finished vector of C at byte offset o and stores it (lanes
 * skip..3 only); E is read at the same offset from ePtr. Shared with sparse_gemm.
 */
// @ts-ignore: decorator
@inline export function finish(cPtr: usize, ePtr: usize, o: usize, v: v128, skip: i32, epi: i32): void {
  if (epi == EPI_RELU_BWD) v = v128.and(v, f32x4.gt(v128.load(ePtr + o), f32x4.splat(0)));
  else if (epi == EPI_RELU_FWD) v = f32x4.max(v, f32x4.splat(0));
  storeLanes(cPtr + o, v, skip);
}

/** Stores one finished 1×8 row of a tile (the first skipL lanes not stored). */
// @ts-ignore: decorator
@inline function finishRow8(cPtr: usize, ePtr: usize, o: usize, v0: v128, v1: v128, skipL: i32, epi: i32): void {
  if (skipL < 4) finish(cPtr, ePtr, o, v0, skipL, epi);
  finish(cPtr, ePtr, o + 16, v1, max(skipL - 4, 0), epi);
}

/**
 * The 4×8 tile at (m, n): rows m..m+3, columns n..n+7; rows < m+skipR and columns
 * < n+skipL (skipL ≤ 3) are computed but not stored.
 */
// @ts-ignore: decorator
@inline function mk4x8(
  aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32,
  biasPtr: usize, mode: i32, skipR: i32, skipL: i32, ePtr: usize, epi: i32,
): void {
  const o0 = (<usize>m * ldc + n) << 2;
  const rs = <usize>ldc << 2;
  const o1 = o0 + rs, o2 = o1 + rs, o3 = o2 + rs;
  let a00 = initVec(cPtr + o0, biasPtr, n, mode), a01 = initVec(cPtr + o0 + 16, biasPtr, n + 4, mode);
  let a10 = initVec(cPtr + o1, biasPtr, n, mode), a11 = initVec(cPtr + o1 + 16, biasPtr, n + 4, mode);
  let a20 = initVec(cPtr + o2, biasPtr, n, mode), a21 = initVec(cPtr + o2 + 16, biasPtr, n + 4, mode);
  let a30 = initVec(cPtr + o3, biasPtr, n, mode), a31 = initVec(cPtr + o3 + 16, biasPtr, n + 4, mode);
  const bStep = <usize>ldb << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  let k = k0;
  if (sAk == 1) {
    // A row-major: one pointer per row, consecutive k 4 bytes apart
    let p1 = ap + (<usize>sAm << 2);
    let p2 = p1 + (<usize>sAm << 2);
    let p3 = p2 + (<usize>sAm << 2);
    const apEnd = ap + (<usize>(k1 - k0) << 2);
    k = k1;
    for (; ap < apEnd; ) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let x = v128.load32_splat(ap);
      a00 = f32x4.add(a00, f32x4.mul(x, b0)); a01 = f32x4.add(a01, f32x4.mul(x, b1));
      x = v128.load32_splat(p1);
      a10 = f32x4.add(a10, f32x4.mul(x, b0)); a11 = f32x4.add(a11, f32x4.mul(x, b1));
      x = v128.load32_splat(p2);
      a20 = f32x4.add(a20, f32x4.mul(x, b0)); a21 = f32x4.add(a21, f32x4.mul(x, b1));
      x = v128.load32_splat(p3);
      a30 = f32x4.add(a30, f32x4.mul(x, b0)); a31 = f32x4.add(a31, f32x4.mul(x, b1));
      bp += bStep;
      ap += 4; p1 += 4; p2 += 4; p3 += 4;
    }
  } else if (sAm == 1) {
    // A is a transpose: the 4 rows at ap + 0, 4, 8, 12 bytes (immediate offsets)
    const kStep = <usize>sAk << 2;
    const bpEnd = bp + <usize>(k1 - k0) * bStep;
    k = k1;
    for (; bp < bpEnd; ) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let x = v128.load32_splat(ap);
      a00 = f32x4.add(a00, f32x4.mul(x, b0)); a01 = f32x4.add(a01, f32x4.mul(x, b1));
      x = v128.load32_splat(ap, 4);
      a10 = f32x4.add(a10, f32x4.mul(x, b0)); a11 = f32x4.add(a11, f32x4.mul(x, b1));
      x = v128.load32_splat(ap, 8);
      a20 = f32x4.add(a20, f32x4.mul(x, b0)); a21 = f32x4.add(a21, f32x4.mul(x, b1));
      x = v128.load32_splat(ap, 12);
      a30 = f32x4.add(a30, f32x4.mul(x, b0)); a31 = f32x4.add(a31, f32x4.mul(x, b1));
      bp += bStep;
      ap += kStep;
    }
  }
  // the remaining k (and any other strides), one at a time
  const r1 = <usize>sAm << 2, r2 = r1 + r1, r3 = r2 + r1;
  const kStep = <usize>sAk << 2;
  for (; k < k1; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    a00 = f32x4.add(a00, f32x4.mul(x, b0)); a01 = f32x4.add(a01, f32x4.mul(x, b1));
    x = v128.load32_splat(ap + r1);
    a10 = f32x4.add(a10, f32x4.mul(x, b0)); a11 = f32x4.add(a11, f32x4.mul(x, b1));
    x = v128.load32_splat(ap + r2);
    a20 = f32x4.add(a20, f32x4.mul(x, b0)); a21 = f32x4.add(a21, f32x4.mul(x, b1));
    x = v128.load32_splat(ap + r3);
    a30 = f32x4.add(a30, f32x4.mul(x, b0)); a31 = f32x4.add(a31, f32x4.mul(x, b1));
    ap += kStep;
    bp += bStep;
  }
  if (skipR == 0) finishRow8(cPtr, ePtr, o0, a00, a01, skipL, epi);
  if (skipR <= 1) finishRow8(cPtr, ePtr, o1, a10, a11, skipL, epi);
  if (skipR <= 2) finishRow8(cPtr, ePtr, o2, a20, a21, skipL, epi);
  finishRow8(cPtr, ePtr, o3, a30, a31, skipL, epi);
}

/** The 4×4 tile at (m, n), skipping rows < m+skipR and columns < n+skipL (≤ 3) when storing. */
// @ts-ignore: decorator
@inline function mk4x4(
  aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32,
  biasPtr: usize, mode: i32, skipR: i32, skipL: i32, ePtr: usize, epi: i32,
): void {
  const o0 = (<usize>m * ldc + n) << 2;
  const rs = <usize>ldc << 2;
  const o1 = o0 + rs, o2 = o1 + rs, o3 = o2 + rs;
  let a0 = initVec(cPtr + o0, biasPtr, n, mode);
  let a1 = initVec(cPtr + o1, biasPtr, n, mode);
  let a2 = initVec(cPtr + o2, biasPtr, n, mode);
  let a3 = initVec(cPtr + o3, biasPtr, n, mode);
  // one pointer per row of A, the loop ending on B's pointer
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let p1 = ap + (<usize>sAm << 2);
  let p2 = p1 + (<usize>sAm << 2);
  let p3 = p2 + (<usize>sAm << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  const bpEnd = bp + <usize>(k1 - k0) * bStep;
  while (bp < bpEnd) {
    const b0 = v128.load(bp);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(ap), b0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(p1), b0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(p2), b0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(p3), b0));
    ap += kStep; p1 += kStep; p2 += kStep; p3 += kStep;
    bp += bStep;
  }
  if (skipR == 0) finish(cPtr, ePtr, o0, a0, skipL, epi);
  if (skipR <= 1) finish(cPtr, ePtr, o1, a1, skipL, epi);
  if (skipR <= 2) finish(cPtr, ePtr, o2, a2, skipL, epi);
  finish(cPtr, ePtr, o3, a3, skipL, epi);
}

/** One row × 16 columns (four independent accumulators). */
function mk1x16(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32, ePtr: usize, epi: i32): void {
  const o0 = (<usize>m * ldc + n) << 2;
  let a0 = initVec(cPtr + o0, biasPtr, n, mode);
  let a1 = initVec(cPtr + o0 + 16, biasPtr, n + 4, mode);
  let a2 = initVec(cPtr + o0 + 32, biasPtr, n + 8, mode);
  let a3 = initVec(cPtr + o0 + 48, biasPtr, n + 12, mode);
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  const bpEnd = bp + <usize>(k1 - k0) * bStep;
  for (; bp < bpEnd; ) {
    const x = v128.load32_splat(ap);
    a0 = f32x4.add(a0, f32x4.mul(x, v128.load(bp)));
    a1 = f32x4.add(a1, f32x4.mul(x, v128.load(bp, 16)));
    a2 = f32x4.add(a2, f32x4.mul(x, v128.load(bp, 32)));
    a3 = f32x4.add(a3, f32x4.mul(x, v128.load(bp, 48)));
    ap += kStep;
    bp += bStep;
  }
  finish(cPtr, ePtr, o0, a0, 0, epi);
  finish(cPtr, ePtr, o0 + 16, a1, 0, epi);
  finish(cPtr, ePtr, o0 + 32, a2, 0, epi);
  finish(cPtr, ePtr, o0 + 48, a3, 0, epi);
}

/** One row × 4 columns; columns < n+skipL (≤ 3) are not stored. */
function mk1x4(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32, skipL: i32, ePtr: usize, epi: i32): void {
  const o0 = (<usize>m * ldc + n) << 2;
  let a0 = initVec(cPtr + o0, biasPtr, n, mode);
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  for (let k = k0; k < k1; k++) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
    ap += kStep;
    bp += bStep;
  }
  finish(cPtr, ePtr, o0, a0, skipL, epi);
}

// @ts-ignore: decorator
@inline function finishScalar(cPtr: usize, ePtr: usize, o: usize, v: f32, epi: i32): void {
  if (epi == EPI_RELU_BWD && !(load<f32>(ePtr + o) > 0)) v = 0;
  else if (epi == EPI_RELU_FWD) v = Mathf.max(v, 0);
  store<f32>(cPtr + o, v);
}

function mk1x1(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32, ePtr: usize, epi: i32): void {
  const o0 = (<usize>m * ldc + n) << 2;
  let a0 = initScalar(cPtr + o0, biasPtr, n, mode);
  const kStep = <usize>sAk << 2;
  let ap = aPtr + ((<usize>m * sAm + <usize>k0 * sAk) << 2);
  let bp = bPtr + ((<usize>k0 * ldb + n) << 2);
  const bStep = <usize>ldb << 2;
  for (let k = k0; k < k1; k++) {
    a0 = a0 + load<f32>(ap) * load<f32>(bp);
    ap += kStep;
    bp += bStep;
  }
  finishScalar(cPtr, ePtr, o0, a0, epi);
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
@inline function tailFinish(cPtr: usize, ePtr: usize, o: usize, v: v128, t: i32, epi: i32): void {
  finishScalar(cPtr, ePtr, o, f32x4.extract_lane(v, 0), epi);
  if (t > 1) finishScalar(cPtr, ePtr, o + 4, f32x4.extract_lane(v, 1), epi);
  if (t > 2) finishScalar(cPtr, ePtr, o + 8, f32x4.extract_lane(v, 2), epi);
}

/**
 * 4 rows × the last t (1..3) columns, used only when N < 4. Rows of B whose 4-float load
 * stays inside B are loaded as full vectors (the extra lanes read the following elements
 * of B and are never stored); the remaining last rows are assembled from scalars, so
 * nothing past B is read.
 */
function mk4xTail(aPtr: usize, sAm: i32, sAk: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, n: i32, t: i32, k0: i32, k1: i32, K: i32, biasPtr: usize, mode: i32, ePtr: usize, epi: i32): void {
  const o0 = (<usize>m * ldc + n) << 2;
  const rs = <usize>ldc << 2;
  const o1 = o0 + rs, o2 = o1 + rs, o3 = o2 + rs;
  let a0 = tailInit(cPtr + o0, biasPtr, n, t, mode);
  let a1 = tailInit(cPtr + o1, biasPtr, n, t, mode);
  let a2 = tailInit(cPtr + o2, biasPtr, n, t, mode);
  let a3 = tailInit(cPtr + o3, biasPtr, n, t, mode);
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
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(ap), b0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(ap + rowStep), b0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(ap + 2 * rowStep), b0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(ap + 3 * rowStep), b0));
    ap += kStep;
    bp += bStep;
  }
  for (; k < k1; k++) {
    const b0 = tailLoad(bp, t);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(ap), b0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(ap + rowStep), b0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(ap + 2 * rowStep), b0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(ap + 3 * rowStep), b0));
    ap += kStep;
    bp += bStep;
  }
  tailFinish(cPtr, ePtr, o0, a0, t, epi);
  tailFinish(cPtr, ePtr, o1, a1, t, epi);
  tailFinish(cPtr, ePtr, o2, a2, t, epi);
  tailFinish(cPtr, ePtr, o3, a3, t, epi);
}

/**
 * 4 rows × the single column of N = 1 with A row-major (the logit layer): the lanes are
 * the 4 rows. A's 4×4 blocks are transposed in registers (exact copies), so lane i still
 * sums A[m+i, k]·B[k] one k at a time in increasing k, as the reference does.
 */
function mk4x1(aPtr: usize, sAm: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, m: i32, k0: i32, k1: i32, biasPtr: usize, mode: i32, ePtr: usize, epi: i32): void {
  const cs = <usize>ldc << 2;
  const o0 = (<usize>m * ldc) << 2;
  let acc = f32x4.splat(0);
  if (mode == 2) {
    acc = f32x4.replace_lane(acc, 0, load<f32>(cPtr + o0));
    acc = f32x4.replace_lane(acc, 1, load<f32>(cPtr + o0 + cs));
    acc = f32x4.replace_lane(acc, 2, load<f32>(cPtr + o0 + 2 * cs));
    acc = f32x4.replace_lane(acc, 3, load<f32>(cPtr + o0 + 3 * cs));
  } else if (mode == 1) acc = v128.load32_splat(biasPtr);
  const rs = <usize>sAm << 2;
  let p0 = aPtr + ((<usize>m * sAm + k0) << 2);
  const bStep = <usize>ldb << 2;
  let bp = bPtr + <usize>k0 * bStep;
  let k = k0;
  for (; k + 4 <= k1; k += 4) {
    const r0 = v128.load(p0), r1 = v128.load(p0 + rs), r2 = v128.load(p0 + 2 * rs), r3 = v128.load(p0 + 3 * rs);
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    acc = f32x4.add(acc, f32x4.mul(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.load32_splat(bp)));
    acc = f32x4.add(acc, f32x4.mul(v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), v128.load32_splat(bp + bStep)));
    acc = f32x4.add(acc, f32x4.mul(v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), v128.load32_splat(bp + 2 * bStep)));
    acc = f32x4.add(acc, f32x4.mul(v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), v128.load32_splat(bp + 3 * bStep)));
    p0 += 16;
    bp += 4 * bStep;
  }
  for (; k < k1; k++) {
    let col = f32x4.splat(load<f32>(p0));
    col = f32x4.replace_lane(col, 1, load<f32>(p0 + rs));
    col = f32x4.replace_lane(col, 2, load<f32>(p0 + 2 * rs));
    col = f32x4.replace_lane(col, 3, load<f32>(p0 + 3 * rs));
    acc = f32x4.add(acc, f32x4.mul(col, v128.load32_splat(bp)));
    p0 += 4;
    bp += bStep;
  }
  finishScalar(cPtr, ePtr, o0, f32x4.extract_lane(acc, 0), epi);
  finishScalar(cPtr, ePtr, o0 + cs, f32x4.extract_lane(acc, 1), epi);
  finishScalar(cPtr, ePtr, o0 + 2 * cs, f32x4.extract_lane(acc, 2), epi);
  finishScalar(cPtr, ePtr, o0 + 3 * cs, f32x4.extract_lane(acc, 3), epi);
}
