/**
 * A {@link MemberRunner} over lanes: each lane fits one member at a time, either in this
 * thread or in another worker reached through a message port. Members are handed to idle
 * lanes (other workers first, this thread last, so the others are kept busy while this one
 * fits); results come back in member order. A member's fit is a pure function of the job
 * and the member index, so the weights are the same bits whichever lane fits it and
 * however many lanes there are.
 */
import type { MemberResult, MemberRunner, StepJob } from '../algorithm/types.js';
import { InputError } from '../base/errors.js';
import { SharedBuffers, shareJob } from '../execution/shared_job.js';

/** Fits one member of a job somewhere. */
export interface FitLane {
  fitMember(job: StepJob, member: number): Promise<MemberResult> | MemberResult;
}

/** Runs member fits on lanes; see the module comment. */
export class LaneRunner implements MemberRunner {
  /** Lanes, i.e. members fitted at once. */
  readonly threads: number;
  private readonly idle: FitLane[];
  private readonly waiting: ((lane: FitLane) => void)[] = [];
  private readonly buffers = new SharedBuffers();

  /**
   * @param lanes where members are fitted; the last one is preferred least (put this thread there)
   * @param shared whether to move each job's event data into SharedArrayBuffers before posting it
   */
  constructor(
    lanes: readonly FitLane[],
    private readonly shared: boolean,
  ) {
    if (lanes.length === 0) throw new InputError('a lane runner needs at least one lane; got none');
    this.threads = lanes.length;
    this.idle = [...lanes].reverse(); // pop() takes from the end: the first lanes first
  }

  async fitMembers(job: StepJob, nMembers: number): Promise<MemberResult[]> {
    if (!Number.isInteger(nMembers) || nMembers < 1)
      throw new InputError(`nMembers must be a positive integer; got ${nMembers}`);
    const posted = this.shared ? shareJob(job, this.buffers) : job;
    try {
      const runs: Promise<MemberResult>[] = [];
      for (let member = 0; member < nMembers; member++) runs.push(this.fitOn(posted, member));
      const settled = await Promise.allSettled(runs);
      return settled.map((s) => {
        if (s.status === 'rejected') throw s.reason;
        return s.value;
      });
    } finally {
      for (const w of new Set([posted.w0, posted.w1]))
        if (w !== job.w0 && w !== job.w1) this.buffers.release(w.buffer as SharedArrayBuffer);
    }
  }

  private async fitOn(job: StepJob, member: number): Promise<MemberResult> {
    const lane = await this.acquire();
    try {
      return await lane.fitMember(job, member);
    } finally {
      this.release(lane);
    }
  }

  private acquire(): Promise<FitLane> {
    const lane = this.idle.pop();
    if (lane !== undefined) return Promise.resolve(lane);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(lane: FitLane): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(lane);
    else this.idle.push(lane);
  }
}
