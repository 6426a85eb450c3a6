/**
 * The steps of one OmniFold iteration (docs/algorithm.md §The iteration). Each step
 * builds its classifier job from event subsets selected once before the loop, runs the
 * members through the runner, combines their ratios and writes the new pull (μ) or push
 * (ν′) weights.
 */
import type { FitInfo } from '../classifiers/classifier.js';
import { combineRatios } from './combine.js';
import { checkFinite, effectiveSampleSize, relativeChange } from './diagnostics.js';
import { InputError, NumericalError } from '../base/errors.js';
import { maskIndices, selectRows, type FeatureMatrix } from '../base/features.js';
import type { StepName } from '../base/rng.js';
import type { DataSample, MemberRunner, SimSample, StepDiagnostics, UnfoldOptions, UnfoldProgress } from './types.js';

/** Event subsets of the sim sample: index lists (ascending) and their feature rows. */
export interface Selection {
  /** passReco / passGen / both / misses (gen, not reco) / fakes (reco, not gen). */
  reco: Uint32Array;
  gen: Uint32Array;
  both: Uint32Array;
  misses: Uint32Array;
  fakes: Uint32Array;
  /** Events failing both selections. */
  nDropped: number;
  recoX: FeatureMatrix;
  genX: FeatureMatrix;
  /** Only built where a mode needs them (misses: expectation; fakes: reco-average). */
  genBothX?: FeatureMatrix;
  genMissX?: FeatureMatrix;
  recoBothX?: FeatureMatrix;
  recoFakeX?: FeatureMatrix;
}

/** Identity tokens of mask arrays, for the selection cache. */
const maskIds = new WeakMap<Uint8Array, number>();
let nextMaskId = 0;
const maskId = (mask: Uint8Array): number => {
  let id = maskIds.get(mask);
  if (id === undefined) maskIds.set(mask, (id = nextMaskId++));
  return id;
};

/** Whether `rows` is every event 0..n−1 in order. */
function isEveryRow(rows: Uint32Array, n: number): boolean {
  if (rows.length !== n) return false;
  for (let i = 0; i < n; i++) if (rows[i] !== i) return false;
  return true;
}

/**
 * Feature rows of a subset, cached by the identity of the features and both masks: the
 * replicas of one run (bootstraps keep the nominal features and masks) share one copy.
 * Feature values are never written by the engine, so a subset of every event is the
 * matrix itself (at 10⁶ events each copy avoided is 4·nFeatures MB).
 */
const rowCache = new WeakMap<FeatureMatrix, Map<string, FeatureMatrix>>();
function cachedRows(x: FeatureMatrix, sim: SimSample, subset: string, rows: Uint32Array): FeatureMatrix {
  if (isEveryRow(rows, x.nEvents)) return x;
  let bySubset = rowCache.get(x);
  if (bySubset === undefined) rowCache.set(x, (bySubset = new Map()));
  const key = `${subset}:${maskId(sim.passGen)}:${maskId(sim.passReco)}`;
  let selected = bySubset.get(key);
  if (selected === undefined) bySubset.set(key, (selected = selectRows(x, rows)));
  return selected;
}

/** Selects every subset once, before the loop. */
export function selectEvents(sim: SimSample, options: UnfoldOptions): Selection {
  const notGen = sim.passGen.map((v) => 1 - v);
  const notReco = sim.passReco.map((v) => 1 - v);
  const both = maskIndices(sim.passGen, sim.passReco);
  const misses = maskIndices(sim.passGen, notReco);
  const fakes = maskIndices(sim.passReco, notGen);
  const reco = maskIndices(sim.passReco);
  const gen = maskIndices(sim.passGen);
  const sel: Selection = {
    reco,
    gen,
    both,
    misses,
    fakes,
    nDropped: maskIndices(notGen, notReco).length,
    recoX: cachedRows(sim.reco, sim, 'reco', reco),
    genX: cachedRows(sim.gen, sim, 'gen', gen),
  };
  if (options.misses === 'expectation' && misses.length > 0) {
    sel.genBothX = cachedRows(sim.gen, sim, 'both', both);
    sel.genMissX = cachedRows(sim.gen, sim, 'misses', misses);
  }
  if (options.fakes === 'reco-average' && fakes.length > 0) {
    sel.recoBothX = cachedRows(sim.reco, sim, 'both', both);
    sel.recoFakeX = cachedRows(sim.reco, sim, 'fakes', fakes);
  }
  return sel;
}

