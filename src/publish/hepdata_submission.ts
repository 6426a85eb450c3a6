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
 * This file builds the submission's YAML texts on any platform, from histograms that
 * src/publish/hepdata_histogram.ts computes; src/publish/hepdata.ts writes them to a folder.
 */
import type { StatEstimate } from '../uncertainty/covariance.js';
import type { HistogramNormalisation } from '../uncertainty/normalisation.js';
import { InputError } from '../base/errors.js';
import { checkEdges } from '../analysis/histogram.js';
import { toYaml11 as toYaml } from './yaml11.js';

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

export { hepdataHistogram } from './hepdata_histogram.js';
export type { HistogramRequest } from './hepdata_histogram.js';
