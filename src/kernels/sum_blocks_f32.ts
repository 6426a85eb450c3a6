/**
 * The fixed-order sum of gradient blocks: see asm/sum_blocks_f32.ts for the contract.
 */
import { KernelError } from '../base/errors.js';
import { checkInt } from './check.js';
import { kernels } from './wasm.js';

type SumBlocksF32Export = (dstPtr: number, srcPtr: number, nBlocks: number, n: number) => void;

/** dst = Σ_b src_b in increasing b (f32), on pointers into wasm memory: `nBlocks` blocks of `n` floats. */
export function sumBlocksF32InWasm(dstPtr: number, srcPtr: number, nBlocks: number, n: number): void {
  checkInt('sum_blocks_f32', 'nBlocks', nBlocks, 1);
  checkInt('sum_blocks_f32', 'n', n, 0);
  (kernels().exports.sum_blocks_f32 as SumBlocksF32Export)(dstPtr, srcPtr, nBlocks, n);
}

/** The fixed-order sum of `nBlocks` blocks of `n` floats held one after another in `blocks`. */
export function sumBlocksF32(blocks: Float32Array, nBlocks: number, n: number): Float32Array {
  checkInt('sum_blocks_f32', 'nBlocks', nBlocks, 1);
  checkInt('sum_blocks_f32', 'n', n, 0);
  if (blocks.length !== nBlocks * n)
    throw new KernelError(
      `sum_blocks_f32: blocks must hold nBlocks × n = ${nBlocks * n} numbers; got ${blocks.length}`,
    );
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const src = arena.allocF32(nBlocks * n);
    const dst = arena.allocF32(Math.max(n, 1));
    arena.f32(src, nBlocks * n).set(blocks);
    sumBlocksF32InWasm(dst, src, nBlocks, n);
    return arena.f32(dst, n).slice();
  } finally {
    arena.release(mark);
  }
}
