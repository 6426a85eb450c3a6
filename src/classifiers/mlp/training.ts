/**
 * Training one MLP: seeded initialisation, minibatch Adam on weighted binary cross-entropy
 * (plus λ·dCorr² with mlp.decorrelate; each minibatch in mlp.gradientBlocks blocks, summed
 * in order: ./block_step.ts; helper threads of the fit's gang may compute some blocks), a
 * validation loss per epoch, and early stopping that keeps the best epoch's parameters.
 */
import { NumericalError } from '../../base/errors.js';
import { RandomStream } from '../../base/rng.js';
import type { Activation } from '../../kernels/activation.js';
import { AdamState } from '../../kernels/adam_step_f32.js';
import { cosineScheduleF64 } from '../../kernels/cosine_schedule_f64.js';
import { MLP_ROW_CHUNK, MlpWorkspace } from '../../kernels/mlp_workspace.js';
import { kernels } from '../../kernels/wasm.js';
import type { FitContext, FitInfo } from '../classifier.js';
import { BlockedStep, helpBlockedFit, mlpGangShape } from './block_step.js';
import { EventOrder } from './event_order.js';
import { GangViews, mlpGangFeatures } from './gang.js';
import type { Events } from './events.js';
import { fitsResident, ResidentGatherer, residentRows, SharedGatherer, type RowGatherer } from './gather.js';
import type { MlpOptions, MlpSpec } from './options.js';
import { loadStandardiser, measureStandardiser } from './standardiser.js';
import { TrainedMlp } from './trained.js';

/**
 * Trains one network on `events` (class totals `sumW0`, `sumW1`, checked positive by the
 * caller); owns the thread's wasm arena from its mark for the duration.
 */
export function trainMlp(spec: MlpSpec, events: Events, sumW0: number, sumW1: number, context: FitContext): TrainedMlp {
  const dims = [events.nFeatures, ...spec.hidden, 1];
  const n = events.n;
  // training weights: each class rescaled to total n/2 (mean weight ≈ 1)
  const c0 = n / 2 / sumW0;
  const c1 = n / 2 / sumW1;
  // rows per train step, and per validation chunk (MLP_ROW_CHUNK whatever the batch size)
  const rows = Math.max(spec.batchSize, MLP_ROW_CHUNK);
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    // seeded split and per-epoch orders: the constructor draws the first epoch's, nextEpoch() each later one
    const key = context.rngKey;
    const order = new EventOrder(
      n,
      spec.validationFraction,
      new RandomStream(key, 'shuffle'),
      new RandomStream(key, 'split'),
      arena,
      rows,
    );
    // within the budget, the events' raw rows are copied into wasm memory once (0: not)
    const rowsPtr = fitsResident(events, spec.residentMiB) ? residentRows(arena, events) : 0;
    const standardiser = measureStandardiser(events, order, arena, rowsPtr);
    const workspace = new MlpWorkspace(arena, dims, spec.activation, rows, true);
    initialise(workspace.params, dims, spec.activation, spec.init, new RandomStream(key, 'init'));
    const standardiseRows = loadStandardiser(arena, standardiser);
    const gather: RowGatherer =
      rowsPtr !== 0
        ? new ResidentGatherer(arena, events, rowsPtr, standardiseRows, workspace, order, c0, c1)
        : new SharedGatherer(events, standardiseRows, workspace, order, c0, c1);
    const gang =
      context.gang !== undefined
        ? new GangViews(context.gang, mlpGangShape(dims, spec.batchSize, spec.gradientBlocks))
        : undefined;
    // the gang's owner releases its helpers once the fit and its ratios are done
    const decorrelation =
      spec.decorrelate !== undefined
        ? {
            column: spec.decorrelate,
            lambda: spec.discoLambda ?? 0,
            batchSize: spec.batchSize,
            classes: spec.discoClass,
          }
        : undefined;
    const stepper = new BlockedStep(workspace, arena, spec.gradientBlocks, gang, decorrelation);
    const run = runEpochs(spec, workspace, stepper, gather, order, context);
    // a diverged fit is an error, not a model: the zero-skipping ReLU products would let a
    // non-finite weight behind a unit that is off for every event go unseen in the ratios
    const bad = run.params.findIndex((p) => !Number.isFinite(p));
    if (bad >= 0) {
      throw new NumericalError(
        `mlp.fit: parameters must be finite after training; got ${run.params[bad]} at parameter ${bad} ` +
          `after ${run.epochs} epochs (learningRate ${spec.learningRate}: try a smaller one)`,
      );
    }
    const info: FitInfo = {
      epochs: run.epochs,
      bestEpoch: run.bestEpoch,
      validationLoss: run.validationLoss,
      sumW0,
      sumW1,
    };
    return new TrainedMlp(info, dims, spec.activation, run.params, standardiser, stepper.helpers);
  } finally {
    arena.release(mark);
  }
}

