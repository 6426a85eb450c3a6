/**
 * Iterative Bayesian unfolding (G. D'Agostini, Nucl. Instrum. Meth. A 362 (1995) 487) in
 * matrix form, built from weighted events on a product grid of bins: the reference that
 * binned OmniFold equals iteration by iteration (docs/algorithm.md §Binned limit = IBU).
 * It shares nothing with the OmniFold loop: it fills a response matrix, an efficiency and
 * the fakes' reco shape once, then iterates on per-cell totals.
 *
 * Causes c are the gen cells (plus, with fakes "global", one fake cause); effects e are the
 * reco cells. With θ_c the unfolded total of cause c, A_ec the response (sim events of c
 * reconstructed in e over all sim events of c) and eff_c = Σ_e A_ec:
 *
 *   F_e  = Σ_c A_ec θ_c + fakes_e                  folded prediction (fakes_e: the fixed or the fake cause's share)
 *   ω_e  = guard(D_e / F_e)                         D_e: data minus background in e
 *   m_c  = guard(Σ_e A_ec ω_e / eff_c)  (misses "expectation"),  1  (misses "prior")
 *   U_c  = θ_c·(Σ_e A_ec ω_e + (1 − eff_c)·m_c)     the pulled total of cause c
 *   θ′_c = θ_c·guard(U_c / θ_c)  (reference "previous"),  θ⁰_c·guard(U_c / θ⁰_c)  ("prior")
 *
 * With misses "expectation" and no clipping this is D'Agostini's θ′_c = θ_c/eff_c·Σ_e A_ec D_e/F_e.
 * `guard` is the binned classifier's cell rule with the engine's documented clip guards
 * (docs/algorithm.md §Guards, §Binned classifier): a cell with a positive denominator and a
 * non-negative numerator gets the ratio clipped to [ε/(1−ε)·S1/S0, (1−ε)/ε·S1/S0] and
 * [0, wMax]; any other cell gets the overall ratio S1/S0 of the two totals.
 */
