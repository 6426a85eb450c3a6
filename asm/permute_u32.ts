/**
 * permute_u32: the keyed Feistel permutation of src/rng.ts (RandomPermutation) evaluated
 * for a block of indices, four at a time in i32x4 lanes.
 *   dst[r] = P(src[r] + add)   for r < count;   src[r] = r when srcPtr = 0
 *   P(i): x = i; repeat x = F(x) until x ≤ maxIndex   (cycle walking)
 *   F: 6 Feistel rounds on hi + lo bits, in pairs: b = x & loMask;
 *      x = (b << hi) | (((x >>> lo) ^ mix(b ^ key[r])) & hiMask), then the same with the
 *      halves' roles swapped and key[r+1]; mix is the 32-bit finaliser (xor-shift 16,
 *      × 0x85ebca6b, xor-shift 13, × 0xc2b2ae35, xor-shift 16)
 * in    descPtr  u32[9]: maxIndex = n − 1, hi, lo, key[0..5] (src/kernels/permute_u32.ts
 *                writes it from a RandomPermutation)
 * in    srcPtr   u32[count] or 0;  add u32 (src[r] + add ≤ maxIndex, wrapping never occurs)
 * out   dstPtr   u32[count]; may equal srcPtr (each group is read before it is written)
 * Preconditions (glue): count ≥ 0; 4 ≤ lo ≤ hi ≤ 16, hi + lo ≤ 32, maxIndex < 2^(hi+lo).
 * Edges: count = 0 writes nothing; the last count mod 4 indices run scalar, with the same
 * integer operations; a lane that has landed in [0, n) keeps its value while other lanes
 * of its group walk on.
 * Numerics: exact 32-bit integer arithmetic (i32x4.mul keeps the low 32 bits, as Math.imul
 * does): every index equals RandomPermutation.at, bit for bit.
 * Effects: writes only dst; allocates nothing; no globals.
 * Twin: src/rng.ts RandomPermutation.at; test: test/kernels/permute_u32.test.ts.
 */

const C1: i32 = <i32>0x85ebca6b;
const C2: i32 = <i32>0xc2b2ae35;

// @ts-ignore: decorator
@inline function mixLanes(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(C1));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(C2));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

// @ts-ignore: decorator
@inline function mixScalar(h: u32): u32 {
  h ^= h >>> 16;
  h *= <u32>C1;
  h ^= h >>> 13;
  h *= <u32>C2;
  return h ^ (h >>> 16);
}

/** One pass of the 6-round network on four lanes. */
// @ts-ignore: decorator
@inline function passLanes(x: v128, hi: i32, lo: i32, mHi: v128, mLo: v128, k0: v128, k1: v128, k2: v128, k3: v128, k4: v128, k5: v128): v128 {
  let b = v128.and(x, mLo);
  x = v128.or(i32x4.shl(b, hi), v128.and(v128.xor(i32x4.shr_u(x, lo), mixLanes(v128.xor(b, k0))), mHi));
  b = v128.and(x, mHi);
  x = v128.or(i32x4.shl(b, lo), v128.and(v128.xor(i32x4.shr_u(x, hi), mixLanes(v128.xor(b, k1))), mLo));
  b = v128.and(x, mLo);
  x = v128.or(i32x4.shl(b, hi), v128.and(v128.xor(i32x4.shr_u(x, lo), mixLanes(v128.xor(b, k2))), mHi));
  b = v128.and(x, mHi);
  x = v128.or(i32x4.shl(b, lo), v128.and(v128.xor(i32x4.shr_u(x, hi), mixLanes(v128.xor(b, k3))), mLo));
  b = v128.and(x, mLo);
  x = v128.or(i32x4.shl(b, hi), v128.and(v128.xor(i32x4.shr_u(x, lo), mixLanes(v128.xor(b, k4))), mHi));
  b = v128.and(x, mHi);
  return v128.or(i32x4.shl(b, lo), v128.and(v128.xor(i32x4.shr_u(x, hi), mixLanes(v128.xor(b, k5))), mLo));
}

