/**
 * Sum pooling of variable-length row segments (a PFN's particle sets) and its backward, in
 * wasm: see asm/segment_sum_f32.ts for the contracts.
 */
import { InputError } from '../base/errors.js';
import { checkInt, checkLength } from './check.js';
import { kernels } from './wasm.js';

/** Raw export of segment_sum_f32: pointers in bytes, sizes in elements. */
export type SegmentSumF32Export = (
  xPtr: number,
  offsetsPtr: number,
  nSeg: number,
  width: number,
  outPtr: number,
  ldOut: number,
) => void;

/** Raw export of segment_broadcast_f32. */
export type SegmentBroadcastF32Export = (
  dyPtr: number,
  ldIn: number,
  offsetsPtr: number,
  nSeg: number,
  width: number,
  dxPtr: number,
) => void;

/** Checks segment offsets: at least one entry, non-decreasing, the last one at most `nRows`. */
export function checkOffsets(kernel: string, offsets: ArrayLike<number>, nRows: number): void {
  if (offsets.length < 1) throw new InputError(`${kernel}: offsets must hold nSeg + 1 ≥ 1 entries; got 0`);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] < offsets[i - 1])
      throw new InputError(
        `${kernel}: offsets must be non-decreasing; got ${offsets[i]} after ${offsets[i - 1]} at ${i}`,
      );
  }
  if (offsets[offsets.length - 1] > nRows)
    throw new InputError(
      `${kernel}: offsets must end at most at the number of rows (${nRows}); got ${offsets[offsets.length - 1]}`,
    );
}

/** Segment sums of `x` ([rows × width]) as [nSeg × ldOut] (columns beyond width zero); copies through the arena. */
export function segmentSumF32(
  x: Float32Array,
  offsets: Uint32Array,
  width: number,
  ldOut: number = width,
): Float32Array {
  checkInt('segment_sum_f32', 'width', width, 1);
  checkInt('segment_sum_f32', 'ldOut', ldOut, width);
  if (x.length % width !== 0)
    throw new InputError(`segment_sum_f32: x must hold a whole number of rows of ${width}; got ${x.length} values`);
  checkOffsets('segment_sum_f32', offsets, x.length / width);
  const nSeg = offsets.length - 1;
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const xPtr = arena.allocF32(Math.max(x.length, 1));
    const oPtr = arena.allocU32(offsets.length);
    const outPtr = arena.allocF32(Math.max(nSeg * ldOut, 1));
    arena.f32(xPtr, x.length).set(x);
    arena.u32(oPtr, offsets.length).set(offsets);
    arena.f32(outPtr, nSeg * ldOut).fill(0);
    (exports.segment_sum_f32 as SegmentSumF32Export)(xPtr, oPtr, nSeg, width, outPtr, ldOut);
    return arena.f32(outPtr, nSeg * ldOut).slice();
  } finally {
    arena.release(mark);
  }
}

/** Each segment's row of `dy` (rows ldIn apart) copied to its rows: [offsets[nSeg] × width]; copies through the arena. */
export function segmentBroadcastF32(dy: Float32Array, ldIn: number, offsets: Uint32Array, width: number): Float32Array {
  checkInt('segment_broadcast_f32', 'width', width, 1);
  checkInt('segment_broadcast_f32', 'ldIn', ldIn, width);
  const nSeg = offsets.length - 1;
  checkOffsets('segment_broadcast_f32', offsets, Infinity);
  checkLength('segment_broadcast_f32', 'dy', dy, nSeg * ldIn, `nSeg × ldIn = ${nSeg} × ${ldIn}`);
  const nRows = offsets[nSeg];
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const dyPtr = arena.allocF32(Math.max(dy.length, 1));
    const oPtr = arena.allocU32(offsets.length);
    const dxPtr = arena.allocF32(Math.max(nRows * width, 1));
    arena.f32(dyPtr, dy.length).set(dy);
    arena.u32(oPtr, offsets.length).set(offsets);
    arena.f32(dxPtr, nRows * width).fill(0);
    (exports.segment_broadcast_f32 as SegmentBroadcastF32Export)(dyPtr, ldIn, oPtr, nSeg, width, dxPtr);
    return arena.f32(dxPtr, nRows * width).slice();
  } finally {
    arena.release(mark);
  }
}
