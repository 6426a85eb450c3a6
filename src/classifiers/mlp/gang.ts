/**
 * The MLP's gang (the shared memory of one fit that several threads share, see
 * src/classifiers/gang.ts): the parameters, a minibatch's standardised rows, labels and
 * weights (or the rows of a forward pass's chunks), each block's gradient slot and loss,
 * and the logits of a forward pass. Its shape word is the feature count.
 */
import { parameterCount } from '../../kernels/mlp_workspace.js';
import { createGang, gangShape, GangRegions, GangSync } from '../gang.js';

/** Chunks of a forward pass published at once: the row buffers hold at least this many chunks of rows. */
const FORWARD_CHUNKS = 16;

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

/** Byte offsets of an MLP gang's regions. */
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
  const at = new GangRegions();
  const lossScale = at.take(8);
  const rows = gangRows(shape);
  const claims = at.take(4 * claimWords(shape));
  const params = at.take(4 * nParams);
  const x = at.take(4 * rows * shape.dims[0]);
  const y = at.take(4 * rows);
  const w = at.take(8 * rows);
  const slots = at.take(4 * shape.maxBlocks * nParams);
  const losses = at.take(8 * shape.maxBlocks);
  const logits = at.take(4 * rows);
  const extra = at.take(8 * rows);
  return { nParams, lossScale, claims, params, x, y, w, slots, losses, logits, extra, bytes: at.bytes };
}

/** A new gang for an MLP fit of this shape, its feature count recorded. */
export function createMlpGang(shape: GangShape): SharedArrayBuffer {
  return createGang(layout(shape).bytes, [shape.dims[0]]);
}

/** The feature count an MLP gang records. */
export function mlpGangFeatures(buffer: SharedArrayBuffer): number {
  return gangShape(buffer)[0];
}

/** Typed views of an MLP gang's buffer. */
export class GangViews extends GangSync {
  readonly lossScale: Float64Array;
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
    buffer: SharedArrayBuffer,
    readonly shape: GangShape,
  ) {
    const at = layout(shape);
    super(buffer, at.claims, claimWords(shape), at.bytes);
    const { maxBlocks, dims } = shape;
    const rows = gangRows(shape);
    this.nParams = at.nParams;
    this.lossScale = new Float64Array(buffer, at.lossScale, 1);
    this.params = new Float32Array(buffer, at.params, at.nParams);
    this.x = new Float32Array(buffer, at.x, rows * dims[0]);
    this.y = new Float32Array(buffer, at.y, rows);
    this.w = new Float64Array(buffer, at.w, rows);
    this.slots = new Float32Array(buffer, at.slots, maxBlocks * at.nParams);
    this.losses = new Float64Array(buffer, at.losses, maxBlocks);
    this.logits = new Float32Array(buffer, at.logits, rows);
    this.extra = new Float64Array(buffer, at.extra, rows);
  }
}
