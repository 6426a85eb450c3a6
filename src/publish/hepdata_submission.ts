/**
 * HEPData submission folders: `submission.yaml` (a multi-document YAML: one header document,
 * then one document per table) and one table file per histogram, plus its total covariance
 * and each uncertainty family's covariance as tables of their own. Format: the HEPData
 * submission documentation (hepdata-submission, schema 1.1): tables have
 * `independent_variables` (bins as low/high) and `dependent_variables` (values with
 * labelled `symerror` or `asymerror` errors), all of equal length. Numbers are written so
 * that a YAML 1.1 reader (HEPData's) reads them as numbers, and a value whose errors would
 * all be zero carries none (HEPData refuses all-zero errors).
 *
 * This file computes the histograms and the submission's YAML texts on any platform;
 * src/publish/hepdata.ts writes them to a folder.
 */
import {
  diagonalSqrt,
  type FamilyTerm,
  familyTerms,
  histogramUncertainties,
  type StatEstimate,
  type UncertaintyBreakdown,
} from '../uncertainty/covariance.js';
import {
  describeNormalisation,
  type HistogramNormalisation,
  normalisedHistogramUncertainties,
} from '../uncertainty/normalisation.js';
import { InputError } from '../base/errors.js';
import { parseExpression } from '../analysis/expr.js';
import { checkEdges } from '../analysis/histogram.js';
import { toYaml11 as toYaml } from './yaml11.js';
import { ensembleFactorOf, type WeightsFile } from './weights_encoding.js';
import { entersUncertainty, FAMILIES, weightColumns } from '../uncertainty/families.js';

/** One unfolded histogram to publish. */
export interface HepdataHistogram {
  /** Table name, e.g. `gen_pt`; unique within the submission. */
  name: string;
  /** The observable: a column name or an expression of columns. */
  observable: string;
  /** Axis label and unit of the observable, when known. */
  label?: string;
  unit?: string;
  /** Selection applied on top of pass_gen, as an expression. */
  where?: string;
  /** [nBins + 1] */
  edges: ArrayLike<number>;
  /** [nBins] unfolded sums of weights. */
  values: ArrayLike<number>;
  /** [nBins] statistical uncertainty (data bootstraps, or √Σw² without at least 2 of them). */
  stat: ArrayLike<number>;
  /** How `stat` was estimated, when computed from a weights file. */
  statEstimate?: StatEstimate;
  /** [nBins] systematic uncertainty (sim-stat and systematics in quadrature), if any. */
  syst?: ArrayLike<number>;
  /**
   * [nBins] sim-stat uncertainty. With `simStat` or `systematics` given, the table itemises
   * the errors: `stat`, `sys,sim-stat`, one `sys,<name>` per systematic and `sys,ensemble`,
   * in place of one `syst` and `ensemble`; their quadrature sum is the total's diagonal.
   */
  simStat?: ArrayLike<number>;
  /**
   * Each systematic's signed shift δ = H_s − H_nominal, [nBins]: written as an asymmetric
   * error plus δ, minus −δ, so that its sign across the bins (its correlation) is kept.
   */
  systematics?: { name: string; delta: ArrayLike<number> }[];
  /** [nBins] ensemble uncertainty: the standard error of the nominal over its ensemble columns, if any. */
  ensemble?: ArrayLike<number>;
  /** [nBins × nBins] row-major covariance of `values`, if known, with what it holds. */
  covariance?: { matrix: ArrayLike<number>; what: string };
  /**
   * One covariance table per uncertainty family beside the total's (stat, sim-stat,
   * background-stat, each systematic, ensemble): `key` names its file
   * (`<table>_covariance_<key>.yaml`), `what` its header, `description` its text.
   */
  familyCovariances?: FamilyCovarianceTable[];
  /** Unit of the event weights (e.g. `pb`); none means events. */
  weightUnit?: string;
  /**
   * How `values`, their errors and covariances are normalised (default `events`): it names
   * the value's header (`Events`, `d(sigma)/d(x)` in unit/unit of x, `1/sigma d(sigma)/d(x)`).
   */
  normalisation?: HistogramNormalisation;
  /** Free text: how the numbers were made. */
  description: string;
}

/** One family's covariance of a histogram, to publish as a table of its own. */
export interface FamilyCovarianceTable {
  /** File-name part, e.g. `stat`, `sim_stat`, `syst_jes`. */
  key: string;
  /** Short, for the header and table name, e.g. `stat`, `sys,jes`. */
  what: string;
  /** How it was computed, for the table description. */
  description: string;
  /** [nBins × nBins] row-major */
  matrix: ArrayLike<number>;
}

/** Submission-level options. */
export interface HepdataOptions {
  /** The header document's comment (the record's abstract-like text). */
  comment: string;
  /** Extra keyword phrases for every table. */
  phrases?: string[];
}

/** A file-name-safe stem. */
function stem(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return s === '' ? 'table' : s;
}

