/**
 * Uncertainty replicas (docs/algorithm.md §Uncertainty replicas): each is a full unfolding
 * from the same inputs with one thing changed. This file plans them, prepares a plan to run
 * ({@link prepareReplicas}), runs one ({@link computeReplica}) and merges the records;
 * an executor (src/execution/executor.ts) decides where and how many run at once, and
 * writes each one's record to a store (src/uncertainty/replica_record.ts).
 *
 *   nominal          the inputs as given                          kind nominal, index 0
 *   data_boot_b      data weights × Poisson(1)  (seed, data, b)   kind data, index b
 *                    and background weights × Poisson(1) from the same key's
 *                    `background` purpose, a stream apart from the data's
 *   sim_boot_b       sim weights × Poisson(1)   (seed, sim, b)    kind sim,  index b
 *   background_boot_b background weights × Poisson(1)              kind background, index b
 *                    (seed, background, b), purpose `background`; data unchanged
 *   syst_<name>      alternative sim sample | alternative prior weights | scaled reco feature
 *                                                                 kind syst, index s
 * The replica's (kind, index) also keys the random streams of its classifier fits.
 * Columns come back in that fixed order whatever order the unfoldings finish in.
 */
import { describeValue, InputError, OmniFoldError } from '../base/errors.js';
import { shareableBuffer, type FeatureMatrix } from '../base/features.js';
import { unfold } from '../algorithm/omnifold.js';
import { resolveUnfoldOptions } from '../algorithm/options.js';
import { ConfigHash } from './config_hash.js';
import type { ReplicaRecord, ReplicaStore } from './replica_record.js';
import { poissonOneWeights, type ReplicaKind, type RngKey } from '../base/rng.js';
import { FAMILIES, type ReplicaFamily } from './families.js';
import type {
  BackgroundSample,
  DataSample,
  IterationDiagnostics,
  SimSample,
  UnfoldContext,
  UnfoldOptions,
  UnfoldProgress,
  UnfoldResult,
} from '../algorithm/types.js';

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
  /** Background bootstrap replicas B (default 0): only the background's weights fluctuate; needs `data.background`. */
  backgroundBootstraps?: number;
  systematics?: SystematicSpec[];
}

/** One planned replica. */
export interface ReplicaPlan {
  /** Column name: `weight`, `data_boot_<b>`, `sim_boot_<b>`, `background_boot_<b>`, `syst_<name>`. */
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
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new InputError(`${path} must be a non-negative integer; got ${describeValue(v)}`);
  return v;
}

/**
 * The replicas of a run, in column order: nominal, data bootstraps, sim bootstraps,
 * background bootstraps, systematics.
 */
