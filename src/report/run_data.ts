/**
 * Everything the plots and the report show, gathered from an output directory: the weights
 * file's metadata, summary.json, and per gen feature its histograms with the covariance
 * from the replica columns (stat from data bootstraps, sim-stat from sim bootstraps, one
 * δδᵀ per systematic; docs/algorithm.md §Covariances). Without data bootstraps the stat
 * part is √Σw² of the nominal weights (src/uncertainty/covariance.ts); without usable replicas the
 * errors are √Σw² alone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diagonalSqrt, type UncertaintyBreakdown } from '../uncertainty/covariance.js';
import { histogramUncertainties } from '../uncertainty/quantities.js';
import { InputError } from '../base/errors.js';
import type { IterationDiagnostics } from '../algorithm/types.js';
import type { FeatureSummary, RunSummary } from '../publish/summary.js';
import { readWeightsFile, type WeightsFile, type WeightsMetadata } from '../publish/weights_file.js';
import { ensembleFactorOf } from '../publish/weights_encoding.js';
import { entersUncertainty, weightColumns } from '../uncertainty/families.js';
import type { IterationChoice } from '../uncertainty/iteration_choice.js';
import type { CheckRecord } from './checks.js';

/** Optional description of an observable (label, unit), read from metadata when present. */
export interface ObservableInfo {
  name: string;
  label?: string;
  unit?: string;
}

/** One gen feature, ready to plot and tabulate. */
export interface ObservableResult {
  info: ObservableInfo;
  summary: FeatureSummary;
  /** [nBins] error bars of the unfolded histogram (total when replicas exist, else √Σw²). */
  unfoldedErrors: Float64Array;
  /** Which uncertainty `unfoldedErrors` is. */
  uncertaintyKind: 'total' | 'sumw2';
  /** Covariances from the replica columns, when there are any. */
  uncertainty?: UncertaintyBreakdown;
}

/** An output directory, read. */
export interface RunData {
  metadata: WeightsMetadata;
  summary: RunSummary;
  /** Sim events (rows of weights.arrow). */
  nEvents: number;
  iterations: IterationDiagnostics[];
  observables: ObservableResult[];
  /** Unit of the event weights (e.g. `pb`) when the metadata gives one. */
  weightUnit?: string;
  /** The checks recorded in the folder (`omnifold check … --report OUT`, OUT/checks/*.json). */
  checks?: CheckRecord[];
}

/** The `--iterations auto` choice recorded in the metadata, if the run made one. */
export function iterationChoiceOf(run: Pick<RunData, 'metadata'>): IterationChoice | undefined {
  const choice = (run.metadata.configuration as { iterationChoice?: IterationChoice } | undefined)?.iterationChoice;
  return choice !== undefined && Array.isArray(choice.values) && Array.isArray(choice.features) ? choice : undefined;
}

/** Reads `weights.arrow` and `summary.json` of `outDir` and computes the covariances. */
export async function readRunData(outDir: string): Promise<RunData> {
  const weights = await readWeightsFile(join(outDir, 'weights.arrow'));
  const summary = await readSummary(join(outDir, 'summary.json'));
  return runDataFrom(weights, summary);
}

/** Parses and checks summary.json. */
export async function readSummary(path: string): Promise<RunSummary> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new InputError(`${path} must be readable JSON; got ${(cause as Error).message}`, { cause });
  }
  const s = parsed as Partial<RunSummary>;
  if (s?.format !== 'omnifold-summary' || !Array.isArray(s.features)) {
    throw new InputError(
      `${path}: format must be "omnifold-summary" with a features array; got ${JSON.stringify(s?.format)}`,
    );
  }
  return s as RunSummary;
}

/** Builds {@link RunData} from a weights file and a summary already in memory. */
export function runDataFrom(weights: WeightsFile, summary: RunSummary): RunData {
  const metadata = weights.metadata;
  const infos = observableInfos(metadata);
  const passGen = weights.columns.get('pass_gen');
  const columns = weightColumns(
    metadata.columns,
    (name) => numeric(weights.columns.get(name)!),
    entersUncertainty,
    (name) => weights.columns.has(name),
  );
  const hasReplicas = columns.some((c) => c.family !== 'nominal');
  const observables = summary.features.map((f): ObservableResult => {
    const info = infos.get(f.feature) ?? { name: f.feature };
    const x = weights.columns.get(f.feature);
    if (hasReplicas && x !== undefined) {
      const xs = numeric(x);
      const u = histogramUncertainties(
        columns,
        xs,
        f.edges,
        passGen as ArrayLike<number> | undefined,
        ensembleFactorOf(metadata),
      );
      if (u.nDataBootstraps >= 2 || u.nSimBootstraps >= 2 || u.systematics.length > 0 || u.nEnsemble >= 2) {
        return {
          info,
          summary: f,
          unfoldedErrors: diagonalSqrt(u.total, f.edges.length - 1),
          uncertaintyKind: 'total',
          uncertainty: u,
        };
      }
    }
    return {
      info,
      summary: f,
      unfoldedErrors: Float64Array.from(f.unfolded.sumw2, Math.sqrt),
      uncertaintyKind: 'sumw2',
    };
  });
  const unit = (metadata.normalisation as Record<string, unknown> | undefined)?.unit;
  return {
    metadata,
    summary,
    nEvents: weights.nRows,
    iterations: summary.iterations ?? metadata.iterations ?? [],
    observables,
    ...(typeof unit === 'string' && unit !== '' && unit !== 'shape only' ? { weightUnit: unit } : {}),
  };
}

function numeric(c: ArrayLike<number> | BigInt64Array): ArrayLike<number> {
  return c instanceof BigInt64Array ? Float64Array.from(c, Number) : c;
}

/** Labels and units from `metadata.observables` (files of older writers may lack it). */
function observableInfos(metadata: WeightsMetadata): Map<string, ObservableInfo> {
  const out = new Map<string, ObservableInfo>();
  const list: unknown = metadata.observables;
  if (!Array.isArray(list)) return out;
  for (const o of list) {
    if (typeof o !== 'object' || o === null || typeof (o as ObservableInfo).name !== 'string') continue;
    const { name, label, unit } = o as ObservableInfo;
    out.set(name, {
      name,
      ...(typeof label === 'string' ? { label } : {}),
      ...(typeof unit === 'string' && unit !== '' ? { unit } : {}),
    });
  }
  return out;
}
