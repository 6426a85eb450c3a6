/**
 * Closure and coverage on the user's own simulation (`omnifold check closure`,
 * `omnifold check coverage`; docs/algorithm.md §Checks).
 *
 * **Closure.** The simulation is split in two halves by event index (even events unfold,
 * odd events make the pseudo-data), so the pseudo-data are statistically independent of
 * the sim that unfolds them. The pseudo-data's truth is the odd half's gen distribution
 * reweighted by a smooth, known factor f(gen) (fakes keep factor 1); their reco events,
 * with the same weights w0·f, are the measurement: the sim's own migrations fold the
 * reweighted truth. (Or a second sample, `truthSim`, gives both the pseudo-data and its
 * truth.) The even half unfolds the pseudo-data; for each observable the unfolded
 * histogram is compared with the known truth by χ² = dᵀC⁻¹d, C the stat covariance from
 * the data bootstraps (√Σw² of the unfolded weights, diagonal, without them) plus the
 * truth's own √Σw² (diagonal: the two halves are independent). The prior's χ² to the same
 * truth is given beside it: a closure worth the name moves from it to about ndf.
 *
 * **Coverage.** `nToys` pseudo-experiments: each draws the pseudo-data afresh (Poisson(1)
 * weights on the odd half's events, keyed by the toy), unfolds them with data bootstraps,
 * and asks, bin by bin, whether the truth lies within the unfolded value ± its bootstrap
 * σ (stat, plus sim-stat when sim bootstraps are asked for: the even half's own
 * statistics are the same in every toy). The fraction of toys that cover is about 68 %
 * for an unbiased unfolding whose errors are right; well below means the errors are too
 * small or a bias dominates them. A toy may use a fraction f of the odd half's events
 * (each kept with probability f, weighted 1/f), to scan coverage at the data's statistics
 * when the sim is much larger than the data.
 */
import type { DataSample, SimSample, UnfoldProgress } from '../algorithm/types.js';
import { InputError } from '../base/errors.js';
import { selectRows } from '../base/features.js';
import { poissonOneWeights, RandomStream } from '../base/rng.js';
import type { MemberRunner } from '../algorithm/types.js';
import { binnedSums, histogramUncertainties } from './quantities.js';
import { MemoryReplicaStore } from './replica_record.js';
import { computeReplica, mergeReplicas, prepareReplicas, type ReplicaOptions } from './replicas.js';

/** One histogrammed gen feature of a check. */
export interface CheckObservable {
  name: string;
  /** Column of the sim's gen features. */
  feature: number;
  edges: ArrayLike<number>;
}

/** The closure of one observable. */
export interface ClosureRow {
  name: string;
  edges: number[];
  unfolded: number[];
  truth: number[];
  prior: number[];
  /** √ of the diagonal of the covariance the χ² uses. */
  sigma: number[];
  chi2: number;
  /** Bins in the χ² (those with a non-zero variance). */
  ndf: number;
  /** χ² of the prior (the even half's w0, scaled to the truth's total) to the truth, same covariance. */
  priorChi2: number;
}

/** The closure of every observable. */
export interface ClosureResult {
  rows: ClosureRow[];
  covariance: 'data bootstraps' | 'sum of squared weights';
  nUnfolding: number;
  nPseudoData: number;
}

/** What a check unfolds: the options and, optionally, a pool runner and progress. */
export interface CheckContext {
  runner?: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
}

/** The events of `sim` at `rows`. */
function takeEvents(sim: SimSample, rows: Uint32Array): SimSample {
  return {
    gen: selectRows(sim.gen, rows),
    reco: selectRows(sim.reco, rows),
    passGen: Uint8Array.from(rows, (i) => sim.passGen[i]),
    passReco: Uint8Array.from(rows, (i) => sim.passReco[i]),
    weights: Float64Array.from(rows, (i) => sim.weights[i]),
    ...(sim.genNames ? { genNames: sim.genNames } : {}),
    ...(sim.recoNames ? { recoNames: sim.recoNames } : {}),
  };
}

