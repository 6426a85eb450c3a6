/**
 * What `omnifold hist` computes from a weights file, with no file system: the events a
 * histogram counts, the histogram or weighted mean of an expression with its uncertainty
 * breakdown (src/uncertainty/covariance.ts), and that breakdown as the JSON of
 * `hist --json`. The CLI and the static weights viewer (viewer/) both call these, so the
 * page and the command line give the same numbers.
 */
import { InputError } from '../base/errors.js';
import { parseExpression, type Expression } from '../analysis/expr.js';
import { diagonalSqrt, familyTerms, type FamilyTerm, type UncertaintyBreakdown } from '../uncertainty/covariance.js';
import { describeStat, histogramUncertainties, meanUncertainties } from '../uncertainty/quantities.js';
import { FAMILIES, TOTAL_COMBINATION, weightColumns, type WeightColumn } from '../uncertainty/families.js';
import {
  describeNormalisation,
  normalisationText,
  normalisedHistogramUncertainties,
  type HistogramNormalisation,
} from '../uncertainty/normalisation.js';
import { ensembleFactorOf, type WeightsFile } from './weights_encoding.js';

/** A decoded weights file ready for queries: its columns as numbers, weight columns by family. */
export interface HistSource {
  /** Names the file in errors (its path or URL). */
  source: string;
  columnNames: string[];
  column(name: string): ArrayLike<number>;
  weights: WeightColumn[];
  nRows: number;
  /** The f of the ensemble standard error (metadata.ensemble). */
  ensembleFactor: number;
  /** Linked weights files (alternative unfoldings on their own events), by systematic name. */
  linked: { name: string; file: HistSource }[];
}

/**
 * The query view of a decoded weights file named `source`; `linked` are its linked weights
 * files (`metadata.linked`, already read and checked against their recorded SHA-256).
 */
export function histSource(
  file: WeightsFile,
  source: string,
  linked: readonly { name: string; source: string; file: WeightsFile }[] = [],
): HistSource {
  const column = (name: string): ArrayLike<number> => {
    const c = file.columns.get(name);
    if (c === undefined)
      throw new InputError(`${source}: column "${name}" must exist; got columns ${file.columnNames.join(', ')}`);
    return c instanceof BigInt64Array ? Float64Array.from(c, Number) : c;
  };
  return {
    source,
    columnNames: file.columnNames,
    column,
    weights: weightColumns(file.metadata.columns, column),
    nRows: file.nRows,
    ensembleFactor: ensembleFactorOf(file.metadata),
    linked: linked.map((l) => ({ name: l.name, file: histSource(l.file, l.source) })),
  };
}

function evaluate(expr: Expression, file: HistSource): Float64Array {
  const cols: Record<string, ArrayLike<number>> = {};
  for (const name of expr.columns) cols[name] = file.column(name);
  return expr.evaluate(cols, file.nRows);
}

/**
 * The events a histogram counts: those passing the gen selection (`pass_gen`; fakes have
 * no gen-level features) and, if given, the `where` expression (non-zero, not NaN).
 */
function selection(where: string | undefined, file: HistSource): Uint8Array | undefined {
  const passGen = file.columnNames.includes('pass_gen') ? file.column('pass_gen') : undefined;
  const v = where === undefined ? undefined : evaluate(parseExpression(where, file.columnNames), file);
  if (passGen === undefined && v === undefined) return undefined;
  const mask = new Uint8Array(file.nRows);
  for (let i = 0; i < file.nRows; i++) {
    const ok = (passGen === undefined || passGen[i] !== 0) && (v === undefined || (v[i] !== 0 && !Number.isNaN(v[i])));
    mask[i] = ok ? 1 : 0;
  }
  return mask;
}

/**
 * The histogram of the expression `obs` over `edges`, of the events passing the gen
 * selection and `where`, normalised by `normalisation` (default: events), with its
 * uncertainties from every weight column; each linked file adds the systematic
 * δ = H(linked) − H(file), the same quantity on its own events.
 */
export function histQuery(
  file: HistSource,
  obs: string,
  edges: Float64Array,
  where?: string,
  normalisation: HistogramNormalisation = { kind: 'events' },
): UncertaintyBreakdown {
  const mask = selection(where, file);
  const x = evaluate(parseExpression(obs, file.columnNames), file);
  const linked = file.linked.map((l) => {
    const there = selection(where, l.file);
    const xThere = evaluate(parseExpression(obs, l.file.columnNames), l.file);
    return { name: l.name, values: histogramUncertainties(l.file.weights, xThere, edges, there).nominal };
  });
  return normalisedHistogramUncertainties(file.weights, x, edges, normalisation, {
    mask,
    ensembleFactor: file.ensembleFactor,
    linked,
    subject: obs,
  });
}

/** The weighted mean of the expression `moment`, as {@link histQuery} selects events. */
export function momentQuery(file: HistSource, moment: string, where?: string): UncertaintyBreakdown {
  const mask = selection(where, file);
  const m = evaluate(parseExpression(moment, file.columnNames), file);
  const linked = file.linked.map((l) => {
    const there = selection(where, l.file);
    const mThere = evaluate(parseExpression(moment, l.file.columnNames), l.file);
    return { name: l.name, values: meanUncertainties(l.file.weights, mThere, there).nominal };
  });
  return meanUncertainties(file.weights, m, mask, file.ensembleFactor, linked);
}

