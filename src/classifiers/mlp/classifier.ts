/**
 * MlpClassifier: a multilayer perceptron (hidden layers with ReLU, SiLU or GELU, one logit
 * out) trained with minibatch Adam on weighted binary cross-entropy, entirely in the wasm
 * kernels. A fit's events are copied once into wasm memory and standardised there
 * (asm/standardise_rows_f32.ts) when they fit in mlp.residentMiB, and each minibatch is
 * gathered from them in wasm (asm/gather_rows_f32.ts); larger fits gather each minibatch
 * from the caller's arrays and standardise it in place. Each minibatch is trained by ONE
 * fused call, asm/mlp_train_step_f32.ts; validation and prediction run in fixed-size chunks.
 * Single-threaded inside one fit, and deterministic: the same `rngKey` gives bit-identical
 * parameters and ratios on any machine.
 */
import type { Activation, Classifier, FitContext, FitInfo, MlpOptions, RatioClip, RatioResult, TrainedClassifier } from '../classifier.js';
import { ratioOutput } from '../classifier.js';
import { MLP_DEFAULTS } from '../../algorithm/defaults.js';
import { checkMlpOptions } from './options.js';
import { InputError, NumericalError, describeValue } from '../../base/errors.js';
import type { FeatureMatrix } from '../../base/features.js';
import { RandomPermutation, RandomStream } from '../../base/rng.js';
import { checkAdam, type AdamScalars } from '../../kernels/adam_step_f32.js';
import { bceLossF32InWasm } from '../../kernels/bce_loss_f32.js';
import { cosineScheduleF64 } from '../../kernels/cosine_schedule_f64.js';
import { checkRatioClip, likelihoodRatioF32InWasm } from '../../kernels/likelihood_ratio_f32.js';
import { mlpForwardF32 } from '../../kernels/mlp_forward_f32.js';
import { mlpTrainStepF32 } from '../../kernels/mlp_train_step_f32.js';
import { MLP_ROW_CHUNK, MlpWorkspace } from '../../kernels/mlp_workspace.js';
import { checkStandardise, standardiseRowsF32InWasm } from '../../kernels/standardise_rows_f32.js';
import { WasmPermutation } from '../../kernels/permute_u32.js';
import { gatherRowsF32InWasm } from '../../kernels/gather_rows_f32.js';
import { momentsRowsF32InWasm } from '../../kernels/moments_rows_f32.js';
import { kernels, type Arena } from '../../kernels/wasm.js';



/** Plain-data spec of an MLP classifier with every option resolved. */
export type MlpSpec = { type: 'mlp' } & MlpOptions;

/**
 * An MLP classifier type; `fit` trains one network. Options default to {@link MLP_DEFAULTS}
 * (3×50 ReLU, 30 epochs, batches of 256, Adam 1e-3, 20 % validation, patience 5).
 * Features are standardised inside the model (location and scale of the training sample),
 * so they can be given in natural units; weights may be negative, each class total must be
 * positive, and the ratio carries S1/S0.
 *
 * @example
 * const mlp = new MlpClassifier({ hidden: [32, 32], epochs: 8 });
 * const model = mlp.fit(x0, w0, x1, w1, { rngKey });   // x: FeatureMatrix, w: Float64Array
 * model.ratio(x, { epsilon: 1e-6, wMax: 100 });
 * // → { ratio: Float64Array [nEvents] ≈ p1(x)/p0(x)·S1/S0, nClipped: 0 }
 */
export class MlpClassifier implements Classifier {
  readonly spec: MlpSpec;

  /** @param options overrides of {@link MLP_DEFAULTS}; validated here (InputError). */
  constructor(options: Partial<MlpOptions> = {}) {
    const resolved = resolveMlpOptions(options);
    this.spec = { type: 'mlp', ...resolved };
  }

