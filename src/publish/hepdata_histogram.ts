/**
 * The unfolded histogram of an observable from a weights file, with every uncertainty
 * family, the total covariance and each family's covariance, as HEPData tables want it
 * ({@link HepdataHistogram}; src/publish/hepdata_submission.ts writes the tables). Any
 * platform.
 */
import { diagonalSqrt, type FamilyTerm, familyTerms, type UncertaintyBreakdown } from '../uncertainty/covariance.js';
import { histogramUncertainties } from '../uncertainty/quantities.js';
import {
  describeNormalisation,
  type HistogramNormalisation,
  normalisedHistogramUncertainties,
} from '../uncertainty/normalisation.js';
import { InputError } from '../base/errors.js';
import { parseExpression } from '../analysis/expr.js';
import { checkEdges } from '../analysis/histogram.js';
import { ensembleFactorOf, type WeightsFile } from './weights_encoding.js';
import { entersUncertainty, FAMILIES, weightColumns } from '../uncertainty/families.js';
import type { FamilyCovarianceTable, HepdataHistogram } from './hepdata_submission.js';

/** What {@link hepdataHistogram} computes. */
export interface HistogramRequest {
  /** Expression of the file's columns, e.g. `gen_pt` or `gen_pt*cos(gen_phi)`. */
  obs: string;
  edges: ArrayLike<number>;
  /** Extra selection (expression), on top of pass_gen. */
  where?: string;
  /** Table name; default the expression. */
  name?: string;
  /**
   * The observable's label and unit; by default (and for an empty label) those of the file's
   * `metadata.observables` entry when `obs` is a column; an empty unit means none.
   */
  label?: string;
  unit?: string;
  /** Default `events`. */
  normalisation?: HistogramNormalisation;
}

/** The label and unit of `request.obs`: the request's, else the file's `metadata.observables` entry of that column. */
function observableInfo(file: WeightsFile, request: HistogramRequest): { label?: string; unit?: string } {
  const list: unknown = file.metadata.observables;
  const known = Array.isArray(list)
    ? (list.find((o) => typeof o === 'object' && o !== null && o.name === request.obs) as Record<string, unknown>)
    : undefined;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const label = text(request.label) ?? text(known?.label);
  const unit = request.unit !== undefined ? text(request.unit) : text(known?.unit);
  return { ...(label ? { label } : {}), ...(unit ? { unit } : {}) };
}

/** The histogrammed events of a weights file: the observable, the mask (passing gen and `where`), the weight columns. */
function histogramEvents(file: WeightsFile, request: HistogramRequest) {
  const get = (name: string): ArrayLike<number> => {
    const c = file.columns.get(name);
    if (c === undefined)
      throw new InputError(`weights file: column "${name}" must exist; got columns ${file.columnNames.join(', ')}`);
    return c instanceof BigInt64Array ? Float64Array.from(c, Number) : c;
  };
  const evaluate = (source: string) => {
    const e = parseExpression(source, file.columnNames);
    return e.evaluate(Object.fromEntries(e.columns.map((c) => [c, get(c)])), file.nRows);
  };
  const x = evaluate(request.obs);
  const passGen = get('pass_gen');
  const mask = new Uint8Array(file.nRows);
  const where = request.where === undefined ? undefined : evaluate(request.where);
  for (let i = 0; i < file.nRows; i++)
    mask[i] = passGen[i] && (where === undefined || (where[i] !== 0 && !Number.isNaN(where[i]))) ? 1 : 0;
  return { x, mask, columns: weightColumns(file.metadata.columns, get, entersUncertainty) };
}

/**
 * The unfolded histogram of `request.obs` from a weights file, with its uncertainties: stat
 * from the data bootstraps, syst from sim bootstraps and systematics (in quadrature),
 * ensemble from the ensemble columns (the standard error of the nominal), and the total
 * covariance. Events failing the gen selection (fakes) are never counted. Without data
 * bootstraps (fewer than 2), stat is √Σw² of the nominal weights, whatever other replicas
 * exist; without any replica or ensemble columns there is no covariance table either.
 * `linked` are the file's linked weights files (alternative unfoldings, `metadata.linked`,
 * already checked), each adding the systematic δ = H(linked) − H(file).
 */
