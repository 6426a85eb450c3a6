/**
 * The search behind `--iterations auto` (docs/algorithm.md §Iterations chosen from the
 * data): the nominal unfolding and B data-bootstrap unfoldings run to the maximum number
 * of iterations on an executor, each keeping its weights after every iteration; each is
 * reduced to per-iteration histograms as it finishes (its weights are dropped), and
 * {@link chooseIterations} picks the number. Every unfolding is the replica of the same
 * (kind, index) that a run with the chosen number computes, so the run that follows is a
 * plain run with that number, bit for bit.
 */
import type { DataSample, SimSample, UnfoldOptions, UnfoldProgress } from '../algorithm/types.js';
import { InputError } from '../base/errors.js';
import {
  checkIterationSearch,
  chooseIterations,
  type IterationBinning,
  type IterationChoice,
  iterationHistograms,
  type IterationSearch,
  MIN_DATA_BOOTSTRAPS,
} from '../uncertainty/iteration_choice.js';
import type { ReplicaStore } from '../uncertainty/replica_record.js';
import { prepareReplicas } from '../uncertainty/replicas.js';
import type { ReplicaExecutor } from './executor.js';
import { InProcessExecutor } from './in_process_executor.js';

/** What the search needs besides the samples and options. */
export interface IterationSearchContext {
  /** Where the unfoldings run (default: in this process). */
  executor?: ReplicaExecutor;
  /** The unfoldings' own progress. */
  onProgress?: (progress: UnfoldProgress) => void;
  /** Called as each unfolding of the search finishes: its name and how many are done. */
  onReplica?: (name: string, done: number, total: number) => void;
}

/**
 * Chooses the number of iterations for unfolding `data` with `sim` and `options` from the
 * data (see the file comment).
 *
 * @param dataBootstraps B ≥ 4, the data bootstraps that measure the noise (those of the run)
 * @param binning the gen features and their edges the criterion histograms
 * @throws InputError for fewer than 2 bootstraps or a bad search
 */
export async function searchIterations(
  sim: SimSample,
  data: DataSample,
  options: Partial<UnfoldOptions>,
  dataBootstraps: number,
  binning: IterationBinning,
  search: IterationSearch,
  context: IterationSearchContext = {},
): Promise<IterationChoice> {
  checkIterationSearch(search);
  if (!Number.isInteger(dataBootstraps) || dataBootstraps < MIN_DATA_BOOTSTRAPS)
    throw new InputError(
      `iterations auto must come with at least ${MIN_DATA_BOOTSTRAPS} data bootstraps (they measure the statistical noise); got ${dataBootstraps}`,
    );
  const work = prepareReplicas(
    sim,
    data,
    {
      ...options,
      nIterations: search.maxIterations,
      saveIterations: true,
      saveMembers: false,
      saveModels: false,
      dataBootstraps,
    },
    false,
  );
  const histograms = new Map<string, Float64Array[][]>();
  let done = 0;
  const store: ReplicaStore = {
    write(record) {
      const perIteration = record.result?.weightsPerIteration;
      if (perIteration === undefined || perIteration.length !== search.maxIterations)
        throw new InputError(`iteration search must keep every iteration of ${record.name}; got none`);
      histograms.set(record.name, iterationHistograms(binning, perIteration));
      context.onReplica?.(record.name, ++done, work.plan.length);
    },
    read: () => undefined,
  };
  const executor = context.executor ?? new InProcessExecutor();
  await executor.run(
    work,
    work.plan.map((_, k) => k),
    { store, onProgress: context.onProgress },
  );
  const [prior] = iterationHistograms(binning, [sim.weights]);
  const nominal = [prior, ...histograms.get(work.plan[0].name)!];
  const bootstraps = work.plan.slice(1).map((p) => histograms.get(p.name)!);
  return chooseIterations(binning.names, nominal, bootstraps, search);
}
