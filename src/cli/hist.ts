/**
 * `omnifold hist OUT/weights.arrow --obs EXPR --bins SPEC [--normalise events|xsec:LUMI[:UNIT]|shape]
 *  [--where EXPR] [--moment EXPR] [--families] [--json FILE]`
 *
 * Any histogram (or weighted mean) after the fact, from the weight columns of a weights
 * file: the nominal column gives the value; data bootstraps the stat covariance (without
 * at least 2 of them: √Σw² of the nominal weights, said so), sim bootstraps the sim-stat
 * covariance, background bootstraps the background-stat covariance (a part of stat,
 * reported beside it), each systematic δδᵀ, the ensemble columns the standard error of the
 * nominal; their sum the total, with its correlation matrix. Printed as a table (the
 * ensemble column when the file has ensemble columns), with `--families` each family's
 * covariance and correlation matrix after it; with --json, written as JSON (`statEstimate`
 * says which stat; `families` holds every contributing family's covariance and correlation).
 * `--normalise` divides the histogram (each replica on its own) by the luminosity and the
 * bin widths (`xsec`) or by its area and the widths (`shape`); the moment is unaffected;
 * `--json` says which under `histogram.normalisation` ({ kind, luminosity, unit, option, description }).
 */
import {
  checkOutputFile,
  describeStat,
  diagonalSqrt,
  ensembleFactorOf,
  type Expression,
  FAMILIES,
  type FamilyTerm,
  familyTerms,
  describeNormalisation,
  histogramUncertainties,
  InputError,
  meanUncertainties,
  normalisationText,
  normalisedHistogramUncertainties,
  OmniFoldError,
  parseExpression,
  parseNormalisation,
  readLinkedWeightsFiles,
  readWeightsFile,
  type WeightsFile,
  TOTAL_COMBINATION,
  type UncertaintyBreakdown,
  type WeightColumn,
  weightColumns,
  writeFileWhole,
} from '../index.js';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseBins } from './bins.js';
import { joinDashValues } from './dash_values.js';

const USAGE =
  'usage: omnifold hist WEIGHTS.arrow --obs EXPR --bins lo:hi:n|e0,e1,... [--normalise events|xsec:LUMI[:UNIT]|shape] [--where EXPR] [--moment EXPR] [--families] [--json FILE [--force]]';

interface Loaded {
  columnNames: string[];
  column(name: string): ArrayLike<number>;
  weights: WeightColumn[];
  nRows: number;
  /** The f of the ensemble standard error (metadata.ensemble). */
  ensembleFactor: number;
  /** Linked weights files (alternative unfoldings on their own events), by systematic name. */
  linked: { name: string; file: Loaded }[];
}

async function load(path: string, file?: WeightsFile): Promise<Loaded> {
  file ??= await readWeightsFile(path);
  const linked = await readLinkedWeightsFiles(path, file);
  const get = (name: string): ArrayLike<number> => {
    const c = file.columns.get(name);
    if (c === undefined)
      throw new InputError(`${path}: column "${name}" must exist; got columns ${file.columnNames.join(', ')}`);
    return c instanceof BigInt64Array ? Float64Array.from(c, Number) : c;
  };
  const weights = weightColumns(file.metadata.columns, get);
  return {
    columnNames: file.columnNames,
    column: get,
    weights,
    nRows: file.nRows,
    ensembleFactor: ensembleFactorOf(file.metadata),
    linked: await Promise.all(linked.map(async (l) => ({ name: l.name, file: await load(l.path, l.file) }))),
  };
}

function evaluate(expr: Expression, file: Loaded): Float64Array {
  const cols: Record<string, ArrayLike<number>> = {};
  for (const name of expr.columns) cols[name] = file.column(name);
  return expr.evaluate(cols, file.nRows);
}

/**
 * The events a histogram counts: those passing the gen selection (`pass_gen`; fakes have
 * no gen-level features) and, if given, the `--where` expression.
 */
function selection(where: Expression | undefined, file: Loaded): Uint8Array | undefined {
  const passGen = file.columnNames.includes('pass_gen') ? file.column('pass_gen') : undefined;
  const v = where === undefined ? undefined : evaluate(where, file);
  if (passGen === undefined && v === undefined) return undefined;
  const mask = new Uint8Array(file.nRows);
  for (let i = 0; i < file.nRows; i++) {
    const ok = (passGen === undefined || passGen[i] !== 0) && (v === undefined || (v[i] !== 0 && !Number.isNaN(v[i])));
    mask[i] = ok ? 1 : 0;
  }
  return mask;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(6) : String(v));
const edge = (v: number) => String(Number(v.toPrecision(6)));

function uncertaintyRows(u: UncertaintyBreakdown) {
  const n = u.nominal.length;
  return {
    stat: diagonalSqrt(u.stat, n),
    simStat: diagonalSqrt(u.simStat, n),
    syst: diagonalSqrt(u.syst, n),
    ensemble: diagonalSqrt(u.ensemble, n),
    total: diagonalSqrt(u.total, n),
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k])).join('  ');
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