/** The even and the odd events of `sim`. */
export function splitHalves(sim: SimSample): { even: SimSample; odd: SimSample } {
  const n = sim.weights.length;
  const even = Uint32Array.from({ length: Math.ceil(n / 2) }, (_, k) => 2 * k);
  const odd = Uint32Array.from({ length: Math.floor(n / 2) }, (_, k) => 2 * k + 1);
  return { even: takeEvents(sim, even), odd: takeEvents(sim, odd) };
}

/**
 * The default smooth reweighting of a closure: f = 1 + 0.2·z̄ clamped to [0.5, 1.5], with
 * z̄ the mean over gen features of (x − mean)/σ (weighted by w0 over the events passing
 * gen). A tilt of every feature at once, by up to ±50 %: far enough that the prior does
 * not close, smooth enough that the unfolding should.
 */
export function defaultTilt(sample: SimSample): Float64Array {
  const { gen, passGen, weights } = sample;
  const d = gen.nFeatures;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < gen.nEvents; i++) {
    if (!passGen[i]) continue;
    total += weights[i];
    for (let j = 0; j < d; j++) {
      const x = gen.values[i * d + j];
      mean[j] += weights[i] * x;
      sq[j] += weights[i] * x * x;
    }
  }
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] /= total;
    sd[j] = Math.sqrt(Math.max(sq[j] / total - mean[j] * mean[j], 0)) || 1;
  }
  return Float64Array.from({ length: gen.nEvents }, (_, i) => {
    if (!passGen[i]) return 1;
    let z = 0;
    for (let j = 0; j < d; j++) z += (gen.values[i * d + j] - mean[j]) / sd[j];
    return Math.min(1.5, Math.max(0.5, 1 + (0.2 * z) / d));
  });
}

/** Pseudo-data from `sample`'s events passing reco, weighted w0·factor·extra. */
function pseudoData(sample: SimSample, factor: ArrayLike<number>, extra?: ArrayLike<number>): DataSample {
  const rows: number[] = [];
  for (let i = 0; i < sample.weights.length; i++) if (sample.passReco[i]) rows.push(i);
  const index = Uint32Array.from(rows);
  return {
    reco: selectRows(sample.reco, index),
    weights: Float64Array.from(rows, (i) => sample.weights[i] * factor[i] * (extra === undefined ? 1 : extra[i])),
  };
}

/** x solving C x = b for a symmetric positive-definite C (Cholesky), over the bins with C_kk > 0. */
function chiSquare(d: readonly number[], covariance: Float64Array): { chi2: number; ndf: number } {
  const n = d.length;
  const keep = Array.from({ length: n }, (_, k) => k).filter((k) => covariance[k * n + k] > 0);
  const m = keep.length;
  const l = new Float64Array(m * m);
  for (let a = 0; a < m; a++)
    for (let b = 0; b <= a; b++) {
      let s = covariance[keep[a] * n + keep[b]];
      for (let c = 0; c < b; c++) s -= l[a * m + c] * l[b * m + c];
      if (a === b) {
        if (!(s > 0)) return chiSquareDiagonal(d, covariance, keep);
        l[a * m + a] = Math.sqrt(s);
      } else l[a * m + b] = s / l[b * m + b];
    }
  const y = new Float64Array(m);
  let chi2 = 0;
  for (let a = 0; a < m; a++) {
    let s = d[keep[a]];
    for (let c = 0; c < a; c++) s -= l[a * m + c] * y[c];
    y[a] = s / l[a * m + a];
    chi2 += y[a] * y[a];
  }
  return { chi2, ndf: m };
}

/** The diagonal χ², when the covariance is not positive definite (fewer bootstraps than bins). */
function chiSquareDiagonal(d: readonly number[], covariance: Float64Array, keep: number[]) {
  const n = d.length;
  let chi2 = 0;
  for (const k of keep) chi2 += (d[k] * d[k]) / covariance[k * n + k];
  return { chi2, ndf: keep.length };
}

/** Unfolds `data` with `sim` and every replica `options` plans; returns the columns. */
async function unfoldWithReplicas(sim: SimSample, data: DataSample, options: ReplicaOptions, context: CheckContext) {
  const work = prepareReplicas(sim, data, options, false);
  const store = new MemoryReplicaStore();
  // one replica after another; a pool runner still spreads each one's member fits
  for (let k = 0; k < work.plan.length; k++)
    store.write(await computeReplica(work, k, { runner: context.runner, onProgress: context.onProgress }));
  return mergeReplicas(work, store, []).columns;
}

