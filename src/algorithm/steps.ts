/**
 * The steps of one OmniFold iteration (docs/algorithm.md §The iteration). Each step
 * builds its classifier job from event subsets selected once before the loop, runs the
 * members through the runner, combines their ratios and writes the new pull (μ) or push
 * (ν′) weights.
 */
import type { FitInfo, ModelData } from '../classifiers/classifier.js';
import { combineRatios } from './combine.js';
import { checkFinite } from './diagnostics.js';
import { InputError, NumericalError } from '../base/errors.js';
import { concatRows, maskIndices, selectRows, type FeatureMatrix } from '../base/features.js';
import type { StepName } from '../base/rng.js';
import type { IterationModels } from './models.js';
import type { DataSample, MemberRunner, SimSample, UnfoldOptions, UnfoldProgress } from './types.js';

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
  const selection: Selection = {
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
    selection.genBothX = cachedRows(sim.gen, sim, 'both', both);
    selection.genMissX = cachedRows(sim.gen, sim, 'misses', misses);
  }
  if (options.fakes === 'reco-average' && fakes.length > 0) {
    selection.recoBothX = cachedRows(sim.reco, sim, 'both', both);
    selection.recoFakeX = cachedRows(sim.reco, sim, 'fakes', fakes);
  }
  return selection;
}

/** Step 1's class 1: the data's reco features and weights, and after them the background's, negated. */
export interface DataClass {
  x: FeatureMatrix;
  w: Float64Array;
}

/**
 * Data rows followed by background rows, cached by the identity of both matrices: the
 * bootstrap replicas of one run keep the nominal features and share one copy.
 */
const joinedRows = new WeakMap<FeatureMatrix, WeakMap<FeatureMatrix, FeatureMatrix>>();
function dataAndBackgroundRows(data: FeatureMatrix, background: FeatureMatrix): FeatureMatrix {
  let byBackground = joinedRows.get(data);
  if (byBackground === undefined) joinedRows.set(data, (byBackground = new WeakMap()));
  let joined = byBackground.get(background);
  if (joined === undefined) byBackground.set(background, (joined = concatRows(data, background)));
  return joined;
}

/**
 * Step 1's class 1 (docs/algorithm.md §Background): the data alone, as given, or the data
 * followed by the background with its weights negated, so the sim is fitted to data minus
 * background.
 */
