/**
 * The in-process member runner: fits the members of a step one after another in the
 * calling thread. The pool runner (src/execution/pool.ts) gives the same results on worker threads.
 */
import type { Classifier } from '../classifiers/classifier.js';
import { fitMember, fitMemberWith } from './fit_member.js';
import type { MemberResult, MemberRunner, StepJob, UnfoldProgress } from './types.js';

/** Options of {@link InProcessRunner}; all optional. */
export interface InProcessRunnerOptions {
  /** Builds the classifier of a job instead of `createClassifier(job.classifier)` (custom or test classifiers). */
  classifierFactory?: (job: StepJob) => Classifier;
  /** Receives one `epoch` event per training epoch (MLP). */
  onProgress?: (progress: UnfoldProgress) => void;
}

/** Runs members 0..nMembers−1 sequentially; results in member order. */
export class InProcessRunner implements MemberRunner {
  constructor(private readonly options: InProcessRunnerOptions = {}) {}

  async fitMembers(job: StepJob, nMembers: number): Promise<MemberResult[]> {
    const { classifierFactory, onProgress } = this.options;
    const replica = `${job.replica.kind}#${job.replica.index}`;
    const results: MemberResult[] = [];
    for (let member = 0; member < nMembers; member++) {
      const onEpoch = onProgress
        ? (r: { epoch: number; trainLoss: number; validationLoss: number }) =>
            onProgress({
              type: 'epoch',
              replica,
              iteration: job.iteration,
              step: job.step,
              member: (job.memberOffset ?? 0) + member,
              ...r,
            })
        : undefined;
      results.push(
        classifierFactory
          ? fitMemberWith(classifierFactory(job), job, member, onEpoch)
          : fitMember(job, member, onEpoch),
      );
    }
    return results;
  }
}
