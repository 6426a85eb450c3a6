/**
 * `omnifold unfold --iterations auto[:MAX]`: the number of iterations chosen from the data
 * before the run (docs/algorithm.md §Iterations chosen from the data). The search runs the
 * nominal and the run's data bootstraps to MAX iterations on the run's executor; the run
 * then is a plain run with the chosen number, so its weights are those of `--iterations N`
 * bit for bit. The file records N as its `iterations` argument (so `omnifold verify`
 * re-runs N), and the request, the choice and every iteration's criterion value under
 * `configuration.iterationChoice`.
 */
import {
  autoEdges,
  type IterationChoice,
  type ReplicaExecutor,
  searchIterations,
  type UnfoldOptions,
} from '../index.js';
import { progressPrinter } from './progress.js';
import type { LoadedInputs } from './unfold_inputs.js';
import type { RunPlan } from './unfold_plan.js';

/** The choice as the weights file and summary keep it: with the `--iterations` value asked for. */
export type RecordedIterationChoice = IterationChoice & { requested: string };

/** The criterion's edges per gen feature: those of the summary (--bins, the toy's, or automatic). */
function criterionEdges(plan: RunPlan, inputs: LoadedInputs): number[][] {
  const bins: Record<string, readonly number[]> = { ...inputs.bins, ...plan.bins };
  return inputs.genNames.map((name, f) => [...(bins[name] ?? autoEdges(inputs.sim.gen, f, inputs.sim.passGen))]);
}

/** One line: the choice and the criterion's value at every iteration. */
export function describeChoice(choice: IterationChoice): string {
  const values = choice.values.map((v, n) => `${n + 1}: ${v.toPrecision(3)}`).join(', ');
  const outcome = choice.converged
    ? `chose ${choice.chosen}, the first iteration with D_n < ${choice.threshold}`
    : `no iteration up to ${choice.maxIterations} reached D_n < ${choice.threshold}; using ${choice.maxIterations}`;
  return `iterations auto: ${outcome} (D_n, the change's χ²/ndf against the variance of ${choice.dataBootstraps} data bootstraps, worst observable: ${values})`;
}

/**
 * Chooses the iterations of `plan` (which has an `iterationSearch`) on `executor`, and
 * returns the plan of the run with that number, its `iterations` argument set to it.
 */
export async function chooseIterationsOf(
  plan: RunPlan,
  inputs: LoadedInputs,
  options: Partial<UnfoldOptions>,
  executor: ReplicaExecutor,
): Promise<{ plan: RunPlan; choice: RecordedIterationChoice }> {
  const search = plan.iterationSearch!;
  const printer = progressPrinter(process.stderr, search.maxIterations, plan.quiet);
  printer.message(
    `iterations auto: unfolding the nominal and ${plan.replicas.dataBootstraps} data bootstraps to ${search.maxIterations} iterations to choose`,
  );
  let choice: IterationChoice;
  try {
    choice = await searchIterations(
      inputs.sim,
      inputs.data,
      options,
      plan.replicas.dataBootstraps,
      {
        names: inputs.genNames,
        edges: criterionEdges(plan, inputs),
        gen: inputs.sim.gen,
        passGen: inputs.sim.passGen,
      },
      search,
      { executor, onProgress: printer.onProgress },
    );
  } finally {
    printer.end();
  }
  const line = describeChoice(choice);
  if (!plan.quiet || !choice.converged) process.stderr.write(`${choice.converged ? '' : 'warning: '}${line}\n`);
  const { 'auto-threshold': _threshold, ...args } = plan.args;
  return {
    plan: {
      ...plan,
      unfold: { ...plan.unfold, nIterations: choice.chosen },
      iterationSearch: undefined,
      args: { ...args, iterations: String(choice.chosen) },
    },
    choice: { requested: String(plan.args.iterations), ...choice },
  };
}
