/**
 * segment_sum_f32: sum pooling of variable-length row segments (a PFN's particle sets).
 *   out[i·ldOut + j] = Σ_{p = offsets[i]}^{offsets[i+1]−1} x[p·width + j]   (0 ≤ j < width)
 * summed in increasing p, from +0; a segment without rows pools to +0.
 * in    xPtr       f32[offsets[nSeg] × width]  rows, row-major (row p of the whole block)
 * in    offsetsPtr u32[nSeg + 1]  non-decreasing; offsets[0] may be > 0 (rows before it are not read)
 * out   outPtr     f32, row i at outPtr + i·ldOut floats; columns width..ldOut−1 are not written
 * Preconditions (glue): nSeg ≥ 0, width ≥ 1, ldOut ≥ width; out disjoint from x.
 * Edges: nSeg = 0 no-op; empty segments give zeros; any width (16- and 4-column blocks,
 * then a scalar tail); NaN/±Inf propagate as IEEE addition says.
 * Numerics: f32 additions in increasing p per column, no reassociation: bit-identical to
 * the reference; the sum depends on the order of rows within a segment (f32 rounding).
 * Effects: writes only out; allocates nothing; no globals.
 * Twin: src/kernels/reference/segment_sum_f32.ts; test: test/kernels/segment_sum_f32.test.ts.
 */
export function segment_sum_f32(xPtr: usize, offsetsPtr: usize, nSeg: i32, width: i32, outPtr: usize, ldOut: i32): void {
  const rs = <usize>width << 2;
  for (let i = 0; i < nSeg; i++) {
    const p0 = load<u32>(offsetsPtr + (<usize>i << 2));
    const p1 = load<u32>(offsetsPtr + (<usize>(i + 1) << 2));
    const out = outPtr + ((<usize>i * ldOut) << 2);
    const first = xPtr + ((<usize>p0 * width) << 2);
    let j = 0;
    // 16 columns at a time: four independent f32x4 sums, each column still in increasing p
    for (; j + 16 <= width; j += 16) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let p = first + (<usize>j << 2);
      for (let r = p0; r < p1; r++) {
        a0 = f32x4.add(a0, v128.load(p));
        a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32));
        a3 = f32x4.add(a3, v128.load(p, 48));
        p += rs;
      }
      const o = out + (<usize>j << 2);
      v128.store(o, a0);
      v128.store(o, a1, 16);
      v128.store(o, a2, 32);
      v128.store(o, a3, 48);
    }
    for (; j + 4 <= width; j += 4) {
      let a = f32x4.splat(0);
      let p = first + (<usize>j << 2);
      for (let r = p0; r < p1; r++) {
        a = f32x4.add(a, v128.load(p));
        p += rs;
      }
      v128.store(out + (<usize>j << 2), a);
    }
    for (; j < width; j++) {
      let a: f32 = 0;
      let p = first + (<usize>j << 2);
      for (let r = p0; r < p1; r++) {
        a += load<f32>(p);
        p += rs;
      }
      store<f32>(out + (<usize>j << 2), a);
    }
  }
}

/**
 * segment_broadcast_f32: the backward of segment_sum_f32, each segment's gradient row copied
 * to every row of the segment.
 *   dx[p·width + j] = dy[i·ldIn + j]   for offsets[i] ≤ p < offsets[i+1], 0 ≤ j < width
 * in    dyPtr      f32, row i at dyPtr + i·ldIn floats (only its first width columns are read)
 * in    offsetsPtr u32[nSeg + 1]  non-decreasing
 * out   dxPtr      f32[offsets[nSeg] × width] (rows before offsets[0] are not written)
 * Preconditions (glue): nSeg ≥ 0, width ≥ 1, ldIn ≥ width; dx disjoint from dy.
 * Edges: nSeg = 0 and empty segments write nothing.
 * Numerics: exact copies (NaN payloads kept).
 * Effects: writes only dx; allocates nothing; no globals.
 * Twin: src/kernels/reference/segment_sum_f32.ts; test: test/kernels/segment_sum_f32.test.ts.
 */
export function segment_broadcast_f32(dyPtr: usize, ldIn: i32, offsetsPtr: usize, nSeg: i32, width: i32, dxPtr: usize): void {
  const bytes = <usize>width << 2;
  for (let i = 0; i < nSeg; i++) {
    const p0 = load<u32>(offsetsPtr + (<usize>i << 2));
    const p1 = load<u32>(offsetsPtr + (<usize>(i + 1) << 2));
    const src = dyPtr + ((<usize>i * ldIn) << 2);
    for (let p = p0; p < p1; p++) memory.copy(dxPtr + <usize>p * bytes, src, bytes);
  }
}