/** One pass of the network on one index (the same operations as passLanes). */
function passScalar(x: u32, hi: u32, lo: u32, mHi: u32, mLo: u32, descPtr: usize): u32 {
  for (let r = 0; r < 6; r += 2) {
    let b = x & mLo;
    x = (b << hi) | (((x >>> lo) ^ mixScalar(b ^ load<u32>(descPtr + (<usize>(3 + r) << 2)))) & mHi);
    b = x & mHi;
    x = (b << lo) | (((x >>> hi) ^ mixScalar(b ^ load<u32>(descPtr + (<usize>(4 + r) << 2)))) & mLo);
  }
  return x;
}

export function permute_u32(descPtr: usize, srcPtr: usize, count: i32, add: u32, dstPtr: usize): void {
  const maxIndex = load<u32>(descPtr);
  const hi = load<i32>(descPtr, 4);
  const lo = load<i32>(descPtr, 8);
  const mHi: u32 = (<u32>1 << hi) - 1;
  const mLo: u32 = (<u32>1 << lo) - 1;
  const maxV = i32x4.splat(maxIndex);
  const mHiV = i32x4.splat(mHi);
  const mLoV = i32x4.splat(mLo);
  const k0 = v128.load32_splat(descPtr, 12);
  const k1 = v128.load32_splat(descPtr, 16);
  const k2 = v128.load32_splat(descPtr, 20);
  const k3 = v128.load32_splat(descPtr, 24);
  const k4 = v128.load32_splat(descPtr, 28);
  const k5 = v128.load32_splat(descPtr, 32);
  const addV = i32x4.splat(add);
  const four = i32x4.splat(4);
  let iota = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(0), 1, 1), 2, 2), 3, 3);
  const eight = i32x4.splat(8);
  let r = 0;
  // two groups at a time: two independent dependency chains through the rounds (each
  // round waits on two multiplies), walking on together until both have landed
  for (; r + 8 <= count; r += 8) {
    let x = i32x4.add(srcPtr != 0 ? v128.load(srcPtr + (<usize>r << 2)) : iota, addV);
    let y = i32x4.add(srcPtr != 0 ? v128.load(srcPtr + (<usize>r << 2), 16) : i32x4.add(iota, four), addV);
    x = passLanes(x, hi, lo, mHiV, mLoV, k0, k1, k2, k3, k4, k5);
    y = passLanes(y, hi, lo, mHiV, mLoV, k0, k1, k2, k3, k4, k5);
    let px = i32x4.gt_u(x, maxV);
    let py = i32x4.gt_u(y, maxV);
    while (v128.any_true(v128.or(px, py))) {
      x = v128.bitselect(passLanes(x, hi, lo, mHiV, mLoV, k0, k1, k2, k3, k4, k5), x, px);
      y = v128.bitselect(passLanes(y, hi, lo, mHiV, mLoV, k0, k1, k2, k3, k4, k5), y, py);
      px = v128.and(px, i32x4.gt_u(x, maxV));
      py = v128.and(py, i32x4.gt_u(y, maxV));
    }
    v128.store(dstPtr + (<usize>r << 2), x);
    v128.store(dstPtr + (<usize>r << 2), y, 16);
    iota = i32x4.add(iota, eight);
  }
  for (; r + 4 <= count; r += 4) {
    let x = i32x4.add(srcPtr != 0 ? v128.load(srcPtr + (<usize>r << 2)) : iota, addV);
    x = passLanes(x, hi, lo, mHiV, mLoV, k0, k1, k2, k3, k4, k5);
    let pending = i32x4.gt_u(x, maxV);
    while (v128.any_true(pending)) {
      x = v128.bitselect(passLanes(x, hi, lo, mHiV, mLoV, k0, k1, k2, k3, k4, k5), x, pending);
      pending = v128.and(pending, i32x4.gt_u(x, maxV));
    }
    v128.store(dstPtr + (<usize>r << 2), x);
    iota = i32x4.add(iota, four);
  }
  for (; r < count; r++) {
    let x: u32 = (srcPtr != 0 ? load<u32>(srcPtr + (<usize>r << 2)) : <u32>r) + add;
    do x = passScalar(x, hi, lo, mHi, mLo, descPtr);
    while (x > maxIndex);
    store<u32>(dstPtr + (<usize>r << 2), x);
  }
}
