/**
 * One ensemble member of one step: fit class 0 against class 1, evaluate the ratio on
 * every target. A pure function of the job and the member index, so worker threads and
 * the in-process runner give the same bits.
 */
import type { Classifier, EpochReport } from '../classifiers/classifier.js';
import { createClassifier } from '../classifiers/registry.js';
import type { RngKey } from '../base/rng.js';
import { InputError } from '../base/errors.js';
import type { MemberResult, StepJob } from './types.js';

/** The random-stream key of member `member` of `job` (RNG member `job.memberOffset + member`). */
export function memberRngKey(job: StepJob, member: number): RngKey {
  return {
    seed: job.seed,
    kind: job.replica.kind,
    replica: job.replica.index,
    iteration: job.iteration,
    step: job.step,
    member: (job.memberOffset ?? 0) + member,
  };
}

/**
 * Fits member `member` of `job` with the classifier its spec describes. With `outputs`
 * (one [nEvents] array per target, e.g. SharedArrayBuffer views owned by the pool), the
 * ratios are written there instead of into new arrays. With `gang` (a data-parallel fit's
 * shared memory, see src/classifiers/kind.ts) helper threads may share the fit; the
 * result is the same without them. With `job.keepModel` the result
 * carries the trained model as plain data, which a worker thread sends back.
 */
export function fitMember(
  job: StepJob,
  member: number,
  onEpoch?: (report: EpochReport) => void,
  outputs?: Float64Array[],
  gang?: SharedArrayBuffer,
): MemberResult {
  return fitMemberWith(createClassifier(job.classifier), job, member, onEpoch, outputs, gang);
}

/** Fits member `member` of `job` with a given classifier (custom classifiers, tests). */
export function fitMemberWith(
  classifier: Classifier,
  job: StepJob,
  member: number,
  onEpoch?: (report: EpochReport) => void,
  outputs?: Float64Array[],
  gang?: SharedArrayBuffer,
): MemberResult {
  const model = classifier.fit(job.x0, job.w0, job.x1, job.w1, { rngKey: memberRngKey(job, member), onEpoch, gang });
  const ratios: Float64Array[] = [];
  const nClipped: number[] = [];
  for (const [t, target] of job.targets.entries()) {
    const r = model.ratio(target, job.clip, outputs?.[t]);
    ratios.push(r.ratio);
    nClipped.push(r.nClipped);
  }
  if (job.keepModel !== true) return { ratios, nClipped, info: model.info };
  if (model.toData === undefined)
    throw new InputError(
      `classifier ${classifier.spec.type} must be able to save its trained models (toData) with saveModels; got a model without toData`,
    );
  return { ratios, nClipped, info: model.info, model: model.toData() };
}
