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
  describeNormalisation,
  describeStat,
  diagonalSqrt,
  FAMILIES,
  type FamilyTerm,
  familyTerms,
  histJson,
  histogramJson,
  histQuery,
  type HistSource,
  histSource,
  InputError,
  momentQuery,
  OmniFoldError,
  parseNormalisation,
  readLinkedWeightsFiles,
  readWeightsFile,
  type UncertaintyBreakdown,
  uncertaintyRows,
  writeFileWhole,
} from '../index.js';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseBins } from './bins.js';
import { joinDashValues } from './dash_values.js';

const USAGE =
  'usage: omnifold hist WEIGHTS.arrow --obs EXPR --bins lo:hi:n|e0,e1,... [--normalise events|xsec:LUMI[:UNIT]|shape] [--where EXPR] [--moment EXPR] [--families] [--json FILE [--force]]';

async function load(path: string): Promise<HistSource> {
  const file = await readWeightsFile(path);
  const linked = await readLinkedWeightsFiles(path, file);
  return histSource(
    file,
    path,
    linked.map((l) => ({ name: l.name, source: l.path, file: l.file })),
  );
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(6) : String(v));
const edge = (v: number) => String(Number(v.toPrecision(6)));

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
    const out: Record<string, unknown> = { file: positionals[0], where: values.where ?? null };
    const header = `${positionals[0]}${values.where ? ` where ${values.where}` : ''}`;
    if (values.obs !== undefined && edges !== undefined) {
      const u = histQuery(file, values.obs, edges, values.where, normalisation);
      const normalised =
        normalisation.kind === 'events'
          ? ''
          : `values: ${describeNormalisation(normalisation)}${normalisation.kind === 'shape' && u.statEstimate === 'sumw2' ? ' (√Σw² stat propagated to first order through the division by the area)' : ''}\n`;
      process.stdout.write(
        `histogram of ${values.obs} in ${header}: ${edges.length - 1} bins; ${describeReplicas(u)}\n${normalised}${describeStat(u, 'histogram')}\n\n${histogramReport(u, edges)}` +
          (values.families ? familyMatricesReport(u) : ''),
      );
      out.histogram = histogramJson(values.obs, edges, normalisation, u);
    }
    if (values.moment !== undefined) {
      const u = momentQuery(file, values.moment, values.where);
      const e = uncertaintyRows(u);
      if (values.obs !== undefined) process.stdout.write('\n');
      process.stdout.write(
        `weighted mean of ${values.moment} in ${header}; ${describeReplicas(u)}\n${describeStat(u, 'mean')}\n` +
          `  ${fmt(u.nominal[0])} ± ${fmt(e.stat[0])} (stat) ± ${fmt(e.simStat[0])} (sim-stat) ± ${fmt(e.syst[0])} (syst)${u.nEnsemble > 0 ? ` ± ${fmt(e.ensemble[0])} (ensemble)` : ''}; total ± ${fmt(e.total[0])}\n` +
          backgroundLine(u) +
          (values.families ? `per family:\n${familyVariancesReport(u)}` : ''),
      );
      out.moment = { expr: values.moment, ...histJson(u, 'mean') };
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
