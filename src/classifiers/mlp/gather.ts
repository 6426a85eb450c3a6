/**
 * Filling a minibatch: the events listed in the event order's index block become the
 * workspace's rows (standardised features, labels, training weights). Events within the
 * mlp.residentMiB budget are copied once into wasm memory and gathered there; larger fits
 * gather from the caller's arrays. Both give the same bits.
 */
import { gatherRowsF32InWasm } from '../../kernels/gather_rows_f32.js';
import type { MlpWorkspace } from '../../kernels/mlp_workspace.js';
import type { Arena } from '../../kernels/wasm.js';
import type { EventOrder } from './event_order.js';
import type { Events } from './events.js';
import type { StandardiseRows } from './standardiser.js';

/** Fills workspace rows 0..count−1 (features, labels, training weights) with the events listed in the EventOrder's index block. */
export interface RowGatherer {
  rows(count: number): void;
}

const MIB = 1024 * 1024;

/** True when the events fit in `residentMiB` of wasm memory: f32 features and an f64 weight per event. */
export function fitsResident(events: Events, residentMiB: number): boolean {
  return events.n * (4 * events.nFeatures + 8) <= residentMiB * MIB;
}

/** Copies both classes' raw rows into wasm memory (freed with the fit's arena mark); returns their pointer. */
export function residentRows(arena: Arena, events: Events): number {
  const nFeatures = events.nFeatures;
  const n0 = events.x0.nEvents;
  const rowsPtr = arena.allocF32(Math.max(events.n * nFeatures, 1));
  const rows = arena.f32(rowsPtr, events.n * nFeatures);
  rows.set(events.x0.values.subarray(0, n0 * nFeatures), 0);
  rows.set(events.x1.values.subarray(0, (events.n - n0) * nFeatures), n0 * nFeatures);
  return rowsPtr;
}

/**
 * Gathers from the caller's arrays (SharedArrayBuffer views in a pool worker, never
 * copied): raw f32 rows, labels and weights in JS, then the standardiser in place in
 * wasm. For fits over the mlp.residentMiB budget.
 */
export class SharedGatherer implements RowGatherer {
  private readonly nFeatures: number;
  private readonly n0: number;
  private readonly v0: Float32Array;
  private readonly v1: Float32Array;
  private readonly w0: Float64Array;
  private readonly w1: Float64Array;

  constructor(
    events: Events,
    private readonly standardiseRows: StandardiseRows,
    private readonly workspace: MlpWorkspace,
    private readonly order: EventOrder,
    private readonly c0: number,
    private readonly c1: number,
  ) {
    this.nFeatures = events.nFeatures;
    this.n0 = events.x0.nEvents;
    this.v0 = events.x0.values;
    this.v1 = events.x1.values;
    this.w0 = events.w0;
    this.w1 = events.w1;
  }

  rows(count: number): void {
    const workspace = this.workspace;
    // views re-derived per call (cheap unless memory grew, e.g. a fill inside onEpoch)
    const index = this.order.indices();
    const x = workspace.x;
    const y = workspace.y;
    const w = workspace.w;
    const { nFeatures, n0, v0, v1, w0, w1, c0, c1 } = this;
    for (let r = 0; r < count; r++) {
      const i = index[r];
      const dst = r * nFeatures;
      if (i < n0) {
        const src = i * nFeatures;
        for (let f = 0; f < nFeatures; f++) x[dst + f] = v0[src + f];
        y[r] = 0;
        w[r] = w0[i] * c0;
      } else {
        const row = i - n0;
        const src = row * nFeatures;
        for (let f = 0; f < nFeatures; f++) x[dst + f] = v1[src + f];
        y[r] = 1;
        w[r] = w1[row] * c1;
      }
    }
    this.standardiseRows(workspace.xPtr, count);
  }
}

/**
 * Gathers from the events' rows resident in wasm memory ({@link residentRows}),
 * standardised there in place once, with the training weights c·w beside them: each
 * minibatch is one wasm call, asm/gather_rows_f32.ts. The same bits as
 * {@link SharedGatherer}: the same standardisation of each element and the same f64
 * products, done once per fit instead of once per visit.
 */
export class ResidentGatherer implements RowGatherer {
  private readonly nFeatures: number;
  private readonly n0: number;
  private readonly weightsPtr: number;

  constructor(
    arena: Arena,
    events: Events,
    private readonly rowsPtr: number,
    standardiseRows: StandardiseRows,
    private readonly workspace: MlpWorkspace,
    private readonly order: EventOrder,
    c0: number,
    c1: number,
  ) {
    const n0 = events.x0.nEvents;
    this.nFeatures = events.nFeatures;
    this.n0 = n0;
    standardiseRows(rowsPtr, events.n);
    this.weightsPtr = arena.allocF64(events.n);
    const weights = arena.f64(this.weightsPtr, events.n);
    for (let i = 0; i < n0; i++) weights[i] = events.w0[i] * c0;
    for (let i = n0; i < events.n; i++) weights[i] = events.w1[i - n0] * c1;
  }

  rows(count: number): void {
    const workspace = this.workspace;
    const { rowsPtr, nFeatures, weightsPtr, n0 } = this;
    gatherRowsF32InWasm(
      rowsPtr,
      nFeatures,
      weightsPtr,
      n0,
      this.order.indexPtr,
      count,
      workspace.xPtr,
      workspace.yPtr,
      workspace.wPtr,
    );
  }
}