import { InputError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';

/** Sim events as the reference reads them (the engine's SimSample has this shape). */
export interface IbuSim {
  gen: FeatureMatrix;
  reco: FeatureMatrix;
  passGen: Uint8Array;
  passReco: Uint8Array;
  /** [nEvents] prior weights w0. */
  weights: Float64Array;
}

/** Data events, and the background that is subtracted from them. */
export interface IbuData {
  reco: FeatureMatrix;
  weights: Float64Array;
  background?: { reco: FeatureMatrix; weights: Float64Array };
}

/** How the reference iterates: the conventions that binned OmniFold would use. */
export interface IbuOptions {
  nIterations: number;
  /** Per gen feature, strictly increasing edges; each feature has under- and overflow slots. */
  genEdges: readonly (readonly number[])[];
  /** Per reco feature; default the gen edges (one grid for both levels, as the CLI builds it). */
  recoEdges?: readonly (readonly number[])[];
  misses: 'expectation' | 'prior';
  /** "global": one fake cause, updated like a gen cell with efficiency 1; "fixed": the fakes keep w0. */
  fakes: 'global' | 'fixed';
  step2Reference: 'previous' | 'prior';
  epsilon: number;
  wMax: number;
}

/** The reference's result: per iteration, the unfolded total of every gen cell and of the fakes. */
export interface IbuResult {
  /** Cells of the gen grid (under- and overflow slots included). */
  nGenCells: number;
  /** [nIterations][nGenCells]: the unfolded total of every gen cell after iterations 1..N. */
  genCells: Float64Array[];
  /** [nIterations]: the fakes' total after each iteration (their prior total with fakes "fixed"). */
  fakes: number[];
}

/** Slot of x among `edges`: 0 below the first edge, k for edges[k−1] ≤ x < edges[k], edges.length above (or NaN). */
function slotOf(edges: readonly number[], x: number): number {
  let k = 0;
  while (k < edges.length && x >= edges[k]) k++;
  return Number.isNaN(x) ? edges.length : k;
}

/** The grid cell of every row of `x` (row-major flattening, first feature fastest). */
export function gridCells(x: FeatureMatrix, edges: readonly (readonly number[])[]): Int32Array {
  if (x.nFeatures !== edges.length)
    throw new InputError(`IBU grid must have one edge list per feature (${x.nFeatures}); got ${edges.length}`);
  const cells = new Int32Array(x.nEvents);
  for (let i = 0; i < x.nEvents; i++) {
    let cell = 0;
    let stride = 1;
    for (let k = 0; k < edges.length; k++) {
      cell += slotOf(edges[k], x.values[i * x.nFeatures + k]) * stride;
      stride *= edges[k].length + 1;
    }
    cells[i] = cell;
  }
  return cells;
}

/** Cells of a grid: the product of (edges + 1) slots per feature. */
export function gridSize(edges: readonly (readonly number[])[]): number {
  return edges.reduce((n, e) => n * (e.length + 1), 1);
}

/** The binned classifier's ratio of a cell (see the file header). */
function guard(s1: number, s0: number, scale: number, options: IbuOptions): number {
  if (!(s0 > 0 && s1 >= 0)) return scale;
  const { epsilon, wMax } = options;
  let r = s1 / s0;
  const lo = (epsilon / (1 - epsilon)) * scale;
  const hi = epsilon > 0 ? ((1 - epsilon) / epsilon) * scale : Infinity;
  r = Math.min(Math.max(r, lo), hi);
  return Math.max(Math.min(r, wMax), 0);
}

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

/**
 * Matrix IBU of `data` with the response of `sim` on the given grid (see the file header).
 *
 * @throws InputError for a grid that does not fit the features, or a sim without events in any gen cell
 */
export function matrixIbu(sim: IbuSim, data: IbuData, options: IbuOptions): IbuResult {
  const recoEdges = options.recoEdges ?? options.genEdges;
  const nC = gridSize(options.genEdges);
  const nE = gridSize(recoEdges);
  const genCell = gridCells(sim.gen, options.genEdges);
  const recoCell = gridCells(sim.reco, recoEdges);
  // prior P_c, response counts M[e·nC + c], fakes' reco shape Φ_e, all in w0
  const prior = new Float64Array(nC);
  const response = new Float64Array(nE * nC);
  const fakes0 = new Float64Array(nE);
  let hasMisses = false;
  for (let i = 0; i < sim.weights.length; i++) {
    const w = sim.weights[i];
    if (sim.passGen[i]) {
      prior[genCell[i]] += w;
      if (sim.passReco[i]) response[recoCell[i] * nC + genCell[i]] += w;
      else hasMisses = true;
    } else if (sim.passReco[i]) fakes0[recoCell[i]] += w;
  }
  // D_e: data minus background
  const measured = new Float64Array(nE);
  gridCells(data.reco, recoEdges).forEach((e, j) => (measured[e] += data.weights[j]));
  if (data.background)
    gridCells(data.background.reco, recoEdges).forEach((e, k) => (measured[e] -= data.background!.weights[k]));
  const S1 = sum(measured);
  const seen = new Float64Array(nC); // Σ_e M_ec: the reconstructed part of each cause
  for (let e = 0; e < nE; e++) for (let c = 0; c < nC; c++) seen[c] += response[e * nC + c];

  let theta = Float64Array.from(prior);
  let fakeScale = 1; // ν of the fakes
  const result: IbuResult = { nGenCells: nC, genCells: [], fakes: [] };
  for (let n = 0; n < options.nIterations; n++) {
    // folded prediction per reco cell, ν constant in each cause: F_e = Σ_c M_ec ν_c + Φ_e ν_φ
    const nu = theta.map((t, c) => (prior[c] > 0 ? t / prior[c] : 1));
    const folded = new Float64Array(nE);
    for (let e = 0; e < nE; e++) {
      let f = fakes0[e] * fakeScale;
      for (let c = 0; c < nC; c++) f += response[e * nC + c] * nu[c];
      folded[e] = f;
    }
    const S0 = sum(folded);
    const omega = folded.map((f, e) => guard(measured[e], f, S1 / S0, options));
    // Σ_e M_ec ν_c ω_e: the pulled total of the reconstructed part of each cause
    const pulledSeen = new Float64Array(nC);
    for (let e = 0; e < nE; e++) for (let c = 0; c < nC; c++) pulledSeen[c] += response[e * nC + c] * nu[c] * omega[e];
    // misses: the mean ω of their cause's reconstructed events (step 1b), or their push weight
    const missScale = new Float64Array(nC).fill(1);
    if (options.misses === 'expectation' && hasMisses) {
      const s1 = sum(pulledSeen);
      const s0 = sum(seen.map((m, c) => m * nu[c]));
      for (let c = 0; c < nC; c++) missScale[c] = guard(pulledSeen[c], seen[c] * nu[c], s1 / s0, options);
    }
    const pulled = theta.map((_, c) => pulledSeen[c] + (prior[c] - seen[c]) * nu[c] * missScale[c]);
    const base = options.step2Reference === 'prior' ? prior : theta;
    const scale = sum(pulled) / sum(base);
    theta = base.map((b, c) => b * guard(pulled[c], b, scale, options));
    if (options.fakes === 'global' && sum(fakes0) > 0) {
      let fakesPulled = 0;
      for (let e = 0; e < nE; e++) fakesPulled += fakes0[e] * fakeScale * omega[e];
      fakeScale = fakesPulled / sum(fakes0);
    }
    result.genCells.push(theta);
    result.fakes.push(sum(fakes0) * fakeScale);
  }
  return result;
}

/** Per gen cell, Σ `weights` over the sim events passing gen: the histogram that IBU's θ estimates. */
export function genCellTotals(
  sim: IbuSim,
  weights: Float64Array,
  genEdges: readonly (readonly number[])[],
): Float64Array {
  const cells = gridCells(sim.gen, genEdges);
  const out = new Float64Array(gridSize(genEdges));
  for (let i = 0; i < weights.length; i++) if (sim.passGen[i]) out[cells[i]] += weights[i];
  return out;
}

/** One iteration of a comparison: the largest relative difference and the cell where it is. */
export interface IbuComparisonRow {
  iteration: number;
  /** max over cells of |a − b| / |b| (cells with b = 0: |a − b| / Σ|b|). */
  maxRelativeDifference: number;
  /** The worst cell (nGenCells for the fakes' total). */
  worstCell: number;
}

/**
 * Compares unfolded cell totals `got` (one array per iteration) with the reference's, cell
 * by cell; the fakes' totals, when given, as one more cell.
 */
export function compareWithIbu(
  got: { genCells: Float64Array[]; fakes?: number[] },
  want: IbuResult,
  withFakes: boolean,
): IbuComparisonRow[] {
  return want.genCells.map((cells, n) => {
    const a = withFakes ? [...got.genCells[n], got.fakes![n]] : Array.from(got.genCells[n]);
    const b = withFakes ? [...cells, want.fakes[n]] : Array.from(cells);
    const scale = b.reduce((s, v) => s + Math.abs(v), 0);
    let worst = 0;
    let worstCell = 0;
    for (let c = 0; c < b.length; c++) {
      const d = Math.abs(a[c] - b[c]) / (b[c] !== 0 ? Math.abs(b[c]) : scale);
      if (!(d <= worst)) [worst, worstCell] = [d, c]; // NaN counts as worst
    }
    return { iteration: n + 1, maxRelativeDifference: worst, worstCell };
  });
}