/** Σ w0 over `rows`. */
function weightSum(w0: Float64Array, rows: Uint32Array): number {
  let s = 0;
  for (let k = 0; k < rows.length; k++) s += w0[rows[k]];
  return s;
}

/**
 * Checks, before the loop, the class totals that are fixed by the inputs: the events
 * passing both selections train the misses' classifier (misses 'expectation') and the
 * fakes' (fakes 'reco-average'); the fakes alone give the global fake factor. A
 * non-positive total there would stop the loop in its first iteration; it is an
 * InputError up front instead. (Step 1 and step 2 totals are checked by validateSamples.)
 */
export function checkClassTotals(sim: SimSample, sel: Selection, options: UnfoldOptions): void {
  const need = (total: number, what: string, why: string, hint: string) => {
    if (!(total > 0)) throw new InputError(`sim weights of the ${what} must have a positive total (${why}); got ${total} (${hint})`);
  };
  const both = `${sel.both.length} events passing both gen and reco`;
  if (options.misses === 'expectation' && sel.misses.length > 0) need(weightSum(sim.weights, sel.both), both, "they train the misses' classifier", "or use misses 'prior'");
  if (options.fakes === 'reco-average' && sel.fakes.length > 0) need(weightSum(sim.weights, sel.both), both, "they train the fakes' classifier", "or use fakes 'global' or 'fixed'");
  if (options.fakes === 'global' && sel.fakes.length > 0) need(weightSum(sim.weights, sel.fakes), `${sel.fakes.length} fakes`, 'they set the global fake factor', "or use fakes 'fixed'");
}

/** What every step reads. Weight arrays are [nSim], indexed by sim event. */
export interface LoopContext {
  sim: SimSample;
  data: DataSample;
  options: UnfoldOptions;
  runner: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
  sel: Selection;
  iteration: number;
}

/** w0[i]·x[i] for i in rows, as a dense array in row order. */
export function gather(w0: Float64Array, x: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = w0[rows[k]] * x[rows[k]];
  return out;
}

/** out[rows[k]] = base[rows[k]]·ratio[k]. */
function scatterProduct(out: Float64Array, base: Float64Array, ratio: Float64Array, rows: Uint32Array): void {
  for (let k = 0; k < rows.length; k++) out[rows[k]] = base[rows[k]] * ratio[k];
}

interface StepFit {
  ratios: Float64Array[];
  clippedFraction: number;
  members: FitInfo[];
}

/** Runs the members of one classifier fit and combines their ratios. */
async function fitStep(ctx: LoopContext, step: StepName, x0: FeatureMatrix, w0: Float64Array, x1: FeatureMatrix, w1: Float64Array, targets: FeatureMatrix[]): Promise<StepFit> {
  const { options, iteration } = ctx;
  for (const [c, w] of [[0, w0], [1, w1]] as const) {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i];
    if (!(s > 0)) throw new NumericalError(`${step} class ${c} total weight must be positive; got ${s} (iteration ${iteration})`);
  }
  const replica = `${options.replica.kind}#${options.replica.index}`;
  for (let m = 0; m < options.nMembers; m++) ctx.onProgress?.({ type: 'step', replica, iteration, step, member: m });
  const job = { step, iteration, replica: options.replica, seed: options.seed, classifier: options.classifier, x0, w0, x1, w1, targets, clip: { epsilon: options.epsilon, wMax: options.wMax } };
  const results = await ctx.runner.fitMembers(job, options.nMembers);
  let nClipped = 0;
  for (const r of results) for (const c of r.nClipped) nClipped += c;
  let nEvaluated = 0;
  for (const t of targets) nEvaluated += t.nEvents;
  nEvaluated *= results.length;
  return { ratios: combineRatios(results, options.ensembleCombine), clippedFraction: nEvaluated > 0 ? nClipped / nEvaluated : 0, members: results.map((r) => r.info) };
}

