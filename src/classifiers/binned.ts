/**
 * BinnedClassifier: the exact histogram likelihood ratio over a product grid of per-feature
 * bin edges. With it, OmniFold is iterative Bayesian unfolding (docs/algorithm.md
 * §Binned limit = IBU; the cell rule below: §Binned classifier).
 *
 * Each feature k has edges e_k (strictly increasing) and nCells_k = e_k.length + 1 slots:
 * slot 0 underflow (x < e_k[0]), slot b for e_k[b−1] ≤ x < e_k[b], the last slot overflow
 * (x ≥ last edge, and NaN). A cell of the grid is one slot per feature, so no event is lost.
 *
 * In a cell with class sums s0 = Σ w0, s1 = Σ w1, the rescaled class-1 fraction is
 * f = (s1/S1) / (s1/S1 + s0/S0), so the ratio f/(1−f)·S1/S0 is simply s1/s0. Clipping f to
 * [ε, 1−ε] is clipping the ratio to [lo, hi] = [ε/(1−ε)·S1/S0, (1−ε)/ε·S1/S0]; then the
 * ratio is clipped to [0, wMax]. The rule for every cell:
 *   - s0 > 0 and s1 ≥ 0: the formula, s1/s0, clipped (s1 = 0 gives lo, counted as clipped);
 *   - any other cell has no usable density ratio (s1/s0 would be infinite, negative, or a
 *     ratio of two negative sums dominated by cancellation). It is treated as a cell
 *     without information: f = 1/2, ratio = S1/S0 (the overall normalisation), not counted
 *     as clipped. These are the empty cells (s0 = s1 = 0), cells without class-0 weight
 *     (s0 = 0), and, only possible with negative weights, cells with a negative sum in
 *     either class. The last are counted in {@link FitInfo.nNegativeCells}, which the
 *     report turns into a warning: their events were left at the overall normalisation,
 *     a bias wherever the true ratio differs. Make the bins wider, or the sample larger,
 *     until none remains.
 * With positive weights, events the loop reweights fall in cells without class-0 weight
 * only where the training classes do not reach: a miss in a gen cell where no event passes
 * reco (step 1b), a fake in a reco cell holding only fakes (step 2b). They get S1/S0, the
 * overall normalisation, the same as an empty cell. The class totals S0, S1 must be
 * positive (the loop checks them before the fit).
 * Pure arithmetic (no exp/log), sums in event order: bit-identical everywhere.
 */