function describeReplicas(u: UncertaintyBreakdown): string {
  const ensemble =
    u.nEnsemble === 0
      ? ''
      : `; ${u.nEnsemble} ensemble column${u.nEnsemble === 1 ? '' : 's'} (standard error ${u.ensembleFactor === 1 ? '' : `${u.ensembleFactor}·`}σ/√${u.nEnsemble} of the nominal)`;
  if (u.nDataBootstraps + u.nSimBootstraps + u.nBackgroundBootstraps + u.systematics.length === 0) {
    return u.nEnsemble === 0
      ? 'no replica columns: stat = √Σw² of the nominal weights, correlations unknown (run with --data-bootstraps for a covariance)'
      : `no replica columns: stat = √Σw² of the nominal weights (run with --data-bootstraps for a stat covariance)${ensemble}`;
  }
  const names = u.systematics.map((s) => s.name);
  const background = u.nBackgroundBootstraps > 0 ? `${u.nBackgroundBootstraps} background bootstraps, ` : '';
  return `${u.nDataBootstraps} data bootstraps, ${u.nSimBootstraps} sim bootstraps, ${background}${names.length} systematic${names.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}${ensemble}`;
}

function histogramReport(u: UncertaintyBreakdown, edges: Float64Array): string {
  const n = u.nominal.length;
  const e = uncertaintyRows(u);
  const withEnsemble = u.nEnsemble > 0;
  const rows = Array.from({ length: n }, (_, k) => [
    String(k + 1),
    `[${edge(edges[k])}, ${edge(edges[k + 1])})`,
    fmt(u.nominal[k]),
    fmt(e.stat[k]),
    fmt(e.simStat[k]),
    fmt(e.syst[k]),
    ...(withEnsemble ? [fmt(e.ensemble[k])] : []),
    fmt(e.total[k]),
  ]);
  const corr = Array.from({ length: n }, (_, i) => [
    String(i + 1),
    ...Array.from({ length: n }, (_, j) => u.correlation[i * n + j].toFixed(2)),
  ]);
  return (
    table(['bin', 'range', 'value', 'stat', 'sim-stat', 'syst', ...(withEnsemble ? ['ensemble'] : []), 'total'], rows) +
    backgroundLine(u) +
    '\ncorrelation (total)\n' +
    table(['', ...Array.from({ length: n }, (_, j) => String(j + 1))], corr)
  );
}

