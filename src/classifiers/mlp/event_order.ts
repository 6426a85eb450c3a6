/**
 * The order in which a fit visits its events: the seeded train/validation split and each
 * epoch's permutation of the training events, listed block by block in wasm memory.
 */
import { RandomPermutation, type RandomStream } from '../../base/rng.js';
import { WasmPermutation } from '../../kernels/permute_u32.js';
import type { Arena } from '../../kernels/wasm.js';

/**
 * The order in which a fit visits its events, without any [n] array: event positions
 * 0..n−1 of a keyed permutation (`split`); the first nVal positions validate, in that
 * order, and each epoch visits the training positions in the order of a fresh permutation
 * of [0, nTrain). The order itself takes no memory per event (beyond the n/8-byte
 * validation bitmap of the standardiser's pass); a worker's memory grows with the data
 * only through resident events, up to mlp.residentMiB.
 */
export class EventOrder {
  readonly nVal: number;
  readonly nTrain: number;
  private readonly epochOrder: RandomPermutation;
  // both permutations in wasm (asm/permute_u32.ts: the same integers as
  // RandomPermutation.at, about twice as fast) and a block of `rows` event indices
  private readonly wasmSplit: WasmPermutation;
  private readonly wasmEpoch: WasmPermutation;
  /** u32 [rows]: the event indices of the current block. */
  readonly indexPtr: number;
  private index: Uint32Array;

  constructor(
    n: number,
    validationFraction: number,
    private readonly shuffle: RandomStream,
    split: RandomStream,
    private readonly arena: Arena,
    private readonly rows: number,
  ) {
    let nVal = Math.floor(validationFraction * n);
    if (nVal >= n) nVal = n - 1;
    this.nVal = nVal;
    this.nTrain = n - nVal;
    const splitOrder = new RandomPermutation(n, split);
    this.epochOrder = new RandomPermutation(this.nTrain, shuffle);
    this.wasmSplit = new WasmPermutation(arena, splitOrder);
    this.wasmEpoch = new WasmPermutation(arena, this.epochOrder);
    this.indexPtr = arena.allocU32(rows);
    this.index = arena.u32(this.indexPtr, rows);
  }

  /** Draws the next epoch's training order. */
  nextEpoch(): void {
    this.epochOrder.rekey(this.shuffle);
    this.wasmEpoch.load(this.epochOrder);
  }

  /**
   * Writes the validation events as a bitmap over the joint event space (bit i & 31 of
   * word i >>> 5 set for a validation event) to `words` u32 at `maskPtr` in wasm memory,
   * from the split's images of positions [0, nVal): n/8 bytes, for the one pass that
   * needs membership in event order.
   */
  markValidation(maskPtr: number, words: number): void {
    let mask = this.arena.u32(maskPtr, words);
    mask.fill(0);
    for (let start = 0; start < this.nVal; start += this.rows) {
      const count = Math.min(this.rows, this.nVal - start);
      this.validation(start, count);
      const index = this.indices();
      if (mask.buffer !== this.arena.memory.buffer) mask = this.arena.u32(maskPtr, words);
      for (let r = 0; r < count; r++) mask[index[r] >>> 5] |= 1 << (index[r] & 31);
    }
  }

  /** Lists the events at training positions start..start+count−1 of this epoch in the index block. */
  training(start: number, count: number): void {
    this.wasmEpoch.images(0, count, start, this.indexPtr);
    this.wasmSplit.images(this.indexPtr, count, this.nVal, this.indexPtr);
  }

  /** Lists the events at validation positions start..start+count−1 in the index block. */
  validation(start: number, count: number): void {
    this.wasmSplit.images(0, count, start, this.indexPtr);
  }

  /** The index block, u32 [rows] at {@link indexPtr} (the view re-derived if wasm memory grew). */
  indices(): Uint32Array {
    if (this.index.buffer !== this.arena.memory.buffer) this.index = this.arena.u32(this.indexPtr, this.rows);
    return this.index;
  }
}
