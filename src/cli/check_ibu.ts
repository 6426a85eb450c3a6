/**
 * `omnifold check ibu`: binned OmniFold on the user's own inputs and binning, compared
 * iteration by iteration with an independent matrix IBU built from the same events
 * (docs/algorithm.md §Binned limit = IBU). The two must agree to rounding; a larger
 * difference means a broken installation or inputs the identity does not cover. The
 * inputs are read as `omnifold unfold` reads them (src/cli/unfold_plan.ts, unfold_inputs.ts).
 */
import {
  compareWithIbu,
  type DataSample,
  genCellTotals,
  gridSize,
  type IbuComparisonRow,
  InputError,
  matrixIbu,
  positiveNumberFlag,
  resolveUnfoldOptions,
  type SimSample,
  unfold,
  type UnfoldOptions,
} from '../index.js';
import { prepareCheckReport, recordBase, REPORT_FLAG, reportWritten, writeCheckReport } from './check_report.js';
import { type FlagTable, parseUnfoldArgs, UNFOLD_FLAGS } from './unfold_args.js';
import { loadInputs } from './unfold_inputs.js';
import { planUnfold } from './unfold_plan.js';
import { runUnfoldOptions } from './unfold_run.js';

/** Default tolerance on the largest relative difference of a cell. */
export const IBU_TOLERANCE = 1e-9;

const INPUT_FLAGS = [
  'sim',
  'data',
  'gen',
  'reco',
  'sim-weight',
  'data-weight',
  'background',
  'background-weight',
  'pass-gen',
  'pass-reco',
  'toy',
  'events',
  'iterations',
  'classifier',
  'bins',
  'misses',
  'fakes',
  'step2-reference',
  'config',
  'quiet',
  'debug',
  'help',
];

/** The flags of `omnifold check ibu`: unfold's input flags and the tolerance. */
export const CHECK_IBU_FLAGS: FlagTable = Object.freeze({
  ...Object.fromEntries(INPUT_FLAGS.map((name) => [name, UNFOLD_FLAGS[name]])),
  toy: { type: 'string', help: 'embedded toy when no files are given: gauss (default) or lepton-jet' },
  classifier: { type: 'string', help: 'binned (the only kind this check runs)' },
  fakes: { type: 'string', help: 'global (default here) or fixed; reco-average is not IBU' },
  tolerance: {
    type: 'string',
    help: `largest relative difference of any cell allowed at any iteration (default ${IBU_TOLERANCE})`,
  },
  report: REPORT_FLAG,
});