import type {
  Classifier,
  FitContext,
  FitInfo,
  ModelData,
  RatioClip,
  RatioResult,
  TrainedClassifier,
} from './classifier.js';
import { modelArray, ratioOutput, refuseParticles, restoredInfo } from './classifier.js';
import type { ClassifierInputs, ClassifierKind } from './kind.js';
import { knownKeys } from '../base/checks.js';
import { InputError, NumericalError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';
import { checkEdges } from '../analysis/histogram.js';

/** Plain-data spec of a binned classifier. */
export interface BinnedSpec {
  type: 'binned';
  /** Per-feature strictly increasing bin edges; the grid is their product. */
  edges: number[][];
}

/** Grids larger than this many cells are refused (memory: two f64 per cell). */
export const MAX_BINNED_CELLS = 1 << 24;

/** Throws an InputError unless `edges` is a non-empty list of valid edge lists; `path` names it. */
export function checkBinnedEdges(edges: unknown, path: string): void {
  if (!Array.isArray(edges) || edges.length === 0) {
    throw new InputError(
      `${path} must be a non-empty array of edge arrays (one per feature); got ${Array.isArray(edges) ? 'array of length 0' : (JSON.stringify(edges) ?? 'undefined')}`,
    );
  }
  let nCells = 1;
  edges.forEach((e, k) => {
    if (!Array.isArray(e) && !ArrayBuffer.isView(e))
      throw new InputError(`${path}[${k}] must be an array of numbers; got ${JSON.stringify(e) ?? 'undefined'}`);
    checkEdges(`${path}[${k}]`, e as ArrayLike<number>);
    nCells *= (e as ArrayLike<number>).length + 1;
  });
  if (nCells > MAX_BINNED_CELLS)
    throw new InputError(
      `${path} must give at most ${MAX_BINNED_CELLS} grid cells (with under/overflow); got ${nCells}`,
    );
}

/**
 * Applies the clip guards to a ratio given as f/(1−f)·S1/S0 (see the file header):
 * [ε/(1−ε)·S1/S0, (1−ε)/ε·S1/S0], then [0, wMax]. Returns the clipped value; `clipped`
 * tells whether a bound was hit. Shared by test classifiers that compute exact ratios.
 */
export function clipRatio(ratio: number, scale: number, clip: RatioClip): { value: number; clipped: boolean } {
  const lo = (clip.epsilon / (1 - clip.epsilon)) * scale;
  const hi = clip.epsilon > 0 ? ((1 - clip.epsilon) / clip.epsilon) * scale : Infinity;
  let value = ratio;
  let clipped = false;
  if (value < lo) [value, clipped] = [lo, true];
  else if (value > hi) [value, clipped] = [hi, true];
  if (value > clip.wMax) [value, clipped] = [clip.wMax, true];
  else if (value < 0) [value, clipped] = [0, true];
  return { value, clipped };
}

/** Exact bin-ratio classifier for `{ type: 'binned', edges }`. */
export class BinnedClassifier implements Classifier {
  readonly spec: BinnedSpec;
  private readonly edges: Float64Array[];

  constructor(spec: BinnedSpec) {
    checkBinnedEdges(spec.edges, 'classifier.edges');
    this.edges = spec.edges.map((e) => Float64Array.from(e));
    this.spec = { type: 'binned', edges: spec.edges.map((e) => Array.from(e)) };
  }

  fit(
    x0: FeatureMatrix,
    w0: Float64Array,
    x1: FeatureMatrix,
    w1: Float64Array,
    _context: FitContext,
  ): TrainedClassifier {
    refuseParticles('binned', x0, x1);
    const grid = new Grid(this.edges);
    const s0 = grid.sum(x0, w0, 'class 0');
    const s1 = grid.sum(x1, w1, 'class 1');
    const info: FitInfo = { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0: total(w0), sumW1: total(w1) };
    const nNegativeCells = countNegativeCells(s0, s1);
    if (nNegativeCells > 0) info.nNegativeCells = nNegativeCells;
    for (const [name, s] of [
      ['class 0', info.sumW0],
      ['class 1', info.sumW1],
    ] as const) {
      if (!(s > 0)) throw new NumericalError(`binned classifier ${name} total weight must be positive; got ${s}`);
    }
    return new BinnedModel(grid, s0, s1, info);
  }
}

function total(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return s;
}

/** The product grid: flat cell index of an event. */
class Grid {
  readonly nCells: number;
  private readonly strides: number[];

  constructor(readonly edges: Float64Array[]) {
    this.strides = [];
    let n = 1;
    for (const e of edges) {
      this.strides.push(n);
      n *= e.length + 1;
    }
    this.nCells = n;
  }

  cell(x: Float32Array, offset: number): number {
    let c = 0;
    for (let k = 0; k < this.edges.length; k++) c += slot(this.edges[k], x[offset + k]) * this.strides[k];
    return c;
  }

  /** Σ w per cell, in event order. */
  sum(x: FeatureMatrix, w: Float64Array, name: string): Float64Array {
    this.check(x, name);
    if (w.length !== x.nEvents)
      throw new InputError(
        `binned classifier ${name} weights must have one entry per event; got ${w.length} for ${x.nEvents} events`,
      );
    const s = new Float64Array(this.nCells);
    for (let i = 0; i < x.nEvents; i++) s[this.cell(x.values, i * x.nFeatures)] += w[i];
    return s;
  }

  check(x: FeatureMatrix, name: string): void {
    if (x.nFeatures !== this.edges.length) {
      throw new InputError(
        `binned classifier ${name} must have one feature per edge list (${this.edges.length}); got ${x.nFeatures} features`,
      );
    }
  }
}

/** Slot of x among `edges`: 0 underflow, b for edges[b−1] ≤ x < edges[b], edges.length for overflow and NaN. */
function slot(edges: Float64Array, x: number): number {
  const n = edges.length;
  if (x < edges[0]) return 0;
  if (!(x < edges[n - 1])) return n;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x >= edges[mid]) lo = mid;
    else hi = mid;
  }
  return lo + 1;
}

