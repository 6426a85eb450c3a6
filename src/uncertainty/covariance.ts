/**
 * Covariance of any histogram or moment from uncertainty replicas (docs/algorithm.md
 * §Covariances).
 *
 * Every replica r contributes one vector H_r (a histogram's bin contents, or a moment).
 * Bootstrap families are summarised by their co-moments (./moments.ts).
 * {@link combineReplicas} always merges the per-replica leaves in one fixed pairwise tree
 * over the replica index, so the result does not depend on how replicas were spread over
 * workers, shards or machines, nor on the order their results arrived.
 *
 *   stat covariance     = M2 / (B − 1) over B ≥ 2 data bootstraps; with fewer, the
 *                         per-bin variance of the nominal weights alone, diagonal
 *                         (Σw² for a histogram bin, Σw²(m − m̄)²/(Σw)² for a weighted
 *                         mean), whatever other replicas exist ({@link StatEstimate})
 *   sim-stat covariance = M2 / (B − 1) over sim bootstraps
 *   background-stat     = M2 / (B − 1) over background bootstraps: the background's
 *                         share of stat (the data bootstraps fluctuate it too), reported,
 *                         not added
 *   systematic s        = δδᵀ,  δ = H_s − H_nominal
 *   ensemble            = f² · M2 / (K − 1) / K over K ≥ 2 ensemble columns (member or run
 *                         weights): the standard error of the combined nominal, f = 1 for
 *                         a mean, 1.253 for a median of members
 *   total               = stat + sim-stat + Σ_s systematic s + ensemble
 */
import { InputError } from '../base/errors.js';
import { FAMILIES, familyWithRole, isCovarianceFamily, type CovarianceFamily, type WeightColumn } from './families.js';
import { mergeMoments, Moments } from './moments.js';

/** One replica's value of the quantity: the per-replica partial result, from any shard. */
export interface ReplicaValue {
  family: CovarianceFamily;
  /** Bootstrap index b (ordering key of the merge); for systematics, their position. */
  index: number;
  /** Systematic name (required for systematics, used for the output). */
  name?: string;
  /** [n] the quantity (bin contents or moment) computed with this replica's weights. */
  values: Float64Array;
}

/**
 * How the stat covariance was estimated: over the data bootstraps (at least 2), from the
 * nominal weights' own variance (fewer than 2 data bootstraps: √Σw² per bin), or not at
 * all (fewer than 2 data bootstraps and no variance given: zeros).
 */
export type StatEstimate = 'data_bootstraps' | 'sumw2' | 'none';

/** Covariances of a quantity of length n, all [n × n] row-major. */
export interface UncertaintyBreakdown {
  /** [n] the nominal value. */
  nominal: Float64Array;
  nDataBootstraps: number;
  nSimBootstraps: number;
  /** Mean over the data bootstraps, [n] (NaN-free; zeros when there are none). */
  dataBootstrapMean: Float64Array;
  simBootstrapMean: Float64Array;
  stat: Float64Array;
  /** Where `stat` comes from. */
  statEstimate: StatEstimate;
  simStat: Float64Array;
  /** Background bootstraps (0 without a background or without `--background-bootstraps`). */
  nBackgroundBootstraps: number;
  /**
   * Sample covariance over the background bootstraps (zeros with fewer than 2): the
   * simulated background's statistics, a part of `stat` (the data bootstraps fluctuate the
   * background too), reported beside it and not added to `total`.
   */
  backgroundStat: Float64Array;
  /** One entry per systematic, in index order: δ = H_s − H_nominal and δδᵀ. */
  systematics: { name: string; delta: Float64Array; covariance: Float64Array }[];
  /** Σ over systematics. */
  syst: Float64Array;
  /** Ensemble columns (members of one run, or runs). */
  nEnsemble: number;
  /** The factor f of the ensemble standard error f·σ/√K (1.253 for a median of members, else 1). */
  ensembleFactor: number;
  /** f² × the sample covariance over the ensemble columns / K: the standard error of the nominal; zeros with K < 2. */
  ensemble: Float64Array;
  total: Float64Array;
  /** total_ij / sqrt(total_ii total_jj); 0 where a variance is 0 (1 on the diagonal). */
  correlation: Float64Array;
}

function familyMoments(values: readonly ReplicaValue[], family: CovarianceFamily, n: number): Moments {
  const chosen = values.filter((v) => v.family === family);
  const seen = new Set<number>();
  for (const v of chosen) {
    if (seen.has(v.index)) throw new InputError(`${family} replica indices must be unique; got ${v.index} twice`);
    seen.add(v.index);
  }
  chosen.sort((a, b) => a.index - b.index);
  return mergeMoments(
    chosen.map((v) => Moments.of(v.values)),
    n,
  );
}

/** The [n × n] matrix with `variance` [n] on its diagonal. */
function diagonalMatrix(variance: ArrayLike<number>): Float64Array {
  const n = variance.length;
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) out[k * n + k] = variance[k];
  return out;
}

