/**
 * How threads share one fit (data parallelism inside a fit), for any classifier kind: the
 * thread that trains (the coordinator) publishes each minibatch and the parameters in one
 * SharedArrayBuffer, the gang, and helper threads that joined the fit compute some of its
 * blocks. Platform-neutral: one SharedArrayBuffer and Atomics, so Node worker threads and
 * Web Workers can both help. A kind lays out its own regions after the control words
 * (src/classifiers/mlp/gang.ts, src/classifiers/pfn/gang.ts).
 *
 * Which thread computes which block changes nothing: a block's gradient is a pure function
 * of its rows and the parameters, and the coordinator sums the blocks in block order. A
 * helper may join late or never (a busy pool): the coordinator computes every block nobody
 * claimed.
 *
 * Claiming a block is a compare-and-swap of its claim word from g − 1 to g, where g is the
 * step's generation. The coordinator sets the words of step g to g − 1 before it announces
 * g and waits until every block of g is done before it starts g + 1, so a helper still
 * working on an earlier step can never take a block of a later one.
 *
 * The gang also records its kind's shape (a few integers the fit's inputs decide, such as
 * the feature count) when it is created, so a helper needs only the spec and the buffer.
 */
import { InputError } from '../base/errors.js';

// control words (Int32)
const GEN = 0; // the current step's generation, 1, 2, …; announced last
const DONE = 1; // blocks of the current step finished
const N_ROWS = 2; // rows of the current step
const N_BLOCKS = 3; // blocks of the current step
const STOP = 4; // 1: the fit is over, helpers leave
const HELPERS = 5; // helpers that have joined
const COMMAND = 6; // what the current step's blocks are: a COMMAND_* value
const CHUNK = 7; // rows per chunk of a forward pass
const EXTRA = 8; // 1: a gradient step's rows carry an extra ∂/∂logit (a decorrelation penalty's)
const SHAPE = 10; // the kind's shape words, written once at creation
/** Shape words a kind may record (see {@link gangShape}). */
const SHAPE_WORDS = 6;
const CONTROL_WORDS = 16;
/** Bytes of the control words at the start of every gang buffer. */
const CONTROL_BYTES = CONTROL_WORDS * 4;

/** Blocks are gradients of row blocks of a minibatch. */
export const COMMAND_GRADIENT = 0;
/** Blocks are chunks of rows whose logits are wanted (a validation pass, the ratios). */
export const COMMAND_FORWARD = 1;

/** Spins before a thread sleeps on a control word: a step's wait is often shorter than a sleep's wake-up. */
const SPINS = 20_000;

/** Byte offsets of a kind's regions after the control words, each 8-byte aligned. */
export class GangRegions {
  private at = CONTROL_BYTES;

  /** Reserves `bytes` bytes; returns their offset. */
  take(bytes: number): number {
    const start = this.at;
    this.at = Math.ceil((this.at + bytes) / 8) * 8;
    return start;
  }

  /** Bytes of the whole buffer so far. */
  get bytes(): number {
    return this.at;
  }
}

/** The shape words of a gang: written by whoever creates it, read by the coordinator and the helpers. */
export function gangShape(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, SHAPE * 4, SHAPE_WORDS);
}

/** A new gang buffer of `bytes` bytes with `shape` recorded (at most SHAPE_WORDS integers). */
export function createGang(bytes: number, shape: readonly number[]): SharedArrayBuffer {
  if (shape.length > SHAPE_WORDS)
    throw new InputError(`a gang records at most ${SHAPE_WORDS} shape words; got ${shape.length}`);
  const buffer = new SharedArrayBuffer(Math.max(bytes, CONTROL_BYTES));
  gangShape(buffer).set(shape);
  return buffer;
}

/**
 * Ends a gang's fit from outside (the thread that ran it failed or returned): helpers
 * that wait for a step return. Any gang buffer, whatever its kind.
 */
export function stopGang(buffer: SharedArrayBuffer): void {
  const control = new Int32Array(buffer, 0, CONTROL_WORDS);
  Atomics.store(control, STOP, 1);
  Atomics.add(control, GEN, 1);
  Atomics.notify(control, GEN);
}

/** Helpers that have joined a gang so far (any gang buffer). */
export function joinedHelpers(buffer: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(buffer, 0, CONTROL_WORDS), HELPERS);
}

/** Rows [start, end) of block `b` of `nBlocks` over `nRows` rows: as even as integers allow, none empty. */
export function blockRows(nRows: number, nBlocks: number, b: number): [number, number] {
  return [Math.floor((b * nRows) / nBlocks), Math.floor(((b + 1) * nRows) / nBlocks)];
}

/** The control and claim words of a gang: what every kind's views share. */
export class GangSync {
  readonly control: Int32Array;
  readonly claims: Int32Array;

