/**
 * Uncertainty replicas (docs/algorithm.md §Uncertainty replicas): each is a full unfolding
 * from the same inputs with one thing changed, run concurrently through one shared
 * {@link MemberRunner}.
 *
 *   nominal          the inputs as given                          kind nominal, index 0
 *   data_boot_b      data weights × Poisson(1)  (seed, data, b)   kind data, index b
 *   sim_boot_b       sim weights × Poisson(1)   (seed, sim, b)    kind sim,  index b
 *   syst_<name>      alternative sim sample | alternative prior weights | scaled reco feature
 *                                                                 kind syst, index s
 * The replica's (kind, index) also keys the random streams of its classifier fits.
 * Columns come back in that fixed order whatever order the unfoldings finish in.
 */
import { InputError } from '../base/errors.js';
import type { FeatureMatrix } from '../base/features.js';
import { unfold } from '../algorithm/omnifold.js';
import { resolveUnfoldOptions } from '../algorithm/options.js';
import { ConfigHash, readReplica, removeStaleTemporaries, writeReplica, type StoredReplica } from './replica_store.js';
import { poissonOneWeights, type ReplicaKind } from '../base/rng.js';
import { FAMILIES, type ReplicaFamily } from './families.js';
import type { DataSample, IterationDiagnostics, MemberRunner, SimSample, UnfoldOptions, UnfoldProgress, UnfoldResult } from '../algorithm/types.js';

/** A systematic variation of the simulation. */
export type SystematicSpec =
  /** Another sim sample (e.g. another generator), row-aligned with the nominal sim. */
  | { name: string; kind: 'sample'; sim: SimSample }
  /** Alternative prior weights w0 of the nominal sim (e.g. a nuisance variation column). */
  | { name: string; kind: 'weight'; weights: Float64Array }
  /** The nominal sim with reco feature `feature` multiplied by `scale` (e.g. energy scale ×1.01). */
  | { name: string; kind: 'reco-transform'; feature: number; scale: number };

/** Unfolding options plus the replica plan. */
export interface ReplicaOptions extends Partial<Omit<UnfoldOptions, 'replica'>> {
  /** Data bootstrap replicas B (default 0). */
  dataBootstraps?: number;
  /** Sim bootstrap replicas B (default 0). */
  simBootstraps?: number;
  systematics?: SystematicSpec[];
}

/** One planned replica. */
export interface ReplicaPlan {
  /** Column name: `weight`, `data_boot_<b>`, `sim_boot_<b>`, `syst_<name>`. */
  name: string;
  family: ReplicaFamily;
  kind: ReplicaKind;
  index: number;
  systematic?: SystematicSpec;
}

