/**
 * A data-parallel fit's shared memory: the thread that trains (the coordinator) publishes
 * each minibatch and the parameters there, and helper threads that joined the fit compute
 * the gradients of some of its blocks. Platform-neutral: one SharedArrayBuffer and
 * Atomics, so Node worker threads and Web Workers can both help.
 *
 * Which thread computes which block changes nothing: a block's gradient is a pure
 * function of its rows and the parameters (asm/mlp_gradient_f32.ts), and the coordinator
 * sums the blocks in block order (asm/sum_blocks_f32.ts). A helper may join late or never
 * (a busy pool): the coordinator computes every block nobody claimed.
 *
 * Claiming a block is a compare-and-swap of its claim word from g − 1 to g, where g is
 * the step's generation. The coordinator sets the words of step g to g − 1 before it
 * announces g and waits until every block of g is done before it starts g + 1, so a
 * helper still working on an earlier step can never take a block of a later one.
 */
import { InputError } from '../../base/errors.js';
import { parameterCount } from '../../kernels/mlp_workspace.js';

// control words (Int32)
const GEN = 0; // the current step's generation, 1, 2, …; announced last
const DONE = 1; // blocks of the current step finished
const N_ROWS = 2; // rows of the current step's minibatch
const N_BLOCKS = 3; // blocks of the current step
const STOP = 4; // 1: the fit is over, helpers leave
const HELPERS = 5; // helpers that have joined
const COMMAND = 6; // what the current step's blocks are: a COMMAND_* value
const CHUNK = 7; // rows per chunk of a forward pass
const EXTRA = 8; // 1: a gradient step's rows carry an extra ∂/∂logit (the gang's `extra`, a decorrelation penalty's)
const CONTROL_WORDS = 16;
/** Blocks are gradients of row blocks of a minibatch. */
export const COMMAND_GRADIENT = 0;
/** Blocks are chunks of rows whose logits are wanted (a validation pass). */
export const COMMAND_FORWARD = 1;
/** Chunks of a forward pass published at once: the row buffers hold at least this many chunks of rows. */
const FORWARD_CHUNKS = 16;

/** Spins before a thread sleeps on a control word: a step's wait is often shorter than a sleep's wake-up. */
const SPINS = 20_000;

/** The shape of a gang: what the coordinator trains and how its minibatches split. */
export interface GangShape {
  /** Layer widths [nFeatures, ...hidden, 1]. */
  dims: readonly number[];
  /** The most rows of a minibatch. */
  batchRows: number;
  /** The most blocks of a minibatch. */
  maxBlocks: number;
  /** The most rows per chunk of a forward pass (sizes the buffers; each pass states its own). */
  chunkRows: number;
}

/** Rows the gang's row buffers hold: a minibatch, or FORWARD_CHUNKS chunks of a forward pass. */
export function gangRows(shape: GangShape): number {
  return Math.max(shape.batchRows, FORWARD_CHUNKS * shape.chunkRows);
}

/** Claim words: one per block of a minibatch, or per chunk of a forward pass over the row buffers. */
function claimWords(shape: GangShape): number {
  return Math.max(shape.maxBlocks, Math.ceil(gangRows(shape) / shape.chunkRows));
}

/** Byte offsets of a gang's regions, all 8-byte aligned. */
interface GangLayout {
  nParams: number;
  lossScale: number;
  claims: number;
  params: number;
  x: number;
  y: number;
  w: number;
  slots: number;
  losses: number;
  logits: number;
  extra: number;
  bytes: number;
}

function layout(shape: GangShape): GangLayout {
  const nParams = parameterCount(shape.dims);
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let at = CONTROL_WORDS * 4;
  const take = (bytes: number) => {
    const start = at;
    at = align(at + bytes);
    return start;
  };
  const lossScale = take(8);
  const rows = gangRows(shape);
  const claims = take(4 * claimWords(shape));
  const params = take(4 * nParams);
  const x = take(4 * rows * shape.dims[0]);
  const y = take(4 * rows);
  const w = take(8 * rows);
  const slots = take(4 * shape.maxBlocks * nParams);
  const losses = take(8 * shape.maxBlocks);
  const logits = take(4 * rows);
  const extra = take(8 * rows);
  return { nParams, lossScale, claims, params, x, y, w, slots, losses, logits, extra, bytes: at };
}