class BinnedModel implements TrainedClassifier {
  constructor(
    private readonly grid: Grid,
    private readonly s0: Float64Array,
    private readonly s1: Float64Array,
    readonly info: FitInfo,
  ) {}

  ratio(x: FeatureMatrix, clip: RatioClip, into?: Float64Array): RatioResult {
    this.grid.check(x, 'target');
    const scale = this.info.sumW1 / this.info.sumW0;
    const out = ratioOutput(x, into);
    let nClipped = 0;
    for (let i = 0; i < x.nEvents; i++) {
      const c = this.grid.cell(x.values, i * x.nFeatures);
      const r = cellRatio(this.s0[c], this.s1[c], scale, clip);
      out[i] = r.value;
      if (r.clipped) nClipped++;
    }
    return { ratio: out, nClipped };
  }

  /** The grid's edges, the class sums per cell and the class totals. */
  toData(): ModelData {
    return {
      type: 'binned',
      fields: { edges: this.grid.edges.map((e) => Array.from(e)), sumW0: this.info.sumW0, sumW1: this.info.sumW1 },
      arrays: { s0: this.s0.slice(), s1: this.s1.slice() },
    };
  }
}

/** A binned model from the data its `toData()` gave (see {@link BINNED_CLASSIFIER}). */
function restoreBinned(data: ModelData, path: string): TrainedClassifier {
  checkBinnedEdges(data.fields.edges, `${path}.fields.edges`);
  const grid = new Grid((data.fields.edges as number[][]).map((e) => Float64Array.from(e)));
  const info = restoredInfo(data, path);
  const s0 = modelArray(data, path, 's0', Float64Array, grid.nCells);
  const s1 = modelArray(data, path, 's1', Float64Array, grid.nCells);
  return new BinnedModel(grid, s0, s1, info);
}

/** The ratio of one cell, by the rule of the file header. */
function cellRatio(s0: number, s1: number, scale: number, clip: RatioClip): { value: number; clipped: boolean } {
  if (s0 > 0 && s1 >= 0) return clipRatio(s1 / s0, scale, clip);
  return clipRatio(scale, scale, clip);
}

/** Cells with a negative summed weight in either class (see the file header). */
function countNegativeCells(s0: Float64Array, s1: Float64Array): number {
  let n = 0;
  for (let c = 0; c < s0.length; c++) if (s0[c] < 0 || s1[c] < 0) n++;
  return n;
}

/**
 * The binned classifier's entry in the classifier registry. It has no flags of its own:
 * `omnifold unfold --classifier binned` takes each gen feature's edges from `--bins` (by
 * its gen column name, else its reco column name), one grid serving both levels.
 */
export const BINNED_CLASSIFIER: ClassifierKind<BinnedSpec> = Object.freeze({
  type: 'binned',
  check(path: string, spec: Readonly<Record<string, unknown>>): BinnedSpec {
    knownKeys(path, spec, ['type', 'edges']);
    checkBinnedEdges(spec.edges, `${path}.edges`);
    return { type: 'binned', edges: (spec.edges as ArrayLike<number>[]).map((e) => Array.from(e)) };
  },
  create: (spec: BinnedSpec) => new BinnedClassifier(spec),
  restore: restoreBinned,
  runLocalOptions: Object.freeze([]),
  flags: Object.freeze([]),
  cliSpec(_options: Readonly<Record<string, unknown>>, inputs: ClassifierInputs): BinnedSpec {
    const { genNames, recoNames, bins } = inputs;
    if (genNames.length !== recoNames.length) {
      throw new InputError(
        `--classifier binned must have as many --gen as --reco columns (one grid serves both levels); got ${genNames.length} and ${recoNames.length}`,
      );
    }
    const edges = genNames.map((name, f) => bins[name] ?? bins[recoNames[f]]);
    const missing = genNames.filter((_, f) => edges[f] === undefined);
    if (missing.length > 0)
      throw new InputError(
        `--bins must give edges for every --gen column with --classifier binned; got none for ${missing.join(', ')}`,
      );
    return { type: 'binned', edges };
  },
});