function help(): string {
  const lines = Object.entries(CHECK_IBU_FLAGS).map(([name, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' X' : ''}`;
    return `  ${flag.padEnd(24)} ${f.help}`;
  });
  return [
    'usage: omnifold check ibu [--sim F --data F --gen COLS --reco COLS --bins SPEC] [options]',
    '',
    'Runs binned OmniFold on the inputs and compares it, iteration by iteration, with an',
    'independent matrix IBU built from the same events. Exits 1 when a gen cell differs',
    'by more than the tolerance. With no input files it checks the embedded Gaussian toy.',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** The outcome of the check. */
export interface IbuCheck {
  rows: IbuComparisonRow[];
  tolerance: number;
  pass: boolean;
  /** Cells of the gen grid, and whether the fakes' total is compared as one more cell. */
  nGenCells: number;
  withFakes: boolean;
}

function hasFakes(sim: SimSample): boolean {
  return sim.passGen.some((g, i) => g === 0 && sim.passReco[i] === 1);
}

/**
 * Compares binned OmniFold's per-iteration weights `weightsPerIteration` (w0·ν after each
 * iteration, for `sim`) with matrix IBU of the same inputs and `options`.
 *
 * @throws InputError unless the options are binned OmniFold in its IBU limit
 */
export function compareUnfoldingWithIbu(
  sim: SimSample,
  data: DataSample,
  options: UnfoldOptions,
  weightsPerIteration: readonly Float64Array[],
  tolerance: number,
): IbuCheck {
  if (options.classifier.type !== 'binned')
    throw new InputError(`check ibu --classifier must be binned; got ${options.classifier.type}`);
  const withFakes = hasFakes(sim) && options.fakes === 'global';
  if (hasFakes(sim) && options.fakes === 'reco-average')
    throw new InputError(
      'check ibu --fakes must be global or fixed when the sim has fakes (reco-average is not IBU); got reco-average',
    );
  const genEdges = options.classifier.edges;
  const reference = matrixIbu(sim, data, {
    nIterations: weightsPerIteration.length,
    genEdges,
    misses: options.misses,
    fakes: options.fakes === 'global' ? 'global' : 'fixed',
    step2Reference: options.step2Reference,
    epsilon: options.epsilon,
    wMax: options.wMax,
  });
  const fakes = weightsPerIteration.map((w) =>
    w.reduce((s, v, i) => (sim.passGen[i] === 0 && sim.passReco[i] === 1 ? s + v : s), 0),
  );
  const rows = compareWithIbu(
    { genCells: weightsPerIteration.map((w) => genCellTotals(sim, w, genEdges)), fakes },
    reference,
    withFakes,
  );
  return {
    rows,
    tolerance,
    pass: rows.every((r) => r.maxRelativeDifference <= tolerance),
    nGenCells: gridSize(genEdges),
    withFakes,
  };
}

/** Runs binned OmniFold with `options` (every iteration kept) and compares it with matrix IBU. */
export async function checkIbu(
  sim: SimSample,
  data: DataSample,
  options: Partial<UnfoldOptions>,
  tolerance = IBU_TOLERANCE,
): Promise<IbuCheck> {
  const resolved = resolveUnfoldOptions({ ...options, saveIterations: true, saveMembers: false, saveModels: false });
  // refuse what is not IBU before any work
  if (resolved.classifier.type !== 'binned')
    throw new InputError(`check ibu --classifier must be binned; got ${resolved.classifier.type}`);
  if (hasFakes(sim) && resolved.fakes === 'reco-average')
    throw new InputError(
      'check ibu --fakes must be global or fixed when the sim has fakes (reco-average is not IBU); got reco-average',
    );
  const result = await unfold(sim, data, resolved);
  return compareUnfoldingWithIbu(sim, data, resolved, result.weightsPerIteration ?? [], tolerance);
}

/** The table on stdout: one row per iteration. */
export function formatIbuCheck(check: IbuCheck): string {
  const lines = [
    `binned OmniFold vs matrix IBU: ${check.nGenCells} gen cells (under- and overflow included)${check.withFakes ? ' and the fake cause' : ''}`,
    'iteration  max |relative difference|  worst cell',
    ...check.rows.map(
      (r) =>
        `${String(r.iteration).padStart(9)}  ${r.maxRelativeDifference.toExponential(2).padStart(25)}  ${r.worstCell === check.nGenCells ? 'fakes' : r.worstCell}`,
    ),
  ];
  const worst = check.rows.reduce((w, r) => (r.maxRelativeDifference > w.maxRelativeDifference ? r : w), check.rows[0]);
  lines.push(
    check.pass
      ? `identity holds: every cell within ${check.tolerance} (relative) at every iteration`
      : `identity FAILS: iteration ${worst.iteration} differs by ${worst.maxRelativeDifference.toExponential(2)} (cell ${worst.worstCell}), beyond the tolerance ${check.tolerance}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `omnifold check ibu argv…`; resolves to 0 when the identity holds, 1 when it fails. */
export async function runCheckIbu(argv: string[]): Promise<number> {
  const args = parseUnfoldArgs(argv, CHECK_IBU_FLAGS, 'check ibu');
  if (args.help === true) {
    process.stdout.write(help());
    return 0;
  }
  if (args.classifier !== undefined && args.classifier !== 'binned')
    throw new InputError(`check ibu --classifier must be binned; got ${String(args.classifier)}`);
  const tolerance =
    typeof args.tolerance === 'string' ? positiveNumberFlag('tolerance', args.tolerance) : IBU_TOLERANCE;
  const noFiles = ['sim', 'data', 'gen', 'reco'].every((k) => args[k] === undefined);
  const target = typeof args.report === 'string' ? await prepareCheckReport(args.report, 'ibu') : undefined;
  const { tolerance: _t, report: _r, ...unfoldArgs } = args;
  const plan = planUnfold({
    ...unfoldArgs,
    classifier: 'binned',
    fakes: args.fakes ?? 'global',
    ...(noFiles && args.toy === undefined ? { toy: 'gauss' } : {}),
  });
  const inputs = await loadInputs(plan.input);
  const options = runUnfoldOptions(plan, inputs);
  const check = await checkIbu(inputs.sim, inputs.data, { ...options, nMembers: 1, ensembleRuns: 1 }, tolerance);
  process.stdout.write(formatIbuCheck(check));
  if (target !== undefined) {
    const base = recordBase('ibu', argv, args, inputs);
    reportWritten(target.dir, await writeCheckReport(target, { ...base, check: 'ibu', result: check }));
  }
  if (!check.pass) {
    const worst = check.rows.reduce((w, r) => (r.maxRelativeDifference > w.maxRelativeDifference ? r : w));
    process.stderr.write(
      `omnifold: check ibu: binned OmniFold must equal matrix IBU within ${tolerance} (relative); got ${worst.maxRelativeDifference.toExponential(2)} at iteration ${worst.iteration}\n`,
    );
    return 1;
  }
  return 0;
}