/** 6 significant digits: what a publication table carries. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

/**
 * Bin edges as a table carries them: 6 significant digits, or as many more (up to a
 * double's 17) as keep every edge distinct, so that narrow bins never collapse.
 */
export function tableEdges(edges: ArrayLike<number>): number[] {
  for (let digits = 6; digits < 17; digits++) {
    const rounded = Array.from(edges, (x) => Number(x.toPrecision(digits)));
    if (rounded.every((x, k) => k === 0 || x > rounded[k - 1])) return rounded;
  }
  return Array.from(edges);
}

function check(h: HepdataHistogram): number {
  checkEdges(`hepdata ${h.name} edges`, h.edges);
  const n = h.edges.length - 1;
  for (const [what, a] of [
    ['values', h.values],
    ['stat', h.stat],
    ['syst', h.syst],
    ['ensemble', h.ensemble],
  ] as const) {
    if (a !== undefined && a.length !== n)
      throw new InputError(`hepdata ${h.name} ${what} must have ${n} entries like the bins; got ${a.length}`);
  }
  for (const [what, a] of [
    ['simStat', h.simStat],
    ...(h.systematics ?? []).map((s) => [`systematic ${s.name} delta`, s.delta] as const),
  ] as const) {
    if (a !== undefined && a.length !== n)
      throw new InputError(`hepdata ${h.name} ${what} must have ${n} entries like the bins; got ${a.length}`);
  }
  if (h.covariance && h.covariance.matrix.length !== n * n) {
    throw new InputError(`hepdata ${h.name} covariance must have ${n * n} entries; got ${h.covariance.matrix.length}`);
  }
  for (const f of h.familyCovariances ?? []) {
    if (f.matrix.length !== n * n)
      throw new InputError(`hepdata ${h.name} ${f.what} covariance must have ${n * n} entries; got ${f.matrix.length}`);
  }
  return n;
}

function observableHeader(h: HepdataHistogram): Record<string, string> {
  return { name: h.label ?? h.observable, ...(h.unit ? { units: h.unit } : {}) };
}

/**
 * The value's header: `Events` (or the weights' unit per bin), `d(sigma)/d(x)` in
 * UNIT/(unit of x) for a cross section, `1/sigma d(sigma)/d(x)` in 1/(unit of x) for a shape.
 */
function valueHeader(h: HepdataHistogram): { name: string; units?: string } {
  const x = h.label ?? h.observable;
  const per = (unit: string) => (h.unit ? `${unit}/${h.unit}` : unit);
  switch (h.normalisation?.kind ?? 'events') {
    case 'events':
      return h.weightUnit ? { name: 'SIG (unfolded, per bin)', units: h.weightUnit } : { name: 'Events' };
    case 'xsec':
      return { name: `d(sigma)/d(${x})`, units: per((h.normalisation as { unit: string }).unit) };
    case 'shape':
      return { name: `1/sigma d(sigma)/d(${x})`, ...(h.unit ? { units: per('1') } : {}) };
  }
}

/** The square of a unit, for a covariance: `pb^2`, `(pb/GeV)^2`. */
function squaredUnit(unit: string): string {
  return /^[A-Za-z]+$/.test(unit) ? `${unit}^2` : `(${unit})^2`;
}

interface BinError {
  symerror?: number;
  asymerror?: { plus: number; minus: number };
  label: string;
}

/** The labelled errors of bin `k`: itemised per family when the histogram has them. */
function binErrors(h: HepdataHistogram, k: number): BinError[] {
  const stat: BinError = { symerror: round(h.stat[k]), label: 'stat' };
  if (h.simStat === undefined && h.systematics === undefined) {
    return [
      stat,
      ...(h.syst ? [{ symerror: round(h.syst[k]), label: 'syst' }] : []),
      ...(h.ensemble ? [{ symerror: round(h.ensemble[k]), label: 'ensemble' }] : []),
    ];
  }
  return [
    stat,
    ...(h.simStat ? [{ symerror: round(h.simStat[k]), label: 'sys,sim-stat' }] : []),
    ...(h.systematics ?? []).map((s) => ({
      asymerror: { plus: round(s.delta[k]), minus: round(-s.delta[k]) },
      label: `sys,${s.name}`,
    })),
    ...(h.ensemble ? [{ symerror: round(h.ensemble[k]), label: 'sys,ensemble' }] : []),
  ];
}

/** The table document of one histogram. */
export function histogramTable(h: HepdataHistogram): Record<string, unknown> {
  const n = check(h);
  const edges = tableEdges(h.edges);
  return {
    independent_variables: [
      {
        header: observableHeader(h),
        values: edges.slice(0, n).map((lo, k) => ({ low: lo, high: edges[k + 1] })),
      },
    ],
    dependent_variables: [
      {
        header: valueHeader(h),
        qualifiers: [
          { name: 'Method', value: 'OmniFold (unbinned)' },
          ...(h.where ? [{ name: 'Selection', value: h.where }] : []),
        ],
        values: Array.from(h.values, (v, k) => {
          const errors = binErrors(h, k);
          // HEPData refuses a value whose errors are all zero (an empty bin): it gets none
          return errors.every((e) => e.symerror === 0 || (e.asymerror?.plus === 0 && e.asymerror.minus === 0))
            ? { value: round(v) }
            : { value: round(v), errors };
        }),
      },
    ],
  };
}

