// `omnifold plan --slurm` on a real Slurm (the single-node cluster .ci/slurm-up.sh starts):
// 1. plan, submit.sh, wait for the merge job: JobState=COMPLETED, and weights.arrow (and
//    the report) byte for byte those of a local `omnifold unfold` with the same options;
// 2. one array index cancelled (scancel JOB_2 while it waits): the merge job is cancelled
//    with it, `omnifold merge` refuses and names the task and the `sbatch --array=2` line,
//    that line resubmits only it, and the merge then writes the same bytes.
// Where no Slurm answers (outside CI), each test prints one `skipped:` line and passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const root = testDir('omnifold-slurm-');
// 9 replicas in 5 tasks (2, 2, 2, 2, 1), each a binned unfolding of 3000 events
const OPTIONS = [
  '--toy',
  'gauss',
  '--events',
  '3000',
  '--classifier',
  'binned',
  '--bins',
  'x=-3:3:12',
  '--data-bootstraps',
  '6',
  '--sim-bootstraps',
  '2',
  '--quiet',
];
const SLURM = ['--slurm', '--tasks', '5', '--cpus-per-task', '1', '--time', '10'];

function sh(command: string, args: string[], cwd = root): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
const omnifold = (args: string[]) => sh(process.execPath, [BIN, ...args]);

/** Why Slurm cannot be used here, or undefined when a controller answers and the node takes jobs. */
function slurmMissing(): string | undefined {
  const ping = sh('scontrol', ['ping']);
  if (ping.code !== 0 && !/is UP/.test(ping.stdout))
    return ping.stderr.includes('ENOENT') ? 'no scontrol on PATH' : 'no Slurm controller answers (scontrol ping)';
  if (!/is UP/.test(ping.stdout)) return 'no Slurm controller answers (scontrol ping)';
  const nodes = sh('sinfo', ['-h', '-o', '%T']).stdout;
  if (!/^(idle|mixed|allocated)/m.test(nodes)) return `no Slurm node takes jobs (sinfo: ${nodes.trim() || 'none'})`;
  return undefined;
}
const missing = slurmMissing();
const skip = (name: string) => {
  if (missing === undefined) return false;
  console.log(`skipped: ${name} needs a running Slurm (${missing}); as root, .ci/slurm-up.sh starts a single-node one`);
  return true;
};

/** A job's state and reason, from scontrol (jobs stay known for MinJobAge after they end). */
function jobState(id: string): { state: string; reason: string } {
  const text = sh('scontrol', ['show', 'job', id]).stdout;
  return { state: /JobState=(\S+)/.exec(text)?.[1] ?? 'UNKNOWN', reason: /Reason=(\S+)/.exec(text)?.[1] ?? '' };
}