export function dataClass(data: DataSample): DataClass {
  const background = data.background;
  if (background === undefined) return { x: data.reco, w: data.weights };
  const nData = data.weights.length;
  const w = new Float64Array(nData + background.weights.length);
  w.set(data.weights);
  for (let k = 0; k < background.weights.length; k++) w[nData + k] = -background.weights[k];
  return { x: dataAndBackgroundRows(data.reco, background.reco), w };
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
export function checkClassTotals(sim: SimSample, selection: Selection, options: UnfoldOptions): void {
  const need = (total: number, what: string, why: string, hint: string) => {
    if (!(total > 0))
      throw new InputError(`sim weights of the ${what} must have a positive total (${why}); got ${total} (${hint})`);
  };
  const both = `${selection.both.length} events passing both gen and reco`;
  if (options.misses === 'expectation' && selection.misses.length > 0)
    need(weightSum(sim.weights, selection.both), both, "they train the misses' classifier", "or use misses 'prior'");
  if (options.fakes === 'reco-average' && selection.fakes.length > 0)
    need(
      weightSum(sim.weights, selection.both),
      both,
      "they train the fakes' classifier",
      "or use fakes 'global' or 'fixed'",
    );
  if (options.fakes === 'global' && selection.fakes.length > 0)
    need(
      weightSum(sim.weights, selection.fakes),
      `${selection.fakes.length} fakes`,
      'they set the global fake factor',
      "or use fakes 'fixed'",
    );
}

/** A classifier fit's summary, for the diagnostics. */
export interface FitSummary {
  /** Fraction of ratio evaluations (all members, all target events) that hit a clip bound. */
  clippedFraction: number;
  members: FitInfo[];
}

/** What every step reads. Weight arrays are [nSim], indexed by sim event. */
export interface LoopContext {
  sim: SimSample;
  /** Step 1's class 1: the data, and the background negated ({@link dataClass}). */
  data: DataClass;
  options: UnfoldOptions;
  runner: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
  selection: Selection;
  iteration: number;
  /** Receives the summary of every classifier fit (the diagnostics recorder). */
  recordFit?: (step: StepName, fit: FitSummary) => void;
  /** Run r of several: r·nMembers, added to every member's random-stream index; 0 or absent for one run. */
  memberOffset?: number;
}

/** The ratios of one classifier fit on each target: combined over the members, and each member's. */
interface FitRatios {
  /** One array per target. */
  combined: Float64Array[];
  /** [member][target] */
  members: Float64Array[][];
  /** Each member's trained model, when the fit was asked to keep them. */
  models?: ModelData[];
}

/** w0[i]·x[i] for i in rows, as a dense array in row order. */
export function gather(w0: Float64Array, x: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = w0[rows[k]] * x[rows[k]];
  return out;
}

/** A copy of `initial` with out[rows[k]] = base[rows[k]]·ratio[k] (a ratio of 1 copies base exactly). */
export function scaledCopy(
  base: Float64Array,
  initial: Float64Array,
  ratio: Float64Array,
  rows: Uint32Array,
): Float64Array {
  const out = Float64Array.from(initial);
  for (let k = 0; k < rows.length; k++) out[rows[k]] = base[rows[k]] * ratio[k];
  return out;
}

/**
 * Runs the members of one classifier fit, hands its summary to `loop.recordFit` and
 * returns the combined ratio on each target, and each member's (and, with `keepModels`,
 * each member's trained model).
 */
async function fitStep(
  loop: LoopContext,
  step: StepName,
  x0: FeatureMatrix,
  w0: Float64Array,
  x1: FeatureMatrix,
  w1: Float64Array,
  targets: FeatureMatrix[],
  keepModels = false,
): Promise<FitRatios> {
  const { options, iteration } = loop;
  const memberOffset = loop.memberOffset ?? 0;
  for (const [c, w] of [
    [0, w0],
    [1, w1],
  ] as const) {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i];
    if (!(s > 0))
      throw new NumericalError(`${step} class ${c} total weight must be positive; got ${s} (iteration ${iteration})`);
  }
  const replica = `${options.replica.kind}#${options.replica.index}`;
  for (let m = 0; m < options.nMembers; m++)
    loop.onProgress?.({ type: 'step', replica, iteration, step, member: memberOffset + m });
  const job = {
    step,
    iteration,
    replica: options.replica,
    seed: options.seed,
    classifier: options.classifier,
    x0,
    w0,
    x1,
    w1,
    targets,
    clip: { epsilon: options.epsilon, wMax: options.wMax },
    ...(memberOffset === 0 ? {} : { memberOffset }),
    ...(keepModels ? { keepModel: true } : {}),
  };
  const results = await loop.runner.fitMembers(job, options.nMembers);
  let nClipped = 0;
  for (const r of results) for (const c of r.nClipped) nClipped += c;
  let nEvaluated = 0;
  for (const t of targets) nEvaluated += t.nEvents;
  nEvaluated *= results.length;
  loop.recordFit?.(step, {
    clippedFraction: nEvaluated > 0 ? nClipped / nEvaluated : 0,
    members: results.map((r) => r.info),
  });
  const combined = combineRatios(results, options.ensembleCombine);
  const members = results.map((r) => r.ratios);
  if (!keepModels) return { combined, members };
  const models = results.map((r, m) => {
    if (r.model === undefined)
      throw new NumericalError(`${step} member ${memberOffset + m} must return its model with saveModels; got none`);
    return r.model;
  });
  return { combined, members, models };
}

/**
 * The push weights that step 2 and the fakes step multiply (docs/algorithm.md, "Step 2
 * reference"): the previous ones, ν, or the prior's, 1.
 */
function reference(loop: LoopContext, push: Float64Array): Float64Array {
  return loop.options.step2Reference === 'prior' ? ones(push.length) : push;
}

/** The guard after every step (docs/algorithm.md §Guards): the weights it set are finite. */
function checked(
  loop: LoopContext,
  step: StepName,
  weights: Float64Array,
  rows: Uint32Array,
  member?: string,
): Float64Array {
  checkFinite(STEP_WEIGHTS[step], weights, rows, `iteration ${loop.iteration}, ${step}${member ? `, ${member}` : ''}`);
  return weights;
}

/** Which weights each step sets, as error messages name them. */
const STEP_WEIGHTS: Readonly<Record<StepName, string>> = Object.freeze({
  none: 'weight',
  step1: 'pull weight',
  misses: 'pull weight',
  step2: 'push weight',
  fakes: 'push weight',
  reweight: 'reweighted weight',
});

/**
 * Step 1: reco classifier, data (minus background) vs push-weighted sim passing reco;
 * returns the pull μ = ν·ω there, μ = ν elsewhere.
 */
export async function step1(loop: LoopContext, push: Float64Array): Promise<Float64Array> {
  const { sim, data, selection } = loop;
  const {
    combined: [ratio],
  } = await fitStep(loop, 'step1', selection.recoX, gather(sim.weights, push, selection.reco), data.x, data.w, [
    selection.recoX,
  ]);
  return checked(loop, 'step1', scaledCopy(push, push, ratio, selection.reco), selection.reco);
}