function checkObservables(sim: SimSample, observables: readonly CheckObservable[]): void {
  if (observables.length === 0) throw new InputError('a check needs at least one observable; got none');
  for (const o of observables)
    if (!Number.isInteger(o.feature) || o.feature < 0 || o.feature >= sim.gen.nFeatures)
      throw new InputError(
        `check observable ${o.name} must be a gen feature 0..${sim.gen.nFeatures - 1}; got ${o.feature}`,
      );
}

function genColumn(sim: SimSample, feature: number): Float64Array {
  const d = sim.gen.nFeatures;
  return Float64Array.from({ length: sim.gen.nEvents }, (_, i) => sim.gen.values[i * d + feature]);
}

/**
 * The closure test (module comment). `factor` reweights the pseudo-data's truth per event
 * of the odd half (default {@link defaultTilt}); with `truthSim`, that sample gives the
 * pseudo-data and the whole `sim` unfolds them.
 */
export async function closureTest(
  sim: SimSample,
  options: ReplicaOptions,
  observables: readonly CheckObservable[],
  choices: { truthSim?: SimSample; factor?: (sample: SimSample) => ArrayLike<number> } = {},
  context: CheckContext = {},
): Promise<ClosureResult> {
  checkObservables(sim, observables);
  const { unfolding, source } =
    choices.truthSim === undefined
      ? (({ even, odd }) => ({ unfolding: even, source: odd }))(splitHalves(sim))
      : { unfolding: sim, source: choices.truthSim };
  const factor =
    choices.factor?.(source) ??
    (choices.truthSim === undefined ? defaultTilt(source) : new Float64Array(source.weights.length).fill(1));
  const data = pseudoData(source, factor);
  const columns = await unfoldWithReplicas(unfolding, data, options, context);
  const truthWeights = Float64Array.from(source.weights, (w, i) => w * factor[i]);
  const truthSquared = Float64Array.from(truthWeights, (w) => w * w);
  const withBootstraps = columns.filter((c) => c.family === 'data_bootstrap').length >= 2;
  const rows = observables.map((o) => {
    const n = o.edges.length - 1;
    const x = genColumn(unfolding, o.feature);
    const u = histogramUncertainties(
      columns.filter((c) => c.family === 'nominal' || c.family === 'data_bootstrap'),
      x,
      o.edges,
      unfolding.passGen,
    );
    const sourceX = genColumn(source, o.feature);
    const truth = binnedSums(sourceX, truthWeights, o.edges, source.passGen);
    const truthVariance = binnedSums(sourceX, truthSquared, o.edges, source.passGen);
    const covariance = Float64Array.from(u.stat);
    for (let k = 0; k < n; k++) covariance[k * n + k] += truthVariance[k];
    const priorRaw = binnedSums(x, unfolding.weights, o.edges, unfolding.passGen);
    const scale = sum(truth) / (sum(priorRaw) || 1);
    const prior = Array.from(priorRaw, (v) => v * scale);
    const d = Array.from(u.nominal, (v, k) => v - truth[k]);
    const fit = chiSquare(d, covariance);
    return {
      name: o.name,
      edges: Array.from(o.edges),
      unfolded: Array.from(u.nominal),
      truth: Array.from(truth),
      prior,
      sigma: Array.from({ length: n }, (_, k) => Math.sqrt(covariance[k * n + k])),
      chi2: fit.chi2,
      ndf: fit.ndf,
      priorChi2: chiSquare(
        prior.map((v, k) => v - truth[k]),
        covariance,
      ).chi2,
    };
  });
  return {
    rows,
    covariance: withBootstraps ? 'data bootstraps' : 'sum of squared weights',
    nUnfolding: unfolding.weights.length,
    nPseudoData: data.weights.length,
  };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/** Per observable, per bin: the fraction of toys whose truth lies within unfolded ± σ. */
export interface CoverageRow {
  name: string;
  edges: number[];
  truth: number[];
  /** Per bin, covered toys / toys. */
  coverage: number[];
  /** Per bin, mean over toys of (unfolded − truth)/σ. */
  meanPull: number[];
}

/** The coverage of every observable. */
export interface CoverageResult {
  rows: CoverageRow[];
  nToys: number;
  dataBootstraps: number;
  simBootstraps: number;
  dataFraction: number;
}

/**
 * The coverage scan (module comment): `nToys` pseudo-experiments from the odd half, each
 * unfolded by the even half with `options.dataBootstraps` (≥ 2) bootstraps. Toy t draws
 * Poisson(1) weights keyed (seed, coverage, t) (and, with `dataFraction` < 1, the events
 * it keeps from the same key's `split` stream) and unfolds with seed + t + 1, so toys are
 * independent and the scan is reproducible.
 */
export async function coverageScan(
  sim: SimSample,
  options: ReplicaOptions,
  observables: readonly CheckObservable[],
  nToys: number,
  choices: { factor?: (sample: SimSample) => ArrayLike<number>; dataFraction?: number } = {},
  context: CheckContext = {},
): Promise<CoverageResult> {
  checkObservables(sim, observables);
  if (!Number.isInteger(nToys) || nToys < 1) throw new InputError(`--toys must be a positive integer; got ${nToys}`);
  const fraction = choices.dataFraction ?? 1;
  if (!(fraction > 0 && fraction <= 1))
    throw new InputError(`--data-fraction must be in (0, 1]; got ${String(choices.dataFraction)}`);
  const bootstraps = options.dataBootstraps ?? 0;
  if (bootstraps < 2)
    throw new InputError(`check coverage needs --data-bootstraps of at least 2 (the σ of each toy); got ${bootstraps}`);
  const { even, odd } = splitHalves(sim);
  const factor = choices.factor?.(odd) ?? defaultTilt(odd);
  const truthWeights = Float64Array.from(odd.weights, (w, i) => w * factor[i]);
  const seed = options.seed ?? 0;
  const rows = observables.map((o) => ({
    name: o.name,
    edges: Array.from(o.edges),
    truth: Array.from(binnedSums(genColumn(odd, o.feature), truthWeights, o.edges, odd.passGen)),
    // the unfolding half's values, the same in every toy
    x: genColumn(even, o.feature),
    covered: new Float64Array(o.edges.length - 1),
    pulls: new Float64Array(o.edges.length - 1),
  }));
  for (let t = 0; t < nToys; t++) {
    const key = { seed, kind: 'coverage', replica: t, iteration: 0, step: 'none', member: 0 } as const;
    const draw = poissonOneWeights(odd.weights.length, key);
    if (fraction < 1) {
      // a toy of a fraction f of the odd half: each event kept with probability f, weighted 1/f
      const keep = new RandomStream(key, 'split');
      for (let i = 0; i < draw.length; i++) draw[i] = keep.nextDouble() < fraction ? draw[i] / fraction : 0;
    }
    const data = pseudoData(odd, factor, draw);
    const columns = await unfoldWithReplicas(even, data, { ...options, seed: (seed + t + 1) >>> 0 }, context);
    for (const [r, o] of observables.entries()) {
      const u = histogramUncertainties(
        columns.filter((c) => c.family === 'nominal' || c.family === 'data_bootstrap' || c.family === 'sim_bootstrap'),
        rows[r].x,
        o.edges,
        even.passGen,
      );
      const n = o.edges.length - 1;
      for (let k = 0; k < n; k++) {
        const sigma = Math.sqrt(u.stat[k * n + k] + u.simStat[k * n + k]);
        const pull = sigma > 0 ? (u.nominal[k] - rows[r].truth[k]) / sigma : Number.NaN;
        if (Math.abs(pull) <= 1) rows[r].covered[k] += 1;
        rows[r].pulls[k] += pull / nToys;
      }
    }
  }
  return {
    rows: rows.map((r) => ({
      name: r.name,
      edges: r.edges,
      truth: r.truth,
      coverage: Array.from(r.covered, (c) => c / nToys),
      meanPull: Array.from(r.pulls),
    })),
    nToys,
    dataBootstraps: bootstraps,
    simBootstraps: options.simBootstraps ?? 0,
    dataFraction: fraction,
  };
}
