/**
 * Blocks of a keyed permutation's images in wasm: see asm/permute_u32.ts for the contract.
 * dst[r] = perm.at(src[r] + add), or perm.at(r + add) without src; the same integers as
 * RandomPermutation.at (src/base/rng.ts), about twice as fast per index on one thread.
 */
import type { RandomPermutation } from '../base/rng.js';
import { checkInt, checkRange } from './check.js';
import { kernels, type Arena } from './wasm.js';

/** Raw export: dst[r] = P(src[r] + add) for r < count (srcPtr = 0: src[r] = r). */
export type PermuteU32Export = (descPtr: number, srcPtr: number, count: number, add: number, dstPtr: number) => void;

/** Words of a permutation descriptor (RandomPermutation.describe). */
export const PERMUTATION_WORDS = 9;

/**
 * A permutation's descriptor in wasm memory, refreshed with {@link load} after the
 * permutation is rekeyed; {@link images} fills a u32 block in wasm memory.
 */
export class WasmPermutation {
  readonly descPtr: number;
  private n = 0;
  private readonly kernel: PermuteU32Export;

  /** @param arena the thread's arena (`kernels().arena`); the descriptor is freed with the caller's mark */
  constructor(
    private readonly arena: Arena,
    perm?: RandomPermutation,
  ) {
    this.descPtr = arena.allocU32(PERMUTATION_WORDS);
    this.kernel = kernels().exports.permute_u32 as PermuteU32Export;
    if (perm !== undefined) this.load(perm);
  }

  /** Copies `perm`'s size and round keys into the descriptor. */
  load(perm: RandomPermutation): void {
    checkRange('permute_u32', 'permutation size', perm.n, perm.n >= 1, 'at least 1');
    this.n = perm.n;
    perm.describe(this.arena.u32(this.descPtr, PERMUTATION_WORDS));
  }

  /**
   * Writes P(src[r] + add) (src = 0: P(r + add)) for r < count to `dstPtr`, which may be
   * `srcPtr`. Every argument src[r] + add must lie in [0, n): with src = 0 the glue checks
   * add + count ≤ n; with a src block the caller guarantees it.
   */
  images(srcPtr: number, count: number, add: number, dstPtr: number): void {
    checkInt('permute_u32', 'count', count, 0);
    checkInt('permute_u32', 'add', add, 0);
    if (srcPtr === 0)
      checkRange(
        'permute_u32',
        'add + count',
        add + count,
        add + count <= this.n,
        `at most the permutation size ${this.n}`,
      );
    this.kernel(this.descPtr, srcPtr, count, add, dstPtr);
  }
}

/**
 * perm.at(src[r] + add) for r < count, or perm.at(r + add) without `src`, computed in wasm
 * (tests and one-off use).
 */
export function permuteU32(perm: RandomPermutation, add: number, count: number, src?: Uint32Array): Uint32Array {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const wp = new WasmPermutation(arena, perm);
    const ptr = arena.allocU32(Math.max(count, 1));
    if (src !== undefined) arena.u32(ptr, count).set(src.subarray(0, count));
    wp.images(src === undefined ? 0 : ptr, count, add, ptr);
    return arena.u32(ptr, count).slice();
  } finally {
    arena.release(mark);
  }
}
