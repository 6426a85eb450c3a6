/**
 * Gathers the diagnostics of each iteration (docs/algorithm.md §Diagnostics) beside the
 * loop, so the steps only compute weights: the fits report their summaries here, and at
 * the end of an iteration its weights are compared with the weights before it.
 */
import type { StepName } from '../base/rng.js';
import { effectiveSampleSize, relativeChange, type RecoChi2 } from './diagnostics.js';
import { gather, type FitSummary, type Selection } from './steps.js';
import type { IterationDiagnostics, StepDiagnostics } from './types.js';

/** The pull (μ) and push (ν) weights, [nSim] each, at one point of the loop. */
export interface LoopWeights {
  pull: Float64Array;
  push: Float64Array;
}

/** The steps in loop order: the weights each sets, and on which events. */
const STEPS: readonly {
  step: StepName;
  sets: keyof LoopWeights;
  events: (selection: Selection) => Uint32Array;
  always: boolean;
}[] = [
  { step: 'step1', sets: 'pull', events: (selection) => selection.reco, always: true },
  { step: 'misses', sets: 'pull', events: (selection) => selection.misses, always: false },
  { step: 'step2', sets: 'push', events: (selection) => selection.gen, always: true },
  { step: 'fakes', sets: 'push', events: (selection) => selection.fakes, always: false },
];

/**
 * One per unfolding. The steps' events do not overlap within pull or push (reco and
 * misses; gen and fakes), so the weights at the end of an iteration hold each step's
 * own result on its events.
 */
export class DiagnosticsRecorder {
  private fits = new Map<StepName, FitSummary>();

  /**
   * @param w0 [nSim] prior weights
   * @param selection the loop's event subsets
   * @param recoChi2 the data histograms for the reco-level χ² of the pull-weighted sim
   */
  constructor(
    private readonly w0: Float64Array,
    private readonly selection: Selection,
    private readonly recoChi2: RecoChi2,
  ) {}

  /** Notes the classifier fit of `step` in the current iteration (LoopContext.recordFit). */
  readonly recordFit = (step: StepName, fit: FitSummary): void => {
    this.fits.set(step, fit);
  };

  /**
   * The diagnostics of iteration `iteration` (1-based): per step, the ESS of its new
   * weights and their change from `before` (the previous iteration's pull for steps 1 and
   * 1b, the push before this iteration for steps 2 and 2b), with its fit; and the reco χ².
   * A step without events (no misses, no fakes) is left out.
   */
  iteration(iteration: number, before: LoopWeights, after: LoopWeights): IterationDiagnostics {
    const steps: StepDiagnostics[] = [];
    for (const { step, sets, events, always } of STEPS) {
      const rows = events(this.selection);
      if (!always && rows.length === 0) continue;
      const fit = this.fits.get(step);
      steps.push({
        step,
        clippedFraction: fit?.clippedFraction ?? 0,
        ess: effectiveSampleSize(this.w0, after[sets], rows),
        nEvents: rows.length,
        change: relativeChange(this.w0, after[sets], before[sets], rows),
        members: fit?.members ?? [],
      });
    }
    this.fits = new Map();
    return { iteration, steps, recoChi2: this.recoChi2.evaluate(gather(this.w0, after.pull, this.selection.reco)) };
  }
}