/** The kept parameters of a training run and how it ended. */
interface EpochsResult {
  params: Float32Array;
  epochs: number;
  bestEpoch: number;
  validationLoss: number;
}

/** The epoch loop: train, validate, report, keep the best parameters, stop early. */
function runEpochs(
  spec: MlpSpec,
  workspace: MlpWorkspace,
  stepper: BlockedStep,
  gather: RowGatherer,
  order: EventOrder,
  context: FitContext,
): EpochsResult {
  const { nVal, nTrain } = order;
  const best = workspace.params.slice();
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let epochs = 0;
  const adam = new AdamState(spec);
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    adam.lr = spec.learningRate * (spec.schedule === 'cosine' ? cosineScheduleF64(epoch, spec.epochs) : 1);
    if (epoch > 0) order.nextEpoch();
    const trainLoss = trainEpoch(spec.batchSize, stepper, gather, order, adam);
    epochs = epoch + 1;
    const validationLoss = nVal > 0 ? evaluateLoss(stepper, gather, order) / nVal : NaN;
    context.onEpoch?.({ epoch: epoch + 1, trainLoss: trainLoss / nTrain, validationLoss });
    if (validationLoss < bestLoss) {
      bestLoss = validationLoss;
      bestEpoch = epoch + 1;
      best.set(workspace.params);
    } else if (spec.patience > 0 && nVal > 0 && epoch + 1 - bestEpoch >= spec.patience) {
      break;
    }
  }
  // early stopping restores the best epoch's parameters; without validation, the last ones
  const params = bestEpoch > 0 ? best : workspace.params.slice();
  return { params, epochs, bestEpoch, validationLoss: bestEpoch > 0 ? bestLoss : NaN };
}

/** One pass over this epoch's training order in minibatches, one blocked step each; returns Σ w·loss. */
function trainEpoch(
  batchSize: number,
  stepper: BlockedStep,
  gather: RowGatherer,
  order: EventOrder,
  adam: AdamState,
): number {
  let loss = 0;
  for (let start = 0; start < order.nTrain; start += batchSize) {
    const nBatch = Math.min(batchSize, order.nTrain - start);
    order.training(start, nBatch);
    gather.rows(nBatch);
    loss += stepper.step(nBatch, 1 / nBatch, adam.next());
  }
  return loss;
}

/** Σ w·loss over the validation events in their order (one running sum through the chunks of rows). */
function evaluateLoss(stepper: BlockedStep, gather: RowGatherer, order: EventOrder): number {
  return stepper.evaluate(order.nVal, (start, count) => {
    order.validation(start, count);
    gather.rows(count);
  });
}

/**
 * Initial parameters from the `init` stream, in parameter order. `he`: He-uniform (ReLU
 * hidden layers) or Glorot-uniform (SiLU, GELU, and the logit layer) weights, zero
 * biases. `torch`: PyTorch's nn.Linear default, every weight and bias uniform in
 * ±1/√fan_in (Kaiming-uniform with a = √5). Bounds from IEEE sqrt.
 */
function initialise(
  params: Float32Array,
  dims: readonly number[],
  activation: Activation,
  init: MlpOptions['init'],
  rng: RandomStream,
): void {
  let off = 0;
  const L = dims.length - 1;
  for (let l = 0; l < L; l++) {
    const fanIn = dims[l];
    const fanOut = dims[l + 1];
    const he = activation === 'relu' && l < L - 1;
    const torch = init === 'torch';
    const bound = torch ? 1 / Math.sqrt(fanIn) : he ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    for (let k = 0; k < fanIn * fanOut; k++) params[off++] = (2 * rng.nextDouble() - 1) * bound;
    for (let j = 0; j < fanOut; j++) params[off++] = torch ? (2 * rng.nextDouble() - 1) * bound : 0;
  }
}

/**
 * A helper thread's part of a fit that another thread trains through `gang` (see
 * ./gang.ts): this thread's own workspace for the largest block, until the fit ends;
 * returns the blocks it computed.
 */
export function helpMlpFit(spec: MlpOptions, gang: SharedArrayBuffer): number {
  const dims = [mlpGangFeatures(gang), ...spec.hidden, 1];
  const views = new GangViews(gang, mlpGangShape(dims, spec.batchSize, spec.gradientBlocks));
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    // room for the largest block of a step and for a chunk of a validation pass
    const rows = Math.max(Math.ceil(spec.batchSize / Math.min(spec.gradientBlocks, spec.batchSize)), MLP_ROW_CHUNK);
    const workspace = new MlpWorkspace(arena, dims, spec.activation, rows, true);
    return helpBlockedFit(views, workspace, arena.allocF64(rows));
  } finally {
    arena.release(mark);
  }
}
