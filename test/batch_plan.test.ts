// The pieces of a batch plan without any scheduler: the task table (every replica in
// exactly one task, within the array size), Slurm's index ranges, the quoting of sbatch
// options, and the scheduler files' key lines (the array and its throttle, the merge's
// dependency, HTCondor's queue, one tasks.txt line per task); the replica store refuses
// replicas of another plan, damaged ones and ones of another configuration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  htcondorFiles,
  indexRanges,
  InputError,
  PlanReplicaStore,
  planReplicaState,
  shellQuote,
  slurmFiles,
  slurmResubmitLine,
  splitOptions,
  taskLines,
  taskTable,
} from '../src/index.js';
import { taskThreads } from '../src/cli/run_task.js';
import { availableParallelism } from 'node:os';
import { testDir } from './helpers/temp_dir.js';

/** Checks that the table covers 0..n-1 once each, in contiguous ascending blocks. */
function assertPartition(tasks: number[][], n: number): void {
  assert.equal(
    tasks.flat(),
    Array.from({ length: n }, (_, i) => i),
  );
  for (const t of tasks) {
    assert.ok(t.length > 0, 'no empty task');
    for (let i = 1; i < t.length; i++) assert.is(t[i], t[i - 1] + 1);
  }
}

test('task tables: --tasks gives near-equal blocks, --replicas-per-task fixed ones, the default fits the array', () => {
  assert.equal(taskTable(10, { nTasks: 4 }), [
    [0, 1, 2],
    [3, 4, 5],
    [6, 7],
    [8, 9],
  ]);
  assert.equal(taskTable(10, { replicasPerTask: 4 }), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
    [8, 9],
  ]);
  assert.equal(taskTable(3), [[0], [1], [2]]);
  for (const [n, nTasks] of [
    [1, 1],
    [7, 7],
    [101, 10],
    [1000, 3],
  ]) {
    const tasks = taskTable(n, { nTasks });
    assert.is(tasks.length, nTasks);
    assertPartition(tasks, n);
    const sizes = tasks.map((t) => t.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  }
  // 5000 replicas: one per task would exceed MaxArraySize 1001, so five per task
  const big = taskTable(5000);
  assert.is(big.length, 1000);
  assertPartition(big, 5000);
  assert.is(taskTable(1001).length, 1001, 'indices 0..1000 are below MaxArraySize 1001');
  assert.is(taskTable(1002).length, 501);
  assert.is(taskTable(50, { maxTasks: 8 }).length, 8);
});

test('task tables: bad packings are one-line errors naming the option and a packing that fits', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => taskTable(5, { nTasks: 6 }), /^--tasks must be an integer in 1-5 \(the plan holds 5 replicas\); got 6$/],
    [() => taskTable(5, { nTasks: 0 }), /^--tasks must be an integer in 1-5/],
    [
      () => taskTable(5, { nTasks: 2, replicasPerTask: 2 }),
      /^--tasks and --replicas-per-task must not be given together; got --tasks 2 and --replicas-per-task 2$/,
    ],
    [
      () => taskTable(5000, { replicasPerTask: 2 }),
      /^the job array must hold at most 1001 tasks \(array indices below MaxArraySize 1001\); got 2500; pack the 5000 replicas with --replicas-per-task 5 or more$/,
    ],
    [() => taskTable(5000, { nTasks: 2000 }), /must hold at most 1001 tasks .*got 2000/],
    [() => taskTable(5, { replicasPerTask: 0 }), /^--replicas-per-task must be a positive integer; got 0$/],
  ];
  for (const [call, pattern] of cases) {
    try {
      call();
      assert.unreachable(`expected ${pattern}`);
    } catch (error) {
      assert.instance(error, InputError);
      assert.match((error as Error).message, pattern);
    }
  }
});

test('index ranges read as sbatch --array writes them', () => {
  assert.is(indexRanges([3, 17, 42]), '3,17,42');
  assert.is(indexRanges([0, 1, 2, 5, 7, 8]), '0-2,5,7,8');
  assert.is(indexRanges([9, 8, 7, 7]), '7-9');
  assert.is(indexRanges([]), '');
});

test('sbatch options split like a shell; quoting keeps paths whole', () => {
  assert.equal(splitOptions(`--qos=long --constraint "a&b" --comment='x y'`), [
    '--qos=long',
    '--constraint',
    'a&b',
    '--comment=x y',
  ]);
  assert.throws(() => splitOptions('--qos="long'), /--sbatch-extra must close every quote/);
  assert.throws(() => splitOptions('--qos=long\n#SBATCH --x'), /without control characters/);
  assert.is(shellQuote('/a/b-c_d.e'), '/a/b-c_d.e');
  assert.is(shellQuote("/my plans/it's"), `'/my plans/it'\\''s'`);
});

const PLAN = {
  outDir: '/data/plan one',
  nTasks: 4,
  nReplicas: 10,
  engine: ['/usr/bin/node', '/opt/omnifold/bin/omnifold.js'],
};