  /** `claimsAt`: byte offset of `nClaims` claim words (a region of the kind's layout). */
  constructor(
    readonly buffer: SharedArrayBuffer,
    claimsAt: number,
    nClaims: number,
    bytes: number,
  ) {
    if (buffer.byteLength < bytes)
      throw new InputError(`gang buffer must hold ${bytes} bytes for its shape; got ${buffer.byteLength}`);
    this.control = new Int32Array(buffer, 0, CONTROL_WORDS);
    this.claims = new Int32Array(buffer, claimsAt, nClaims);
  }

  /** Tries to take block `b` of step `generation`. */
  claim(b: number, generation: number): boolean {
    return Atomics.compareExchange(this.claims, b, generation - 1, generation) === generation - 1;
  }

  /** Marks one block of the current step done and wakes the coordinator. */
  finishBlock(): void {
    Atomics.add(this.control, DONE, 1);
    Atomics.notify(this.control, DONE);
  }
}

/**
 * The coordinator's side: announces steps and waits for their blocks. Everything it
 * publishes is written before the generation word, and helpers read it after reading
 * that word (Atomics order the two).
 */
export class GangCoordinator<V extends GangSync = GangSync> {
  private generation = 0;

  constructor(readonly views: V) {
    Atomics.store(views.control, STOP, 0);
    Atomics.store(views.control, GEN, 0);
  }

  /**
   * Announces a step of `nBlocks` blocks over `nRows` published rows (the parameters and
   * the rows already written) of `command` (COMMAND_*; a forward pass's blocks are chunks
   * of `chunkRows` rows; a gradient step's rows carry `extra` when it is true); returns
   * its generation.
   */
  announce(nRows: number, nBlocks: number, command: number, chunkRows = 0, extra = false): number {
    const { control, claims } = this.views;
    const g = ++this.generation;
    for (let b = 0; b < nBlocks; b++) Atomics.store(claims, b, g - 1);
    Atomics.store(control, DONE, 0);
    Atomics.store(control, COMMAND, command);
    Atomics.store(control, CHUNK, chunkRows);
    Atomics.store(control, EXTRA, extra ? 1 : 0);
    Atomics.store(control, N_ROWS, nRows);
    Atomics.store(control, N_BLOCKS, nBlocks);
    Atomics.store(control, GEN, g);
    Atomics.notify(control, GEN);
    return g;
  }

  /**
   * The coordinator's part of announced step `generation`: runs `work(b)` on every block
   * it can claim (mine[b] = 1; 0 for a block a helper took), then waits until all
   * `nBlocks` are done. `mine`: at least `nBlocks` entries.
   */
  runBlocks(generation: number, nBlocks: number, mine: Uint8Array, work: (b: number) => void): void {
    for (let b = 0; b < nBlocks; b++) {
      mine[b] = this.views.claim(b, generation) ? 1 : 0;
      if (mine[b] === 0) continue;
      work(b);
      this.views.finishBlock();
    }
    this.awaitBlocks(nBlocks);
  }

  /** Waits until all `nBlocks` blocks of the current step are done. */
  awaitBlocks(nBlocks: number): void {
    const control = this.views.control;
    for (let spin = 0; ; spin++) {
      const done = Atomics.load(control, DONE);
      if (done >= nBlocks) return;
      if (spin >= SPINS) Atomics.wait(control, DONE, done, 50);
    }
  }
}

/** What a helper reads of an announced step (meaningful only while it holds one of its blocks). */
export interface GangStep {
  nRows: number;
  nBlocks: number;
  /** COMMAND_GRADIENT or COMMAND_FORWARD. */
  command: number;
  /** Rows per chunk of a forward pass. */
  chunkRows: number;
  /** A gradient step whose rows carry an extra ∂/∂logit. */
  extra: boolean;
}

/**
 * The helper's side: joins, then for every announced step claims blocks and runs
 * `work(block, step, firstOfStep)` on each until none is left; returns the number of
 * blocks it computed when the coordinator stops the fit (at once when it already has).
 */
export function helpGang(views: GangSync, work: (block: number, step: GangStep, first: boolean) => void): number {
  const control = views.control;
  Atomics.add(control, HELPERS, 1);
  let seen = 0;
  let blocks = 0;
  for (;;) {
    let g = Atomics.load(control, GEN);
    for (let spin = 0; g === seen && Atomics.load(control, STOP) === 0; spin++) {
      if (spin >= SPINS) Atomics.wait(control, GEN, seen, 100);
      g = Atomics.load(control, GEN);
    }
    if (Atomics.load(control, STOP) !== 0) return blocks;
    seen = g;
    const step: GangStep = {
      nRows: Atomics.load(control, N_ROWS),
      nBlocks: Atomics.load(control, N_BLOCKS),
      command: Atomics.load(control, COMMAND),
      chunkRows: Atomics.load(control, CHUNK),
      extra: Atomics.load(control, EXTRA) === 1,
    };
    let first = true;
    for (let b = 0; b < step.nBlocks; b++) {
      if (!views.claim(b, g)) continue;
      work(b, step, first);
      first = false;
      blocks++;
      views.finishBlock();
    }
  }
}
