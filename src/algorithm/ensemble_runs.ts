/**
 * Several independent runs of one unfolding (`ensembleRuns` R > 1; docs/algorithm.md
 * §Ensembles): the loop runs R times on the same inputs, run r with its members' random
 * streams keyed as members r·nMembers + m, and the result is w0·ν̄ with ν̄ the mean of the
 * runs' push weights, per event.
 *
 * Runs go a few at a time on the member runner (enough to keep its threads busy) and are
 * added up in run order whatever order they finish in, so the result does not depend on
 * the thread count. The diagnostics describe the combined weights: per iteration, the ESS,
 * change and reco χ² of the run-mean pull and push weights, the clipped fraction over
 * every run's members, and the fit summaries of all R·nMembers members in that order.
 */
import type { DiagnosticsRecorder, LoopWeights } from './diagnostics_recorder.js';
import { runLoop, unfoldedWeights, type Unfolding } from './loop.js';
import { featureNames, type IterationModels } from './models.js';
import type { FitSummary } from './steps.js';
import type { StepName } from '../base/rng.js';
import type { IterationDiagnostics, UnfoldResult } from './types.js';

/** What one run leaves for the combination: its weights after every iteration and its fits. */
interface RunOutcome {
  /** [iteration − 1] */
  after: LoopWeights[];
  /** [iteration − 1], the fits of each step. */
  fits: Map<StepName, FitSummary>[];
  /** The run's final push weights ν_r. */
  push: Float64Array;
  /** With `saveModels`, the run's models. */
  models?: IterationModels[];
}

/**
 * Runs the loop `ensembleRuns` times and combines the runs (see the file comment);
 * `recorder` makes the diagnostics of the combined weights.
 */
export async function unfoldRuns(unfolding: Unfolding, recorder: DiagnosticsRecorder): Promise<UnfoldResult> {
  const { sim, options, runner, onProgress } = unfolding;
  const nRuns = options.ensembleRuns;
  const nIterations = options.nIterations;
  const nEvents = sim.weights.length;
  const pushSums = Array.from({ length: nIterations }, () => new Float64Array(nEvents));
  const pullSums = Array.from({ length: nIterations }, () => new Float64Array(nEvents));
  const fits = Array.from({ length: nIterations }, () => new Map<StepName, FitSummary>());
  const runWeights: Float64Array[] = [];
  const runModels: IterationModels[][] = [];

  const add = (outcome: RunOutcome): void => {
    for (let n = 0; n < nIterations; n++) {
      const { push, pull } = outcome.after[n];
      const pushSum = pushSums[n];
      const pullSum = pullSums[n];
      for (let i = 0; i < nEvents; i++) {
        pushSum[i] += push[i];
        pullSum[i] += pull[i];
      }
      for (const [step, fit] of outcome.fits[n]) {
        const sum = fits[n].get(step) ?? { clippedFraction: 0, members: [] };
        fits[n].set(step, {
          clippedFraction: sum.clippedFraction + fit.clippedFraction,
          members: [...sum.members, ...fit.members],
        });
      }
    }
    if (options.saveMembers) runWeights.push(unfoldedWeights(sim.weights, outcome.push));
    if (outcome.models) runModels.push(outcome.models);
  };

  // runs finish in any order; each is added once every run before it has been
  const finished = new Map<number, RunOutcome>();
  let nextToAdd = 0;
  const threads = (runner as { threads?: number }).threads ?? 1;
  const width = Math.max(1, Math.min(nRuns, Math.ceil(threads / options.nMembers)));
  await runLimited(nRuns, width, async (r) => {
    const after: LoopWeights[] = [];
    const runFits: Map<StepName, FitSummary>[] = [];
    let current = new Map<StepName, FitSummary>();
    const run = await runLoop(
      unfolding,
      r,
      (step, fit) => current.set(step, fit),
      (_n, _before, weights) => {
        after.push(weights);
        runFits.push(current);
        current = new Map();
      },
    );
    finished.set(r, { after, fits: runFits, push: run.push, ...(run.models ? { models: run.models } : {}) });
    for (let outcome = finished.get(nextToAdd); outcome !== undefined; outcome = finished.get(nextToAdd)) {
      finished.delete(nextToAdd++);
      add(outcome);
    }
  });

  const mean = (sum: Float64Array) => {
    for (let i = 0; i < nEvents; i++) sum[i] /= nRuns;
    return sum;
  };
  const replica = `${options.replica.kind}#${options.replica.index}`;
  const ones = new Float64Array(nEvents).fill(1);
  let before: LoopWeights = { pull: ones, push: ones };
  const iterations: IterationDiagnostics[] = [];
  for (let n = 0; n < nIterations; n++) {
    const after = { pull: mean(pullSums[n]), push: mean(pushSums[n]) };
    for (const [step, fit] of fits[n])
      recorder.recordFit(step, { clippedFraction: fit.clippedFraction / nRuns, members: fit.members });
    const diagnostics = recorder.iteration(n + 1, before, after);
    iterations.push(diagnostics);
    onProgress?.({ type: 'iteration', replica, iteration: n + 1, diagnostics });
    before = after;
  }
  return {
    weights: unfoldedWeights(sim.weights, before.push),
    push: before.push,
    pull: before.pull,
    ...(options.saveIterations ? { weightsPerIteration: pushSums.map((p) => unfoldedWeights(sim.weights, p)) } : {}),
    ...(options.saveMembers ? { memberWeights: runWeights } : {}),
    ...(options.saveModels ? { models: { options, ...featureNames(sim), runs: runModels } } : {}),
    iterations,
    nDropped: unfolding.selection.nDropped,
    options,
  };
}

/** Runs `task(0..n−1)` with at most `limit` in flight, started in index order; fails fast. */
async function runLimited(n: number, limit: number, task: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < n) {
      const k = next++;
      try {
        await task(k);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}
