/**
 * Binned limit = IBU (docs/algorithm.md §Binned limit = IBU): OmniFold with the exact
 * bin-ratio classifier and misses "expectation" is D'Agostini's iterative Bayesian
 * unfolding with efficiency correction, iteration by iteration; with fakes "global" it is
 * IBU with a fake cause.
 * The IBU reference below is independent of the engine: plain matrices. The library's own
 * reference, matrixIbu (src/analysis/ibu.ts, which `omnifold check ibu` uses), is checked
 * against it too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { matrixIbu } from '../src/analysis/ibu.js';
import { RandomStream } from '../src/base/rng.js';
import type { DataSample, SimSample } from '../src/algorithm/types.js';
import { assertClose } from './helpers/close.js';
import { loadReference } from './helpers/reference.js';

const EDGES = [0, 1, 2, 3, 4, 5];
const N_GEN = 5; // gen bins; all gen values lie inside the edges
const N_RECO = 7; // reco cells: underflow, 5 bins, overflow
const EFFICIENCY = [0.9, 0.75, 0.6, 0.5, 0.8];
const FAKE_RECO = [0.3, 0.3, 0.2, 0.1, 0.1];

interface Event {
  gen: number;
  reco: number;
  passGen: number;
  passReco: number;
  w: number;
}

function pick(u: number, p: number[]): number {
  let c = 0;
  let acc = p[0];
  while (c < p.length - 1 && u >= acc) acc += p[++c];
  return c;
}

/** A value inside bin b (b = −1 underflow, 5 overflow), away from the edges. */
const inBin = (b: number, u: number) => b + 0.01 + 0.98 * u;

