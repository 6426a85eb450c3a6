/**
 * HEPData submission folders: `submission.yaml` (a multi-document YAML: one header document,
 * then one document per table) and one table file per histogram, plus its covariance as a
 * table of its own. Format: the HEPData submission documentation (hepdata-submission,
 * schema 1.x): tables have `independent_variables` (bins as low/high) and
 * `dependent_variables` (values with labelled `symerror` errors), all of equal length.
 *
 * This file computes the histograms and the submission's YAML texts on any platform;
 * src/publish/hepdata.ts writes them to a folder.
 */
import { stringify } from 'yaml';
import {
  diagonalSqrt,
  histogramUncertainties,
  type StatEstimate,
  type UncertaintyBreakdown,
} from '../uncertainty/covariance.js';
import { InputError } from '../base/errors.js';
import { parseExpression } from '../analysis/expr.js';
import { checkEdges } from '../analysis/histogram.js';
import { ensembleFactorOf, type WeightsFile } from './weights_encoding.js';
import { entersUncertainty, weightColumns } from '../uncertainty/families.js';

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
  /** [nBins] ensemble uncertainty: the standard error of the nominal over its ensemble columns, if any. */
  ensemble?: ArrayLike<number>;
  /** [nBins × nBins] row-major covariance of `values`, if known, with what it holds. */
  covariance?: { matrix: ArrayLike<number>; what: string };
  /** Unit of the event weights (e.g. `pb`); none means events. */
  weightUnit?: string;
  /** Free text: how the numbers were made. */
  description: string;
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
  if (h.covariance && h.covariance.matrix.length !== n * n) {
    throw new InputError(`hepdata ${h.name} covariance must have ${n * n} entries; got ${h.covariance.matrix.length}`);
  }
  return n;
}

function observableHeader(h: HepdataHistogram): Record<string, string> {
  return { name: h.label ?? h.observable, ...(h.unit ? { units: h.unit } : {}) };
}

function valueHeader(h: HepdataHistogram): Record<string, string> {
  return {
    name: h.weightUnit ? 'SIG (unfolded, per bin)' : 'N (unfolded events per bin)',
    ...(h.weightUnit ? { units: h.weightUnit } : {}),
  };
}

/** The table document of one histogram. */
export function histogramTable(h: HepdataHistogram): Record<string, unknown> {
  const n = check(h);
  const edges = Array.from(h.edges);
  return {
    independent_variables: [
      {
        header: observableHeader(h),
        values: edges.slice(0, n).map((lo, k) => ({ low: round(lo), high: round(edges[k + 1]) })),
      },
    ],
    dependent_variables: [
      {
        header: valueHeader(h),
        qualifiers: [
          { name: 'Method', value: 'OmniFold (unbinned)' },
          ...(h.where ? [{ name: 'Selection', value: h.where }] : []),
        ],
        values: Array.from(h.values, (v, k) => ({
          value: round(v),
          errors: [
            { symerror: round(h.stat[k]), label: 'stat' },
            ...(h.syst ? [{ symerror: round(h.syst[k]), label: 'syst' }] : []),
            ...(h.ensemble ? [{ symerror: round(h.ensemble[k]), label: 'ensemble' }] : []),
          ],
        })),
      },
    ],
  };
}

/** The covariance table: bin i × bin j, n² rows. */
export function covarianceTable(h: HepdataHistogram): Record<string, unknown> {
  const n = check(h);
  if (!h.covariance)
    throw new InputError(`hepdata ${h.name} covariance must be given for a covariance table; got none`);
  const edges = Array.from(h.edges);
  const bins = (axis: 'i' | 'j') =>
    Array.from({ length: n * n }, (_, k) => {
      const b = axis === 'i' ? Math.floor(k / n) : k % n;
      return { low: round(edges[b]), high: round(edges[b + 1]) };
    });
  const header = observableHeader(h);
  const unit = h.weightUnit ? `${h.weightUnit}^2` : undefined;
  return {
    independent_variables: [
      { header: { ...header, name: `${header.name} (bin i)` }, values: bins('i') },
      { header: { ...header, name: `${header.name} (bin j)` }, values: bins('j') },
    ],
    dependent_variables: [
      {
        header: { name: `Covariance (${h.covariance.what})`, ...(unit ? { units: unit } : {}) },
        values: Array.from(h.covariance.matrix, (v) => ({ value: round(v) })),
      },
    ],
  };
}