export function hepdataHistogram(
  file: WeightsFile,
  request: HistogramRequest,
  linked: readonly { name: string; file: WeightsFile }[] = [],
): HepdataHistogram {
  checkEdges('--bins edges', request.edges);
  const edges = Float64Array.from(request.edges);
  const n = edges.length - 1;
  const { x, mask, columns } = histogramEvents(file, request);
  const weightNormalisation = file.metadata.normalisation as Record<string, unknown>;
  const weightUnit =
    typeof weightNormalisation?.unit === 'string' && weightNormalisation.unit !== 'shape only'
      ? weightNormalisation.unit
      : undefined;
  const normalisation = request.normalisation ?? { kind: 'events' };
  if (normalisation.kind === 'xsec' && weightUnit !== undefined) {
    throw new InputError(
      `--normalise xsec:LUMI must be applied to weights that count events; got weights in ${weightUnit} (metadata.normalisation.unit)`,
    );
  }
  const shifts = linked.map((l) => {
    const there = histogramEvents(l.file, request);
    return { name: l.name, values: histogramUncertainties(there.columns, there.x, edges, there.mask).nominal };
  });
  const u = normalisedHistogramUncertainties(columns, x, edges, normalisation, {
    mask,
    ensembleFactor: ensembleFactorOf(file.metadata),
    linked: shifts,
    subject: request.obs,
  });
  const base = {
    name: request.name ?? request.obs,
    observable: request.obs,
    ...observableInfo(file, request),
    ...(request.where ? { where: request.where } : {}),
    edges,
    values: u.nominal,
    statEstimate: u.statEstimate,
    ...(weightUnit ? { weightUnit } : {}),
    ...(normalisation.kind === 'events' ? {} : { normalisation }),
  };
  const engine = `${file.metadata.engine?.name ?? 'omnifold'} ${file.metadata.engine?.version ?? ''}`.trim();
  const selection =
    `events passing the gen selection${request.where ? ` and ${request.where}` : ''}` +
    (normalisation.kind === 'events' ? '' : `; ${describeNormalisation(normalisation)}`);
  if (u.nDataBootstraps < 2 && u.nSimBootstraps < 2 && u.systematics.length === 0 && u.nEnsemble < 2) {
    return {
      ...base,
      stat: diagonalSqrt(u.stat, n),
      description: `Unfolded distribution of ${request.obs} (${selection}), OmniFold, ${engine}, seed ${file.metadata.seed}. No replica columns: stat is sqrt(sum of squared weights)${SHAPE_SUMW2[normalisation.kind]}, which ignores the correlations the training induces; no systematic uncertainty and no covariance.`,
    };
  }
  const syst = diagonalSqrt(
    Float64Array.from(u.simStat, (v, k) => v + u.syst[k]),
    n,
  );
  const names = u.systematics.map((s) => s.name);
  const withEnsemble = u.nEnsemble >= 2;
  const withBackground = u.nBackgroundBootstraps >= 2;
  return {
    ...base,
    stat: diagonalSqrt(u.stat, n),
    syst,
    ...(u.nSimBootstraps >= 2 ? { simStat: diagonalSqrt(u.simStat, n) } : {}),
    systematics: u.systematics.map((s) => ({ name: s.name, delta: s.delta })),
    ...(withEnsemble ? { ensemble: diagonalSqrt(u.ensemble, n) } : {}),
    covariance: {
      matrix: u.total,
      what:
        (u.statEstimate === 'data_bootstraps'
          ? 'total: stat + sim-stat + systematics'
          : 'total: stat (sqrt(sum w^2), diagonal) + sim-stat + systematics') + (withEnsemble ? ' + ensemble' : ''),
    },
    familyCovariances: familyTerms(u)
      .filter((t) => t.kind !== 'syst' && t.kind !== 'total')
      .map((t) => familyCovariance(t, u, normalisation)),
    description:
      `Unfolded distribution of ${request.obs} (${selection}), OmniFold, ${engine}, seed ${file.metadata.seed}. ` +
      `${statSentence(u, normalisation)}; syst: ${u.nSimBootstraps} sim bootstraps (sim-stat) and ${names.length} systematic variation(s)${names.length ? ` (${names.join(', ')})` : ''}, itemised as sys,sim-stat and sys,<name> (signed shifts)` +
      (withEnsemble
        ? `; ensemble: standard error ${u.ensembleFactor === 1 ? '' : `${u.ensembleFactor}*`}sigma/sqrt(${u.nEnsemble}) of the nominal over its ${u.nEnsemble} ensemble columns (network initialisation)`
        : '') +
      (withBackground
        ? `; background-stat: ${u.nBackgroundBootstraps} background bootstraps, a part of stat (data bootstraps fluctuate the background too), in a covariance table of its own and not added again`
        : '') +
      '. The errors add in quadrature to the diagonal of the total covariance.',
  };
}

