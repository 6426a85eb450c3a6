/**
 * A trained MLP: its parameters and standardiser, kept in JS, evaluated in wasm chunk by
 * chunk (asm/mlp_forward_f32.ts, then asm/likelihood_ratio_f32.ts).
 */
import { InputError } from '../../base/errors.js';
import type { FeatureMatrix } from '../../base/features.js';
import { ACTIVATIONS, type Activation } from '../../kernels/activation.js';
import { checkRatioClip, likelihoodRatioF32InWasm } from '../../kernels/likelihood_ratio_f32.js';
import { MLP_ROW_CHUNK, MlpWorkspace, parameterCount } from '../../kernels/mlp_workspace.js';
import { kernels } from '../../kernels/wasm.js';
import {
  modelArray,
  ratioOutput,
  restoredInfo,
  type FitInfo,
  type ModelData,
  type RatioClip,
  type RatioResult,
  type TrainedClassifier,
} from '../classifier.js';
import { forwardRows } from './block_step.js';
import type { GangCoordinator } from '../gang.js';
import type { GangViews } from './gang.js';
import { loadStandardiser, type Standardiser } from './standardiser.js';

/** A trained MLP: parameters and standardiser kept in JS, evaluated in wasm chunk by chunk. */
export class TrainedMlp implements TrainedClassifier {
  constructor(
    readonly info: FitInfo,
    readonly dims: readonly number[],
    readonly activation: Activation,
    /** f32 [nParams], layout of asm/mlp_layout.ts. */
    readonly params: Float32Array,
    readonly standardiser: Readonly<Standardiser>,
    /** The helpers of the fit that trained it, still joined: they share the ratios' forward passes. */
    private readonly helpers?: GangCoordinator<GangViews>,
  ) {}

  ratio(x: FeatureMatrix, clip: RatioClip, into?: Float64Array): RatioResult {
    if (x.nFeatures !== this.dims[0])
      throw new InputError(`mlp.ratio: events must have ${this.dims[0]} features; got ${x.nFeatures}`);
    const s10 = this.info.sumW1 / this.info.sumW0;
    checkRatioClip(clip, s10);
    const out = ratioOutput(x, into);
    let nClipped = 0;
    const { arena } = kernels();
    const mark = arena.mark();
    try {
      const workspace = new MlpWorkspace(
        arena,
        this.dims,
        this.activation,
        Math.min(MLP_ROW_CHUNK, Math.max(x.nEvents, 1)),
        false,
      );
      workspace.params.set(this.params);
      const standardiseRows = loadStandardiser(arena, this.standardiser);
      const nFeatures = x.nFeatures;
      const logitsPtr = this.helpers !== undefined ? arena.allocF32(workspace.maxRows) : 0;
      forwardRows(
        workspace,
        this.helpers,
        logitsPtr,
        x.nEvents,
        (start, count) => {
          workspace.x.set(x.values.subarray(start * nFeatures, (start + count) * nFeatures));
          standardiseRows(workspace.xPtr, count);
        },
        (start, count, logits) => {
          nClipped += likelihoodRatioF32InWasm(logits, count, clip, s10, workspace.ratioPtr);
          out.set(workspace.ratio.subarray(0, count), start);
        },
      );
    } finally {
      arena.release(mark);
    }
    return { ratio: out, nClipped };
  }

  /** Layer widths, activation, class totals; the f32 parameters and the f64 standardiser. */
  toData(): ModelData {
    return {
      type: 'mlp',
      fields: { dims: [...this.dims], activation: this.activation, sumW0: this.info.sumW0, sumW1: this.info.sumW1 },
      arrays: {
        params: this.params.slice(),
        mean: Float64Array.from(this.standardiser.mean),
        scale: Float64Array.from(this.standardiser.scale),
      },
    };
  }
}

/** A trained MLP from the data its `toData()` gave; `path` names it in errors. */
export function restoreMlp(data: ModelData, path: string): TrainedMlp {
  const dims = data.fields.dims;
  if (
    !Array.isArray(dims) ||
    dims.length < 2 ||
    !dims.every((d) => Number.isInteger(d) && d >= 1) ||
    dims[dims.length - 1] !== 1
  )
    throw new InputError(
      `${path}.fields.dims must be positive integer layer widths ending in 1; got ${JSON.stringify(dims)}`,
    );
  const activation = data.fields.activation;
  if (!ACTIVATIONS.includes(activation as Activation))
    throw new InputError(
      `${path}.fields.activation must be one of ${ACTIVATIONS.join(', ')}; got ${JSON.stringify(activation)}`,
    );
  const info = restoredInfo(data, path);
  const params = modelArray(data, path, 'params', Float32Array, parameterCount(dims as number[]));
  const mean = modelArray(data, path, 'mean', Float64Array, dims[0] as number);
  const scale = modelArray(data, path, 'scale', Float64Array, dims[0] as number);
  const zero = scale.findIndex((v) => !(v > 0));
  if (zero >= 0) throw new InputError(`${path}.arrays.scale must be positive; got ${scale[zero]} at ${zero}`);
  return new TrainedMlp(info, dims as number[], activation as Activation, params, { mean, scale });
}