/** Bytes of the SharedArrayBuffer a gang of this shape needs. */
export function gangBytes(shape: GangShape): number {
  return layout(shape).bytes;
}

/**
 * Ends a gang's fit from outside (the thread that ran it failed or returned): helpers
 * that wait for a step return. Any gang buffer, whatever its shape.
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

/** Typed views of a gang's buffer. */
export class GangViews {
  readonly control: Int32Array;
  readonly lossScale: Float64Array;
  readonly claims: Int32Array;
  readonly params: Float32Array;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly w: Float64Array;
  readonly slots: Float32Array;
  readonly losses: Float64Array;
  /** f32 [gangRows]: the logits of a forward pass. */
  readonly logits: Float32Array;
  /** f64 [gangRows]: each row's extra ∂/∂logit of a gradient step that has one (GangStep.extra). */
  readonly extra: Float64Array;
  readonly nParams: number;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly shape: GangShape,
  ) {
    const at = layout(shape);
    if (buffer.byteLength < at.bytes)
      throw new InputError(`gang buffer must hold ${at.bytes} bytes for its shape; got ${buffer.byteLength}`);
    const { maxBlocks, dims } = shape;
    const rows = gangRows(shape);
    this.nParams = at.nParams;
    this.control = new Int32Array(buffer, 0, CONTROL_WORDS);
    this.lossScale = new Float64Array(buffer, at.lossScale, 1);
    this.claims = new Int32Array(buffer, at.claims, claimWords(shape));
    this.params = new Float32Array(buffer, at.params, at.nParams);
    this.x = new Float32Array(buffer, at.x, rows * dims[0]);
    this.y = new Float32Array(buffer, at.y, rows);
    this.w = new Float64Array(buffer, at.w, rows);
    this.slots = new Float32Array(buffer, at.slots, maxBlocks * at.nParams);
    this.losses = new Float64Array(buffer, at.losses, maxBlocks);
    this.logits = new Float32Array(buffer, at.logits, rows);
    this.extra = new Float64Array(buffer, at.extra, rows);
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
export class GangCoordinator {
  private generation = 0;

  constructor(readonly views: GangViews) {
    Atomics.store(views.control, STOP, 0);
    Atomics.store(views.control, GEN, 0);
  }

  /** Helpers that have joined so far. */
  get helpers(): number {
    return Atomics.load(this.views.control, HELPERS);
  }

  /**
   * Announces a step of `nBlocks` blocks over `nRows` published rows (params, x, y, w and
   * lossScale already written) of `command` (COMMAND_*; a forward pass's blocks are
   * chunks of `chunkRows` rows; a gradient step's rows carry `extra` when it is true);
   * returns its generation.
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

  /** Waits until all `nBlocks` blocks of the current step are done. */
  awaitBlocks(nBlocks: number): void {
    const control = this.views.control;
    for (let spin = 0; ; spin++) {
      const done = Atomics.load(control, DONE);
      if (done >= nBlocks) return;
      if (spin >= SPINS) Atomics.wait(control, DONE, done, 50);
    }
  }

  /** Ends the fit: helpers return. */
  stop(): void {
    const control = this.views.control;
    Atomics.store(control, STOP, 1);
    Atomics.add(control, GEN, 1);
    Atomics.notify(control, GEN);
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
  /** A gradient step whose rows carry an extra ∂/∂logit in the gang's `extra`. */
  extra: boolean;
}

/**
 * The helper's side: joins, then for every announced step claims blocks and runs
 * `work(block, step, firstOfStep)` on each until none is left; returns the
 * number of blocks it computed when the coordinator stops the fit (at once when it
 * already has).
 */
export function helpGang(views: GangViews, work: (block: number, step: GangStep, first: boolean) => void): number {
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