/** The background-stat uncertainty per bin, a part of stat (with background bootstraps only). */
function backgroundLine(u: UncertaintyBreakdown): string {
  if (u.nBackgroundBootstraps === 0) return '';
  const values = Array.from(diagonalSqrt(u.backgroundStat, u.nominal.length), fmt);
  return `background-stat (part of stat, not added again): ${values.join(' ')}\n`;
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

/** A family term's line on stdout: its name and how it was computed, briefly. */
function termLine(t: FamilyTerm, u: UncertaintyBreakdown, quantity: 'histogram' | 'mean'): string {
  switch (t.kind) {
    case 'stat':
      return describeStat(u, quantity);
    case 'sim-stat':
      return `sim-stat: sample covariance over ${t.nColumns} sim bootstraps`;
    case 'background-stat':
      return `background-stat: sample covariance over ${t.nColumns} background bootstraps (part of stat, not added again)`;
    case 'systematic':
      return `systematic ${t.label}: δδᵀ with δ = H(${FAMILIES.systematic.column(0, t.label)}) − H(weight)`;
    case 'syst':
      return `syst: sum of the ${t.nColumns} systematic term${t.nColumns === 1 ? '' : 's'}`;
    case 'ensemble':
      return `ensemble: ${u.ensembleFactor === 1 ? '' : `${u.ensembleFactor}²·`}S/${t.nColumns}, S the sample covariance over ${t.nColumns} ensemble columns (standard error of the nominal)`;
    case 'total':
      return `total: ${familyTerms(u)
        .filter((p) => p.partOf === 'total')
        .map((p) => p.label)
        .join(' + ')}`;
  }
}

/** `--families` for a histogram: each contributing family's covariance and correlation matrix. */
function familyMatricesReport(u: UncertaintyBreakdown): string {
  const n = u.nominal.length;
  const header = ['', ...Array.from({ length: n }, (_, j) => String(j + 1))];
  const matrix = (m: Float64Array, cell: (v: number) => string) =>
    table(
      header,
      Array.from({ length: n }, (_, i) => [String(i + 1), ...Array.from({ length: n }, (_, j) => cell(m[i * n + j]))]),
    );
  return familyTerms(u)
    .map(
      (t) =>
        `\n${termLine(t, u, 'histogram')}\ncovariance\n${matrix(t.covariance, fmt)}correlation\n${matrix(t.correlation, (v) => v.toFixed(2))}`,
    )
    .join('');
}

/** `--families` for a weighted mean: each contributing family's variance and uncertainty. */
function familyVariancesReport(u: UncertaintyBreakdown): string {
  return familyTerms(u)
    .map((t) => {
      const [name, how] = termLine(t, u, 'mean').split(/: (.*)/s);
      return `  ${name}: variance ${fmt(t.covariance[0])} (± ${fmt(t.uncertainty[0])}): ${how}\n`;
    })
    .join('');
}

function toJson(u: UncertaintyBreakdown, quantity: 'histogram' | 'mean') {
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

const OPTIONS = {
  obs: { type: 'string' },
  bins: { type: 'string' },
  where: { type: 'string' },
  normalise: { type: 'string' },
  moment: { type: 'string' },
  json: { type: 'string' },
  families: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `omnifold hist` with `argv` (after the subcommand); resolves to the exit code. */
export async function runHist(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: joinDashValues(argv, OPTIONS),
      allowPositionals: true,
      options: OPTIONS,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1)
      throw new InputError(`hist must be given one weights file; got ${positionals.length} (${USAGE})`);
    if ((values.obs === undefined) !== (values.bins === undefined)) {
      throw new InputError(
        `--obs and --bins must be given together; got only ${values.obs === undefined ? '--bins' : '--obs'}`,
      );
    }
    if (values.obs === undefined && values.moment === undefined)
      throw new InputError(`hist must be given --obs with --bins, or --moment; got neither (${USAGE})`);
    const edges = values.bins === undefined ? undefined : parseBins(values.bins);
    if (values.normalise !== undefined && values.obs === undefined)
      throw new InputError(`--normalise must come with --obs and --bins (it normalises the histogram); got no --obs`);
    const normalisation = parseNormalisation(values.normalise ?? 'events');
    if (values.json !== undefined) await checkOutputFile(values.json, '--json', values.force === true);
    const file = await load(positionals[0]);
    const compile = (src: string) => parseExpression(src, file.columnNames);
    const mask = selection(values.where === undefined ? undefined : compile(values.where), file);
    const out: Record<string, unknown> = { file: positionals[0], where: values.where ?? null };
    const header = `${positionals[0]}${values.where ? ` where ${values.where}` : ''}`;
    // an alternative unfolding's systematic: the same quantity on its own events and weights
    const onLinked = (quantity: (linked: Loaded, mask: Uint8Array | undefined) => Float64Array) =>
      file.linked.map((l) => {
        const compileThere = (src: string) => parseExpression(src, l.file.columnNames);
        const there = selection(values.where === undefined ? undefined : compileThere(values.where), l.file);
        return { name: l.name, values: quantity(l.file, there) };
      });
    if (values.obs !== undefined && edges !== undefined) {
      const x = evaluate(compile(values.obs), file);
      const linked = onLinked(
        (l, there) =>
          histogramUncertainties(l.weights, evaluate(parseExpression(values.obs!, l.columnNames), l), edges, there)
            .nominal,
      );
      const u = normalisedHistogramUncertainties(file.weights, x, edges, normalisation, {
        mask,
        ensembleFactor: file.ensembleFactor,
        linked,
        subject: values.obs,
      });
      const normalised =
        normalisation.kind === 'events'
          ? ''
          : `values: ${describeNormalisation(normalisation)}${normalisation.kind === 'shape' && u.statEstimate === 'sumw2' ? ' (√Σw² stat propagated to first order through the division by the area)' : ''}\n`;
      process.stdout.write(
        `histogram of ${values.obs} in ${header}: ${edges.length - 1} bins; ${describeReplicas(u)}\n${normalised}${describeStat(u, 'histogram')}\n\n${histogramReport(u, edges)}` +
          (values.families ? familyMatricesReport(u) : ''),
      );
      out.histogram = {
        obs: values.obs,
        edges: Array.from(edges),
        normalisation: {
          ...normalisation,
          option: normalisationText(normalisation),
          description: describeNormalisation(normalisation),
        },
        ...toJson(u, 'histogram'),
      };
    }
    if (values.moment !== undefined) {
      const m = evaluate(compile(values.moment), file);
      const linked = onLinked(
        (l, there) =>
          meanUncertainties(l.weights, evaluate(parseExpression(values.moment!, l.columnNames), l), there).nominal,
      );
      const u = meanUncertainties(file.weights, m, mask, file.ensembleFactor, linked);
      const e = uncertaintyRows(u);
      if (values.obs !== undefined) process.stdout.write('\n');
      process.stdout.write(
        `weighted mean of ${values.moment} in ${header}; ${describeReplicas(u)}\n${describeStat(u, 'mean')}\n` +
          `  ${fmt(u.nominal[0])} ± ${fmt(e.stat[0])} (stat) ± ${fmt(e.simStat[0])} (sim-stat) ± ${fmt(e.syst[0])} (syst)${u.nEnsemble > 0 ? ` ± ${fmt(e.ensemble[0])} (ensemble)` : ''}; total ± ${fmt(e.total[0])}\n` +
          backgroundLine(u) +
          (values.families ? `per family:\n${familyVariancesReport(u)}` : ''),
      );
      out.moment = { expr: values.moment, ...toJson(u, 'mean') };
    }
    if (values.json !== undefined)
      await writeFileWhole(values.json, '--json', (temp) => writeFile(temp, `${JSON.stringify(out, null, 2)}\n`));
    return 0;
  } catch (error) {
    const usage = error instanceof OmniFoldError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}
