import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { segmentBroadcastF32, segmentSumF32, type SegmentSumF32Export } from '../../src/kernels/segment_sum_f32.js';
import {
  segmentBroadcastF32 as broadcastRef,
  segmentSumF32 as sumRef,
} from '../../src/kernels/reference/segment_sum_f32.js';
import { kernels } from '../../src/kernels/wasm.js';
import { assertBitEqual } from '../helpers/close.js';
import { stream, uniformF32 } from './random_inputs.js';
import type { RandomStream } from '../../src/base/rng.js';

/** Offsets of segments with the given lengths, from `start`. */
function offsetsOf(lengths: readonly number[], start = 0): Uint32Array {
  const o = new Uint32Array(lengths.length + 1);
  o[0] = start;
  lengths.forEach((n, i) => (o[i + 1] = o[i] + n));
  return o;
}

/** Segment lengths 0..9 (every tail, empty segments included) in a seeded order, plus a long one. */
function lengthsFor(s: RandomStream, nSeg: number): number[] {
  return Array.from({ length: nSeg }, (_, i) => (i === nSeg - 1 ? 37 : s.nextUint32() % 10));
}

test('tier A: three segments by hand, one empty', () => {
  // rows [1,2], [3,4], [5,6]; segments {0,1}, {}, {2}
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  const out = segmentSumF32(x, new Uint32Array([0, 2, 2, 3]), 2, 3);
  assert.equal(Array.from(out), [4, 6, 0, 0, 0, 0, 5, 6, 0]);
  const dx = segmentBroadcastF32(new Float32Array([1, 2, 9, 3, 4, 9, 5, 6, 9]), 3, new Uint32Array([0, 2, 2, 3]), 2);
  assert.equal(Array.from(dx), [1, 2, 1, 2, 5, 6]);
});

test('tier B: wasm equals the reference bit for bit at every width and segment length 0..9', () => {
  const s = stream('segment_sum_f32');
  for (const width of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 128, 131]) {
    for (const nSeg of [0, 1, 2, 9, 23]) {
      const lengths = lengthsFor(s, nSeg);
      const offsets = offsetsOf(lengths);
      const x = uniformF32(s, offsets[nSeg] * width, -4, 4);
      for (const ld of [width, width + 3]) {
        assertBitEqual(
          `sum w${width} n${nSeg} ld${ld}`,
          segmentSumF32(x, offsets, width, ld),
          sumRef(x, offsets, width, ld),
        );
        const dy = uniformF32(s, nSeg * ld);
        assertBitEqual(
          `broadcast w${width} n${nSeg} ld${ld}`,
          segmentBroadcastF32(dy, ld, offsets, width),
          broadcastRef(dy, ld, offsets, width),
        );
      }
    }
  }
});

test('tier B: offsets that start past 0 read only their rows; the output columns past width are untouched', () => {
  const s = stream('segment_sum_f32 offsets');
  const width = 6;
  const offsets = offsetsOf([3, 0, 5], 4);
  const x = uniformF32(s, offsets[3] * width);
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(x.length);
    const oPtr = arena.allocU32(4);
    const outPtr = arena.allocF32(3 * 8);
    arena.f32(xPtr, x.length).set(x);
    arena.u32(oPtr, 4).set(offsets);
    arena.f32(outPtr, 24).fill(-7);
    (exports.segment_sum_f32 as SegmentSumF32Export)(xPtr, oPtr, 3, width, outPtr, 8);
    const out = arena.f32(outPtr, 24).slice();
    const want = sumRef(x, offsets, width, 8);
    for (let i = 0; i < 3; i++) {
      assertBitEqual(`row ${i}`, out.subarray(i * 8, i * 8 + width), want.subarray(i * 8, i * 8 + width));
      assert.equal(Array.from(out.subarray(i * 8 + width, i * 8 + 8)), [-7, -7], `row ${i} padding untouched`);
    }
  } finally {
    arena.release(mark);
  }
});

test('tier B: non-finite values propagate like the reference; −0 sums to +0 from the +0 start', () => {
  const x = new Float32Array([Infinity, -0, NaN, -0, 1e38, -0, 1e38, 1, -Infinity, 2]);
  const offsets = new Uint32Array([0, 2, 5]);
  assertBitEqual('sum', segmentSumF32(x, offsets, 2), sumRef(x, offsets, 2));
  const out = segmentSumF32(new Float32Array([-0, -0]), new Uint32Array([0, 1]), 2);
  assert.ok(Object.is(out[0], 0) && Object.is(out[1], 0), '+0 + −0 = +0');
});

test('order within a segment: exact for sums of integers, and within f32 rounding for any order', () => {
  const s = stream('segment_sum_f32 order');
  const width = 20;
  const n = 31;
  const x = uniformF32(s, n * width, -8, 8);
  const ints = x.map((v) => Math.round(v));
  const perm = Array.from({ length: n }, (_, i) => (i * 7) % n); // a permutation (gcd(7, 31) = 1)
  const permute = (a: Float32Array) => {
    const b = new Float32Array(a.length);
    perm.forEach((p, i) => b.set(a.subarray(p * width, (p + 1) * width), i * width));
    return b;
  };
  const offsets = new Uint32Array([0, n]);
  assertBitEqual(
    'integers: any order',
    segmentSumF32(permute(ints), offsets, width),
    segmentSumF32(ints, offsets, width),
  );
  const a = segmentSumF32(x, offsets, width);
  const b = segmentSumF32(permute(x), offsets, width);
  // n additions of |x| ≤ 8: each ordering is within n·8·2^−24·n of the exact sum
  for (let j = 0; j < width; j++) assert.ok(Math.abs(a[j] - b[j]) <= 2 * n * n * 8 * 2 ** -24, `column ${j}`);
});

test('argument checks: offsets must be non-decreasing and within the rows', () => {
  assert.throws(() => segmentSumF32(new Float32Array(4), new Uint32Array([0, 2, 1]), 2), /non-decreasing/);
  assert.throws(() => segmentSumF32(new Float32Array(4), new Uint32Array([0, 3]), 2), /at most at the number of rows/);
});

test.run();
