/**
 * The events of one MLP fit: both classes as one index space, as the event order, the
 * standardiser and the row gatherers see them.
 */
import type { FeatureMatrix } from '../../base/features.js';

/** Rows of the two classes as one index space: i < n0 is class 0 row i, else class 1 row i − n0. */
export class Events {
  /** Events of both classes. */
  readonly n: number;
  readonly nFeatures: number;
  constructor(
    readonly x0: FeatureMatrix,
    readonly x1: FeatureMatrix,
    readonly w0: Float64Array,
    readonly w1: Float64Array,
  ) {
    this.n = x0.nEvents + x1.nEvents;
    this.nFeatures = x0.nFeatures;
  }
}