/** The covariance table of one family term, with its file key, header and description (ASCII). */
function familyCovariance(
  t: FamilyTerm,
  u: UncertaintyBreakdown,
  normalisation: HistogramNormalisation,
): FamilyCovarianceTable {
  const matrix = t.covariance;
  switch (t.kind) {
    case 'stat':
      return { key: 'stat', what: 'stat', description: statSentence(u, normalisation), matrix };
    case 'sim-stat':
      return {
        key: 'sim_stat',
        what: 'sim-stat',
        description: `sim-stat: sample covariance over ${t.nColumns} sim bootstraps (divisor n-1)`,
        matrix,
      };
    case 'background-stat':
      return {
        key: 'background_stat',
        what: 'background-stat, part of stat',
        description: `background-stat: sample covariance over ${t.nColumns} background bootstraps (divisor n-1), the simulated background's statistics; a part of stat (data bootstraps fluctuate the background too), not added to the total again`,
        matrix,
      };
    case 'systematic':
      return {
        key: `syst_${t.label}`,
        what: `sys,${t.label}`,
        description: `systematic ${t.label}: delta delta^T with delta = H(${FAMILIES.systematic.column(0, t.label)}) - H(weight)`,
        matrix,
      };
    case 'ensemble':
      return {
        key: 'ensemble',
        what: 'ensemble',
        description: `ensemble: ${u.ensembleFactor === 1 ? '' : `${u.ensembleFactor}^2 * `}S/${t.nColumns}, S the sample covariance over the ${t.nColumns} ensemble columns (divisor n-1): the standard error of the nominal from the network initialisation`,
        matrix,
      };
    default:
      throw new InputError(`hepdata family covariance must be of one family; got ${t.kind}`);
  }
}

/** How a sqrt(sum w^2) stat error is carried through the normalisation, in words. */
const SHAPE_SUMW2: Record<HistogramNormalisation['kind'], string> = {
  events: '',
  xsec: '',
  shape: ' propagated to first order through the division by the area',
};

/** How the stat errors were estimated, in plain ASCII for the table description. */
function statSentence(u: UncertaintyBreakdown, normalisation: HistogramNormalisation): string {
  if (u.statEstimate === 'data_bootstraps') return `stat: sample covariance over ${u.nDataBootstraps} data bootstraps`;
  const why =
    u.nDataBootstraps === 0 ? 'no data bootstraps' : `${u.nDataBootstraps} data bootstrap, too few for a covariance`;
  return `stat: sqrt(sum of squared nominal weights) per bin${SHAPE_SUMW2[normalisation.kind]} (${why}; it ignores the correlations the training induces)`;
}