export function planReplicas(options: ReplicaOptions): ReplicaPlan[] {
  const planned = (family: ReplicaFamily, index: number, systematic?: SystematicSpec): ReplicaPlan => {
    const f = FAMILIES[family];
    return {
      name: f.column(index, systematic?.name),
      family,
      kind: f.streamKind,
      index,
      ...(systematic ? { systematic } : {}),
    };
  };
  const plan: ReplicaPlan[] = [planned('nominal', 0)];
  const nData = count('options.dataBootstraps', options.dataBootstraps);
  const nSim = count('options.simBootstraps', options.simBootstraps);
  const nBackground = count('options.backgroundBootstraps', options.backgroundBootstraps);
  for (let b = 0; b < nData; b++) plan.push(planned('data_bootstrap', b));
  for (let b = 0; b < nSim; b++) plan.push(planned('sim_bootstrap', b));
  for (let b = 0; b < nBackground; b++) plan.push(planned('background_bootstrap', b));
  const seen = new Set<string>();
  (options.systematics ?? []).forEach((s, index) => {
    const path = `options.systematics[${index}]`;
    if (typeof s?.name !== 'string' || !NAME.test(s.name))
      throw new InputError(`${path}.name must match [A-Za-z0-9_.-]+; got ${JSON.stringify(s?.name)}`);
    if (seen.has(s.name)) throw new InputError(`${path}.name must be unique; got ${JSON.stringify(s.name)} twice`);
    if (!['sample', 'weight', 'reco-transform'].includes(s.kind)) {
      throw new InputError(
        `${path}.kind must be one of sample, weight, reco-transform; got ${JSON.stringify((s as { kind?: unknown }).kind)}`,
      );
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

/**
 * `x` with feature `feature` multiplied by `scale`, as a new matrix, on a SharedArrayBuffer
 * where the platform has one ({@link shareableBuffer}); its particle sets, if any, are shared unchanged.
 */
export function scaleFeature(x: FeatureMatrix, feature: number, scale: number): FeatureMatrix {
  const values = new Float32Array(shareableBuffer(x.values.byteLength));
  values.set(x.values);
  for (let i = 0; i < x.nEvents; i++) values[i * x.nFeatures + feature] *= scale;
  const scaled: FeatureMatrix = { values, nEvents: x.nEvents, nFeatures: x.nFeatures };
  return x.particles === undefined ? scaled : { ...scaled, particles: x.particles };
}

/** The inputs of replica `plan`: the nominal ones with its one change applied. */
export function replicaInputs(
  plan: ReplicaPlan,
  sim: SimSample,
  data: DataSample,
  seed: number,
): { sim: SimSample; data: DataSample } {
  const key = { seed, replica: plan.index, iteration: 0, step: 'none', member: 0 } as const;
  switch (plan.family) {
    case 'nominal':
      return { sim, data };
    case 'data_bootstrap':
      // the background's draws come from a stream of their own: the data's stay as without one
      return {
        sim,
        data: {
          ...data,
          weights: times(data.weights, poissonOneWeights(data.weights.length, { ...key, kind: 'data' })),
          ...(data.background ? { background: bootstrapBackground(data.background, { ...key, kind: 'data' }) } : {}),
        },
      };
    case 'sim_bootstrap':
      // one factor per event: gen and reco move together
      return {
        sim: { ...sim, weights: times(sim.weights, poissonOneWeights(sim.weights.length, { ...key, kind: 'sim' })) },
        data,
      };
    case 'background_bootstrap':
      if (data.background === undefined)
        throw new InputError(`replica ${plan.name} must have a background to fluctuate; got data without one`);
      return {
        sim,
        data: { ...data, background: bootstrapBackground(data.background, { ...key, kind: 'background' }) },
      };
    case 'systematic':
      return { sim: systematicSim(plan.systematic!, sim, plan.index), data };
  }
}

/** The background with every weight × a Poisson(1) draw of the `background` stream of `key`. */
function bootstrapBackground(background: BackgroundSample, key: RngKey): BackgroundSample {
  const draws = poissonOneWeights(background.weights.length, key, 'background');
  return { ...background, weights: times(background.weights, draws) };
}

/** Throws an InputError unless systematic `index` fits the nominal sim. */
export function checkSystematic(s: SystematicSpec, sim: SimSample, index: number): void {
  const path = `options.systematics[${index}]`;
  const n = sim.weights.length;
  if (s.kind === 'sample' && s.sim?.weights?.length !== n) {
    throw new InputError(
      `${path}.sim must have the nominal sim's ${n} events (row-aligned, one weights file); got ${s.sim?.weights?.length}`,
    );
  }
  if (s.kind === 'weight' && (!(s.weights instanceof Float64Array) || s.weights.length !== n)) {
    throw new InputError(
      `${path}.weights must be a Float64Array of ${n} weights; got ${(s.weights as { length?: number } | undefined)?.length ?? String(s.weights)}`,
    );
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
  h.update(data.reco.nFeatures).update(data.reco.values).update(data.weights);
  const background = data.background;
  if (background !== undefined) h.update('background').update(background.reco.values).update(background.weights);
  return h.digest();
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
 * (a spot check, one task of a batch job) or within a whole run.
 */
export function unfoldReplica(
  plan: ReplicaPlan,
  sim: SimSample,
  data: DataSample,
  options: UnfoldOptions,
  context: UnfoldContext = {},
): Promise<UnfoldResult> {
  const input = replicaInputs(plan, sim, data, options.seed);
  return unfold(input.sim, input.data, replicaUnfoldOptions(plan, options), {
    runner: context.runner,
    onProgress: context.onProgress,
  });
}

/**
 * The options replica `plan` unfolds with: the run's, keyed by its (kind, index); only
 * the nominal keeps its ensemble columns (`saveMembers`) and its trained models
 * (`saveModels`): the weights file has no others.
 */
export function replicaUnfoldOptions(plan: ReplicaPlan, options: UnfoldOptions): UnfoldOptions {
  return {
    ...options,
    replica: { kind: plan.kind, index: plan.index },
    saveMembers: options.saveMembers && plan.family === 'nominal',
    saveModels: options.saveModels && plan.family === 'nominal',
  };
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

/** The result of a replica run (`runReplicas` in src/execution/run_replicas.ts). */
export interface ReplicaRunResult {
  /** Columns in plan order: nominal, data bootstraps, sim bootstraps, background bootstraps, systematics. */
  columns: ReplicaColumn[];
  /** Per column, the iteration diagnostics (as stored, for resumed replicas). */
  diagnostics: IterationDiagnostics[][];
  /**
   * The nominal unfolding, as `writeWeightsFile` wants it. `weightsPerIteration` is there
   * when `saveIterations` is set and `models` when `saveModels` is (the nominal is then
   * always recomputed, never resumed), `memberWeights` when `saveMembers` is (stored with
   * the nominal's record).
   */
  nominal: Pick<
    UnfoldResult,
    'weights' | 'weightsPerIteration' | 'memberWeights' | 'models' | 'iterations' | 'nDropped' | 'options'
  >;
  /** Column names loaded from the store instead of recomputed. */
  resumed: string[];
  options: UnfoldOptions;
}

/**
 * A replica plan ready to run: the nominal inputs, the resolved options and the plan, as
 * every executor gets it (src/execution/executor.ts).
 */
export interface ReplicaWork {
  sim: SimSample;
  data: DataSample;
  /** The resolved unfolding options; each replica runs them with its own replica key. */
  options: UnfoldOptions;
  /** The replicas in column order: nominal, data bootstraps, sim bootstraps, background bootstraps, systematics. */
  plan: ReplicaPlan[];
  /** Per replica, the hash its stored record must match ('' each when records are not stored). */
  hashes: string[];
}

/**
 * Plans the replicas of a run and checks them before any work.
 *
 * @param options unfolding options plus the replica plan
 * @param stored whether records will be stored (then the input samples are hashed once)
 * @throws InputError for bad options or a systematic that does not fit the sim
 */
export function prepareReplicas(
  sim: SimSample,
  data: DataSample,
  options: ReplicaOptions,
  stored: boolean,
): ReplicaWork {
  const {
    dataBootstraps: _d,
    simBootstraps: _s,
    backgroundBootstraps: _b,
    systematics: _y,
    ...unfoldPartial
  } = options;
  const resolved = resolveUnfoldOptions(unfoldPartial);
  const plan = planReplicas(options);
  if (data.background === undefined && plan.some((p) => p.family === 'background_bootstrap'))
    throw new InputError(
      `options.backgroundBootstraps must be 0 when the data have no background; got ${options.backgroundBootstraps}`,
    );
  for (const p of plan) if (p.systematic !== undefined) checkSystematic(p.systematic, sim, p.index); // fail before any work
  const inputsHash = stored ? hashInputs(sim, data) : '';
  const hashes = plan.map((p) => (stored ? replicaHash(p, replicaUnfoldOptions(p, resolved), inputsHash) : ''));
  return { sim, data, options: resolved, plan, hashes };
}

/** Runs replica `k` of `work` (see {@link unfoldReplica}) and returns its record. */
export async function computeReplica(
  work: ReplicaWork,
  k: number,
  context: UnfoldContext = {},
): Promise<ReplicaRecord> {
  const p = work.plan[k];
  const result = await unfoldReplica(p, work.sim, work.data, work.options, context);
  return {
    name: p.name,
    family: p.family,
    hash: work.hashes[k],
    weights: result.weights,
    ...(result.memberWeights ? { members: result.memberWeights } : {}),
    iterations: result.iterations,
    nDropped: result.nDropped,
    result,
  };
}

/**
 * The result of a run from the store, once every replica of `work` is there.
 *
 * @param resumed names of the records that came from an earlier run
 * @throws OmniFoldError naming a replica that is not in the store
 */
export function mergeReplicas(work: ReplicaWork, store: ReplicaStore, resumed: readonly string[]): ReplicaRunResult {
  const nEvents = work.sim.weights.length;
  const records = work.plan.map((p, k) => {
    const record = store.read(p.name, { hash: work.hashes[k], nEvents });
    if (record === undefined)
      throw new OmniFoldError(`replica ${p.name} must be in the store before the merge; got none`);
    return record;
  });
  const [nominal] = records;
  const options: UnfoldOptions = { ...work.options, replica: { kind: 'nominal', index: 0 } };
  return {
    columns: records.map((r) => ({ name: r.name, family: r.family, values: r.weights })),
    diagnostics: records.map((r) => r.iterations),
    nominal: nominal.result ?? {
      weights: nominal.weights,
      ...(nominal.members ? { memberWeights: nominal.members } : {}),
      iterations: nominal.iterations,
      nDropped: nominal.nDropped,
      options,
    },
    resumed: work.plan.filter((p) => resumed.includes(p.name)).map((p) => p.name),
    options: work.options,
  };
}