/**
 * Combines the nominal value and replica values into stat, sim-stat, systematic, ensemble
 * and total covariances and the correlation matrix, and the background-stat covariance
 * beside them. The result depends only on the set of
 * (family, index, values), never on the order of `replicas`. With fewer than 2 data
 * bootstraps the stat covariance is diagonal, `statVariance` [n] (the nominal weights'
 * own variance of the quantity), or zeros when that is not given. `ensembleFactor` is the
 * f of the ensemble standard error f·σ/√K (`ensembleStandardErrorFactor`; default 1).
 */
export function combineReplicas(
  nominal: ArrayLike<number>,
  replicas: readonly ReplicaValue[],
  statVariance?: ArrayLike<number>,
  ensembleFactor = 1,
): UncertaintyBreakdown {
  if (!(Number.isFinite(ensembleFactor) && ensembleFactor > 0))
    throw new InputError(`ensemble factor must be a finite positive number; got ${ensembleFactor}`);
  const n = nominal.length;
  for (const r of replicas) {
    if (r.values.length !== n) {
      throw new InputError(
        `replica ${r.family}#${r.index} values must have length ${n} like the nominal; got ${r.values.length}`,
      );
    }
  }
  const data = familyMoments(replicas, familyWithRole('stat'), n);
  const sim = familyMoments(replicas, familyWithRole('sim-stat'), n);
  const background = familyMoments(replicas, familyWithRole('background-stat'), n);
  if (statVariance !== undefined && statVariance.length !== n)
    throw new InputError(`stat variance must have length ${n} like the nominal; got ${statVariance.length}`);
  const statEstimate: StatEstimate =
    data.count >= 2 ? 'data_bootstraps' : statVariance !== undefined ? 'sumw2' : 'none';
  const stat = statEstimate === 'sumw2' ? diagonalMatrix(statVariance!) : data.covariance();
  const simStat = sim.covariance();
  const syst = new Float64Array(n * n);
  const systematics = replicas
    .filter((r) => r.family === familyWithRole('shift'))
    .sort((a, b) => a.index - b.index)
    .map((r) => {
      const delta = new Float64Array(n);
      for (let k = 0; k < n; k++) delta[k] = r.values[k] - nominal[k];
      const covariance = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) covariance[i * n + j] = delta[i] * delta[j];
      for (let k = 0; k < n * n; k++) syst[k] += covariance[k];
      return { name: r.name ?? `syst_${r.index}`, delta, covariance };
    });
  const members = familyMoments(replicas, familyWithRole('standard-error'), n);
  // the standard error of the combined nominal: the members' sample covariance / K, × f²
  const ensemble = members.covariance();
  const scale = (ensembleFactor * ensembleFactor) / Math.max(1, members.count);
  for (let k = 0; k < n * n; k++) ensemble[k] *= scale;
  const total = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) total[k] = stat[k] + simStat[k] + syst[k] + ensemble[k];
  return {
    nominal: Float64Array.from(nominal),
    nDataBootstraps: data.count,
    nSimBootstraps: sim.count,
    dataBootstrapMean: data.mean,
    simBootstrapMean: sim.mean,
    stat,
    statEstimate,
    simStat,
    nBackgroundBootstraps: background.count,
    backgroundStat: background.covariance(),
    systematics,
    syst,
    nEnsemble: members.count,
    ensembleFactor,
    ensemble,
    total,
    correlation: correlationMatrix(total, n),
  };
}

/** Correlation of an [n × n] covariance; 0 off-diagonal where a variance is 0, 1 on it. */
export function correlationMatrix(covariance: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = covariance[i * n + i] * covariance[j * n + j];
      out[i * n + j] = i === j ? 1 : v > 0 ? covariance[i * n + j] / Math.sqrt(v) : 0;
    }
  }
  return out;
}

/** What a {@link FamilyTerm} is: one family's covariance, or one of the two sums. */
export type FamilyTermKind = 'stat' | 'sim-stat' | 'background-stat' | 'systematic' | 'syst' | 'ensemble' | 'total';

/** One family's covariance of a quantity (or the sum `syst` or `total`), with its correlation. */
export interface FamilyTerm {
  kind: FamilyTermKind;
  /** `stat`, `sim-stat`, `background-stat`, `ensemble`, `syst`, `total`, or a systematic's name. */
  label: string;
  /** The weight-column family it comes from; absent for the sums `syst` and `total`. */
  family?: CovarianceFamily;
  /** How many columns it comes from (data bootstraps for `stat`, however it was estimated). */
  nColumns: number;
  /**
   * The sum it is a part of: `total` for stat, sim-stat, syst and ensemble (their sum is the
   * total); `syst` for each systematic (their sum is syst); `stat` for background-stat (the
   * background's share of stat, reported beside it and not added again); none for the total.
   */
  partOf?: 'total' | 'syst' | 'stat';
  /** [n × n] row-major */
  covariance: Float64Array;
  /** [n × n] its correlation ({@link correlationMatrix}: 1 on the diagonal, 0 where a variance is 0) */
  correlation: Float64Array;
  /** [n] the square roots of its diagonal */
  uncertainty: Float64Array;
  /** [n] a systematic's shift δ = H_s − H_nominal (kind `systematic` only). */
  delta?: Float64Array;
}

