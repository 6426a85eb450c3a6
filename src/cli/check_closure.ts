/**
 * `omnifold check closure` and `omnifold check coverage --toys N`: a pseudo-data closure
 * and a bootstrap-coverage scan on the user's own simulation (src/uncertainty/closure.ts;
 * docs/algorithm.md §Checks). The sim is read as `omnifold unfold` reads it; no data file
 * is needed (with files, `--data` defaults to the sim, whose reco columns it must have).
 * Histograms: `--hist-bins 'col=lo:hi:n;…'`, else 10 equal bins per gen feature between
 * its 1st and 99th percentiles.
 */
import {
  type CheckObservable,
  closureTest,
  type ClosureResult,
  coverageScan,
  type CoverageResult,
  InputError,
  integerFlag,
  positiveNumberFlag,
  type SimSample,
} from '../index.js';
import { prepareCheckReport, recordBase, REPORT_FLAG, reportWritten, writeCheckReport } from './check_report.js';
import { type FlagTable, parseUnfoldArgs, UNFOLD_FLAGS, type UnfoldArgs } from './unfold_args.js';
import { loadInputs } from './unfold_inputs.js';
import { parseBins, planUnfold } from './unfold_plan.js';
import { runReplicaOptions, runUnfoldOptions } from './unfold_run.js';

/** unfold's flags that a check on the sim uses (no data, output or batch flags). */
const UNUSED = new Set([
  'data',
  'data-weight',
  'background',
  'background-weight',
  'background-bootstraps',
  'truth',
  'truth-weight',
  'out',
  'force',
  'resume',
  'syst',
  'save-iterations',
  'save-members',
  'save-models',
  'replicas',
  'no-png',
  'no-report',
  'iterations-search',
]);

const COMMON: FlagTable = Object.fromEntries(Object.entries(UNFOLD_FLAGS).filter(([name]) => !UNUSED.has(name)));

/** The flags of `check closure`. */
export const CHECK_CLOSURE_FLAGS: FlagTable = Object.freeze({
  ...COMMON,
  'truth-sim': {
    type: 'string',
    help: 'a second simulated sample (same columns) whose reco events are the pseudo-data and gen events the truth; default: the odd half of --sim, reweighted',
  },
  'hist-bins': {
    type: 'string',
    help: "histogram binning per gen column, 'col=lo:hi:n;col=e0,e1,…' (default 10 bins between the 1st and 99th percentiles)",
  },
  report: REPORT_FLAG,
});

/** The flags of `check coverage`. */
export const CHECK_COVERAGE_FLAGS: FlagTable = Object.freeze({
  ...COMMON,
  toys: { type: 'string', help: 'pseudo-experiments (default 20)' },
  'data-fraction': {
    type: 'string',
    help: 'each toy uses this fraction of the odd half (each event kept with this probability, weighted by its inverse), to match the data statistics (default 1)',
  },
  'hist-bins': CHECK_CLOSURE_FLAGS['hist-bins'],
  report: REPORT_FLAG,
});