/** Per entry, the uncertainty of each family sum: √ of the covariance diagonals. */
export function uncertaintyRows(u: UncertaintyBreakdown) {
  const n = u.nominal.length;
  return {
    stat: diagonalSqrt(u.stat, n),
    simStat: diagonalSqrt(u.simStat, n),
    syst: diagonalSqrt(u.syst, n),
    ensemble: diagonalSqrt(u.ensemble, n),
    total: diagonalSqrt(u.total, n),
  };
}

/** The background-stat entries of `hist --json`, present only with background bootstraps. */
function backgroundJson(u: UncertaintyBreakdown) {
  if (u.nBackgroundBootstraps === 0) return {};
  return {
    backgroundStat: {
      uncertainty: Array.from(diagonalSqrt(u.backgroundStat, u.nominal.length)),
      covariance: Array.from(u.backgroundStat),
      note: 'part of stat (data bootstraps fluctuate the background too); not added to the total',
    },
    nBackgroundBootstraps: u.nBackgroundBootstraps,
  };
}

/** Key of a family term in `hist --json` `families` (systematics go under `systematics`, by name). */
const FAMILY_KEY = {
  stat: 'stat',
  'sim-stat': 'simStat',
  'background-stat': 'backgroundStat',
  syst: 'syst',
  ensemble: 'ensemble',
  total: 'total',
} as const;

/** How a family term is computed, in words. */
function howComputed(t: FamilyTerm, u: UncertaintyBreakdown, quantity: 'histogram' | 'mean'): string {
  if (t.kind === 'stat') return describeStat(u, quantity);
  if (t.kind === 'syst') return 'syst covariance = sum of the systematic terms';
  if (t.kind === 'total') return TOTAL_COMBINATION;
  return FAMILIES[t.family!].combination;
}

/**
 * `families` of `hist --json`: per contributing family (stat, simStat, backgroundStat, each
 * systematic by name under `systematics`, their sum syst, ensemble, total) how it was
 * computed, its column count, the sum it is part of, per-entry uncertainty, covariance and
 * correlation ([n × n] row-major).
 */
function familiesJson(u: UncertaintyBreakdown, quantity: 'histogram' | 'mean') {
  const terms = familyTerms(u);
  const entry = (t: FamilyTerm) => ({
    how: howComputed(t, u, quantity),
    columns: t.nColumns,
    ...(t.partOf ? { partOf: t.partOf } : {}),
    ...(t.delta ? { delta: Array.from(t.delta) } : {}),
    uncertainty: Array.from(t.uncertainty),
    covariance: Array.from(t.covariance),
    correlation: Array.from(t.correlation),
  });
  // a systematic may be named anything, "__proto__" included: fromEntries defines plain keys
  const systematics = Object.fromEntries(terms.filter((t) => t.kind === 'systematic').map((t) => [t.label, entry(t)]));
  const others = new Map(terms.filter((t) => t.kind !== 'systematic').map((t) => [t.kind, t]));
  const key = (kind: Exclude<FamilyTerm['kind'], 'systematic'>): [string, unknown][] => {
    const t = others.get(kind);
    return t === undefined ? [] : [[FAMILY_KEY[kind], entry(t)]];
  };
  return Object.fromEntries([
    ...key('stat'),
    ...key('sim-stat'),
    ...key('background-stat'),
    ['systematics', systematics],
    ...key('syst'),
    ...key('ensemble'),
    ...key('total'),
  ]);
}

/**
 * A histogram's or weighted mean's uncertainty breakdown as `omnifold hist --json` writes
 * it: value, per-family uncertainties, covariances, the total correlation and `families`.
 */
export function histJson(u: UncertaintyBreakdown, quantity: 'histogram' | 'mean') {
  const e = uncertaintyRows(u);
  return {
    value: Array.from(u.nominal),
    statEstimate: u.statEstimate,
    statDescription: describeStat(u, quantity),
    uncertainty: {
      stat: Array.from(e.stat),
      simStat: Array.from(e.simStat),
      syst: Array.from(e.syst),
      ensemble: Array.from(e.ensemble),
      total: Array.from(e.total),
    },
    covariance: {
      stat: Array.from(u.stat),
      simStat: Array.from(u.simStat),
      systematics: Object.fromEntries(
        u.systematics.map((s) => [s.name, { delta: Array.from(s.delta), covariance: Array.from(s.covariance) }]),
      ),
      ensemble: Array.from(u.ensemble),
      total: Array.from(u.total),
    },
    correlation: Array.from(u.correlation),
    families: familiesJson(u, quantity),
    nDataBootstraps: u.nDataBootstraps,
    nSimBootstraps: u.nSimBootstraps,
    ...backgroundJson(u),
    nEnsemble: u.nEnsemble,
    ensembleFactor: u.ensembleFactor,
  };
}

/**
 * The `histogram` entry of `hist --json`: the expression, the edges, the normalisation
 * (with its option text and description) and the uncertainty breakdown {@link histJson}.
 */
export function histogramJson(
  obs: string,
  edges: ArrayLike<number>,
  normalisation: HistogramNormalisation,
  u: UncertaintyBreakdown,
) {
  return {
    obs,
    edges: Array.from(edges),
    normalisation: {
      ...normalisation,
      option: normalisationText(normalisation),
      description: describeNormalisation(normalisation),
    },
    ...histJson(u, 'histogram'),
  };
}
