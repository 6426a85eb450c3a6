/**
 * sum_blocks_f32: the fixed-order sum of nBlocks gradient blocks, element by element.
 *   dst[j] = (…((src_0[j] + src_1[j]) + src_2[j]) … + src_{nBlocks−1}[j]),  src_b = srcPtr + 4·b·n
 * in    srcPtr f32[nBlocks × n]  the blocks, one after another
 * out   dstPtr f32[n]  (may not overlap src)
 * Preconditions (glue): nBlocks ≥ 1, n ≥ 0.
 * Edges: nBlocks = 1 copies; tail (n mod 4) runs scalar with the same f32 additions.
 * Numerics: f32 additions in increasing block order: the same bits whatever thread
 * computed each block, which is how a data-parallel fit stays bit-identical for any
 * thread count.
 * Effects: writes only dst; allocates nothing; no globals.
 * Twin: src/kernels/reference/sum_blocks_f32.ts; test: test/kernels/sum_blocks_f32.test.ts.
 */
export function sum_blocks_f32(dstPtr: usize, srcPtr: usize, nBlocks: i32, n: i32): void {
  const stride = <usize>n << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let p = srcPtr + (<usize>j << 2);
    let acc = v128.load(p);
    for (let b = 1; b < nBlocks; b++) {
      p += stride;
      acc = f32x4.add(acc, v128.load(p));
    }
    v128.store(dstPtr + (<usize>j << 2), acc);
  }
  for (; j < n; j++) {
    let p = srcPtr + (<usize>j << 2);
    let acc = load<f32>(p);
    for (let b = 1; b < nBlocks; b++) {
      p += stride;
      acc += load<f32>(p);
    }
    store<f32>(dstPtr + (<usize>j << 2), acc);
  }
}