/** File name → YAML text of a whole submission (submission.yaml first). */
export function hepdataFiles(histograms: readonly HepdataHistogram[], options: HepdataOptions): Map<string, string> {
  if (histograms.length === 0) throw new InputError('hepdata submission must hold at least one histogram; got 0');
  const files = new Map<string, string>();
  const docs: Record<string, unknown>[] = [{ comment: options.comment }];
  const seen = new Set<string>();
  for (const h of histograms) {
    let s = stem(h.name);
    for (let k = 2; seen.has(s); k++) s = `${stem(h.name)}_${k}`;
    seen.add(s);
    const keywords = [
      { name: 'observables', values: [h.observable] },
      { name: 'phrases', values: ['Unfolding', 'OmniFold', ...(options.phrases ?? [])] },
    ];
    files.set(`${s}.yaml`, stringify(histogramTable(h)));
    docs.push({ name: h.name, description: h.description, keywords, data_file: `${s}.yaml` });
    if (h.covariance) {
      files.set(`${s}_covariance.yaml`, stringify(covarianceTable(h)));
      docs.push({
        name: `${h.name} covariance`,
        description: `Covariance (${h.covariance.what}) between the bins of table "${h.name}". ${h.description}`,
        keywords,
        data_file: `${s}_covariance.yaml`,
      });
    }
  }
  const submission = docs.map((d) => stringify(d)).join('---\n');
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
}

/**
 * The unfolded histogram of `request.obs` from a weights file, with its uncertainties: stat
 * from the data bootstraps, syst from sim bootstraps and systematics (in quadrature),
 * ensemble from the ensemble columns (the standard error of the nominal), and the total
 * covariance. Events failing the gen selection (fakes) are never counted. Without data
 * bootstraps (fewer than 2), stat is √Σw² of the nominal weights, whatever other replicas
 * exist; without any replica or ensemble columns there is no covariance table either.
 */
export function hepdataHistogram(file: WeightsFile, request: HistogramRequest): HepdataHistogram {
  checkEdges('--bins edges', request.edges);
  const edges = Float64Array.from(request.edges);
  const n = edges.length - 1;
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
  const columns = weightColumns(file.metadata.columns, get, entersUncertainty);
  const u = histogramUncertainties(columns, x, edges, mask, ensembleFactorOf(file.metadata));
  const normalisation = file.metadata.normalisation as Record<string, unknown>;
  const weightUnit =
    typeof normalisation?.unit === 'string' && normalisation.unit !== 'shape only' ? normalisation.unit : undefined;
  const base = {
    name: request.name ?? request.obs,
    observable: request.obs,
    ...(request.where ? { where: request.where } : {}),
    edges,
    values: u.nominal,
    statEstimate: u.statEstimate,
    ...(weightUnit ? { weightUnit } : {}),
  };
  const engine = `${file.metadata.engine?.name ?? 'omnifold'} ${file.metadata.engine?.version ?? ''}`.trim();
  const selection = `events passing the gen selection${request.where ? ` and ${request.where}` : ''}`;
  if (u.nDataBootstraps < 2 && u.nSimBootstraps < 2 && u.systematics.length === 0 && u.nEnsemble < 2) {
    return {
      ...base,
      stat: diagonalSqrt(u.stat, n),
      description: `Unfolded distribution of ${request.obs} (${selection}), OmniFold, ${engine}, seed ${file.metadata.seed}. No replica columns: stat is sqrt(sum of squared weights), which ignores the correlations the training induces; no systematic uncertainty and no covariance.`,
    };
  }
  const syst = diagonalSqrt(
    Float64Array.from(u.simStat, (v, k) => v + u.syst[k]),
    n,
  );
  const names = u.systematics.map((s) => s.name);
  const withEnsemble = u.nEnsemble >= 2;
  return {
    ...base,
    stat: diagonalSqrt(u.stat, n),
    syst,
    ...(withEnsemble ? { ensemble: diagonalSqrt(u.ensemble, n) } : {}),
    covariance: {
      matrix: u.total,
      what:
        (u.statEstimate === 'data_bootstraps'
          ? 'total: stat + sim-stat + systematics'
          : 'total: stat (sqrt(sum w^2), diagonal) + sim-stat + systematics') + (withEnsemble ? ' + ensemble' : ''),
    },
    description:
      `Unfolded distribution of ${request.obs} (${selection}), OmniFold, ${engine}, seed ${file.metadata.seed}. ` +
      `${statSentence(u)}; syst: ${u.nSimBootstraps} sim bootstraps (sim-stat) and ${names.length} systematic variation(s)${names.length ? ` (${names.join(', ')})` : ''} in quadrature` +
      (withEnsemble
        ? `; ensemble: standard error ${u.ensembleFactor === 1 ? '' : `${u.ensembleFactor}*`}sigma/sqrt(${u.nEnsemble}) of the nominal over its ${u.nEnsemble} ensemble columns (network initialisation).`
        : '.'),
  };
}

/** How the stat errors were estimated, in plain ASCII for the table description. */
function statSentence(u: UncertaintyBreakdown): string {
  if (u.statEstimate === 'data_bootstraps') return `stat: sample covariance over ${u.nDataBootstraps} data bootstraps`;
  const why =
    u.nDataBootstraps === 0 ? 'no data bootstraps' : `${u.nDataBootstraps} data bootstrap, too few for a covariance`;
  return `stat: sqrt(sum of squared nominal weights) per bin (${why}; it ignores the correlations the training induces)`;
}