/** Step 1b: returns `pull` with the misses' μ = ν·E[ω | t] (expectation) or μ = ν (prior). */
export async function stepMisses(loop: LoopContext, push: Float64Array, pull: Float64Array): Promise<Float64Array> {
  const { sim, selection } = loop;
  if (selection.misses.length === 0) return pull;
  if (loop.options.misses === 'prior')
    return checked(
      loop,
      'misses',
      scaledCopy(push, pull, ones(selection.misses.length), selection.misses),
      selection.misses,
    );
  const genBoth = selection.genBothX as FeatureMatrix;
  const {
    combined: [ratio],
  } = await fitStep(
    loop,
    'misses',
    genBoth,
    gather(sim.weights, push, selection.both),
    genBoth,
    gather(sim.weights, pull, selection.both),
    [selection.genMissX as FeatureMatrix],
  );
  return checked(loop, 'misses', scaledCopy(push, pull, ratio, selection.misses), selection.misses);
}

/**
 * Step 2: gen classifier, sim passing gen weighted w0·μ vs w0·ν (w0 with the prior
 * reference); returns the push ν′ = ν·g (or g) there, ν′ = ν elsewhere. With
 * `memberPushes` (an empty array), it also receives each member's ν′_m = ν·g_m, member m's
 * ratio alone in place of the combined one. With `saved`, the members' models go there.
 */
export async function step2(
  loop: LoopContext,
  push: Float64Array,
  pull: Float64Array,
  memberPushes?: Float64Array[],
  saved?: IterationModels,
): Promise<Float64Array> {
  const { sim, selection } = loop;
  const base = reference(loop, push);
  const fit = await fitStep(
    loop,
    'step2',
    selection.genX,
    gather(sim.weights, base, selection.gen),
    selection.genX,
    gather(sim.weights, pull, selection.gen),
    [selection.genX],
    saved !== undefined,
  );
  if (saved !== undefined) saved.step2 = fit.models as ModelData[];
  fit.members.forEach(([ratio], m) =>
    memberPushes?.push(
      checked(loop, 'step2', scaledCopy(base, push, ratio, selection.gen), selection.gen, `member ${m}`),
    ),
  );
  return checked(loop, 'step2', scaledCopy(base, push, fit.combined[0], selection.gen), selection.gen);
}

/**
 * Step 2b: returns `next` (step 2's ν′) with the fakes' ν′ by reco average E[ν′/ν | r], one
 * global factor, or fixed (with the prior reference: E[ν′ | r], or the factor alone).
 * With `memberPushes` (step 2's), each member's fakes get the same update, with member m's
 * ratio alone when the step fits a classifier (reco-average). With `saved`, the fakes'
 * models (or global factor) go there.
 */
export async function stepFakes(
  loop: LoopContext,
  push: Float64Array,
  pull: Float64Array,
  next: Float64Array,
  memberPushes?: Float64Array[],
  saved?: IterationModels,
): Promise<Float64Array> {
  const { sim, selection, options } = loop;
  if (selection.fakes.length === 0) return next;
  const base = reference(loop, push);
  let ratio: Float64Array;
  let memberRatios: Float64Array[] | undefined;
  if (options.fakes === 'fixed') {
    ratio = ones(selection.fakes.length);
    if (saved !== undefined) saved.fakes = { mode: 'fixed' };
  } else if (options.fakes === 'global') {
    const factor = globalFakeFactor(loop, base, pull);
    ratio = new Float64Array(selection.fakes.length).fill(factor);
    if (saved !== undefined) saved.fakes = { mode: 'global', factor };
  } else {
    const recoBoth = selection.recoBothX as FeatureMatrix;
    const fit = await fitStep(
      loop,
      'fakes',
      recoBoth,
      gather(sim.weights, base, selection.both),
      recoBoth,
      gather(sim.weights, next, selection.both),
      [selection.recoFakeX as FeatureMatrix],
      saved !== undefined,
    );
    ratio = fit.combined[0];
    memberRatios = fit.members.map(([r]) => r);
    if (saved !== undefined) saved.fakes = { mode: 'reco-average', members: fit.models as ModelData[] };
  }
  memberPushes?.forEach((memberNext, m) => {
    const update = scaledCopy(base, memberNext, memberRatios?.[m] ?? ratio, selection.fakes);
    memberPushes[m] = checked(loop, 'fakes', update, selection.fakes, `member ${m}`);
  });
  return checked(loop, 'fakes', scaledCopy(base, next, ratio, selection.fakes), selection.fakes);
}

function ones(n: number): Float64Array {
  return new Float64Array(n).fill(1);
}

/** Σ_fakes w0·μ / Σ_fakes w0·ν (ν: `push`, the reference): the update of IBU's fake cause. */
function globalFakeFactor(loop: LoopContext, push: Float64Array, pull: Float64Array): number {
  const w0 = loop.sim.weights;
  let num = 0;
  let den = 0;
  for (const i of loop.selection.fakes) {
    num += w0[i] * pull[i];
    den += w0[i] * push[i];
  }
  if (!(den > 0))
    throw new NumericalError(`fakes total weight Σ w0·ν must be positive; got ${den} (iteration ${loop.iteration})`);
  return num / den;
}
