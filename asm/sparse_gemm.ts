/**
 * sparse_gemm (internal, not exported): the matrix product of tile_gemm for a left operand
 * with many exact zeros — a ReLU layer's output A, or the masked gradient ∂L/∂Z of a ReLU
 * layer — computed row by row over A's nonzero elements only.
 *   C[m,n] = init[m,n] + Σ_{k<K, A[m,k] ≠ 0} A[m,k]·B[k,n],  summed in increasing k
 *   then, optionally, the epilogue (EPI_RELU_FWD or EPI_RELU_BWD, as in tile_gemm)
 * in    A  f32, element (m,k) at aPtr + 4·(m·lda + k)   (row-major, rows lda apart)
 * in    B  f32, element (k,n) at bPtr + 4·(k·ldb + n)
 * inout C  f32, element (m,n) at cPtr + 4·(m·ldc + n); E (the EPI_RELU_BWD mask) laid out as C
 * in    init: MODE_ZERO (+0), MODE_BIAS (bias[n] at biasPtr), MODE_LOAD (C itself)
 * in    listPtr  scratch for one compacted row: f32[K] values then i32[K] byte offsets
 *       (listPtr + 4·K), K the longest row this is called with
 * Preconditions (caller): N ≥ 4; M, K ≥ 0; C disjoint from A, B and the list.
 * Edges: any M, any K (K = 0: init and epilogue only), any N ≥ 4: a row's ⌈N/4⌉ f32x4
 * columns run in the fewest chunks of at most NV_MAX = 7 vectors, of nearly equal size
 * (N = 50: 7 + 6; N = 100: 7 + 6 + 6 + 6), the last shifted back to end at N; the 1–3
 * columns it shares with the previous chunk are computed again but not stored, so a C
 * read as init is read before it is stored.
 * Numerics: a term A[m,k]·B[k,n] with A[m,k] = ±0 is skipped. Its product is ±0, and
 * adding ±0 leaves a sum unchanged except that −0 + +0 = +0; a sum that starts from +0
 * (MODE_ZERO, or a C or bias that is not −0) never becomes −0, so for finite B every
 * result is bit-identical to tile_gemm and to the dense reference product (the order of
 * the remaining terms is the same: increasing k, no FMA). A NaN or ±∞ in A is nonzero and
 * propagates; a NaN or ±∞ in B reaches only the rows whose A is nonzero at that k (the
 * dense product would spread it to every row, as NaN·0 = NaN).
 * Speed: a row's nonzeros are compacted with one f32x4 compare, i32x4.bitmask and
 * i8x16.swizzle per 4 elements (a 16-entry lane table), then each chunk walks the list
 * with its accumulators in registers. Eight accumulators spilled one of them to the
 * stack in V8 (its loads are hoisted ahead of the products: 8 + 8 + 1 registers), which
 * put a store-to-load round trip on every term; seven fit (+2–5 % per train step at width
 * 50, +9–11 % at 100: bench/train_step_ab.bench.ts). At ReLU's typical half of zeros a product
 * costs about 0.6–0.7 of tile_gemm's (bench/kernels.bench.ts, train-step rows).
 * Effects: writes C and the list scratch only; allocates nothing; no globals.
 * Tested through mlp_forward_f32 and mlp_train_step_f32 against the dense references
 * (test/kernels/mlp_forward_f32.test.ts, test/kernels/mlp_train_step_f32.test.ts).
 */
import { EPI_RELU_BWD, EPI_RELU_FWD, finish } from './tile_gemm';

export const MODE_ZERO: i32 = 0;
export const MODE_BIAS: i32 = 1;
export const MODE_LOAD: i32 = 2;

/** i8x16.swizzle masks: for a 4-bit lane mask, the set lanes moved to the front, in order. */
const COMPACT = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, // 0000
  0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, // 0001
  4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, // 0010
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128, // 0011
  8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, // 0100
  0, 1, 2, 3, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128, // 0101
  4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128, // 0110
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, // 0111
  12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, // 1000
  0, 1, 2, 3, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, // 1001
  4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, // 1010
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, // 1011
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, // 1100
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, // 1101
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, // 1110
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, // 1111
], 16);

/**
 * Writes the nonzero elements of A's row (K floats at rowPtr) to vals and, for each, the
 * byte offset k·bRowBytes of B's row k to offs, in increasing k; returns their number.
 * Each f32x4 store writes 4 lanes at the running count, of which the first popcnt are
 * kept: the buffers hold K entries and no store reaches past entry K − 1.
 */