/** Waits until job `id` has ended; resolves to its final state. */
async function waitFor(id: string, limitMs = 150_000): Promise<{ state: string; reason: string }> {
  const started = Date.now();
  for (;;) {
    const s = jobState(id);
    if (!['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'SUSPENDED'].includes(s.state)) return s;
    if (Date.now() - started > limitMs)
      throw new Error(`job ${id} must end within ${limitMs / 1000} s; got ${s.state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The job ids submit.sh printed. */
function submitted(stdout: string): { array: string; merge: string } {
  const match = /job array (\d+) and the merge as job (\d+)/.exec(stdout);
  assert.ok(match, `submit.sh output: ${stdout}`);
  return { array: match[1], merge: match[2] };
}

let local: Buffer | undefined;
function localWeights(): Buffer {
  if (local === undefined) {
    const started = Date.now();
    const r = omnifold(['unfold', ...OPTIONS, '--threads', '2', '--out', join(root, 'local')]);
    assert.is(r.code, 0, r.stderr);
    console.log(`local unfold --threads 2: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
    local = readFileSync(join(root, 'local', 'weights.arrow'));
  }
  return local;
}

test('plan --slurm, submit.sh: the merge job COMPLETED, weights.arrow byte for byte a local unfold', async () => {
  if (skip('the Slurm run')) return;
  const out = join(root, 'plan');
  const plan = omnifold(['plan', ...OPTIONS, ...SLURM, '--max-concurrent', '2', '--out', out]);
  assert.is(plan.code, 0, plan.stderr);
  const started = Date.now();
  const submit = sh(join(out, 'submit.sh'), []);
  assert.is(submit.code, 0, submit.stderr);
  const { array, merge } = submitted(submit.stdout);
  const final = await waitFor(merge);
  const wall = (Date.now() - started) / 1000;
  const logs = readdirSync(join(out, 'logs'))
    .map((f) => `${f}: ${readFileSync(join(out, 'logs', f), 'utf8').slice(-400)}`)
    .join('\n');
  assert.is(final.state, 'COMPLETED', `merge job ${merge}: ${final.state} (${final.reason})\n${logs}`);
  console.log(
    `slurm: 9 replicas in 5 tasks (array ${array}, at most 2 at once) and the merge: ${wall.toFixed(1)} s wall`,
  );
  const merged = readFileSync(join(out, 'weights.arrow'));
  assert.ok(merged.equals(localWeights()), 'weights.arrow identical to the local unfold');
  assert.ok(readFileSync(join(out, 'report.html')).equals(readFileSync(join(root, 'local', 'report.html'))));
  const status = JSON.parse(omnifold(['status', out, '--json']).stdout);
  assert.equal([status.done, status.missing, status.merged], [[0, 1, 2, 3, 4], [], true]);
});

test('one array index cancelled: merge refuses naming it, its sbatch line resubmits it, then the same bytes', async () => {
  if (skip('the cancelled-task check')) return;
  const out = join(root, 'cancelled');
  const plan = omnifold(['plan', ...OPTIONS, ...SLURM, '--max-concurrent', '1', '--out', out]);
  assert.is(plan.code, 0, plan.stderr);
  const submit = sh(join(out, 'submit.sh'), []);
  assert.is(submit.code, 0, submit.stderr);
  const { array, merge } = submitted(submit.stdout);
  // one task at a time: index 2 still waits, and is cancelled before it starts
  const cancel = sh('scancel', [`${array}_2`]);
  assert.is(cancel.code, 0, cancel.stderr);
  const final = await waitFor(merge);
  assert.is(
    final.state,
    'CANCELLED',
    `the merge goes with the failed dependency; got ${final.state} (${final.reason})`,
  );
  for (const t of [0, 1, 3, 4]) assert.is((await waitFor(`${array}_${t}`)).state, 'COMPLETED', `task ${t}`);
  const status = JSON.parse(omnifold(['status', out, '--json']).stdout);
  assert.equal([status.done, status.missing, status.merged], [[0, 1, 3, 4], [2], false]);
  const refused = omnifold(['merge', out]);
  assert.is(refused.code, 1);
  const lines = refused.stderr.trimEnd().split('\n');
  assert.is(
    lines[0],
    `omnifold: merge ${out} must find every replica of the plan stored; got 2 of 9 missing: data_boot_3, data_boot_4 (task 2)`,
  );
  assert.is(lines[1], `resubmit only those tasks: sbatch --array=2 ${out}/slurm/task.sbatch`);
  // the printed line, as printed, resubmits only index 2
  const again = sh('bash', ['-c', `${lines[1].replace(/^resubmit only those tasks: sbatch/, 'sbatch --parsable')}`]);
  assert.is(again.code, 0, again.stderr);
  const resubmitted = again.stdout.trim().split(';')[0];
  assert.is((await waitFor(`${resubmitted}_2`)).state, 'COMPLETED');
  const merged = omnifold(['merge', out]);
  assert.is(merged.code, 0, merged.stderr);
  assert.ok(
    readFileSync(join(out, 'weights.arrow')).equals(localWeights()),
    'weights.arrow identical to the local unfold',
  );
});

test.run();
