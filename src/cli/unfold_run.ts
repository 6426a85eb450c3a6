/**
 * What an `omnifold unfold` run computes, built in one place so that `unfold` and
 * `verify` give the same bits: the unfolding options from a plan and its inputs, the
 * replica options beside them, and the replica executor (worker pool or in-process).
 */
import type { ClassifierSpec } from '../classifiers/classifier.js';
import { UNFOLD_DEFAULTS } from '../algorithm/defaults.js';
import { InputError } from '../base/errors.js';
import type { ReplicaOptions, SystematicSpec } from '../uncertainty/replicas.js';
import type { UnfoldOptions } from '../algorithm/types.js';
import type { ReplicaExecutor } from '../execution/executor.js';
import type { LoadedInputs } from './unfold_inputs.js';
import type { RunPlan } from './unfold_plan.js';

/** The classifier spec of a run: binned edges per gen feature, or MLP options. */
export function classifierSpec(plan: RunPlan, inputs: LoadedInputs): ClassifierSpec {
  if (plan.classifier === 'mlp') return { type: 'mlp', ...inputs.mlp, ...plan.mlp };
  if (inputs.genNames.length !== inputs.recoNames.length) {
    throw new InputError(`--classifier binned must have as many --gen as --reco columns (one grid serves both levels); got ${inputs.genNames.length} and ${inputs.recoNames.length}`);
  }
  const bins = { ...inputs.bins, ...plan.bins };
  const edges = inputs.genNames.map((name, f) => bins[name] ?? bins[inputs.recoNames[f]]);
  const missing = inputs.genNames.filter((_, f) => edges[f] === undefined);
  if (missing.length > 0) throw new InputError(`--bins must give edges for every --gen column with --classifier binned; got none for ${missing.join(', ')}`);
  return { type: 'binned', edges };
}

/** The unfolding options of a run: the input's defaults, then the flags, then the classifier. */
export function runUnfoldOptions(plan: RunPlan, inputs: LoadedInputs): Partial<UnfoldOptions> {
  return { ...inputs.unfold, ...plan.unfold, classifier: classifierSpec(plan, inputs) };
}

/** The options of `runReplicas`: the unfolding options plus the plan's replicas. */
export function runReplicaOptions(plan: RunPlan, options: Partial<UnfoldOptions>, systematics: SystematicSpec[]): ReplicaOptions {
  return { ...options, dataBootstraps: plan.replicas.dataBootstraps, simBootstraps: plan.replicas.simBootstraps, systematics };
}

/** True when the plan runs more than the nominal unfolding. */
export function planHasReplicas(plan: RunPlan): boolean {
  const r = plan.replicas;
  return r.dataBootstraps + r.simBootstraps + r.systematics.length > 0;
}

/** Ensemble members per step of these options (the default when not set). */
export function membersOf(options: Partial<UnfoldOptions>): number {
  return options.nMembers ?? UNFOLD_DEFAULTS.nMembers;
}

/**
 * The replica executor: a worker pool when there is parallel work (`parallel`: more than
 * one member or more than one unfolding), unless `threads` is 1; `threads` undefined lets
 * the pool choose. Otherwise in-process, in this thread. The weights are the same bits
 * either way. `threads` of the result is set for a pool only.
 */
export async function replicaExecutor(threads: number | undefined, parallel: boolean): Promise<ReplicaExecutor & { readonly threads?: number }> {
  if (threads === undefined ? !parallel : threads === 1) {
    const { InProcessExecutor } = await import('../execution/in_process_executor.js');
    return new InProcessExecutor();
  }
  const { PoolExecutor } = await import('../execution/pool_executor.js');
  return new PoolExecutor({ threads });
}