/**
 * The covariance table, bin i × bin j, n² rows: of the total (`h.covariance`), or of one
 * family (`family`, an entry of `h.familyCovariances`).
 */
export function covarianceTable(h: HepdataHistogram, family?: FamilyCovarianceTable): Record<string, unknown> {
  const n = check(h);
  const covariance = family ?? h.covariance;
  if (!covariance) throw new InputError(`hepdata ${h.name} covariance must be given for a covariance table; got none`);
  const edges = tableEdges(h.edges);
  const bins = (axis: 'i' | 'j') =>
    Array.from({ length: n * n }, (_, k) => {
      const b = axis === 'i' ? Math.floor(k / n) : k % n;
      return { low: edges[b], high: edges[b + 1] };
    });
  const header = observableHeader(h);
  const valueUnit = valueHeader(h).units;
  const unit = valueUnit === undefined ? undefined : squaredUnit(valueUnit);
  return {
    independent_variables: [
      { header: { ...header, name: `${header.name} (bin i)` }, values: bins('i') },
      { header: { ...header, name: `${header.name} (bin j)` }, values: bins('j') },
    ],
    dependent_variables: [
      {
        header: { name: `Covariance (${covariance.what})`, ...(unit ? { units: unit } : {}) },
        values: Array.from(covariance.matrix, (v) => ({ value: round(v) })),
      },
    ],
  };
}

/** HEPData's limits on a table name and on a keyword's value. */
const MAX_TABLE_NAME = 64;
const MAX_KEYWORD_VALUE = 128;

/** `base` + `suffix`, with `base` cut (ending in "...") so that the whole fits `limit` characters. */
function tableName(base: string, suffix = '', limit = MAX_TABLE_NAME): string {
  const chars = [...base];
  const room = limit - [...suffix].length;
  return (chars.length <= room ? base : `${chars.slice(0, room - 3).join('')}...`) + suffix;
}

/** A keyword value cut to HEPData's 128 characters. */
const keywordValue = (text: string) => tableName(text, '', MAX_KEYWORD_VALUE);

/** File name → YAML text of a whole submission (submission.yaml first). */
export function hepdataFiles(histograms: readonly HepdataHistogram[], options: HepdataOptions): Map<string, string> {
  if (histograms.length === 0) throw new InputError('hepdata submission must hold at least one histogram; got 0');
  const files = new Map<string, string>();
  const docs: Record<string, unknown>[] = [{ comment: options.comment }];
  const seen = new Set<string>();
  const names = new Set<string>();
  /** A table name unique in the submission (HEPData requires it): " (2)", " (3)"… when taken. */
  const uniqueName = (base: string, suffix = '') => {
    let name = tableName(base, suffix);
    for (let k = 2; names.has(name); k++) name = tableName(base, `${suffix} (${k})`);
    names.add(name);
    return name;
  };
  /** A file name unique in the folder. */
  const uniqueFile = (stemText: string) => {
    let s = stemText;
    for (let k = 2; seen.has(s); k++) s = `${stemText}_${k}`;
    seen.add(s);
    return `${s}.yaml`;
  };
  for (const h of histograms) {
    const file = uniqueFile(stem(h.name));
    const s = file.slice(0, -'.yaml'.length);
    const keywords = [
      { name: 'observables', values: [keywordValue(h.observable)] },
      { name: 'phrases', values: ['Unfolding', 'OmniFold', ...(options.phrases ?? [])].map(keywordValue) },
    ];
    files.set(file, toYaml(histogramTable(h)));
    const name = uniqueName(h.name);
    docs.push({ name, description: h.description, keywords, data_file: file });
    if (h.covariance) {
      const covarianceFile = uniqueFile(`${s}_covariance`);
      files.set(covarianceFile, toYaml(covarianceTable(h)));
      docs.push({
        name: uniqueName(h.name, ' covariance'),
        description: `Covariance (${h.covariance.what}) between the bins of table "${name}". ${h.description}`,
        keywords,
        data_file: covarianceFile,
      });
    }
    for (const f of h.familyCovariances ?? []) {
      const familyFile = uniqueFile(`${s}_covariance_${stem(f.key)}`);
      files.set(familyFile, toYaml(covarianceTable(h, f)));
      docs.push({
        name: uniqueName(h.name, ` covariance (${f.what})`),
        description: `Covariance (${f.what}) between the bins of table "${name}": ${f.description}.`,
        keywords,
        data_file: familyFile,
      });
    }
  }
  const submission = docs.map((d) => toYaml(d)).join('---\n');
  return new Map([['submission.yaml', submission], ...files]);
}

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
