/**
 * Training one PFN: the seeded split and per-epoch order (the MLP's EventOrder), the
 * standardisers of the training events, seeded initialisation, minibatch Adam on weighted
 * binary cross-entropy (each minibatch in pfn.gradientBlocks blocks of events, summed in
 * order, in wasm: ./block_step.ts and src/kernels/pfn_workspace.ts; helper threads of the
 * fit's gang may compute some blocks), a validation loss per epoch, and early stopping
 * that keeps the best epoch's parameters. The same `rngKey` gives bit-identical
 * parameters on any machine and for any number of threads.
 */
import { NumericalError } from '../../base/errors.js';
import type { FeatureMatrix } from '../../base/features.js';
import { RandomStream } from '../../base/rng.js';
import { AdamState } from '../../kernels/adam_step_f32.js';
import { cosineScheduleF64 } from '../../kernels/cosine_schedule_f64.js';
import { DecorrelationPenalty } from '../../kernels/distance_corr_f64.js';
import { PfnWorkspace } from '../../kernels/pfn_workspace.js';
import { kernels } from '../../kernels/wasm.js';
import type { FitContext, FitInfo } from '../classifier.js';
import { EventOrder } from '../mlp/event_order.js';
import type { PfnOptions, PfnSpec } from './options.js';
import { BatchGatherer, measureColumns, type PfnStandardisers } from './particles.js';
import { PfnBlockedStep } from './block_step.js';
import { pfnGangShape, PfnGangViews, recordedPfnShape, sameShape } from './gang.js';
import { TrainedPfn } from './trained.js';

/** Both classes as one index space: i < n0 is class 0 event i, else class 1 event i − n0. */
export interface PfnEvents {
  x0: FeatureMatrix;
  x1: FeatureMatrix;
  w0: Float64Array;
  w1: Float64Array;
  /** With a decorrelation penalty (`decorrelate`, `discoLambda` > 0): the variable v of each class's events. */
  v0?: Float32Array;
  v1?: Float32Array;
}

/** Trains one PFN on both classes (totals checked positive by the caller); owns the arena from its mark for the duration. */
export function trainPfn(spec: PfnSpec, ev: PfnEvents, sumW0: number, sumW1: number, context: FitContext): TrainedPfn {
  const { x0, x1, w0, w1, v0, v1 } = ev;
  const n0 = x0.nEvents;
  const n = n0 + x1.nEvents;
  // the network's widths, and the most particles of a minibatch and of a block
  const shape = pfnGangShape(spec, x0, x1);
  const { phiDims, fDims } = shape;
  // training weights: each class rescaled to total n/2 (mean weight ≈ 1), as the MLP
  const c0 = n / 2 / sumW0;
  const c1 = n / 2 / sumW1;
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const key = context.rngKey;
    const batch = spec.batchSize;
    const order = new EventOrder(
      n,
      spec.validationFraction,
      new RandomStream(key, 'shuffle'),
      new RandomStream(key, 'split'),
      arena,
      batch,
    );
    const std = measureStandardisers(ev, order, arena);
    const ws = new PfnWorkspace(arena, phiDims, fDims, batch, shape.batchParticles, true);
    initialise(ws.params(), phiDims, fDims, spec.init, new RandomStream(key, 'init'));
    const gatherer = new BatchGatherer(arena, ws, std);
    const matrix = (e: number) => (e < n0 ? x0 : x1);
    const row = (e: number) => (e < n0 ? e : e - n0);
    const label = (e: number) => (e < n0 ? { y: 0, w: c0 * w0[e] } : { y: 1, w: c1 * w1[e - n0] });
    const load = (count: number): number => {
      const index = order.indices();
      return gatherer.gather(
        count,
        (r) => matrix(index[r]),
        (r) => row(index[r]),
        (r) => label(index[r]),
      );
    };
    // the decorrelation penalty (docs/algorithm.md "Decorrelation"); λ = 0 trains exactly as without it
    const lambda = spec.discoLambda ?? 0;
    const penalty =
      v0 !== undefined && v1 !== undefined && lambda > 0
        ? new DecorrelationPenalty(arena, batch, lambda, spec.discoClass)
        : undefined;
    /** λ·dCorr² of the minibatch whose logits the workspace holds, weighted as trained; leaves each row's gradient. */
    const minibatchPenalty = (count: number, withGradient: boolean): number => {
      const index = order.indices();
      penalty!.logits(count).set(ws.logits(count));
      const v = penalty!.variable(count);
      const weights = penalty!.weights(count);
      const labels = penalty!.labels(count);
      const pooled = penalty!.classes === 'pooled';
      for (let r = 0; r < count; r++) {
        const e = index[r];
        v[r] = e < n0 ? v0![e] : v1![e - n0];
        weights[r] = label(e).w;
        if (!pooled) labels[r] = e < n0 ? 0 : 1;
      }
      return lambda * penalty!.compute(count, withGradient);
    };
    // helper threads share the fit through its gang when it was made for these inputs
    const recorded = context.gang !== undefined ? recordedPfnShape(spec, context.gang) : undefined;
    const gang =
      recorded !== undefined && sameShape(recorded, shape) ? new PfnGangViews(context.gang!, shape) : undefined;
    const stepper = new PfnBlockedStep(ws, arena, spec.gradientBlocks, gang);
    const best = ws.params().slice();
    let bestLoss = Infinity;
    let bestEpoch = 0;
    let epochs = 0;
    const adam = new AdamState(spec);
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      adam.lr = spec.learningRate * (spec.schedule === 'cosine' ? cosineScheduleF64(epoch, spec.epochs) : 1);
      if (epoch > 0) order.nextEpoch();
      let trainLoss = 0;
      for (let start = 0; start < order.nTrain; start += batch) {
        const count = Math.min(batch, order.nTrain - start);
        order.training(start, count);
        const nParticles = load(count);
        if (penalty !== undefined) {
          stepper.forward(count, nParticles);
          trainLoss += count * minibatchPenalty(count, true);
        }
        trainLoss += stepper.step(count, nParticles, 1 / count, penalty?.gradPtr ?? 0, adam.next());
      }
      let valLoss = 0;
      for (let start = 0; start < order.nVal; start += batch) {
        const count = Math.min(batch, order.nVal - start);
        order.validation(start, count);
        stepper.forward(count, load(count));
        valLoss = ws.lossOfLogits(count, valLoss);
        if (penalty !== undefined) valLoss += count * minibatchPenalty(count, false);
      }
      epochs = epoch + 1;
      const validationLoss = order.nVal > 0 ? valLoss / order.nVal : NaN;
      context.onEpoch?.({ epoch: epochs, trainLoss: trainLoss / order.nTrain, validationLoss });
      if (validationLoss < bestLoss) {
        bestLoss = validationLoss;
        bestEpoch = epochs;
        best.set(ws.params());
      } else if (spec.patience > 0 && order.nVal > 0 && epochs - bestEpoch >= spec.patience) {
        break;
      }
    }
    const params = bestEpoch > 0 ? best : ws.params().slice();
    const bad = params.findIndex((p) => !Number.isFinite(p));
    if (bad >= 0)
      throw new NumericalError(
        `pfn.fit: parameters must be finite after training; got ${params[bad]} at parameter ${bad} ` +
          `after ${epochs} epochs (learningRate ${spec.learningRate}: try a smaller one)`,
      );
    const info: FitInfo = {
      epochs,
      bestEpoch,
      validationLoss: bestEpoch > 0 ? bestLoss : NaN,
      sumW0,
      sumW1,
    };
    return new TrainedPfn(info, phiDims, fDims, params, std, stepper.helpers);
  } finally {
    arena.release(mark);
  }
}

