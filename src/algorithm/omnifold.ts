/**
 * The OmniFold loop (Andreassen, Komiske, Metodiev, Nachman, Thaler, "OmniFold: A Method to
 * Simultaneously Unfold All Observables", PRL 124 (2020) 182001, arXiv:1911.09107), with
 * the conventions of docs/algorithm.md: misses (§Misses), fakes (§Fakes), guards and
 * diagnostics (§Guards).
 *
 *   ν = 1
 *   for n = 1..N:
 *     step 1   μ = ν·ω(r)          ω: data (minus background) vs w0·ν-weighted sim at reco level
 *     step 1b  μ = ν·E[ω | t]      for misses (or μ = ν)
 *     step 2   ν′ = ν·g(t)          g: w0·μ vs w0·ν at gen level
 *     step 2b  ν′ = ν·E[ν′/ν | r]  for fakes (or one global factor, or ν′ = ν)
 *   result: w0·ν
 *
 * With `ensembleRuns` R > 1 the loop runs R times with different network streams and the
 * result is w0 times the mean of the runs' ν (docs/algorithm.md §Ensembles); the
 * combination is in src/algorithm/ensemble_runs.ts.
 *
 * No per-event arithmetic here: one run of the loop is src/algorithm/loop.ts, the steps
 * live in src/algorithm/steps.ts, the diagnostics in src/algorithm/diagnostics_recorder.ts.
 */
import { RecoChi2 } from './diagnostics.js';
import { DiagnosticsRecorder } from './diagnostics_recorder.js';
import { unfoldRuns } from './ensemble_runs.js';
import { runLoop, unfoldedWeights, type Unfolding } from './loop.js';
import { checkClassifierInputs, resolveUnfoldOptions, validateSamples } from './options.js';
import { InProcessRunner } from './in_process_runner.js';
import { featureNames } from './models.js';
import { checkClassTotals, dataClass, selectEvents } from './steps.js';
import type {
  DataSample,
  IterationDiagnostics,
  SimSample,
  UnfoldContext,
  UnfoldOptions,
  UnfoldResult,
} from './types.js';

/**
 * Unfolds `data` with `sim`: returns per-event weights w0·ν of the sim sample whose gen
 * distribution, so weighted, is the unfolded result.
 *
 * @param sim simulated events (gen, reco, masks, prior weights; weights may be negative)
 * @param data measured events (reco features, weights), and optionally the simulated
 *   background that step 1 subtracts (docs/algorithm.md §Background)
 * @param options partial {@link UnfoldOptions}; defaults from `UNFOLD_DEFAULTS`
 * @param context the member runner (default: in-process) and the progress callback
 * @throws InputError for bad options or samples, and for class totals fixed by the inputs
 *   that are not positive (checked before the loop); NumericalError for non-finite weights
 *   or a class total that turns non-positive during the loop (possible only with negative
 *   prior weights)
 * @example
 * const result = await unfold(sim, data, { nIterations: 4, classifier: { type: 'binned', edges: [[0, 1, 2]] } });
 * result.weights; // Float64Array [nSim], w0·ν after iteration 4
 */
export async function unfold(
  sim: SimSample,
  data: DataSample,
  options?: Partial<UnfoldOptions>,
  context: UnfoldContext = {},
): Promise<UnfoldResult> {
  const resolved = resolveUnfoldOptions(options);
  validateSamples(sim, data);
  checkClassifierInputs(resolved.classifier, sim, data);
  const selection = selectEvents(sim, resolved);
  checkClassTotals(sim, selection, resolved);
  const recoNames = Array.from({ length: sim.reco.nFeatures }, (_, f) => sim.recoNames?.[f] ?? `reco${f}`);
  const recorder = new DiagnosticsRecorder(
    sim.weights,
    selection,
    new RecoChi2(selection.recoX, data.reco, data.weights, recoNames, data.background),
  );
  const runner = context.runner ?? new InProcessRunner({ onProgress: context.onProgress });
  const unfolding: Unfolding = {
    sim,
    data: dataClass(data),
    options: resolved,
    selection,
    runner,
    onProgress: context.onProgress,
  };
  if (resolved.ensembleRuns > 1) return unfoldRuns(unfolding, recorder);

  const replica = `${resolved.replica.kind}#${resolved.replica.index}`;
  const iterations: IterationDiagnostics[] = [];
  const weightsPerIteration: Float64Array[] = [];
  const run = await runLoop(unfolding, 0, recorder.recordFit, (n, before, after) => {
    const diagnostics = recorder.iteration(n, before, after);
    iterations.push(diagnostics);
    if (resolved.saveIterations) weightsPerIteration.push(unfoldedWeights(sim.weights, after.push));
    context.onProgress?.({ type: 'iteration', replica, iteration: n, diagnostics });
  });
  return {
    weights: unfoldedWeights(sim.weights, run.push),
    push: run.push,
    pull: run.pull,
    ...(resolved.saveIterations ? { weightsPerIteration } : {}),
    ...(run.memberPushes ? { memberWeights: run.memberPushes.map((p) => unfoldedWeights(sim.weights, p)) } : {}),
    ...(run.models ? { models: { options: resolved, ...featureNames(sim), runs: [run.models] } } : {}),
    iterations,
    nDropped: selection.nDropped,
    options: resolved,
  };
}
