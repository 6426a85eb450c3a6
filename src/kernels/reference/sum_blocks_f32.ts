/** Reference twin of asm/sum_blocks_f32.ts: each element summed over the blocks in order, rounded to f32. */
export function sumBlocksF32(blocks: ArrayLike<number>, nBlocks: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let acc = Math.fround(blocks[j]);
    for (let b = 1; b < nBlocks; b++) acc = Math.fround(acc + blocks[b * n + j]);
    out[j] = acc;
  }
  return out;
}