function compactRow(rowPtr: usize, K: i32, bRowBytes: i32, valsPtr: usize, offsPtr: usize): i32 {
  let cnt = 0;
  let k = 0;
  let kv = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(0), 1, bRowBytes), 2, 2 * bRowBytes), 3, 3 * bRowBytes);
  const step = i32x4.splat(4 * bRowBytes);
  const zero = f32x4.splat(0);
  for (; k + 4 <= K; k += 4) {
    const a = v128.load(rowPtr + (<usize>k << 2));
    const mask = i32x4.bitmask(f32x4.ne(a, zero));
    const sw = v128.load(COMPACT + (<usize>mask << 4));
    v128.store(valsPtr + (<usize>cnt << 2), i8x16.swizzle(a, sw));
    v128.store(offsPtr + (<usize>cnt << 2), i8x16.swizzle(kv, sw));
    cnt += <i32>popcnt<u32>(<u32>mask);
    kv = i32x4.add(kv, step);
  }
  for (; k < K; k++) {
    const a = load<f32>(rowPtr + (<usize>k << 2));
    store<f32>(valsPtr + (<usize>cnt << 2), a);
    store<i32>(offsPtr + (<usize>cnt << 2), k * bRowBytes);
    cnt += i32(a != 0);
  }
  return cnt;
}

// @ts-ignore: decorator
@inline function initVec(cAt: usize, biasAt: usize, o: usize, mode: i32): v128 {
  if (mode == MODE_LOAD) return v128.load(cAt + o);
  if (mode == MODE_BIAS) return v128.load(biasAt + o);
  return f32x4.splat(0);
}

/**
 * NV (1..NV_MAX, a constant once inlined) vectors of one row: columns at cAt .. cAt + 16·NV
 * bytes, the first `skip` (0..3) columns not stored. bAt, biasAt, eAt point at the same
 * first column of B's row 0, the bias and E's row.
 */
// @ts-ignore: decorator
@inline function chunk(
  NV: i32, nnz: i32, valsPtr: usize, offsPtr: usize, bAt: usize, cAt: usize, biasAt: usize, eAt: usize, skip: i32, mode: i32, epi: i32,
): void {
  let a0 = initVec(cAt, biasAt, 0, mode);
  let a1 = NV > 1 ? initVec(cAt, biasAt, 16, mode) : a0;
  let a2 = NV > 2 ? initVec(cAt, biasAt, 32, mode) : a0;
  let a3 = NV > 3 ? initVec(cAt, biasAt, 48, mode) : a0;
  let a4 = NV > 4 ? initVec(cAt, biasAt, 64, mode) : a0;
  let a5 = NV > 5 ? initVec(cAt, biasAt, 80, mode) : a0;
  let a6 = NV > 6 ? initVec(cAt, biasAt, 96, mode) : a0;
  let vp = valsPtr;
  let op = offsPtr;
  const vEnd = valsPtr + (<usize>nnz << 2);
  while (vp < vEnd) {
    const x = v128.load32_splat(vp);
    const bp = bAt + <usize>load<i32>(op);
    a0 = f32x4.add(a0, f32x4.mul(x, v128.load(bp)));
    if (NV > 1) a1 = f32x4.add(a1, f32x4.mul(x, v128.load(bp, 16)));
    if (NV > 2) a2 = f32x4.add(a2, f32x4.mul(x, v128.load(bp, 32)));
    if (NV > 3) a3 = f32x4.add(a3, f32x4.mul(x, v128.load(bp, 48)));
    if (NV > 4) a4 = f32x4.add(a4, f32x4.mul(x, v128.load(bp, 64)));
    if (NV > 5) a5 = f32x4.add(a5, f32x4.mul(x, v128.load(bp, 80)));
    if (NV > 6) a6 = f32x4.add(a6, f32x4.mul(x, v128.load(bp, 96)));
    vp += 4;
    op += 4;
  }
  finish(cAt, eAt, 0, a0, skip, epi);
  if (NV > 1) finish(cAt, eAt, 16, a1, 0, epi);
  if (NV > 2) finish(cAt, eAt, 32, a2, 0, epi);
  if (NV > 3) finish(cAt, eAt, 48, a3, 0, epi);
  if (NV > 4) finish(cAt, eAt, 64, a4, 0, epi);
  if (NV > 5) finish(cAt, eAt, 80, a5, 0, epi);
  if (NV > 6) finish(cAt, eAt, 96, a6, 0, epi);
}