/** One weight column of the result. */
export interface ReplicaColumn {
  name: string;
  family: ReplicaFamily;
  /** [nSim] unfolded weights w0·ν of this replica. */
  values: Float64Array;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

function count(path: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new InputError(`${path} must be a non-negative integer; got ${String(v)}`);
  return v;
}

/** The replicas of a run, in column order: nominal, data bootstraps, sim bootstraps, systematics. */
export function planReplicas(options: ReplicaOptions): ReplicaPlan[] {
  const planned = (family: ReplicaFamily, index: number, systematic?: SystematicSpec): ReplicaPlan => {
    const f = FAMILIES[family];
    return { name: f.column(index, systematic?.name), family, kind: f.streamKind, index, ...(systematic ? { systematic } : {}) };
  };
  const plan: ReplicaPlan[] = [planned('nominal', 0)];
  const nData = count('options.dataBootstraps', options.dataBootstraps);
  const nSim = count('options.simBootstraps', options.simBootstraps);
  for (let b = 0; b < nData; b++) plan.push(planned('data_bootstrap', b));
  for (let b = 0; b < nSim; b++) plan.push(planned('sim_bootstrap', b));
  const seen = new Set<string>();
  (options.systematics ?? []).forEach((s, index) => {
    const path = `options.systematics[${index}]`;
    if (typeof s?.name !== 'string' || !NAME.test(s.name)) throw new InputError(`${path}.name must match [A-Za-z0-9_.-]+; got ${JSON.stringify(s?.name)}`);
    if (seen.has(s.name)) throw new InputError(`${path}.name must be unique; got ${JSON.stringify(s.name)} twice`);
    if (!['sample', 'weight', 'reco-transform'].includes(s.kind)) {
      throw new InputError(`${path}.kind must be one of sample, weight, reco-transform; got ${JSON.stringify((s as { kind?: unknown }).kind)}`);
    }
    seen.add(s.name);
    plan.push(planned('systematic', index, s));
  });
  return plan;
}

function times(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
  return out;
}

/** `x` with feature `feature` multiplied by `scale`, as a new SAB-backed matrix. */
export function scaleFeature(x: FeatureMatrix, feature: number, scale: number): FeatureMatrix {
  const values = new Float32Array(new SharedArrayBuffer(x.values.byteLength));
  values.set(x.values);
  for (let i = 0; i < x.nEvents; i++) values[i * x.nFeatures + feature] *= scale;
  return { values, nEvents: x.nEvents, nFeatures: x.nFeatures };
}

/** The inputs of replica `plan`: the nominal ones with its one change applied. */
export function replicaInputs(plan: ReplicaPlan, sim: SimSample, data: DataSample, seed: number): { sim: SimSample; data: DataSample } {
  const key = { seed, replica: plan.index, iteration: 0, step: 'none', member: 0 } as const;
  switch (plan.family) {
    case 'nominal':
      return { sim, data };
    case 'data_bootstrap':
      return { sim, data: { ...data, weights: times(data.weights, poissonOneWeights(data.weights.length, { ...key, kind: 'data' })) } };
    case 'sim_bootstrap':
      // one factor per event: gen and reco move together
      return { sim: { ...sim, weights: times(sim.weights, poissonOneWeights(sim.weights.length, { ...key, kind: 'sim' })) }, data };
    case 'systematic':
      return { sim: systematicSim(plan.systematic!, sim, plan.index), data };
  }
}

/** Throws an InputError unless systematic `index` fits the nominal sim. */
export function checkSystematic(s: SystematicSpec, sim: SimSample, index: number): void {
  const path = `options.systematics[${index}]`;
  const n = sim.weights.length;
  if (s.kind === 'sample' && s.sim?.weights?.length !== n) {
    throw new InputError(`${path}.sim must have the nominal sim's ${n} events (row-aligned, one weights file); got ${s.sim?.weights?.length}`);
  }
  if (s.kind === 'weight' && (!(s.weights instanceof Float64Array) || s.weights.length !== n)) {
    throw new InputError(`${path}.weights must be a Float64Array of ${n} weights; got ${(s.weights as { length?: number } | undefined)?.length ?? String(s.weights)}`);
  }
  if (s.kind === 'reco-transform') {
    if (!Number.isInteger(s.feature) || s.feature < 0 || s.feature >= sim.reco.nFeatures) {
      throw new InputError(`${path}.feature must be an integer in [0, ${sim.reco.nFeatures}); got ${s.feature}`);
    }
    if (!Number.isFinite(s.scale)) throw new InputError(`${path}.scale must be a finite number; got ${s.scale}`);
  }
}

function systematicSim(s: SystematicSpec, sim: SimSample, index: number): SimSample {
  checkSystematic(s, sim, index);
  switch (s.kind) {
    case 'sample':
      return s.sim;
    case 'weight':
      return { ...sim, weights: s.weights };
    case 'reco-transform':
      return { ...sim, reco: scaleFeature(sim.reco, s.feature, s.scale) };
  }
}

function hashSim(h: ConfigHash, sim: SimSample): void {
  h.update(sim.gen.nFeatures).update(sim.gen.values).update(sim.reco.nFeatures).update(sim.reco.values);
  h.update(sim.passGen).update(sim.passReco).update(sim.weights);
}

function hashInputs(sim: SimSample, data: DataSample): string {
  const h = new ConfigHash();
  hashSim(h, sim);
  return h.update(data.reco.nFeatures).update(data.reco.values).update(data.weights).digest();
}

/**
 * Hash of everything a replica's weights depend on: the resolved options (its replica
 * key included), the input samples' bytes and the replica's own change.
 */
export function replicaHash(plan: ReplicaPlan, options: UnfoldOptions, inputsHash: string): string {
  const h = new ConfigHash().update(inputsHash).update(JSON.stringify(options)).update(plan.name);
  const s = plan.systematic;
  if (s?.kind === 'sample') hashSim(h, s.sim);
  if (s?.kind === 'weight') h.update(s.weights);
  if (s?.kind === 'reco-transform') h.update(s.feature).update(s.scale);
  return h.digest();
}

/**
 * One replica's full unfolding: its inputs (the nominal ones with its change applied) and
 * its random streams keyed by its (kind, index), so the same bits whether it runs alone
 * (a spot check, one task of a batch job) or within {@link runReplicas}.
 */
export function unfoldReplica(plan: ReplicaPlan, sim: SimSample, data: DataSample, options: UnfoldOptions, context: Pick<ReplicaContext, 'runner' | 'onProgress'> = {}): Promise<UnfoldResult> {
  const input = replicaInputs(plan, sim, data, options.seed);
  const opts: UnfoldOptions = { ...options, replica: { kind: plan.kind, index: plan.index } };
  return unfold(input.sim, input.data, opts, { runner: context.runner, onProgress: context.onProgress });
}

/**
 * Progress of a replica run: every unfolding's events, one `replica-start` event as a
 * replica's unfolding begins (its `replica` key, `kind#index`, is the one its unfolding's
 * events carry), one `replica` event per finished replica, and a notice when a stored
 * replica cannot be used (damaged, or from another configuration).
 */
export type ReplicaProgress =
  | UnfoldProgress
  | { type: 'replica-start'; name: string; replica: string; total: number }
  | { type: 'replica'; name: string; status: 'computed' | 'resumed'; done: number; total: number }
  | { type: 'notice'; name: string; message: string };

/** What {@link runReplicas} needs besides data and options. */
export interface ReplicaContext {
  /** Shared by every replica's unfolding (a PoolRunner keeps every core busy). */
  runner?: MemberRunner;
  onProgress?: (progress: ReplicaProgress) => void;
  /**
   * When given, each finished replica is stored atomically in this folder (created; the
   * engine owns it: give a folder of its own, e.g. the CLI's `OUT/.omnifold-resume/`).
   */
  storeDir?: string;
  /** Load finished replicas from `storeDir` when their checksum and configuration hash match. */
  resume?: boolean;
  /** Replicas unfolding at once; default ⌈2 × the runner's threads / nMembers⌉, at least 2. */
  concurrency?: number;
}

/** The result of {@link runReplicas}. */
export interface ReplicaRunResult {
  /** Columns in plan order: nominal, data bootstraps, sim bootstraps, systematics. */
  columns: ReplicaColumn[];
  /** Per column, the iteration diagnostics (as stored, for resumed replicas). */
  diagnostics: IterationDiagnostics[][];
  /**
   * The nominal unfolding, as `writeWeightsFile` wants it. `weightsPerIteration` is there
   * when `saveIterations` is set (the nominal is then always recomputed, never resumed).
   */
  nominal: Pick<UnfoldResult, 'weights' | 'weightsPerIteration' | 'iterations' | 'nDropped' | 'options'>;
  /** Column names loaded from the store instead of recomputed. */
  resumed: string[];
  options: UnfoldOptions;
}

/**
 * Runs the nominal unfolding and every replica concurrently, sharing one runner.
 *
 * @example
 * const runner = new PoolRunner();
 * const { columns } = await runReplicas(sim, data, { nIterations: 4, dataBootstraps: 20 }, { runner, storeDir: 'OUT/.omnifold-resume', resume: true });
 * columns.map((c) => c.name); // ['weight', 'data_boot_0', …, 'data_boot_19']
 */
export async function runReplicas(sim: SimSample, data: DataSample, options: ReplicaOptions = {}, context: ReplicaContext = {}): Promise<ReplicaRunResult> {
  const { dataBootstraps: _d, simBootstraps: _s, systematics: _y, ...unfoldPartial } = options;
  const resolved = resolveUnfoldOptions(unfoldPartial);
  const plan = planReplicas(options);
  for (const p of plan) if (p.systematic !== undefined) checkSystematic(p.systematic, sim, p.index); // fail before any work
  if (context.resume && context.storeDir === undefined) throw new InputError('resume must come with storeDir; got resume without storeDir');
  const storeDir = context.storeDir;
  if (storeDir !== undefined && context.resume) removeStaleTemporaries(storeDir);
  const inputsHash = storeDir === undefined ? '' : hashInputs(sim, data);
  // enough replicas in flight to keep every thread busy, no more (each holds its own weights)
  const threads = (context.runner as { threads?: number } | undefined)?.threads ?? 1;
  const concurrency = context.concurrency ?? Math.max(2, Math.ceil((2 * threads) / resolved.nMembers));

  const columns: ReplicaColumn[] = new Array(plan.length);
  const diagnostics: IterationDiagnostics[][] = new Array(plan.length);
  const resumed: boolean[] = new Array(plan.length).fill(false);
  let nominal: ReplicaRunResult['nominal'] | undefined;
  let done = 0;
  const runOne = async (k: number): Promise<void> => {
    const p = plan[k];
    const opts: UnfoldOptions = { ...resolved, replica: { kind: p.kind, index: p.index } };
    const hash = storeDir === undefined ? '' : replicaHash(p, opts, inputsHash);
    const canResume = context.resume && storeDir !== undefined && !(p.family === 'nominal' && resolved.saveIterations);
    const stored = canResume ? usableReplica(storeDir!, p.name, hash, sim.weights.length, context.onProgress) : undefined;
    if (stored !== undefined) {
      const extra = (stored.header.extra ?? {}) as { iterations?: IterationDiagnostics[]; nDropped?: number };
      columns[k] = { name: p.name, family: p.family, values: stored.weights };
      diagnostics[k] = extra.iterations ?? [];
      if (p.family === 'nominal') nominal = { weights: stored.weights, iterations: diagnostics[k], nDropped: extra.nDropped ?? 0, options: opts };
      resumed[k] = true;
    } else {
      context.onProgress?.({ type: 'replica-start', name: p.name, replica: `${p.kind}#${p.index}`, total: plan.length });
      const result = await unfoldReplica(p, sim, data, resolved, context);
      columns[k] = { name: p.name, family: p.family, values: result.weights };
      diagnostics[k] = result.iterations;
      if (p.family === 'nominal') nominal = result;
      if (storeDir !== undefined) {
        const extra = { iterations: result.iterations, nDropped: result.nDropped };
        writeReplica(storeDir, { name: p.name, family: p.family, hash, nEvents: result.weights.length, extra }, result.weights);
      }
    }
    done++;
    context.onProgress?.({ type: 'replica', name: p.name, status: resumed[k] ? 'resumed' : 'computed', done, total: plan.length });
  };
  await runLimited(plan.length, concurrency, runOne);
  return { columns, diagnostics, nominal: nominal!, resumed: plan.filter((_, k) => resumed[k]).map((p) => p.name), options: resolved };
}

/** The stored replica `name` when it can be used; otherwise undefined, with a notice saying why. */
function usableReplica(dir: string, name: string, hash: string, nEvents: number, onProgress: ReplicaContext['onProgress']): StoredReplica | undefined {
  const lookup = readReplica(dir, name);
  if (lookup.status === 'absent') return undefined;
  const notice = (why: string) => onProgress?.({ type: 'notice', name, message: `stored replica ${name} ${why}; recomputing it` });
  if (lookup.status === 'damaged') return void notice(`is damaged (${lookup.reason})`);
  const { header, weights } = lookup.replica;
  if (header.hash !== hash) return void notice('was made with another configuration or other inputs');
  if (weights.length !== nEvents) return void notice(`holds ${weights.length} weights, not ${nEvents}`);
  return lookup.replica;
}

/** Runs `task(0..n−1)` with at most `limit` in flight, started in index order; fails fast. */
async function runLimited(n: number, limit: number, task: (k: number) => Promise<void>): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`concurrency must be a positive integer; got ${limit}`);
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
