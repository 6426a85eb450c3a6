/**
 * One fit shared by the threads of a pool (src/classifiers/gang.ts), and the checks the
 * data-parallel tests of every classifier kind make of it.
 */
import * as assert from 'uvu/assert';
import type { MemberResult, StepJob } from '../../src/algorithm/types.js';
import { PoolRunner } from '../../src/execution/pool.js';
import { assertBitEqual } from './close.js';

/** Member 0 of `job` on a pool of `threads` threads, the others helping; and the blocks they computed. */
export async function sharedFit(job: StepJob, threads: number): Promise<{ results: MemberResult[]; helped: number }> {
  const runner = new PoolRunner({ threads });
  try {
    // every thread started first (one member each), so the helpers are there from the first step
    await runner.fitMembers(job, threads);
    runner.helpedBlocks = 0;
    const results = await runner.fitMembers(job, 1);
    await runner.close(); // the help tasks have returned their counts
    return { results, helped: runner.helpedBlocks };
  } catch (error) {
    await runner.close();
    throw error;
  }
}

/** The members' first ratios are the same bits. */
export function assertSameRatios(name: string, got: MemberResult[], want: MemberResult[]): void {
  assert.is(got.length, want.length, `${name}: members`);
  got.forEach((r, m) => assertBitEqual(`${name} member ${m}`, r.ratios[0], want[m].ratios[0]));
}

/**
 * Ratios of one fit in 1 block and in 8: other bits (the sums round differently), the same
 * result to well within the statistics (largest relative difference below `rtol`).
 */
export function assertBlocksAgree(one: Float64Array, eight: Float64Array, rtol: number): void {
  assert.ok(
    one.some((v, i) => v !== eight[i]),
    'the bits differ',
  );
  let worst = 0;
  for (let i = 0; i < one.length; i++) worst = Math.max(worst, Math.abs(one[i] - eight[i]) / one[i]);
  assert.ok(worst < rtol, `largest relative difference of the ratios ${worst}`);
}