  fit(x0: FeatureMatrix, w0: Float64Array, x1: FeatureMatrix, w1: Float64Array, context: FitContext): TrainedClassifier {
    const sumW0 = checkClass('class 0', x0, w0);
    const sumW1 = checkClass('class 1', x1, w1);
    if (x0.nFeatures !== x1.nFeatures) {
      throw new InputError(`mlp.fit: both classes must have the same number of features; got ${x0.nFeatures} and ${x1.nFeatures}`);
    }
    return new MlpFit(this.spec, x0, w0, x1, w1, sumW0, sumW1, context).run();
  }
}

/** Validates and resolves MLP options against the defaults (the rules of src/classifiers/mlp/options.ts). */
export function resolveMlpOptions(options: Partial<MlpOptions>): MlpOptions {
  if (options === null || typeof options !== 'object') throw new InputError(`mlp options must be an object; got ${describeValue(options)}`);
  return { ...MLP_DEFAULTS, ...checkMlpOptions('mlp', { ...MLP_DEFAULTS, ...options }) } as MlpOptions;
}

/** Checks one class's shapes and weights; returns its total weight S. */
function checkClass(name: string, x: FeatureMatrix, w: Float64Array): number {
  if (w.length !== x.nEvents) throw new InputError(`mlp.fit: ${name} weights must have one entry per event; got ${w.length} for ${x.nEvents} events`);
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new InputError(`mlp.fit: ${name} weights must be finite; got ${w[i]} at event ${i}`);
    sum += w[i];
  }
  if (!(sum > 0)) throw new InputError(`mlp.fit: ${name} total weight must be positive; got ${sum}`);
  const v = x.values;
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) {
      const event = Math.floor(k / x.nFeatures);
      throw new InputError(`mlp.fit: ${name} features must be finite; got ${v[k]} at event ${event}, feature ${k - event * x.nFeatures}`);
    }
  }
  return sum;
}

/** Per-feature location and scale of the training sample (f64, event order), stored with the model. */
interface Standardiser {
  mean: Float64Array;
  scale: Float64Array;
}

/** Rows of the two classes as one index space: i < n0 is class 0 row i, else class 1 row i − n0. */
class Events {
  readonly n: number;
  readonly nFeatures: number;
  constructor(readonly x0: FeatureMatrix, readonly x1: FeatureMatrix, readonly w0: Float64Array, readonly w1: Float64Array) {
    this.n = x0.nEvents + x1.nEvents;
    this.nFeatures = x0.nFeatures;
  }
}

/**
 * The standardisation in wasm memory: mean and scale (f64 [nFeatures]) copied into the
 * arena (freed with the caller's mark), applied in place by asm/standardise_rows_f32.ts
 * to rows copied raw into the workspace.
 */
class WasmStandardiser {
  private readonly meanPtr: number;
  private readonly scalePtr: number;

  constructor(arena: Arena, st: Standardiser) {
    const nf = st.mean.length;
    checkStandardise(0, nf, st.mean, st.scale);
    this.meanPtr = arena.allocF64(nf);
    this.scalePtr = arena.allocF64(nf);
    arena.f64(this.meanPtr, nf).set(st.mean);
    arena.f64(this.scalePtr, nf).set(st.scale);
  }

  /** x = f32((f64(x) − mean[f]) / scale[f]) for `nRows` rows of `nFeatures` at `xPtr`. */
  apply(xPtr: number, nRows: number, nFeatures: number): void {
    standardiseRowsF32InWasm(xPtr, nRows, nFeatures, this.meanPtr, this.scalePtr);
  }
}

/**
 * The order in which a fit visits its events, without any [n] array: event positions
 * 0..n−1 of a keyed permutation (`split`); the first nVal positions validate, in that
 * order, and each epoch visits the training positions in the order of a fresh permutation
 * of [0, nTrain). The order itself takes no memory per event (beyond the n/8-byte
 * validation bitmap of the standardisation pass); a worker's memory grows with the data
 * only through resident events, up to mlp.residentMiB.
 */
class EventOrder {
  readonly nVal: number;
  readonly nTrain: number;
  private readonly epochOrder: RandomPermutation;
  // both permutations in wasm (asm/permute_u32.ts: the same integers as
  // RandomPermutation.at, about twice as fast) and a block of `rows` event indices
  private readonly wasmSplit: WasmPermutation;
  private readonly wasmEpoch: WasmPermutation;
  readonly indexPtr: number;
  private index: Uint32Array;

