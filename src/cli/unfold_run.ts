/**
 * What an `omnifold unfold` run computes, built in one place so that `unfold` and
 * `verify` give the same bits: the unfolding options from a plan and its inputs, the
 * replica options beside them, and the replica executor (worker pool or in-process).
 */
import {
  classifierKind,
  type ClassifierSpec,
  InProcessExecutor,
  PoolExecutor,
  type ReplicaExecutor,
  type ReplicaOptions,
  type SystematicSpec,
  UNFOLD_DEFAULTS,
  type UnfoldOptions,
} from '../index.js';
import type { LoadedInputs } from './unfold_inputs.js';
import type { RunPlan } from './unfold_plan.js';

/**
 * The classifier spec of a run, built by the kind's registry entry: the input's options
 * for it (a toy's MLP settings) under those its flags set, and the columns and bins.
 */
export function classifierSpec(plan: RunPlan, inputs: LoadedInputs): ClassifierSpec {
  const options = { ...inputs.classifierOptions[plan.classifier], ...plan.classifierOptions };
  const bins = { ...inputs.bins, ...plan.bins };
  return classifierKind(plan.classifier).cliSpec(options, {
    genNames: inputs.genNames,
    recoNames: inputs.recoNames,
    bins,
  }) as ClassifierSpec;
}

/** The unfolding options of a run: the input's defaults, then the flags, then the classifier. */
export function runUnfoldOptions(plan: RunPlan, inputs: LoadedInputs): Partial<UnfoldOptions> {
  return { ...inputs.unfold, ...plan.unfold, classifier: classifierSpec(plan, inputs) };
}

/** The options of `runReplicas`: the unfolding options plus the plan's replicas. */
export function runReplicaOptions(
  plan: RunPlan,
  options: Partial<UnfoldOptions>,
  systematics: SystematicSpec[],
): ReplicaOptions {
  return {
    ...options,
    dataBootstraps: plan.replicas.dataBootstraps,
    simBootstraps: plan.replicas.simBootstraps,
    backgroundBootstraps: plan.replicas.backgroundBootstraps,
    systematics,
  };
}

/** True when the plan runs more than the nominal unfolding. */
export function planHasReplicas(plan: RunPlan): boolean {
  const r = plan.replicas;
  return r.dataBootstraps + r.simBootstraps + r.backgroundBootstraps + r.systematics.length > 0;
}

/** Classifier fits per step of these options: ensemble members × runs (the defaults when not set). */
export function membersOf(options: Partial<UnfoldOptions>): number {
  return (options.nMembers ?? UNFOLD_DEFAULTS.nMembers) * (options.ensembleRuns ?? UNFOLD_DEFAULTS.ensembleRuns);
}

/**
 * The replica executor: a worker pool when there is parallel work (`parallel`: more than
 * one member or more than one unfolding), unless `threads` is 1; `threads` undefined lets
 * the pool choose. Otherwise in-process, in this thread. The weights are the same bits
 * either way. `threads` of the result is set for a pool only.
 */
export async function replicaExecutor(
  threads: number | undefined,
  parallel: boolean,
): Promise<ReplicaExecutor & { readonly threads?: number }> {
  if (threads === undefined ? !parallel : threads === 1) {
    return new InProcessExecutor();
  }
  return new PoolExecutor({ threads });
}