test('Slurm files: an array of nTasks throttled to K, the merge after it, settings as #SBATCH lines', () => {
  const files = slurmFiles(PLAN, {
    partition: 'short',
    account: 'phys',
    time: '1:00:00',
    mem: '2G',
    cpusPerTask: 4,
    maxConcurrent: 2,
    extra: '--qos=long --constraint "a&b"',
  });
  assert.equal(Object.keys(files).sort(), ['slurm/merge.sbatch', 'slurm/task.sbatch', 'submit.sh']);
  const submit = files['submit.sh'];
  assert.match(submit, /^array=\$\(sbatch --parsable --array=0-3%2 "\$@" '\/data\/plan one\/slurm\/task\.sbatch'\)$/m);
  assert.match(
    submit,
    /^merge=\$\(sbatch --parsable --dependency=afterok:"\$array" --kill-on-invalid-dep=yes "\$@" '\/data\/plan one\/slurm\/merge\.sbatch'\)$/m,
  );
  const task = files['slurm/task.sbatch'];
  for (const line of [
    '#SBATCH --partition=short',
    '#SBATCH --account=phys',
    '#SBATCH --time=1:00:00',
    '#SBATCH --mem=2G',
    '#SBATCH --cpus-per-task=4',
    '#SBATCH --requeue',
    '#SBATCH --qos=long',
    `#SBATCH --constraint 'a&b'`,
  ])
    assert.ok(task.split('\n').includes(line), `${line} in task.sbatch`);
  assert.match(
    task,
    /^exec \/usr\/bin\/node \/opt\/omnifold\/bin\/omnifold\.js run-task '\/data\/plan one' --task "\$SLURM_ARRAY_TASK_ID"$/m,
  );
  assert.match(task, /^ {2}exec \$OMNIFOLD run-task/m);
  assert.match(files['slurm/merge.sbatch'], /^exec .* merge '\/data\/plan one'$/m);
  assert.not.match(files['slurm/merge.sbatch'], /--array/);
  assert.is(
    slurmResubmitLine('/data/plan one', '3,17,42'),
    `sbatch --array=3,17,42 '/data/plan one/slurm/task.sbatch'`,
  );
  assert.match(slurmFiles(PLAN, {})['submit.sh'], /--array=0-3 "\$@"/, 'no throttle without --max-concurrent');
});

test('tasks.txt and HTCondor: one command per task; queue nTasks with $(Process); the DAG orders the merge', () => {
  const lines = taskLines({ ...PLAN, threads: 2 })
    .trimEnd()
    .split('\n');
  assert.is(lines.length, 4);
  assert.is(lines[3], `/usr/bin/node /opt/omnifold/bin/omnifold.js run-task '/data/plan one' --task 3 --threads 2`);
  const condor = htcondorFiles({ ...PLAN, outDir: '/data/plan' }, { inputs: ['/data/sim.arrow'], requestCpus: 2 });
  assert.match(condor['htcondor/task.sub'], /^queue 4$/m);
  assert.match(condor['htcondor/task.sub'], /^arguments {15}= \$\(Process\)$/m);
  assert.match(
    condor['htcondor/task.sub'],
    /^transfer_input_files {4}= \/data\/plan\/plan\.json, \/data\/sim\.arrow$/m,
  );
  assert.match(condor['htcondor/task.sub'], /^request_cpus {12}= 2$/m);
  assert.match(condor['htcondor/run_task.sh'], /run-task \. --task "\$1" --input-dir \./);
  assert.match(condor['htcondor/omnifold.dag'], /^PARENT tasks CHILD merge$/m);
  assert.throws(() => htcondorFiles({ ...PLAN, outDir: '/a,b' }, { inputs: [] }), /must not hold a comma/);
});

test('the plan store: a replica is used only with its plan hash, configuration hash and checksum', () => {
  const dir = testDir('omnifold-plan-store-');
  const weights = new Float64Array([1, 2.5, -3]);
  const record = {
    name: 'data_boot_0',
    family: 'data_bootstrap' as const,
    hash: 'h1',
    weights,
    iterations: [],
    nDropped: 0,
  };
  new PlanReplicaStore(dir, 'planA').write(record);
  assert.equal(planReplicaState(dir, 'data_boot_0', 'planA'), { name: 'data_boot_0', status: 'done' });
  assert.equal(planReplicaState(dir, 'data_boot_1', 'planA'), { name: 'data_boot_1', status: 'missing' });
  assert.equal(planReplicaState(dir, 'data_boot_0', 'planB'), {
    name: 'data_boot_0',
    status: 'unusable',
    reason: 'made for another plan (its plan hash differs)',
  });
  assert.is(planReplicaState(dir, 'data_boot_0', 'planA', { hash: 'h2', nEvents: 3 }).status, 'unusable');
  const notices: string[] = [];
  const fresh = new PlanReplicaStore(dir, 'planA', (_, m) => notices.push(m));
  assert.equal(Array.from(fresh.read('data_boot_0', { hash: 'h1', nEvents: 3 })?.weights ?? []), [1, 2.5, -3]);
  // one flipped byte in the weights: the checksum no longer matches
  const path = join(dir, 'data_boot_0.f64rep');
  const bytes = readFileSync(path);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(path, bytes);
  assert.is(
    new PlanReplicaStore(dir, 'planA', (_, m) => notices.push(m)).read('data_boot_0', { hash: 'h1', nEvents: 3 }),
    undefined,
  );
  assert.match(notices.at(-1) ?? '', /^stored replica data_boot_0 is damaged: weights whose SHA-256 differs/);
});

test('a task sizes its pool to min(available cores, SLURM_CPUS_PER_TASK) unless --threads says', () => {
  const cores = availableParallelism();
  assert.is(taskThreads(undefined, {}), cores);
  assert.is(taskThreads(undefined, { SLURM_CPUS_PER_TASK: '1' }), 1);
  assert.is(taskThreads(undefined, { SLURM_CPUS_PER_TASK: String(cores + 7) }), cores);
  assert.is(taskThreads('3', { SLURM_CPUS_PER_TASK: '1' }), 3);
  assert.throws(() => taskThreads('0', {}), /^--threads must be a positive integer; got "0"$/);
  assert.throws(
    () => taskThreads(undefined, { SLURM_CPUS_PER_TASK: 'x' }),
    /^SLURM_CPUS_PER_TASK must be a positive integer; got "x"$/,
  );
});

test.run();
