/**
 * A trained MLP: its parameters and standardiser, kept in JS, evaluated in wasm chunk by
 * chunk (asm/mlp_forward_f32.ts, then asm/likelihood_ratio_f32.ts).
 */
import { InputError } from '../../base/errors.js';
import type { FeatureMatrix } from '../../base/features.js';
import type { Activation } from '../../kernels/activation.js';
import { checkRatioClip, likelihoodRatioF32InWasm } from '../../kernels/likelihood_ratio_f32.js';
import { mlpForwardF32 } from '../../kernels/mlp_forward_f32.js';
import { MLP_ROW_CHUNK, MlpWorkspace } from '../../kernels/mlp_workspace.js';
import { kernels } from '../../kernels/wasm.js';
import { ratioOutput, type FitInfo, type RatioClip, type RatioResult, type TrainedClassifier } from '../classifier.js';
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
      for (let start = 0; start < x.nEvents; start += workspace.maxRows) {
        const nRows = Math.min(workspace.maxRows, x.nEvents - start);
        workspace.x.set(x.values.subarray(start * nFeatures, (start + nRows) * nFeatures));
        standardiseRows(workspace.xPtr, nRows);
        const logitsPtr = mlpForwardF32(workspace, nRows);
        nClipped += likelihoodRatioF32InWasm(logitsPtr, nRows, clip, s10, workspace.ratioPtr);
        out.set(workspace.ratio.subarray(0, nRows), start);
      }
    } finally {
      arena.release(mark);
    }
    return { ratio: out, nClipped };
  }
}
