/**
 * The weight-column families, written once. Replica planning, the covariance, the weights
 * file, its validation, HEPData, the report, `hist` and `verify` read this table; adding a
 * family means one entry here plus its replica inputs (src/uncertainty/replicas.ts) and,
 * when it enters the covariance, its term (src/uncertainty/covariance.ts).
 * docs/algorithm.md, "Replicas" and "Covariance", states what each family means.
 */

import type { ReplicaKind } from '../base/rng.js';

/** What a family contributes to the uncertainty of a quantity H computed with its columns. */
export type FamilyRole =
  /** the central value H(weight) */
  | 'central'
  /** the stat covariance: sample covariance of H over the columns */
  | 'stat'
  /** the sim-stat covariance: sample covariance of H over the columns */
  | 'sim-stat'
  /**
   * the background-stat covariance: sample covariance of H over the columns; the
   * background's share of stat (data bootstraps fluctuate the background too), reported
   * beside stat, not added to the total
   */
  | 'background-stat'
  /** one δδᵀ term per column, δ = H(column) − H(weight) */
  | 'shift'
  /**
   * the standard error of the combined nominal: sample covariance of H over the columns
   * divided by their number, times the combination's factor squared (1.253² for a median)
   */
  | 'standard-error'
  /** reported beside the result, never added to the covariance */
  | 'reported';

/** One family of weight columns. */
export interface FamilyInfo {
  /** What it contributes to the uncertainty. */
  readonly role: FamilyRole;
  /** Whether each column is an unfolding of its own (a replica), which `verify` can re-run. */
  readonly replica: boolean;
  /** Random-stream kind of its replicas (src/base/rng.ts keys), when it has replicas. */
  readonly streamKind?: ReplicaKind;
  /** Column name of replica `index`; systematics are named by their own name. */
  readonly column?: (index: number, name?: string) => string;
  /** How its columns combine, as stored in every weights file's `metadata.combination`. */
  readonly combination: string;
}

/** The families, in the column order of a weights file. */
export const FAMILIES = Object.freeze({
  nominal: {
    role: 'central',
    replica: true,
    streamKind: 'nominal',
    column: () => 'weight',
    combination: 'column "weight": central value of any histogram or moment H',
  },
  ensemble: {
    role: 'standard-error',
    replica: false,
    combination:
      'ensemble covariance = sample covariance of H over the ensemble columns (divisor n-1) / n, times f^2 with f = metadata.ensemble.standardErrorFactor (1.253 for a median of members, else 1): the standard error of the combined nominal',
  },
  data_bootstrap: {
    role: 'stat',
    replica: true,
    streamKind: 'data',
    column: (index: number) => `data_boot_${index}`,
    combination: 'stat covariance = sample covariance of H over the data_bootstrap columns (divisor n-1)',
  },
  sim_bootstrap: {
    role: 'sim-stat',
    replica: true,
    streamKind: 'sim',
    column: (index: number) => `sim_boot_${index}`,
    combination: 'sim-stat covariance = sample covariance of H over the sim_bootstrap columns (divisor n-1)',
  },
  background_bootstrap: {
    role: 'background-stat',
    replica: true,
    streamKind: 'background',
    column: (index: number) => `background_boot_${index}`,
    combination:
      'background-stat covariance = sample covariance of H over the background_bootstrap columns (divisor n-1): the simulated background statistics, already inside stat (data bootstraps fluctuate the background too); reported, not added',
  },
  systematic: {
    role: 'shift',
    replica: true,
    streamKind: 'syst',
    column: (_index: number, name?: string) => `syst_${name}`,
    combination: 'each systematic column s adds delta delta^T with delta = H(s) - H(weight)',
  },
} as const satisfies Record<string, FamilyInfo>);

/** A family of weight columns (the `role` of a weight column in a weights file). */
export type ColumnFamily = keyof typeof FAMILIES;

/** The families whose columns are replicas: unfoldings of their own. */
export type ReplicaFamily = {
  [F in ColumnFamily]: (typeof FAMILIES)[F]['replica'] extends true ? F : never;
}[ColumnFamily];

/** The covariance roles: each names exactly one family. */
export type CovarianceRole = 'stat' | 'sim-stat' | 'background-stat' | 'shift' | 'standard-error';