  constructor(
    n: number, validationFraction: number, private readonly shuffle: RandomStream, split: RandomStream,
    private readonly arena: Arena, private readonly rows: number,
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

/** One training run; owns the wasm workspace for its duration. */
class MlpFit {
  private readonly events: Events;
  private readonly dims: number[];

  constructor(
    private readonly spec: MlpSpec,
    x0: FeatureMatrix, w0: Float64Array, x1: FeatureMatrix, w1: Float64Array,
    private readonly sumW0: number, private readonly sumW1: number,
    private readonly context: FitContext,
  ) {
    this.events = new Events(x0, x1, w0, w1);
    this.dims = [x0.nFeatures, ...spec.hidden, 1];
  }

  run(): TrainedMlp {
    const { spec, events } = this;
    const n = events.n;
    // training weights: each class rescaled to total n/2 (mean weight ≈ 1)
    const c0 = n / 2 / this.sumW0;
    const c1 = n / 2 / this.sumW1;
    // rows per train step, and per validation chunk (MLP_ROW_CHUNK whatever the batch size)
    const rows = Math.max(spec.batchSize, MLP_ROW_CHUNK);

    const { arena } = kernels();
    const mark = arena.mark();
    try {
      // seeded split and per-epoch orders: the constructor draws the first epoch's, nextEpoch() each later one
      const key = this.context.rngKey;
      const order = new EventOrder(n, spec.validationFraction, new RandomStream(key, 'shuffle'), new RandomStream(key, 'split'), arena, rows);
      const { nVal, nTrain } = order;
      // within the budget, the events' raw rows are copied into wasm memory once (0: not)
      const rowsPtr = residentBytes(events) <= spec.residentMiB * MIB ? residentRows(arena, events) : 0;
      const st = standardiser(events, order, arena, rowsPtr);
      const ws = new MlpWorkspace(arena, this.dims, spec.activation, rows, true);
      initialise(ws.params, this.dims, spec.activation, new RandomStream(this.context.rngKey, 'init'));
      const standardise = new WasmStandardiser(arena, st);
      const gather: RowGatherer = rowsPtr !== 0
        ? new ResidentGatherer(arena, events, rowsPtr, standardise, ws, order, c0, c1)
        : new SharedGatherer(events, standardise, ws, order, c0, c1);
      const best = ws.params.slice();
      let bestLoss = Infinity;
      let bestEpoch = 0;
      let epochsRun = 0;
      const adam = new AdamState(spec);
      for (let epoch = 0; epoch < spec.epochs; epoch++) {
        adam.lr = spec.learningRate * (spec.schedule === 'cosine' ? cosineScheduleF64(epoch, spec.epochs) : 1);
        if (epoch > 0) order.nextEpoch();
        const trainLoss = this.trainEpoch(ws, gather, order, adam);
        epochsRun = epoch + 1;
        const validationLoss = nVal > 0 ? evaluateLoss(ws, gather, order) / nVal : NaN;
        this.context.onEpoch?.({ epoch: epoch + 1, trainLoss: trainLoss / nTrain, validationLoss });
        if (validationLoss < bestLoss) {
          bestLoss = validationLoss;
          bestEpoch = epoch + 1;
          best.set(ws.params);
        } else if (spec.patience > 0 && nVal > 0 && epoch + 1 - bestEpoch >= spec.patience) {
          break;
        }
      }
      // early stopping restores the best epoch's parameters; without validation, the last ones
      const params = bestEpoch > 0 ? best : ws.params.slice();
      // a diverged fit is an error, not a model: the zero-skipping ReLU products would let a
      // non-finite weight behind a unit that is off for every event go unseen in the ratios
      const bad = params.findIndex((p) => !Number.isFinite(p));
      if (bad >= 0) {
        throw new NumericalError(`mlp.fit: parameters must be finite after training; got ${params[bad]} at parameter ${bad} after ${epochsRun} epochs (learningRate ${spec.learningRate}: try a smaller one)`);
      }
      const info: FitInfo = { epochs: epochsRun, bestEpoch, validationLoss: bestEpoch > 0 ? bestLoss : NaN, sumW0: this.sumW0, sumW1: this.sumW1 };
      return new TrainedMlp(info, this.dims, spec.activation, params, st);
    } finally {
      arena.release(mark);
    }
  }

  /** One pass over this epoch's training order in minibatches, one fused wasm step each; returns Σ w·loss. */
  private trainEpoch(ws: MlpWorkspace, gather: RowGatherer, order: EventOrder, adam: AdamState): number {
    const batchSize = this.spec.batchSize;
    let loss = 0;
    for (let start = 0; start < order.nTrain; start += batchSize) {
      const nb = Math.min(batchSize, order.nTrain - start);
      order.training(start, nb);
      gather.rows(nb);
      loss += mlpTrainStepF32(ws, nb, 1 / nb, adam.next());
    }
    return loss;
  }
}

/**
 * Adam's scalars across steps: β^t kept as running products (deterministic arithmetic,
 * no pow), so bc = 1 − β^t is the same on every engine.
 */
class AdamState implements AdamScalars {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  bc1 = 1;
  bc2 = 1;
  private pow1 = 1;
  private pow2 = 1;

  constructor(spec: MlpOptions) {
    this.lr = spec.learningRate;
    this.beta1 = spec.beta1;
    this.beta2 = spec.beta2;
    this.eps = spec.adamEpsilon;
    checkAdam({ ...this, bc1: 1 - spec.beta1, bc2: 1 - spec.beta2 });
  }

  /** Advances to the next step t and returns the scalars for it. */
  next(): this {
    this.pow1 *= this.beta1;
    this.pow2 *= this.beta2;
    this.bc1 = 1 - this.pow1;
    this.bc2 = 1 - this.pow2;
    return this;
  }
}

/** Fills workspace rows 0..count−1 (features, labels, training weights) with the events listed in the EventOrder's index block. */
interface RowGatherer {
  rows(count: number): void;
}

const MIB = 1024 * 1024;

/** Bytes of wasm memory a fit's events take when resident: f32 features and an f64 weight per event. */
function residentBytes(ev: Events): number {
  return ev.n * (4 * ev.nFeatures + 8);
}

/**
 * Gathers from the caller's arrays (SharedArrayBuffer views in a pool worker, never
 * copied): raw f32 rows, labels and weights in JS, then the standardisation in place in
 * wasm. For fits over the mlp.residentMiB budget.
 */
class SharedGatherer implements RowGatherer {
  private readonly nf: number;
  private readonly n0: number;
  private readonly v0: Float32Array;
  private readonly v1: Float32Array;
  private readonly w0: Float64Array;
  private readonly w1: Float64Array;

  constructor(
    ev: Events, private readonly st: WasmStandardiser, private readonly ws: MlpWorkspace, private readonly order: EventOrder,
    private readonly c0: number, private readonly c1: number,
  ) {
    this.nf = ev.nFeatures;
    this.n0 = ev.x0.nEvents;
    this.v0 = ev.x0.values;
    this.v1 = ev.x1.values;
    this.w0 = ev.w0;
    this.w1 = ev.w1;
  }

  rows(count: number): void {
    const ws = this.ws;
    // views re-derived per call (cheap unless memory grew, e.g. a fill inside onEpoch)
    const index = this.order.indices();
    const x = ws.x;
    const y = ws.y;
    const w = ws.w;
    const { nf, n0, v0, v1, w0, w1, c0, c1 } = this;
    for (let r = 0; r < count; r++) {
      const i = index[r];
      const dst = r * nf;
      if (i < n0) {
        const src = i * nf;
        for (let f = 0; f < nf; f++) x[dst + f] = v0[src + f];
        y[r] = 0;
        w[r] = w0[i] * c0;
      } else {
        const row = i - n0;
        const src = row * nf;
        for (let f = 0; f < nf; f++) x[dst + f] = v1[src + f];
        y[r] = 1;
        w[r] = w1[row] * c1;
      }
    }
    this.st.apply(ws.xPtr, count, nf);
  }
}

/** Copies both classes' raw rows into wasm memory (freed with the fit's arena mark); returns their pointer. */
function residentRows(arena: Arena, ev: Events): number {
  const nf = ev.nFeatures;
  const n0 = ev.x0.nEvents;
  const rowsPtr = arena.allocF32(Math.max(ev.n * nf, 1));
  const rows = arena.f32(rowsPtr, ev.n * nf);
  rows.set(ev.x0.values.subarray(0, n0 * nf), 0);
  rows.set(ev.x1.values.subarray(0, (ev.n - n0) * nf), n0 * nf);
  return rowsPtr;
}

/**
 * Gathers from the events' rows resident in wasm memory ({@link residentRows}),
 * standardised there in place once, with the training weights c·w beside them: each
 * minibatch is one wasm call, asm/gather_rows_f32.ts. The same bits as
 * {@link SharedGatherer}: the same standardisation of each element and the same f64
 * products, done once per fit instead of once per visit.
 */
class ResidentGatherer implements RowGatherer {
  private readonly nf: number;
  private readonly n0: number;
  private readonly weightsPtr: number;

  constructor(
    arena: Arena, ev: Events, private readonly rowsPtr: number, st: WasmStandardiser,
    private readonly ws: MlpWorkspace, private readonly order: EventOrder, c0: number, c1: number,
  ) {
    const nf = ev.nFeatures;
    const n0 = ev.x0.nEvents;
    this.nf = nf;
    this.n0 = n0;
    st.apply(rowsPtr, ev.n, nf);
    this.weightsPtr = arena.allocF64(ev.n);
    const weights = arena.f64(this.weightsPtr, ev.n);
    for (let i = 0; i < n0; i++) weights[i] = ev.w0[i] * c0;
    for (let i = n0; i < ev.n; i++) weights[i] = ev.w1[i - n0] * c1;
  }

  rows(count: number): void {
    const ws = this.ws;
    gatherRowsF32InWasm(this.rowsPtr, this.nf, this.weightsPtr, this.n0, this.order.indexPtr, count, ws.xPtr, ws.yPtr, ws.wPtr);
  }
}

/** Σ w·loss over the validation events in their order (one running sum through the chunks of rows). */
function evaluateLoss(ws: MlpWorkspace, gather: RowGatherer, order: EventOrder): number {
  let sum = 0;
  for (let start = 0; start < order.nVal; start += ws.maxRows) {
    const nb = Math.min(ws.maxRows, order.nVal - start);
    order.validation(start, nb);
    gather.rows(nb);
    const logits = mlpForwardF32(ws, nb);
    sum = bceLossF32InWasm(logits, ws.yPtr, ws.wPtr, nb, 1, 0, sum);
  }
  return sum;
}

/** Rows per block when the standardisation pass copies the caller's rows into wasm memory. */
const MOMENTS_BLOCK = 4096;

/**
 * Mean and standard deviation of each feature over the training events (unweighted), in
 * one Welford pass in ascending event order (class 0 first, each class in row order) in
 * wasm (asm/moments_rows_f32.ts), skipping the validation events by their bitmap
 * (EventOrder.markValidation). It reads the resident rows at `rowsPtr`, or (rowsPtr = 0)
 * the caller's rows copied in blocks: the same sums either way.
 */
function standardiser(ev: Events, order: EventOrder, arena: Arena, rowsPtr: number): Standardiser {
  const nf = ev.nFeatures;
  const words = Math.ceil(ev.n / 32);
  const maskPtr = arena.allocU32(words);
  const meanPtr = arena.allocF64(nf);
  const m2Ptr = arena.allocF64(nf);
  order.markValidation(maskPtr, words);
  arena.f64(meanPtr, nf).fill(0);
  arena.f64(m2Ptr, nf).fill(0);
  let count = 0;
  if (rowsPtr !== 0) {
    count = momentsRowsF32InWasm(rowsPtr, ev.n, nf, maskPtr, 0, meanPtr, m2Ptr, 0);
  } else {
    const block = Math.min(ev.n, MOMENTS_BLOCK);
    const scratch = arena.allocF32(Math.max(block * nf, 1));
    const classes: [Float32Array, number, number][] = [[ev.x0.values, 0, ev.x0.nEvents], [ev.x1.values, ev.x0.nEvents, ev.x1.nEvents]];
    for (const [v, firstEvent, rows] of classes) {
      for (let r0 = 0; r0 < rows; r0 += block) {
        const nr = Math.min(block, rows - r0);
        arena.f32(scratch, nr * nf).set(v.subarray(r0 * nf, (r0 + nr) * nf));
        count = momentsRowsF32InWasm(scratch, nr, nf, maskPtr, firstEvent + r0, meanPtr, m2Ptr, count);
      }
    }
  }
  const mean = arena.f64(meanPtr, nf).slice();
  const scale = arena.f64(m2Ptr, nf).slice(); // Σ (x − mean)², then the standard deviation
  for (let f = 0; f < nf; f++) {
    const sd = Math.sqrt(scale[f] / Math.max(count, 1)); // IEEE sqrt: correctly rounded everywhere
    scale[f] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { mean, scale };
}

/**
 * He-uniform (ReLU) or Glorot-uniform (SiLU, GELU, and the logit layer) weights, zero
 * biases; bounds from IEEE sqrt, draws from the `init` stream in parameter order.
 */
function initialise(params: Float32Array, dims: readonly number[], activation: Activation, rng: RandomStream): void {
  let off = 0;
  const L = dims.length - 1;
  for (let l = 0; l < L; l++) {
    const fanIn = dims[l];
    const fanOut = dims[l + 1];
    const he = activation === 'relu' && l < L - 1;
    const bound = he ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    for (let k = 0; k < fanIn * fanOut; k++) params[off++] = (2 * rng.nextDouble() - 1) * bound;
    for (let j = 0; j < fanOut; j++) params[off++] = 0;
  }
}

/** A trained MLP: parameters and standardisation kept in JS, evaluated in wasm chunk by chunk. */
export class TrainedMlp implements TrainedClassifier {
  constructor(
    readonly info: FitInfo,
    readonly dims: readonly number[],
    readonly activation: Activation,
    /** f32 [nParams], layout of asm/mlp_layout.ts. */
    readonly params: Float32Array,
    readonly standardisation: Readonly<Standardiser>,
  ) {}

  ratio(x: FeatureMatrix, clip: RatioClip, into?: Float64Array): RatioResult {
    if (x.nFeatures !== this.dims[0]) throw new InputError(`mlp.ratio: events must have ${this.dims[0]} features; got ${x.nFeatures}`);
    const s10 = this.info.sumW1 / this.info.sumW0;
    checkRatioClip(clip, s10);
    const out = ratioOutput(x, into);
    let nClipped = 0;
    const { arena } = kernels();
    const mark = arena.mark();
    try {
      const ws = new MlpWorkspace(arena, this.dims, this.activation, Math.min(MLP_ROW_CHUNK, Math.max(x.nEvents, 1)), false);
      ws.params.set(this.params);
      const st = new WasmStandardiser(arena, this.standardisation);
      const nf = x.nFeatures;
      for (let start = 0; start < x.nEvents; start += ws.maxRows) {
        const nb = Math.min(ws.maxRows, x.nEvents - start);
        ws.x.set(x.values.subarray(start * nf, (start + nb) * nf));
        st.apply(ws.xPtr, nb, nf);
        const logits = mlpForwardF32(ws, nb);
        nClipped += likelihoodRatioF32InWasm(logits, nb, clip, s10, ws.ratioPtr);
        out.set(ws.ratio.subarray(0, nb), start);
      }
    } finally {
      arena.release(mark);
    }
    return { ratio: out, nClipped };
  }
}
