// The executor seam: any executor, or several, each running a part of a replica plan,
// writes the records that merge into the columns of one runReplicas call, bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromColumns } from '../src/base/features.js';
import { OmniFoldError } from '../src/base/errors.js';
import { computeReplica, type ReplicaOptions, type ReplicaWork } from '../src/uncertainty/replicas.js';
import { ReplicaRun, runReplicas } from '../src/execution/run_replicas.js';
import { InProcessExecutor } from '../src/execution/in_process_executor.js';
import { PoolExecutor } from '../src/execution/pool_executor.js';
import type { ExecutorRun, ReplicaExecutor } from '../src/execution/executor.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import type { DataSample, SimSample } from '../src/algorithm/types.js';
import { assertBitEqual } from './helpers/close.js';
import { rejectsInput } from './helpers/rejects.js';
import { testDir } from './helpers/temp_dir.js';

/** 1 gen and 1 reco feature, misses and fakes; odd counts. */
function toy(): { sim: SimSample; data: DataSample } {
  const r = new ToyRandom(13, 0);
  const nSim = 1501;
  const gen: number[] = [];
  const reco: number[] = [];
  const passGen = new Uint8Array(nSim);
  const passReco = new Uint8Array(nSim);
  for (let i = 0; i < nSim; i++) {
    const t = r.normal(0, 1);
    gen.push(t);
    reco.push(t + r.normal(0, 0.5));
    passGen[i] = r.uniform() < 0.95 ? 1 : 0;
    passReco[i] = passGen[i] === 0 || r.uniform() < 0.9 ? 1 : 0;
  }
  const d = Array.from({ length: 999 }, () => r.normal(0.2, 0.8) + r.normal(0, 0.5));
  return {
    sim: {
      gen: fromColumns([gen], true),
      reco: fromColumns([reco], true),
      passGen,
      passReco,
      weights: new Float64Array(nSim).fill(1),
    },
    data: { reco: fromColumns([d], true), weights: new Float64Array(d.length).fill(1) },
  };
}

const { sim, data } = toy();
const options: ReplicaOptions = {
  nIterations: 2,
  classifier: { type: 'binned', edges: [[-2, -1, -0.5, 0, 0.5, 1, 2]] },
  seed: 3,
  dataBootstraps: 2,
  simBootstraps: 1,
  systematics: [{ name: 'es', kind: 'reco-transform', feature: 0, scale: 1.02 }],
};

/** A stand-in for a batch system: runs its replicas last first, one at a time, and reports none of their progress. */
class ReverseExecutor implements ReplicaExecutor {
  async run(work: ReplicaWork, indices: readonly number[], run: ExecutorRun): Promise<void> {
    for (const k of [...indices].reverse()) run.store.write(await computeReplica(work, k));
  }
  async close(): Promise<void> {}
}

test('a plan run in parts by three executors merges to the columns and diagnostics of one runReplicas call', async () => {
  const whole = await runReplicas(sim, data, options);
  const run = new ReplicaRun(sim, data, options);
  const pool = new PoolExecutor({ threads: 2 });
  try {
    assert.equal(await run.execute(new InProcessExecutor({ concurrency: 1 }), [0, 4]), {
      computed: ['weight', 'syst_es'],
      resumed: [],
    });
    assert.equal(await run.execute(pool, [3, 1]), { computed: ['data_boot_0', 'sim_boot_0'], resumed: [] });
    await run.execute(new ReverseExecutor(), [2]);
  } finally {
    await pool.close();
  }
  const merged = run.merge();
  assert.equal(
    merged.columns.map((c) => c.name),
    ['weight', 'data_boot_0', 'data_boot_1', 'sim_boot_0', 'syst_es'],
  );
  whole.columns.forEach((c, k) => assertBitEqual(c.name, merged.columns[k].values, c.values));
  assert.equal(merged.diagnostics, whole.diagnostics);
  assert.is(merged.nominal.weights, merged.columns[0].values);
});

test('a folder store: records written by one run are resumed by the next, the others computed', async () => {
  const storeDir = join(testDir('omnifold-executor-'), 'store');
  const first = new ReplicaRun(sim, data, options, { storeDir });
  await first.execute(new ReverseExecutor(), [1, 2]);
  assert.equal(readdirSync(storeDir).sort(), ['data_boot_0.f64rep', 'data_boot_1.f64rep']);
  const events: string[] = [];
  const second = new ReplicaRun(sim, data, options, {
    storeDir,
    resume: true,
    onProgress: (p) => p.type === 'replica' && events.push(`${p.name}:${p.status}:${p.done}/${p.total}`),
  });
  assert.equal(await second.execute(new InProcessExecutor()), {
    computed: ['weight', 'sim_boot_0', 'syst_es'],
    resumed: ['data_boot_0', 'data_boot_1'],
  });
  assert.equal(events.slice(0, 2), ['data_boot_0:resumed:1/5', 'data_boot_1:resumed:2/5']);
  assert.equal(
    events.slice(2).map((e) => e.split(':')[1]),
    ['computed', 'computed', 'computed'],
  );
  const merged = second.merge();
  assert.equal(merged.resumed, ['data_boot_0', 'data_boot_1']);
  const whole = await runReplicas(sim, data, options);
  whole.columns.forEach((c, k) => assertBitEqual(c.name, merged.columns[k].values, c.values));
});

test('bad replica indices, a concurrency that is not a positive integer, and a merge with replicas missing', async () => {
  const run = new ReplicaRun(sim, data, options);
  const executor = new InProcessExecutor();
  await rejectsInput(() => run.execute(executor, [5]), /^replica indices must be integers in \[0, 5\); got 5$/);
  await rejectsInput(() => run.execute(executor, [1.5]), /^replica indices must be integers in \[0, 5\); got 1\.5$/);
  await rejectsInput(() => run.execute(executor, [2, 2]), /^replica indices must be distinct; got 2 twice$/);
  await rejectsInput(
    async () => new InProcessExecutor({ concurrency: 0 }),
    /^concurrency must be a positive integer; got 0$/,
  );
  await rejectsInput(
    async () => new PoolExecutor({ concurrency: 1.5 }),
    /^concurrency must be a positive integer; got 1\.5$/,
  );
  await run.execute(executor, [0]);
  assert.throws(
    () => run.merge(),
    (error: Error) =>
      error instanceof OmniFoldError &&
      /^replica data_boot_0 must be in the store before the merge; got none$/.test(error.message),
  );
});

test.run();