/**
 * The standardisers of a fit: mean and standard deviation (unweighted, f64, a fixed order:
 * class 0 then class 1, events ascending, particles in their order) of every particle
 * feature over the training events' particles and of every event feature over the training
 * events; validation events are skipped by the order's bitmap.
 */
function measureStandardisers(
  ev: PfnEvents,
  order: EventOrder,
  arena: ReturnType<typeof kernels>['arena'],
): PfnStandardisers {
  const { x0, x1 } = ev;
  const n0 = x0.nEvents;
  const n = n0 + x1.nEvents;
  const words = Math.ceil(n / 32);
  const mark = arena.mark();
  let held: Uint32Array;
  try {
    const maskPtr = arena.allocU32(Math.max(words, 1));
    order.markValidation(maskPtr, words);
    held = arena.u32(maskPtr, words).slice();
  } finally {
    arena.release(mark);
  }
  const training = (e: number) => (held[e >>> 5] & (1 << (e & 31))) === 0;
  const nP = x0.particles!.nFeatures;
  const particle = measureColumns(nP, (visit) => {
    [x0, x1].forEach((x, c) => {
      const { offsets, values } = x.particles!;
      for (let i = 0; i < x.nEvents; i++) {
        if (!training(c * n0 + i)) continue;
        for (let p = offsets[i]; p < offsets[i + 1]; p++) visit(values, p);
      }
    });
  });
  const event = measureColumns(x0.nFeatures, (visit) => {
    [x0, x1].forEach((x, c) => {
      for (let i = 0; i < x.nEvents; i++) if (training(c * n0 + i)) visit(x.values, i);
    });
  });
  return { particle, event };
}

/**
 * Initial parameters from the `init` stream, in parameter order (Φ's layers, then F's).
 * `he`: He-uniform weights for the ReLU layers (every Φ layer, F's hidden layers),
 * Glorot-uniform for the logit layer, zero biases. `torch`: every weight and bias uniform
 * in ±1/√fan_in (PyTorch's nn.Linear default).
 */
function initialise(
  params: Float32Array,
  phiDims: readonly number[],
  fDims: readonly number[],
  init: PfnOptions['init'],
  rng: RandomStream,
): void {
  let off = 0;
  for (const [dims, lastRelu] of [
    [phiDims, true],
    [fDims, false],
  ] as const) {
    for (let l = 0; l + 1 < dims.length; l++) {
      const fanIn = dims[l];
      const fanOut = dims[l + 1];
      const relu = lastRelu || l + 2 < dims.length;
      const torch = init === 'torch';
      const bound = torch ? 1 / Math.sqrt(fanIn) : relu ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      for (let k = 0; k < fanIn * fanOut; k++) params[off++] = (2 * rng.nextDouble() - 1) * bound;
      for (let j = 0; j < fanOut; j++) params[off++] = torch ? (2 * rng.nextDouble() - 1) * bound : 0;
    }
  }
}
