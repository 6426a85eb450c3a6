/**
 * `omnifold hist OUT/weights.arrow --obs EXPR --bins SPEC [--where EXPR] [--moment EXPR] [--json FILE]`
 *
 * Any histogram (or weighted mean) after the fact, from the weight columns of a weights
 * file: the nominal column gives the value; data bootstraps the stat covariance (without
 * at least 2 of them: √Σw² of the nominal weights, said so), sim bootstraps the sim-stat
 * covariance, each systematic δδᵀ, the ensemble columns the standard error of the nominal;
 * their sum the total, with its correlation matrix. Printed as a table (the ensemble
 * column when the file has ensemble columns) and, with --json, written as JSON
 * (`statEstimate` says which stat).
 */
import {
  checkOutputFile,
  describeStat,
  diagonalSqrt,
  ensembleFactorOf,
  type Expression,
  histogramUncertainties,
  InputError,
  meanUncertainties,
  OmniFoldError,
  parseExpression,
  readWeightsFile,
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
  'usage: omnifold hist WEIGHTS.arrow --obs EXPR --bins lo:hi:n|e0,e1,... [--where EXPR] [--moment EXPR] [--json FILE [--force]]';

interface Loaded {
  columnNames: string[];
  column(name: string): ArrayLike<number>;
  weights: WeightColumn[];
  nRows: number;
  /** The f of the ensemble standard error (metadata.ensemble). */
  ensembleFactor: number;
}

async function load(path: string): Promise<Loaded> {
  const file = await readWeightsFile(path);
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
  moment: { type: 'string' },
  json: { type: 'string' },
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
    if (values.json !== undefined) await checkOutputFile(values.json, '--json', values.force === true);
    const file = await load(positionals[0]);
    const compile = (src: string) => parseExpression(src, file.columnNames);
    const mask = selection(values.where === undefined ? undefined : compile(values.where), file);
    const out: Record<string, unknown> = { file: positionals[0], where: values.where ?? null };
    const header = `${positionals[0]}${values.where ? ` where ${values.where}` : ''}`;
    if (values.obs !== undefined && edges !== undefined) {
      const x = evaluate(compile(values.obs), file);
      const u = histogramUncertainties(file.weights, x, edges, mask, file.ensembleFactor);
      process.stdout.write(
        `histogram of ${values.obs} in ${header}: ${edges.length - 1} bins; ${describeReplicas(u)}\n${describeStat(u, 'histogram')}\n\n${histogramReport(u, edges)}`,
      );
      out.histogram = { obs: values.obs, edges: Array.from(edges), ...toJson(u, 'histogram') };
    }
    if (values.moment !== undefined) {
      const m = evaluate(compile(values.moment), file);
      const u = meanUncertainties(file.weights, m, mask, file.ensembleFactor);
      const e = uncertaintyRows(u);
      if (values.obs !== undefined) process.stdout.write('\n');
      process.stdout.write(
        `weighted mean of ${values.moment} in ${header}; ${describeReplicas(u)}\n${describeStat(u, 'mean')}\n` +
          `  ${fmt(u.nominal[0])} ± ${fmt(e.stat[0])} (stat) ± ${fmt(e.simStat[0])} (sim-stat) ± ${fmt(e.syst[0])} (syst)${u.nEnsemble > 0 ? ` ± ${fmt(e.ensemble[0])} (ensemble)` : ''}; total ± ${fmt(e.total[0])}\n` +
          backgroundLine(u),
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
