// Batch tasks where they really run: a task killed by SIGTERM (what scancel and a time
// limit send) leaves whole replicas and its marker, `status` calls it missing, and run
// again it computes only the rest; tasks in scratch folders without the plan folder
// (HTCondor without a shared filesystem) find their inputs by name, and their replicas
// merge. Both end in the bytes of `omnifold unfold`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_OPTIONS as OPTIONS, BIN, bytes, runIn, writeBatchInputs } from './helpers/batch.js';
import { readReplica } from '../src/uncertainty/replica_store.js';
import { testDir } from './helpers/temp_dir.js';

const root = testDir('omnifold-batch-tasks-');
const run = (args: string[], cwd = root) => runIn(cwd, args);
writeBatchInputs(root);

test('a task killed (SIGTERM, as scancel sends) resumes where it stopped', async () => {
  // an MLP plan: one task of six replicas, slow enough to kill between two of them
  const out = join(root, 'slow');
  const options = [
    '--toy',
    'gauss',
    '--events',
    '6000',
    '--epochs',
    '3',
    '--iterations',
    '2',
    '--data-bootstraps',
    '5',
  ];
  assert.is(run(['plan', ...options, '--emit', 'tasks.txt', '--tasks', '1', '--out', out]).code, 0);
  const replicas = join(out, 'replicas');
  const nStoredNow = () => readdirSync(replicas).filter((f) => f.endsWith('.f64rep')).length;
  const child = spawn(process.execPath, [BIN, 'run-task', out, '--task', '0', '--threads', '1', '--quiet']);
  const closed = new Promise<string | null>((resolve) => child.on('close', (_, signal) => resolve(signal)));
  while (nStoredNow() === 0) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(join(out, 'running', 'task-0.json')), 'marked running');
  child.kill('SIGTERM');
  assert.is(await closed, 'SIGTERM');
  assert.ok(existsSync(join(out, 'running', 'task-0.json')), 'a killed task leaves its marker');
  const status = JSON.parse(run(['status', out, '--json']).stdout);
  assert.equal([status.running, status.missing], [[], [0]], 'its process is gone: missing, not running');
  const nStored = nStoredNow();
  assert.ok(nStored >= 1 && nStored < 6, `${nStored} stored`);
  // a kill during a replica's write may leave its temporary file (never read); every
  // stored replica is whole
  for (const f of readdirSync(replicas).filter((f) => f.endsWith('.f64rep')))
    assert.is(readReplica(replicas, f.slice(0, -'.f64rep'.length)).status, 'found', `${f} is whole`);
  const resumed = run(['run-task', out, '--task', '0', '--threads', '1', '--quiet']);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.equal(
    readdirSync(replicas).filter((f) => f.includes('.tmp-')),
    [],
    'the resumed task removed any temporary file the killed one left',
  );
  assert.match(resumed.stdout, new RegExp(`^task 0: computed ${6 - nStored} .*, already stored ${nStored} \\(weight`));
  assert.not.ok(existsSync(join(out, 'running', 'task-0.json')), 'a finished task removes its marker');
  assert.is(run(['merge', out, '--quiet']).code, 0);
  const local = run(['unfold', ...options, '--out', join(root, 'slow-local'), '--quiet']);
  assert.is(local.code, 0, local.stderr);
  assert.ok(bytes(join(out, 'weights.arrow')).equals(bytes(join(root, 'slow-local', 'weights.arrow'))));
});

test('no shared filesystem, as HTCondor runs them: tasks in scratch folders find inputs by name; their replicas merge', () => {
  const out = join(root, 'condor');
  const options = OPTIONS.filter((o) => o !== '--syst' && o !== 'es=reco:x_reco*1.02');
  const plan = run(['plan', ...options, '--htcondor', '--tasks', '2', '--cpus-per-task', '1', '--out', out]);
  assert.is(plan.code, 0, plan.stderr);
  const submitFile = readFileSync(join(out, 'htcondor', 'task.sub'), 'utf8');
  assert.match(submitFile, /^queue 2$/m);
  assert.match(
    submitFile,
    new RegExp(`^transfer_input_files += ${out}/plan\\.json, ${root}/in/sim\\.csv, ${root}/in/data\\.csv$`, 'm'),
  );
  for (const task of [0, 1]) {
    // what the job's sandbox holds: plan.json and the inputs, flat, and no plan folder around them
    const scratch = testDir('omnifold-scratch-');
    for (const f of [join(out, 'plan.json'), join(root, 'in', 'sim.csv'), join(root, 'in', 'data.csv')])
      writeFileSync(join(scratch, f.split('/').pop()!), readFileSync(f));
    const r = spawnSync('sh', [join(out, 'htcondor', 'run_task.sh'), String(task)], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, OMNIFOLD: `${process.execPath} ${BIN}` },
    });
    assert.is(r.status, 0, r.stderr);
    for (const f of readdirSync(join(scratch, 'replicas')))
      writeFileSync(join(out, 'replicas', f), readFileSync(join(scratch, 'replicas', f)));
  }
  assert.is(run(['merge', out, '--quiet']).code, 0);
  const local = run(['unfold', ...options, '--out', 'condor-local']);
  assert.is(local.code, 0, local.stderr);
  assert.ok(bytes(join(out, 'weights.arrow')).equals(bytes(join(root, 'condor-local', 'weights.arrow'))));
});

test.run();