/** The families that add a covariance term. */
export type CovarianceFamily = {
  [F in ColumnFamily]: (typeof FAMILIES)[F]['role'] extends CovarianceRole ? F : never;
}[ColumnFamily];

/** Every family name, in column order. */
export const COLUMN_FAMILIES: readonly ColumnFamily[] = Object.freeze(Object.keys(FAMILIES) as ColumnFamily[]);

/** The families whose columns are replicas, in column order. */
export const REPLICA_FAMILIES: readonly ReplicaFamily[] = Object.freeze(
  COLUMN_FAMILIES.filter((f): f is ReplicaFamily => FAMILIES[f].replica),
);

/** The sentence on how the families add up, stored beside theirs in `metadata.combination`. */
export const TOTAL_COMBINATION = 'total covariance = stat + sim-stat + sum of systematic terms + ensemble';

/** `metadata.combination` of a weights file: each family's sentence, then the total's. */
export function combinationMetadata(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const family of COLUMN_FAMILIES) out[family] = FAMILIES[family].combination;
  out.total = TOTAL_COMBINATION;
  return out;
}

/** Whether `role` (a weights file's column role) names a family. */
export function isColumnFamily(role: string): role is ColumnFamily {
  return Object.hasOwn(FAMILIES, role);
}

/** Whether columns of `family` give the central value or enter the covariance (all but reported ones; none is today). */
export function entersUncertainty(family: ColumnFamily): boolean {
  return (FAMILIES[family] as FamilyInfo).role !== 'reported';
}

/** The family with covariance role `role` (each covariance role has exactly one). */
export function familyWithRole(role: CovarianceRole): CovarianceFamily {
  return COLUMN_FAMILIES.find((f) => FAMILIES[f].role === role) as CovarianceFamily;
}

/** Whether columns of `family` give a covariance term (background-stat: reported beside stat, not added to the total). */
export function isCovarianceFamily(family: ColumnFamily): family is CovarianceFamily {
  const role = FAMILIES[family].role;
  return (
    role === 'stat' ||
    role === 'sim-stat' ||
    role === 'background-stat' ||
    role === 'shift' ||
    role === 'standard-error'
  );
}

/**
 * How much wider the standard error of a median is than that of a mean of the same
 * members, σ_median ≈ 1.253·σ/√n for normal spreads (√(π/2), rounded as the ATLAS
 * release rounds it).
 */
export const MEDIAN_STANDARD_ERROR_FACTOR = 1.253;

/**
 * The factor f of the ensemble term (standard error f·σ/√n): 1.253 when the ensemble
 * columns are the members of one run combined by median; 1 when they combine by mean,
 * and always 1 for several runs, whose final weights combine by mean.
 */
export function ensembleStandardErrorFactor(options: {
  ensembleCombine: 'mean' | 'median';
  ensembleRuns: number;
}): number {
  return options.ensembleRuns === 1 && options.ensembleCombine === 'median' ? MEDIAN_STANDARD_ERROR_FACTOR : 1;
}

/**
 * Name of ensemble column `index`: `member_<m>` for the members of one run, `run_<r>`
 * for the runs of an unfolding with `ensembleRuns` > 1.
 */
export function ensembleColumnName(index: number, ensembleRuns: number): string {
  return ensembleRuns > 1 ? `run_${index}` : `member_${index}`;
}

/** One weight column of a weights file: its name, family and per-event values. */
export interface WeightColumn {
  name: string;
  family: ColumnFamily;
  /** [nEvents] */
  values: ArrayLike<number>;
}

/**
 * The weight columns listed in a weights file's `metadata.columns`, in file order: those
 * whose role is a family that `include` accepts (every family by default), with their
 * values from `values(name)`; columns missing from the table are skipped when `present`
 * says so.
 */
export function weightColumns(
  listed: readonly { name: string; role: string }[],
  values: (name: string) => ArrayLike<number>,
  include: (family: ColumnFamily) => boolean = () => true,
  present: (name: string) => boolean = () => true,
): WeightColumn[] {
  return listed
    .filter(
      (c): c is { name: string; role: ColumnFamily } => isColumnFamily(c.role) && include(c.role) && present(c.name),
    )
    .map((c) => ({ name: c.name, family: c.role, values: values(c.name) }));
}