/** Events with gen bins drawn from `prior`, migrating ±1 reco bin, gen-dependent efficiency. */
function generate(n: number, prior: number[], seed: number, nFakes: number, nDropped: number): Event[] {
  const s = new RandomStream({ seed, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');
  const events: Event[] = [];
  for (let i = 0; i < n; i++) {
    const c = pick(s.nextDouble(), prior);
    const m = s.nextDouble();
    const r = c + (m < 0.6 ? 0 : m < 0.8 ? 1 : -1);
    const passReco = s.nextDouble() < EFFICIENCY[c] ? 1 : 0;
    events.push({
      gen: inBin(c, s.nextDouble()),
      reco: inBin(r, s.nextDouble()),
      passGen: 1,
      passReco,
      w: 0.5 + s.nextDouble(),
    });
  }
  for (let i = 0; i < nFakes; i++) {
    const r = pick(s.nextDouble(), FAKE_RECO);
    events.push({ gen: NaN, reco: inBin(r, s.nextDouble()), passGen: 0, passReco: 1, w: 0.5 + s.nextDouble() });
  }
  for (let i = 0; i < nDropped; i++) events.push({ gen: NaN, reco: NaN, passGen: 0, passReco: 0, w: 1 });
  return events;
}

function toSim(events: Event[]): SimSample {
  return {
    gen: fromColumns([events.map((e) => e.gen)]),
    reco: fromColumns([events.map((e) => e.reco)]),
    passGen: Uint8Array.from(events, (e) => e.passGen),
    passReco: Uint8Array.from(events, (e) => e.passReco),
    weights: Float64Array.from(events, (e) => e.w),
  };
}

function toData(events: Event[]): DataSample {
  const seen = events.filter((e) => e.passReco === 1);
  return {
    reco: fromColumns([seen.map((e) => e.reco)]),
    weights: Float64Array.from(seen, (e) => 0.8 + 0.4 * ((e.w - 0.5) % 1)),
  };
}

const genBin = (x: number) => Math.floor(x);
const recoCell = (x: number) => Math.floor(x) + 1;

/**
 * IBU with efficiency correction in matrix form. Causes: gen bins, plus a fake cause when
 * `withFakeCause`. A[e][c] = M[e][c]/P[c] (M: w0 of sim passing reco in (e, c); P: w0 of
 * sim in cause c), eff[c] = Σ_e A[e][c], θ⁰ = P, D'Agostini: θ′c = θc/eff c·Σ_e A[e][c]·D[e]/F[e],
 * F[e] = Σ_c A[e][c]·θc. Returns θ after each iteration.
 */
function ibu(sim: Event[], data: DataSample, nIterations: number, withFakeCause: boolean): number[][] {
  const nC = N_GEN + (withFakeCause ? 1 : 0);
  const cause = (e: Event) => (e.passGen ? genBin(e.gen) : N_GEN);
  const M = Array.from({ length: N_RECO }, () => new Array<number>(nC).fill(0));
  const P = new Array<number>(nC).fill(0);
  for (const e of sim) {
    if (!e.passGen && !(withFakeCause && e.passReco)) continue;
    P[cause(e)] += e.w;
    if (e.passReco) M[recoCell(e.reco)][cause(e)] += e.w;
  }
  const A = M.map((row) => row.map((m, c) => m / P[c]));
  const eff = P.map((_, c) => A.reduce((s, row) => s + row[c], 0));
  const D = new Array<number>(N_RECO).fill(0);
  for (let j = 0; j < data.weights.length; j++) D[recoCell(data.reco.values[j])] += data.weights[j];
  let theta = P.slice();
  const out: number[][] = [];
  for (let n = 0; n < nIterations; n++) {
    const F = A.map((row) => row.reduce((s, a, c) => s + a * theta[c], 0));
    theta = theta.map((t, c) => (t / eff[c]) * A.reduce((s, row, e) => (F[e] > 0 ? s + (row[c] * D[e]) / F[e] : s), 0));
    out.push(theta);
  }
  return out;
}

/** Unfolded gen histogram (plus the fakes' total as the last entry) from per-event weights. */
function unfoldedHistogram(sim: Event[], weights: Float64Array, withFakeCause: boolean): number[] {
  const h = new Array<number>(N_GEN + (withFakeCause ? 1 : 0)).fill(0);
  sim.forEach((e, i) => {
    if (e.passGen) h[genBin(e.gen)] += weights[i];
    else if (withFakeCause && e.passReco) h[N_GEN] += weights[i];
  });
  return h;
}

const binned = { type: 'binned' as const, edges: [EDGES] };

/** The library's matrix IBU on the same events: per iteration, the 5 gen bins (and the fakes' total). */
function libraryIbu(
  simEvents: Event[],
  data: DataSample,
  withFakeCause: boolean,
  step2Reference: 'previous' | 'prior',
): number[][] {
  const { epsilon, wMax } = resolveUnfoldOptions({});
  const r = matrixIbu(toSim(simEvents), data, {
    nIterations: 6,
    genEdges: [EDGES],
    misses: 'expectation',
    fakes: 'global',
    step2Reference,
    epsilon,
    wMax,
  });
  // cells: underflow, 5 bins, overflow; nothing falls outside
  return r.genCells.map((c, n) => [...c.slice(1, 1 + N_GEN), ...(withFakeCause ? [r.fakes[n]] : [])]);
}

// both step-2 references (docs/algorithm.md §Step 2 reference): with exact bin ratios, ν is
// constant in a gen cell and ν·g = g_prior, so both are IBU
for (const step2Reference of ['previous', 'prior'] as const) {
  test(`misses "expectation", ${step2Reference} reference: OmniFold equals IBU with efficiency correction at iterations 1..6`, async () => {
    const simEvents = generate(20000, [0.1, 0.25, 0.3, 0.2, 0.15], 11, 0, 50);
    const data = toData(generate(20000, [0.2, 0.2, 0.2, 0.25, 0.15], 12, 0, 0));
    const result = await unfold(toSim(simEvents), data, {
      nIterations: 6,
      classifier: binned,
      misses: 'expectation',
      step2Reference,
      saveIterations: true,
    });
    const want = ibu(simEvents, data, 6, false);
    const library = libraryIbu(simEvents, data, false, step2Reference);
    assert.is(result.nDropped, 50);
    for (let n = 0; n < 6; n++) {
      // identical algebra, different summation order: agreement to rounding
      assertClose(`iteration ${n + 1}`, unfoldedHistogram(simEvents, result.weightsPerIteration![n], false), want[n], {
        rtol: 1e-10,
        atol: 0,
      });
      assertClose(`matrixIbu, iteration ${n + 1}`, library[n], want[n], { rtol: 1e-12, atol: 0 });
      for (const s of result.iterations[n].steps) assert.is(s.clippedFraction, 0, `${s.step} clipped`);
    }
    assert.equal(
      result.iterations[0].steps.map((s) => s.step),
      ['step1', 'misses', 'step2'],
    );
    // the dropped events keep w0
    assert.is(result.weights[simEvents.length - 1], 1);
  });

  test(`fakes "global", ${step2Reference} reference: OmniFold equals IBU with a fake cause at iterations 1..6`, async () => {
    const simEvents = generate(20000, [0.1, 0.25, 0.3, 0.2, 0.15], 21, 4000, 0);
    const data = toData(generate(20000, [0.2, 0.2, 0.2, 0.25, 0.15], 22, 6000, 0));
    const result = await unfold(toSim(simEvents), data, {
      nIterations: 6,
      classifier: binned,
      misses: 'expectation',
      fakes: 'global',
      step2Reference,
      saveIterations: true,
    });
    const want = ibu(simEvents, data, 6, true);
    const library = libraryIbu(simEvents, data, true, step2Reference);
    for (let n = 0; n < 6; n++) {
      assertClose(`iteration ${n + 1}`, unfoldedHistogram(simEvents, result.weightsPerIteration![n], true), want[n], {
        rtol: 1e-10,
        atol: 0,
      });
      assertClose(`matrixIbu, iteration ${n + 1}`, library[n], want[n], { rtol: 1e-12, atol: 0 });
    }
    assert.equal(
      result.iterations[0].steps.map((s) => s.step),
      ['step1', 'misses', 'step2', 'fakes'],
    );
  });
}

test('pyunfold 2-bin example: data [100, 150], response [[0.9, 0.1], [0.1, 0.9]], flat prior 125', async () => {
  // four weighted sim events realise the response: (gen bin, reco bin) with weight 125·R
  const sim: SimSample = {
    gen: fromColumns([[0.5, 0.5, 1.5, 1.5]]),
    reco: fromColumns([[0.5, 1.5, 0.5, 1.5]]),
    passGen: Uint8Array.of(1, 1, 1, 1),
    passReco: Uint8Array.of(1, 1, 1, 1),
    weights: Float64Array.of(125 * 0.9, 125 * 0.1, 125 * 0.1, 125 * 0.9),
  };
  const data: DataSample = { reco: fromColumns([[0.5, 1.5]]), weights: Float64Array.of(100, 150) };
  const result = await unfold(sim, data, {
    nIterations: 4,
    classifier: { type: 'binned', edges: [[0, 1, 2]] },
    saveIterations: true,
  });
  const reference = loadReference('ibu_2bin'); // pyunfold's example, frozen with its generator
  for (let n = 0; n < 4; n++) {
    const w = result.weightsPerIteration![n];
    // reference values are rounded to 8 decimals
    assertClose(`iteration ${n + 1}`, [w[0] + w[1], w[2] + w[3]], reference.values[n], {
      rtol: reference.tolerance.rtol,
      atol: reference.tolerance.atol,
    });
  }
});

test.run();
