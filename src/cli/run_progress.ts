/**
 * The state of a run's progress, for src/cli/progress.ts to print: which replicas are done
 * and which are running (by name, e.g. `data_boot_3`, with the iteration and step each is
 * in), the fraction of the whole run done, and an estimate of the time left. Pure: every
 * method takes the time (`now`, milliseconds) from the caller.
 *
 * The fraction counts each replica as one unit and each of its iterations as four equal
 * steps (step1, misses, step2, fakes); a running replica counts the steps it has begun
 * before. The time left extrapolates the rate of the replicas computed so far; resumed
 * replicas cost no time and are left out of the rate.
 */

/** A replica being unfolded. */
import { LOOP_STEPS, type ReplicaProgress, type StepName } from '../index.js';
interface Running {
  name: string;
  iteration: number;
  step?: StepName;
  member?: number;
  epoch?: number;
  /** Fraction of this replica done, in [0, 1]. */
  fraction: number;
  startedAt: number;
}

/** The name a user sees: the nominal column `weight` is `nominal`. */
function displayName(name: string): string {
  return name === 'weight' ? 'nominal' : name;
}

/** A name for a replica key `kind#index` seen before its `replica-start` event. */
function nameOfKey(key: string): string {
  const [kind, index] = key.split('#');
  if (kind === 'nominal') return 'nominal';
  if (kind === 'data' || kind === 'sim') return `${kind}_boot_${index}`;
  return key;
}

/** `12s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

const loss = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** Progress of one run of `nIterations` iterations per replica, started at `startedAt`. */
export class RunProgress {
  /** Replicas in the run (1 until a replica event says otherwise). */
  total = 1;
  done = 0;
  resumed = 0;
  private readonly running = new Map<string, Running>();
  private lastEpochLoss = '';

  constructor(
    readonly nIterations: number,
    readonly startedAt: number,
  ) {}

  /**
   * Takes one event at time `now`; returns the line it deserves on its own (a finished
   * nominal iteration, a finished replica of a run with several, a notice), or undefined.
   */
  update(p: ReplicaProgress, now: number): string | undefined {
    if (p.type === 'notice') return p.message;
    if (p.type === 'replica-start') {
      this.total = p.total;
      this.running.set(p.replica, { name: displayName(p.name), iteration: 1, fraction: 0, startedAt: now });
      return undefined;
    }
    if (p.type === 'replica') return this.finish(p.name, p.status, p.done, p.total, now);
    const r = this.replica(p.replica, now);
    r.iteration = p.iteration;
    if (p.type === 'iteration') {
      r.step = undefined;
      r.fraction = p.iteration / this.nIterations;
      if (r.name !== 'nominal') return undefined;
      const steps = p.diagnostics.steps
        .map((s) => `${s.step} ess ${s.ess.toFixed(0)} Δ ${s.change.toExponential(2)}`)
        .join(', ');
      return `nominal: iteration ${p.iteration}/${this.nIterations} done: ${steps}`;
    }
    if (r.step !== p.step) r.member = r.epoch = undefined;
    r.step = p.step;
    r.fraction =
      (p.iteration - 1 + LOOP_STEPS.indexOf(p.step as (typeof LOOP_STEPS)[number]) / LOOP_STEPS.length) /
      this.nIterations;
    if (p.type === 'epoch') {
      r.member = p.member;
      r.epoch = p.epoch;
      this.lastEpochLoss = `loss ${loss(p.trainLoss)} val ${loss(p.validationLoss)}`;
    }
    return undefined;
  }

  private replica(key: string, now: number): Running {
    let r = this.running.get(key);
    if (r === undefined) {
      r = { name: nameOfKey(key), iteration: 1, fraction: 0, startedAt: now };
      this.running.set(key, r);
    }
    return r;
  }

  private finish(
    name: string,
    status: 'computed' | 'resumed',
    done: number,
    total: number,
    now: number,
  ): string | undefined {
    this.total = total;
    this.done = done;
    const shown = displayName(name);
    let took: number | undefined;
    for (const [key, r] of this.running) {
      if (r.name !== shown) continue;
      took = now - r.startedAt;
      this.running.delete(key);
    }
    if (status === 'resumed') this.resumed++;
    if (total <= 1) return undefined;
    if (status === 'resumed') return `replica ${shown} resumed from an earlier run (${done}/${total})`;
    return `replica ${shown} done (${done}/${total}${took === undefined ? '' : `, took ${formatDuration(took)}`}); ${this.times(now)}`;
  }

  /** Fraction of the run done, in [0, 1]. */
  fraction(): number {
    let f = this.done;
    for (const r of this.running.values()) f += r.fraction;
    return Math.min(1, f / Math.max(1, this.total));
  }

  /** Milliseconds left at the rate of the work computed so far; undefined before any. */
  timeLeft(now: number): number | undefined {
    let inFlight = 0;
    for (const r of this.running.values()) inFlight += r.fraction;
    const computed = this.done - this.resumed + inFlight;
    const elapsed = now - this.startedAt;
    if (!(computed > 0) || !(elapsed > 0)) return undefined;
    return (Math.max(0, this.total - this.done - inFlight) * elapsed) / computed;
  }

  /** `1m12s elapsed, ~3m05s left`. */
  times(now: number): string {
    const left = this.timeLeft(now);
    return `${formatDuration(now - this.startedAt)} elapsed, ${left === undefined ? 'time left unknown' : `~${formatDuration(left)} left`}`;
  }

  /**
   * One line: replicas done, the times, then each running replica (at most `maxShown`),
   * e.g. `replicas 3/21 done · 12s elapsed, ~40s left · nominal iteration 2/4 step2 · data_boot_3 iteration 1/4 step1`.
   */
  status(now: number, maxShown = 3): string {
    const parts: string[] = [];
    if (this.total > 1) parts.push(`replicas ${this.done}/${this.total} done`);
    parts.push(this.times(now));
    const running = [...this.running.values()];
    for (const r of running.slice(0, maxShown)) {
      const step = r.step === undefined ? '' : ` ${r.step}`;
      const epoch =
        r.epoch === undefined
          ? ''
          : ` member ${(r.member ?? 0) + 1} epoch ${r.epoch}${running.length === 1 ? ` ${this.lastEpochLoss}` : ''}`;
      parts.push(`${r.name} iteration ${r.iteration}/${this.nIterations}${step}${epoch}`);
    }
    if (running.length > maxShown) parts.push(`+${running.length - maxShown} more running`);
    return parts.join(' · ');
  }
}