/** Step diagnostics of weights `x` (with their previous values `prev`) on `rows`. */
function summarise(ctx: LoopContext, step: StepName, name: string, fit: StepFit | null, x: Float64Array, prev: Float64Array, rows: Uint32Array): StepDiagnostics {
  const w0 = ctx.sim.weights;
  checkFinite(name, x, rows, `iteration ${ctx.iteration}, ${step}`);
  return {
    step,
    clippedFraction: fit?.clippedFraction ?? 0,
    ess: effectiveSampleSize(w0, x, rows),
    nEvents: rows.length,
    change: relativeChange(w0, x, prev, rows),
    members: fit?.members ?? [],
  };
}

/** Step 1: reco classifier, data vs push-weighted sim passing reco; pull μ = ν·ω. */
export async function step1(ctx: LoopContext, push: Float64Array, pull: Float64Array, prevPull: Float64Array): Promise<StepDiagnostics> {
  const { sim, data, sel } = ctx;
  const fit = await fitStep(ctx, 'step1', sel.recoX, gather(sim.weights, push, sel.reco), data.reco, data.weights, [sel.recoX]);
  scatterProduct(pull, push, fit.ratios[0], sel.reco);
  return summarise(ctx, 'step1', 'pull weight', fit, pull, prevPull, sel.reco);
}

/** Step 1b: misses get μ = ν·E[ω | t] (expectation) or μ = ν (prior). */
export async function stepMisses(ctx: LoopContext, push: Float64Array, pull: Float64Array, prevPull: Float64Array): Promise<StepDiagnostics | null> {
  const { sim, sel } = ctx;
  if (sel.misses.length === 0) return null;
  let fit: StepFit | null = null;
  if (ctx.options.misses === 'prior') {
    for (const i of sel.misses) pull[i] = push[i];
  } else {
    const genBoth = sel.genBothX as FeatureMatrix;
    fit = await fitStep(ctx, 'misses', genBoth, gather(sim.weights, push, sel.both), genBoth, gather(sim.weights, pull, sel.both), [sel.genMissX as FeatureMatrix]);
    scatterProduct(pull, push, fit.ratios[0], sel.misses);
  }
  return summarise(ctx, 'misses', 'pull weight', fit, pull, prevPull, sel.misses);
}

/** Step 2: gen classifier, sim passing gen weighted w0·μ vs w0·ν; ν′ = ν·ratio. */
export async function step2(ctx: LoopContext, push: Float64Array, pull: Float64Array, next: Float64Array): Promise<StepDiagnostics> {
  const { sim, sel } = ctx;
  const fit = await fitStep(ctx, 'step2', sel.genX, gather(sim.weights, push, sel.gen), sel.genX, gather(sim.weights, pull, sel.gen), [sel.genX]);
  scatterProduct(next, push, fit.ratios[0], sel.gen);
  return summarise(ctx, 'step2', 'push weight', fit, next, push, sel.gen);
}

/** Step 2b: fakes' ν′ by reco average E[ν′/ν | r], one global factor, or fixed. */
export async function stepFakes(ctx: LoopContext, push: Float64Array, pull: Float64Array, next: Float64Array): Promise<StepDiagnostics | null> {
  const { sim, sel, options } = ctx;
  if (sel.fakes.length === 0) return null;
  let fit: StepFit | null = null;
  if (options.fakes === 'fixed') {
    for (const i of sel.fakes) next[i] = push[i];
  } else if (options.fakes === 'global') {
    const factor = globalFakeFactor(ctx, push, pull);
    for (const i of sel.fakes) next[i] = push[i] * factor;
  } else {
    const recoBoth = sel.recoBothX as FeatureMatrix;
    fit = await fitStep(ctx, 'fakes', recoBoth, gather(sim.weights, push, sel.both), recoBoth, gather(sim.weights, next, sel.both), [sel.recoFakeX as FeatureMatrix]);
    scatterProduct(next, push, fit.ratios[0], sel.fakes);
  }
  return summarise(ctx, 'fakes', 'push weight', fit, next, push, sel.fakes);
}

/** Σ_fakes w0·μ / Σ_fakes w0·ν: the update of IBU's fake cause. */
function globalFakeFactor(ctx: LoopContext, push: Float64Array, pull: Float64Array): number {
  const w0 = ctx.sim.weights;
  let num = 0;
  let den = 0;
  for (const i of ctx.sel.fakes) {
    num += w0[i] * pull[i];
    den += w0[i] * push[i];
  }
  if (!(den > 0)) throw new NumericalError(`fakes total weight Σ w0·ν must be positive; got ${den} (iteration ${ctx.iteration})`);
  return num / den;
}
