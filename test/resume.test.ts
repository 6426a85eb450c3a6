// A child process (this file with OMNIFOLD_RESUME_CHILD=<outDir>) runs a multi-replica job
// and is SIGKILLed part-way; the resumed run completes it with the same bits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromColumns } from '../src/base/features.js';
import { type ReplicaOptions } from '../src/uncertainty/replicas.js';
import { runReplicas } from '../src/execution/run_replicas.js';
import { InProcessRunner } from '../src/algorithm/in_process_runner.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import type { DataSample, MemberRunner, SimSample, StepJob } from '../src/algorithm/types.js';
import { assertBitEqual } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

function toy(): { sim: SimSample; data: DataSample } {
  const r = new ToyRandom(9, 0);
  const nSim = 2001;
  const gen: number[] = [];
  const reco: number[] = [];
  const passReco = new Uint8Array(nSim);
  for (let i = 0; i < nSim; i++) {
    const t = r.normal(0, 1);
    gen.push(t);
    reco.push(t + r.normal(0, 0.5));
    passReco[i] = r.uniform() < 0.9 ? 1 : 0;
  }
  const d = Array.from({ length: 1201 }, () => r.normal(0.2, 0.8) + r.normal(0, 0.5));
  return {
    sim: {
      gen: fromColumns([gen], true),
      reco: fromColumns([reco], true),
      passGen: new Uint8Array(nSim).fill(1),
      passReco,
      weights: new Float64Array(nSim).fill(1),
    },
    data: { reco: fromColumns([d], true), weights: new Float64Array(d.length).fill(1) },
  };
}

const options: ReplicaOptions = {
  nIterations: 3,
  classifier: { type: 'binned', edges: [[-2, -1, -0.5, 0, 0.5, 1, 2]] },
  seed: 7,
  dataBootstraps: 4,
  simBootstraps: 3,
  systematics: [{ name: 'es', kind: 'reco-transform', feature: 0, scale: 1.02 }],
};
const TOTAL = 9;

/** Slows every step down so the parent can kill the child between replicas; results unchanged. */
class SlowRunner implements MemberRunner {
  private readonly inner = new InProcessRunner();
  constructor(private readonly delayMs: number) {}
  async fitMembers(job: StepJob, nMembers: number) {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.inner.fitMembers(job, nMembers);
  }
}

const CHILD = process.env.OMNIFOLD_RESUME_CHILD;
if (CHILD !== undefined) {
  const { sim, data } = toy();
  await runReplicas(sim, data, options, { runner: new SlowRunner(40), storeDir: CHILD, concurrency: 2 });
  writeFileSync(join(CHILD, 'child-finished'), '1');
}

function stored(dir: string): string[] {
  const d = dir;
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.f64rep')) : [];
}

async function runAndKill(outDir: string): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, OMNIFOLD_RESUME_CHILD: outDir },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let waited = 0; waited < 60_000; waited += 10) {
    if (stored(outDir).length >= 3) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGKILL');
  await exited;
  return stored(outDir).length;
}

if (CHILD === undefined) {
  test('a SIGKILLed multi-replica run resumes to the bits of an uninterrupted run', async () => {
    const { sim, data } = toy();
    const outDir = testDir('omnifold-resume-');
    const before = await runAndKill(outDir);
    assert.not.ok(existsSync(join(outDir, 'child-finished')), 'the child was killed before it finished');
    assert.ok(before >= 3 && before < TOTAL, `killed part-way: ${before} of ${TOTAL} replicas stored`);

    const resumed = await runReplicas(sim, data, options, { storeDir: outDir, resume: true });
    assert.is(resumed.resumed.length, before, 'every stored replica is loaded, none recomputed');
    assert.is(stored(outDir).length, TOTAL);
    const fresh = await runReplicas(sim, data, options);
    assert.equal(
      resumed.columns.map((c) => c.name),
      fresh.columns.map((c) => c.name),
    );
    fresh.columns.forEach((c, k) => assertBitEqual(c.name, resumed.columns[k].values, c.values));
    assert.is(resumed.diagnostics[0].length, 3, 'diagnostics come back with stored replicas');
    assert.is(resumed.nominal.weights, resumed.columns[0].values);
    assert.is(resumed.nominal.nDropped, fresh.nominal.nDropped);
    assert.equal(resumed.nominal.iterations.length, 3);

    // a stored replica from another configuration is never used
    const other = await runReplicas(sim, data, { ...options, seed: 8 }, { storeDir: outDir, resume: true });
    assert.is(other.resumed.length, 0);
  });

  test('resume needs an output folder', async () => {
    const { sim, data } = toy();
    try {
      await runReplicas(sim, data, options, { resume: true });
      assert.unreachable('should throw');
    } catch (e) {
      assert.match((e as Error).message, /^resume must come with storeDir; got resume without storeDir$/);
    }
  });
}

test.run();