/**
 * The terms of `u` that contribute, in the order they add up: stat (always: over the data
 * bootstraps, or √Σw² with fewer than 2), sim-stat (at least 2 sim bootstraps),
 * background-stat (at least 2 background bootstraps; not in the total), one term per
 * systematic, their sum `syst` (with any systematic), ensemble (at least 2 ensemble
 * columns) and the total. A family with fewer columns than that contributes a zero
 * covariance and is left out.
 */
export function familyTerms(u: UncertaintyBreakdown): FamilyTerm[] {
  const n = u.nominal.length;
  const term = (
    kind: FamilyTermKind,
    label: string,
    covariance: Float64Array,
    nColumns: number,
    rest: Partial<FamilyTerm> = {},
  ): FamilyTerm => ({
    kind,
    label,
    nColumns,
    ...(kind === 'total'
      ? {}
      : { partOf: kind === 'systematic' ? 'syst' : kind === 'background-stat' ? 'stat' : 'total' }),
    covariance,
    correlation: correlationMatrix(covariance, n),
    uncertainty: diagonalSqrt(covariance, n),
    ...rest,
  });
  const terms: FamilyTerm[] = [term('stat', 'stat', u.stat, u.nDataBootstraps, { family: familyWithRole('stat') })];
  if (u.nSimBootstraps >= 2)
    terms.push(term('sim-stat', 'sim-stat', u.simStat, u.nSimBootstraps, { family: familyWithRole('sim-stat') }));
  if (u.nBackgroundBootstraps >= 2) {
    terms.push(
      term('background-stat', 'background-stat', u.backgroundStat, u.nBackgroundBootstraps, {
        family: familyWithRole('background-stat'),
      }),
    );
  }
  for (const s of u.systematics)
    terms.push(term('systematic', s.name, s.covariance, 1, { family: familyWithRole('shift'), delta: s.delta }));
  if (u.systematics.length > 0) terms.push(term('syst', 'syst', u.syst, u.systematics.length));
  if (u.nEnsemble >= 2)
    terms.push(term('ensemble', 'ensemble', u.ensemble, u.nEnsemble, { family: familyWithRole('standard-error') }));
  const nTotal = terms.filter((t) => t.partOf === 'total').reduce((a, t) => a + t.nColumns, 0);
  terms.push({ ...term('total', 'total', u.total, nTotal), correlation: u.correlation });
  return terms;
}

/** The square roots of the diagonal of an [n × n] matrix. */
export function diagonalSqrt(matrix: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.sqrt(Math.max(0, matrix[k * n + k]));
  return out;
}

/**
 * Evaluates `quantity` with every weight column and combines the replicas: the nominal
 * column (exactly one) gives the value, bootstrap, systematic and ensemble columns the
 * covariances. Replica indices are the columns' positions within their family.
 * `statVariance` [n] is the stat variance used with fewer than 2 data bootstraps, and
 * `ensembleFactor` the f of the ensemble standard error ({@link combineReplicas}).
 */
export function replicaUncertainties(
  columns: readonly WeightColumn[],
  quantity: (weights: ArrayLike<number>) => Float64Array,
  statVariance?: ArrayLike<number>,
  ensembleFactor = 1,
  linked: readonly LinkedQuantity[] = [],
): UncertaintyBreakdown {
  const nominal = nominalColumn(columns);
  const position = new Map<string, number>();
  const replicas: ReplicaValue[] = [];
  for (const c of columns) {
    if (!isCovarianceFamily(c.family)) continue;
    const index = position.get(c.family) ?? 0;
    position.set(c.family, index + 1);
    replicas.push({ family: c.family, index, name: c.name.replace(/^syst_/, ''), values: quantity(c.values) });
  }
  // linked files' systematics come after the columns' (their δ is against this file's nominal)
  const shift = familyWithRole('shift');
  for (const l of linked) {
    const index = position.get(shift) ?? 0;
    position.set(shift, index + 1);
    replicas.push({ family: shift, index, name: l.name, values: Float64Array.from(l.values) });
  }
  return combineReplicas(quantity(nominal.values), replicas, statVariance, ensembleFactor);
}

/**
 * A systematic computed on other events: the same quantity from a linked weights file's
 * `weight` (the data unfolded with an alternative sim); it enters as δ = values − nominal.
 */
export interface LinkedQuantity {
  name: string;
  values: ArrayLike<number>;
}

/** The one nominal (central) column of `columns`; an error when there is not exactly one. */
export function nominalColumn(columns: readonly WeightColumn[]): WeightColumn {
  const nominal = columns.filter((c) => FAMILIES[c.family].role === 'central');
  if (nominal.length !== 1)
    throw new InputError(`weight columns must hold exactly one nominal column; got ${nominal.length}`);
  return nominal[0];
}
