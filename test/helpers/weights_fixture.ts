/**
 * A small output directory built in code for the plot, report, validate and HEPData tests:
 * weights.arrow written with apache-arrow directly (gen_pt, gen_eta, masks, nominal weight,
 * one saved iteration, 6 data bootstraps, 4 sim bootstraps, 1 systematic) and a matching
 * summary.json, with diagnostics that trip every report warning.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Schema, Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { testDir } from './temp_dir.js';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export const N_EVENTS = 2000;
export const PT_EDGES = [20, 30, 40, 50, 60, 70, 80];
export const ETA_EDGES = [-2, -1, 0, 1, 2];

export interface Fixture {
  dir: string;
  columns: Record<string, Float32Array | Float64Array | Uint8Array>;
  metadata: Record<string, unknown>;
  summary: Record<string, unknown>;
}

/** Builds the columns and metadata (no files). */
export function fixtureContent(): Omit<Fixture, 'dir'> {
  const u = uniforms(7);
  const n = N_EVENTS;
  const pt = new Float32Array(n);
  const eta = new Float32Array(n);
  const passGen = new Uint8Array(n);
  const passReco = new Uint8Array(n);
  const w0 = new Float64Array(n);
  const weight = new Float64Array(n);
  const iter1 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pt[i] = 50 + 12 * gauss(u);
    eta[i] = 1.2 * gauss(u);
    passGen[i] = u() < 0.95 ? 1 : 0;
    passReco[i] = u() < 0.9 ? 1 : 0;
    if (!passGen[i] && !passReco[i]) passReco[i] = 1;
    w0[i] = 1;
    const push = Math.exp(0.02 * (pt[i] - 50)) * (1 + 0.05 * eta[i]);
    weight[i] = w0[i] * push;
    iter1[i] = w0[i] * (1 + 0.6 * (push - 1));
  }
  const columns: Record<string, Float32Array | Float64Array | Uint8Array> = {
    gen_pt: pt,
    gen_eta: eta,
    pass_gen: passGen,
    pass_reco: passReco,
    weight,
    weight_iter1: iter1,
  };
  const roles: { name: string; role: string }[] = [
    { name: 'gen_pt', role: 'gen_feature' },
    { name: 'gen_eta', role: 'gen_feature' },
    { name: 'pass_gen', role: 'mask' },
    { name: 'pass_reco', role: 'mask' },
    { name: 'weight', role: 'nominal' },
    { name: 'weight_iter1', role: 'iteration' },
  ];
  const replica = (name: string, role: string, f: (i: number) => number) => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = weight[i] * f(i);
    columns[name] = c;
    roles.push({ name, role });
  };
  for (let b = 0; b < 6; b++) replica(`data_boot_${b}`, 'data_bootstrap', () => poisson1(u));
  for (let b = 0; b < 4; b++) replica(`sim_boot_${b}`, 'sim_bootstrap', () => poisson1(u));
  replica('syst_jes', 'systematic', (i) => 1 + 0.002 * (pt[i] - 50));
  const iterations = [1, 2].map((iteration) => ({
    iteration,
    steps: [
      { step: 'step1', clippedFraction: 0.001, ess: 1500, nEvents: 1800, change: 0.2 / iteration, members: [] },
      {
        step: 'step2',
        clippedFraction: iteration === 2 ? 0.03 : 0.002,
        ess: iteration === 2 ? 120 : 1400,
        nEvents: 1900,
        change: 0.15 / iteration,
        members: [],
      },
      // a small step: its ESS is judged against the 60 fakes it covers, not all events
      { step: 'fakes', clippedFraction: 0, ess: 50, nEvents: 60, change: 0.1 / iteration, members: [] },
    ],
    recoChi2: [
      { feature: 'reco_pt', chi2: 80 / iteration, ndf: 5 },
      { feature: 'reco_eta', chi2: 20 / iteration, ndf: 3 },
    ],
  }));
  const sum = (w: Float64Array, mask?: Uint8Array) => w.reduce((s, v, i) => (mask && !mask[i] ? s : s + v), 0);
  const metadata = {
    format: 'omnifold-weights',
    formatVersion: 1,
    engine: { name: 'omnifold', version: '0.1.0' },
    configuration: {
      nIterations: 2,
      classifier: { type: 'mlp', hidden: [50, 50, 50] },
      seed: 11,
      sim: 'sim.arrow',
      data: 'data.arrow',
    },
    seed: 11,
    inputs: [
      { role: 'sim', path: 'sim.arrow', sha256: 'a'.repeat(64), bytes: 12345 },
      { role: 'data', path: 'data.arrow', sha256: 'b'.repeat(64), bytes: 6789 },
    ],
    iterations,
    nDropped: 0,
    columns: roles,
    combination: {
      nominal: 'column "weight": central value',
      data_bootstrap: 'stat covariance = sample covariance over data_bootstrap columns',
      sim_bootstrap: 'sim-stat covariance = sample covariance over sim_bootstrap columns',
      systematic: 'delta delta^T per systematic column',
      total: 'stat + sim-stat + systematics',
    },
    observables: [
      { name: 'gen_pt', label: 'Jet p_T', unit: 'GeV' },
      { name: 'gen_eta', label: 'Jet η' },
    ],
    selection: { gen: 'p_T > 20 GeV' },
    normalisation: {
      description: 'absolute',
      sumPriorWeights: sum(w0),
      sumPriorWeightsPassGen: sum(w0, passGen),
      sumWeights: sum(weight),
      sumWeightsPassGen: sum(weight, passGen),
      sumDataWeights: 1900,
    },
  };
  const feature = (name: string, x: Float32Array, edges: number[], chi2Worse: boolean) => {
    const h = (w: Float64Array) => {
      const sumw = new Array(edges.length - 1).fill(0);
      const sumw2 = new Array(edges.length - 1).fill(0);
      let underflow = 0;
      let overflow = 0;
      for (let i = 0; i < n; i++) {
        if (!passGen[i]) continue;
        if (x[i] < edges[0]) underflow += w[i];
        else if (x[i] >= edges[edges.length - 1]) overflow += w[i];
        else {
          const k = edges.findIndex((e, j) => x[i] >= e && x[i] < edges[j + 1]);
          sumw[k] += w[i];
          sumw2[k] += w[i] * w[i];
        }
      }
      return { sumw, sumw2, underflow, overflow };
    };
    const unfolded = h(weight);
    const truth = { ...unfolded, sumw: unfolded.sumw.map((v: number, k: number) => v * (1 + 0.03 * Math.sin(k))) };
    return {
      feature: name,
      edges,
      prior: h(w0),
      unfolded,
      truth,
      priorVsTruth: { chi2: chi2Worse ? 3 : 40, ndf: edges.length - 2 },
      unfoldedVsTruth: { chi2: chi2Worse ? 30 : 4, ndf: edges.length - 2 },
      ...(chi2Worse
        ? {}
        : { unfoldedVsTruthBootstrap: { chi2: 2.5, ndf: edges.length - 2, dataBootstraps: 3, simBootstraps: 2 } }),
    };
  };
  const summary = {
    format: 'omnifold-summary',
    formatVersion: 1,
    iterations,
    nDropped: 0,
    features: [feature('gen_pt', pt, PT_EDGES, false), feature('gen_eta', eta, ETA_EDGES, true)],
  };
  return { columns, metadata, summary };
}

function poisson1(u: () => number): number {
  const l = Math.exp(-1);
  let k = 0;
  let p = u();
  while (p > l) {
    k++;
    p *= u();
  }
  return k;
}

/** Arrow IPC file bytes of `columns` with `metadata` under the schema key `omnifold`. */
export function weightsArrowBytes(columns: Fixture['columns'], metadata: unknown): Uint8Array {
  const table = tableFromArrays(columns as Record<string, Float64Array>);
  const schema = new Schema(
    table.schema.fields,
    new Map([['omnifold', typeof metadata === 'string' ? metadata : JSON.stringify(metadata)]]),
  );
  return tableToIPC(new Table(schema, table.batches), 'file');
}

/** Writes weights.arrow and summary.json into a fresh temporary directory. */
export function writeFixture(): Fixture {
  const content = fixtureContent();
  const dir = testDir('omnifold-fixture-');
  writeFileSync(join(dir, 'weights.arrow'), weightsArrowBytes(content.columns, content.metadata));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(content.summary, null, 1));
  return { dir, ...content };
}