function help(command: 'closure' | 'coverage', flags: FlagTable): string {
  const lines = Object.entries(flags).map(([name, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' X' : ''}`;
    return `  ${flag.padEnd(26)} ${f.help}`;
  });
  const about =
    command === 'closure'
      ? [
          'Unfolds pseudo-data made from your simulation, whose truth is known: the even events',
          'unfold the odd events reweighted by a smooth tilt (or a --truth-sim sample), and the',
          'chi2 to the truth is printed per observable, beside the prior’s.',
        ]
      : [
          'Unfolds --toys pseudo-experiments drawn from your simulation, each with its data',
          'bootstraps, and prints per bin the fraction of toys whose truth lies within ±1 sigma',
          '(about 68 % when the errors are right).',
        ];
  return [
    `usage: omnifold check ${command} [--sim F --gen COLS --reco COLS] [options]`,
    '',
    ...about,
    '',
    ...lines,
    '',
  ].join('\n');
}

/** The weighted q-quantile of the gen feature over the events passing gen. */
function quantile(sim: SimSample, feature: number, q: number): number {
  const d = sim.gen.nFeatures;
  const rows: [number, number][] = [];
  for (let i = 0; i < sim.gen.nEvents; i++)
    if (sim.passGen[i]) rows.push([sim.gen.values[i * d + feature], Math.abs(sim.weights[i])]);
  rows.sort((a, b) => a[0] - b[0]);
  const total = rows.reduce((s, r) => s + r[1], 0);
  let seen = 0;
  for (const [x, w] of rows) {
    seen += w;
    if (seen >= q * total) return x;
  }
  return rows.at(-1)?.[0] ?? 0;
}

/** The histograms of a check: --hist-bins, else 10 bins between the 1st and 99th percentiles of each gen feature. */
function observables(sim: SimSample, names: readonly string[], args: UnfoldArgs): CheckObservable[] {
  const given = typeof args['hist-bins'] === 'string' ? parseBins(args['hist-bins']) : {};
  for (const name of Object.keys(given))
    if (!names.includes(name))
      throw new InputError(
        `--hist-bins columns must be gen columns (${names.join(', ')}); got ${JSON.stringify(name)}`,
      );
  return names.map((name, feature) => {
    if (given[name] !== undefined) return { name, feature, edges: given[name] };
    const lo = quantile(sim, feature, 0.01);
    const hi = quantile(sim, feature, 0.99);
    const width = (hi - lo) / 10 || 1;
    return { name, feature, edges: Array.from({ length: 11 }, (_, k) => lo + k * width) };
  });
}

/** Reads the sim and the run options as `unfold` would, with the sim standing in for the data. */
async function checkInputs(args: UnfoldArgs, sim?: string) {
  const withData = typeof args.sim === 'string' ? { data: args.data ?? sim ?? args.sim } : {};
  const plan = planUnfold({ ...args, ...withData, ...(sim === undefined ? {} : { sim, data: sim }) });
  const inputs = await loadInputs(plan.input);
  const options = runReplicaOptions(plan, runUnfoldOptions(plan, inputs), []);
  return { plan, inputs, options };
}

function format(values: readonly number[], digits = 4): string {
  return values.map((v) => v.toPrecision(digits)).join(' ');
}

/** The closure table on stdout. */
export function formatClosure(result: ClosureResult): string {
  const lines = [
    `closure: ${result.nUnfolding} sim events unfold ${result.nPseudoData} pseudo-data events; covariance from ${result.covariance} plus the truth's own statistics`,
    'observable        chi2/ndf   prior chi2/ndf',
    ...result.rows.map(
      (r) =>
        `${r.name.padEnd(16)} ${`${r.chi2.toFixed(1)}/${r.ndf}`.padStart(9)}   ${`${r.priorChi2.toFixed(1)}/${r.ndf}`.padStart(14)}`,
    ),
  ];
  for (const r of result.rows) {
    lines.push('', `${r.name}: edges ${format(r.edges)}`);
    lines.push(`  truth    ${format(r.truth)}`, `  unfolded ${format(r.unfolded)}`, `  sigma    ${format(r.sigma, 3)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The coverage table on stdout. */
export function formatCoverage(result: CoverageResult): string {
  const lines = [
    `coverage: ${result.nToys} toys, ${result.dataBootstraps} data bootstraps each${result.simBootstraps > 0 ? ` and ${result.simBootstraps} sim bootstraps` : ''}, data fraction ${result.dataFraction}; fraction of toys whose truth lies within unfolded ± 1 sigma (0.68 expected)`,
  ];
  for (const r of result.rows) {
    const mean = r.coverage.reduce((a, b) => a + b, 0) / r.coverage.length;
    lines.push(
      '',
      `${r.name}: mean coverage ${mean.toFixed(2)}; edges ${format(r.edges)}`,
      `  coverage  ${r.coverage.map((c) => c.toFixed(2)).join(' ')}`,
      `  mean pull ${r.meanPull.map((c) => c.toFixed(2)).join(' ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `omnifold check closure argv…`; resolves to 0 (the check reports, it does not judge). */
export async function runCheckClosure(argv: string[]): Promise<number> {
  const args = parseUnfoldArgs(argv, CHECK_CLOSURE_FLAGS, 'check closure');
  if (args.help === true) {
    process.stdout.write(help('closure', CHECK_CLOSURE_FLAGS));
    return 0;
  }
  const target = typeof args.report === 'string' ? await prepareCheckReport(args.report, 'closure') : undefined;
  const { inputs, options } = await checkInputs(args);
  const truth = typeof args['truth-sim'] === 'string' ? (await checkInputs(args, args['truth-sim'])).inputs : undefined;
  const result = await closureTest(
    inputs.sim,
    options,
    observables(inputs.sim, inputs.genNames, args),
    truth === undefined ? {} : { truthSim: truth.sim },
  );
  process.stdout.write(formatClosure(result));
  if (target !== undefined) {
    const files = [...inputs.files, ...(truth?.files.slice(0, 1).map((f) => ({ ...f, role: 'truth-sim' })) ?? [])];
    const base = recordBase('closure', argv, args, { files, description: inputs.description });
    reportWritten(target.dir, await writeCheckReport(target, { ...base, check: 'closure', result }));
  }
  return 0;
}

/** Runs `omnifold check coverage argv…`; resolves to 0. */
export async function runCheckCoverage(argv: string[]): Promise<number> {
  const args = parseUnfoldArgs(argv, CHECK_COVERAGE_FLAGS, 'check coverage');
  if (args.help === true) {
    process.stdout.write(help('coverage', CHECK_COVERAGE_FLAGS));
    return 0;
  }
  const toys = typeof args.toys === 'string' ? integerFlag('toys', args.toys, 1) : 20;
  const dataFraction =
    typeof args['data-fraction'] === 'string' ? positiveNumberFlag('data-fraction', args['data-fraction']) : 1;
  const target = typeof args.report === 'string' ? await prepareCheckReport(args.report, 'coverage') : undefined;
  const { inputs, options } = await checkInputs(args);
  const result = await coverageScan(inputs.sim, options, observables(inputs.sim, inputs.genNames, args), toys, {
    dataFraction,
  });
  process.stdout.write(formatCoverage(result));
  if (target !== undefined) {
    const base = recordBase('coverage', argv, args, inputs);
    reportWritten(target.dir, await writeCheckReport(target, { ...base, check: 'coverage', result }));
  }
  return 0;
}