/** nv vectors (1..NV_MAX) of one row, the first `skip` columns not stored. */
// @ts-ignore: decorator
@inline function chunkOf(
  nv: i32, nnz: i32, valsPtr: usize, offsPtr: usize, bAt: usize, cAt: usize, biasAt: usize, eAt: usize, skip: i32, mode: i32, epi: i32,
): void {
  switch (nv) {
    case 1: chunk(1, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
    case 2: chunk(2, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
    case 3: chunk(3, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
    case 4: chunk(4, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
    case 5: chunk(5, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
    case 6: chunk(6, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
    default: chunk(7, nnz, valsPtr, offsPtr, bAt, cAt, biasAt, eAt, skip, mode, epi); break;
  }
}

/**
 * The most f32x4 accumulators of one chunk. x64 wasm engines have 16 vector registers and
 * keep one as scratch; a chunk holds NV accumulators, the NV rows of B it loads per term
 * (V8 issues the loads first) and the broadcast value: 2·NV + 1 ≤ 15.
 */
const NV_MAX: i32 = 7;

/** The product for one (mode, epilogue) pair, both constants once inlined. */
// @ts-ignore: decorator
@inline function rows(
  aPtr: usize, lda: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, M: i32, N: i32, K: i32,
  biasPtr: usize, ePtr: usize, listPtr: usize, mode: i32, epi: i32,
): void {
  const valsPtr = listPtr;
  const offsPtr = listPtr + (<usize>K << 2);
  // the row's ⌈N/4⌉ vectors in nChunks chunks of nearly equal size (at most NV_MAX); the
  // last ends at N, shifted back by 0–3 columns that it computes again but does not store.
  // When one chunk would start before column 0 (N < 4·NV_MAX, N not a multiple of 4),
  // the first N & ~3 columns run as one chunk and a single shifted vector ends the row.
  const nVec = (N + 3) >> 2;
  let nChunks = (nVec + NV_MAX - 1) / NV_MAX;
  const lastSplit = nChunks == 1 && (N & 3) != 0;
  if (lastSplit) nChunks = 2;
  for (let m = 0; m < M; m++) {
    const nnz = compactRow(aPtr + ((<usize>m * lda) << 2), K, ldb << 2, valsPtr, offsPtr);
    const cRow = cPtr + ((<usize>m * ldc) << 2);
    const eRow = ePtr + ((<usize>m * ldc) << 2);
    let v = 0;
    for (let c = 0; c < nChunks; c++) {
      let nv = lastSplit ? (c == 0 ? N >> 2 : 1) : (nVec - v) / (nChunks - c);
      let col = v << 2;
      let skip = 0;
      if (c == nChunks - 1) {
        col = N - (nv << 2);
        skip = (v << 2) - col;
      }
      const o = <usize>col << 2;
      chunkOf(nv, nnz, valsPtr, offsPtr, bPtr + o, cRow + o, biasPtr + o, eRow + o, skip, mode, epi);
      v += nv;
    }
  }
}

/** A hidden ReLU layer's forward: C = max(bias + A·B, 0). */
export function sparseForwardRelu(aPtr: usize, lda: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, M: i32, N: i32, K: i32, biasPtr: usize, listPtr: usize): void {
  rows(aPtr, lda, bPtr, ldb, cPtr, ldc, M, N, K, biasPtr, 0, listPtr, MODE_BIAS, EPI_RELU_FWD);
}

/** The input gradient through a ReLU: C = (A·B) where E > 0, else +0. */
export function sparseBackwardRelu(aPtr: usize, lda: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, M: i32, N: i32, K: i32, ePtr: usize, listPtr: usize): void {
  rows(aPtr, lda, bPtr, ldb, cPtr, ldc, M, N, K, 0, ePtr, listPtr, MODE_ZERO, EPI_RELU_BWD);
}

/** A weight gradient: C = A·B, or C += A·B (load), no epilogue. */
export function sparseProduct(aPtr: usize, lda: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32, M: i32, N: i32, K: i32, load: bool, listPtr: usize): void {
  if (load) rows(aPtr, lda, bPtr, ldb, cPtr, ldc, M, N, K, 0, 0, listPtr, MODE_LOAD, 0);
  else rows(aPtr, lda, bPtr, ldb, cPtr, ldc, M, N, K, 0, 0, listPtr, MODE_ZERO, 0);
}
