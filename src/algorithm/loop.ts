/**
 * One run of the OmniFold loop (docs/algorithm.md §The iteration): every iteration, every
 * step, from ν = μ = 1. `unfold()` (src/algorithm/omnifold.ts) runs it once, or
 * `ensembleRuns` times (src/algorithm/ensemble_runs.ts).
 */
import type { LoopWeights } from './diagnostics_recorder.js';
import {
  step1,
  step2,
  stepFakes,
  stepMisses,
  type DataClass,
  type FitSummary,
  type LoopContext,
  type Selection,
} from './steps.js';
import type { StepName } from '../base/rng.js';
import type { IterationModels } from './models.js';
import type { MemberRunner, SimSample, UnfoldOptions, UnfoldProgress } from './types.js';

/** What every run of one unfolding shares: inputs, resolved options, event subsets, runner. */
export interface Unfolding {
  sim: SimSample;
  /** Step 1's class 1: the data, and the background negated ({@link dataClass} of src/algorithm/steps.ts). */
  data: DataClass;
  options: UnfoldOptions;
  selection: Selection;
  runner: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
}

/** The weights at the end of one run of the loop. */
export interface LoopRun {
  push: Float64Array;
  pull: Float64Array;
  /** Per member, ν after the last iteration with that member's ratio alone (one run with `saveMembers`). */
  memberPushes?: Float64Array[];
  /** With `saveModels`: the models that give `push` (every iteration's, or the last one's with the prior reference). */
  models?: IterationModels[];
}

/**
 * One run of the loop (every iteration, every step). Run r keys its members' random
 * streams as members r·nMembers + m; `recordFit` receives every fit's summary and
 * `onIteration` the weights before and after each iteration.
 */
export async function runLoop(
  unfolding: Unfolding,
  run: number,
  recordFit: (step: StepName, fit: FitSummary) => void,
  onIteration: (iteration: number, before: LoopWeights, after: LoopWeights) => void,
): Promise<LoopRun> {
  const { sim, options } = unfolding;
  const nEvents = sim.weights.length;
  const loop: LoopContext = {
    sim,
    data: unfolding.data,
    options,
    runner: unfolding.runner,
    onProgress: unfolding.onProgress,
    selection: unfolding.selection,
    iteration: 0,
    recordFit,
    memberOffset: run * options.nMembers,
  };
  // members are kept from a single run only; several runs keep each run's result instead
  const keepMembers = options.saveMembers && options.ensembleRuns === 1;
  let push: Float64Array = new Float64Array(nEvents).fill(1);
  let pull: Float64Array = new Float64Array(nEvents).fill(1);
  let memberPushes: Float64Array[] | undefined;
  const models: IterationModels[] | undefined = options.saveModels ? [] : undefined;
  for (let n = 1; n <= options.nIterations; n++) {
    loop.iteration = n;
    const before = { pull, push };
    // step 1: μ = ν·ω(r) on events passing reco; step 1b: the misses' μ
    pull = await step1(loop, push);
    pull = await stepMisses(loop, push, pull);
    // step 2: ν′ = ν·g(t) on events passing gen; step 2b: the fakes' ν′ (and, in the last
    // iteration, each member's ν′ when members are kept)
    const members = keepMembers && n === options.nIterations ? [] : undefined;
    const saved: IterationModels | undefined = models === undefined ? undefined : { iteration: n, step2: [] };
    let next = await step2(loop, push, pull, members, saved);
    next = await stepFakes(loop, push, pull, next, members, saved);
    if (saved !== undefined) {
      // with the prior reference ν′ does not depend on ν: the last iteration's models alone give it
      if (options.step2Reference === 'prior') models!.length = 0;
      models!.push(saved);
    }
    push = next;
    memberPushes = members;
    onIteration(n, before, { pull, push });
  }
  return { push, pull, ...(memberPushes ? { memberPushes } : {}), ...(models ? { models } : {}) };
}

/** w0·ν for every sim event (dropped events keep ν = 1, hence w0). */
export function unfoldedWeights(w0: Float64Array, push: Float64Array): Float64Array {
  const out = new Float64Array(w0.length);
  for (let i = 0; i < w0.length; i++) out[i] = w0[i] * push[i];
  return out;
}
