// `omnifold plan`, `run-task`, `merge` and `status` through the compiled CLI, without a
// scheduler (test/slurm.test.ts runs them on a real Slurm, test/batch_tasks.test.ts kills
// and moves tasks): tasks run by hand from another folder merge to the bytes `omnifold
// unfold` writes with the same options; a task run again computes nothing; a missing or
// damaged replica makes merge refuse, naming it and the line that reruns its task; changed
// inputs or an edited plan.json are refused; usage errors are one line and write nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_OPTIONS as OPTIONS, bytes, runIn, writeBatchInputs } from './helpers/batch.js';
import { testDir } from './helpers/temp_dir.js';

const root = testDir('omnifold-batch-cli-');
const elsewhere = testDir('omnifold-batch-elsewhere-');
const run = (args: string[], cwd = root) => runIn(cwd, args);
writeBatchInputs(root);

const summaryWithoutRun = (dir: string) => {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  delete summary.run;
  return summary;
};

test('plan, run-task from another folder, merge: the bytes of omnifold unfold', () => {
  const plan = run(['plan', ...OPTIONS, '--slurm', '--tasks', '3', '--emit', 'tasks.txt', '--out', 'p']);
  assert.is(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /^planned 6 replicas in 3 tasks in \S+\/p \(plan [0-9a-f]{12}\)$/m);
  const planFile = JSON.parse(readFileSync(join(root, 'p', 'plan.json'), 'utf8'));
  assert.equal(planFile.tasks, [
    { task: 0, replicas: [0, 1] },
    { task: 1, replicas: [2, 3] },
    { task: 2, replicas: [4, 5] },
  ]);
  assert.equal(
    planFile.inputs.map((i: { role: string; path: string }) => [i.role, i.path]),
    [
      ['sim', 'in/sim.csv'],
      ['data', 'in/data.csv'],
    ],
  );
  assert.equal(planFile.replicas, ['weight', 'data_boot_0', 'data_boot_1', 'data_boot_2', 'sim_boot_0', 'syst_es']);
  assert.is(
    readFileSync(join(root, 'p', 'tasks.txt'), 'utf8')
      .trimEnd()
      .split('\n').length,
    3,
  );
  for (const task of ['0', '1', '2']) {
    const r = run(['run-task', join(root, 'p'), '--task', task, '--quiet'], elsewhere);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^task ${task}: computed 2 \\(`));
  }
  const status = run(['status', join(root, 'p'), '--json']);
  assert.is(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal([s.done, s.running, s.pending, s.missing, s.merged], [[0, 1, 2], [], [], [], false]);
  const merge = run(['merge', join(root, 'p'), '--quiet'], elsewhere);
  assert.is(merge.code, 0, merge.stderr);
  const local = run(['unfold', ...OPTIONS, '--threads', '2', '--out', 'local']);
  assert.is(local.code, 0, local.stderr);
  assert.ok(
    bytes(join(root, 'p', 'weights.arrow')).equals(bytes(join(root, 'local', 'weights.arrow'))),
    'weights.arrow',
  );
  assert.ok(bytes(join(root, 'p', 'report.html')).equals(bytes(join(root, 'local', 'report.html'))), 'report.html');
  const plots = readdirSync(join(root, 'local', 'plots'));
  assert.ok(plots.length > 0);
  for (const f of plots)
    assert.ok(bytes(join(root, 'p', 'plots', f)).equals(bytes(join(root, 'local', 'plots', f))), `plots/${f}`);
  assert.equal(summaryWithoutRun(join(root, 'p')), summaryWithoutRun(join(root, 'local')));
  assert.is(merge.stdout, local.stdout, 'the same result table');
  // the plan's own files stay beside the outputs
  for (const f of ['plan.json', 'submit.sh', 'slurm', 'replicas', 'tasks.txt'])
    assert.ok(existsSync(join(root, 'p', f)), f);
});

test('a task run again computes nothing and rewrites nothing', () => {
  const dir = join(root, 'p', 'replicas');
  const before = readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs);
  const r = run(['run-task', join(root, 'p'), '--task', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'task 1: all 2 replicas already stored (data_boot_1, data_boot_2)\n');
  assert.equal(
    readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs),
    before,
  );
});

test('a missing and a damaged replica: merge refuses, names them and the sbatch line; status agrees', () => {
  const dir = join(root, 'p', 'replicas');
  const out = join(root, 'p');
  const weightsBefore = bytes(join(out, 'weights.arrow'));
  writeFileSync(join(dir, 'missing-check'), ''); // a file the engine does not know is ignored
  const damaged = bytes(join(dir, 'syst_es.f64rep'));
  damaged[damaged.length - 8] ^= 0x40;
  writeFileSync(join(dir, 'syst_es.f64rep'), damaged);
  const removed = join(dir, 'data_boot_1.f64rep');
  const kept = bytes(removed);
  spawnSync('rm', [removed]);
  const merge = run(['merge', out]);
  assert.is(merge.code, 1);
  assert.equal(merge.stderr.trimEnd().split('\n'), [
    `omnifold: merge ${out} must find every replica of the plan stored; got 2 of 6 missing: data_boot_1 (task 1); syst_es (damaged: weights whose SHA-256 differs from the one stored with them) (task 2)`,
    `resubmit only those tasks: sbatch --array=1,2 ${out}/slurm/task.sbatch`,
    `then merge again: omnifold merge ${out}`,
  ]);
  assert.ok(bytes(join(out, 'weights.arrow')).equals(weightsBefore), 'nothing written');
  const status = JSON.parse(run(['status', out, '--json']).stdout);
  assert.equal([status.done, status.missing], [[0], [1, 2]]);
  const text = run(['status', out]).stdout;
  assert.match(text, /^missing +2 tasks \(4 replicas\): 1 \(data_boot_1\); 2 \(syst_es \(damaged: /m);
  assert.match(text, /^resubmit only those tasks: sbatch --array=1,2 \S+\/slurm\/task\.sbatch$/m);
  // rerunning task 2 recomputes only the damaged one, to the same bytes; task 1 its lost one
  const again = run(['run-task', out, '--task', '2']);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /^task 2: computed 1 \(syst_es\), already stored 1 \(sim_boot_0\)/);
  assert.is(run(['run-task', out, '--task', '1']).code, 0);
  assert.ok(bytes(removed).equals(kept), 'recomputed to the same bytes');
  assert.is(run(['merge', out, '--quiet']).code, 0);
  assert.ok(bytes(join(out, 'weights.arrow')).equals(weightsBefore));
});

test('changed inputs and an edited plan.json are refused before any work', () => {
  const out = join(root, 'p');
  const planPath = join(out, 'plan.json');
  const original = readFileSync(planPath, 'utf8');
  writeFileSync(planPath, original.replace('"iterations": "3"', '"iterations": "4"'));
  const edited = run(['run-task', out, '--task', '0']);
  assert.is(edited.code, 2);
  assert.match(
    edited.stderr,
    /^omnifold: \S+plan\.json planHash must match its content \([0-9a-f]{12}…\); got [0-9a-f]{12}… \(the file was edited: plan again\)\n$/,
  );
  writeFileSync(planPath, original);
  spawnSync('rm', [join(out, 'replicas', 'weight.f64rep')]);
  const sim = join(root, 'in', 'sim.csv');
  writeFileSync(sim, readFileSync(sim, 'utf8').replace(/\n$/, '\n0.1,0.2\n'));
  const changed = run(['run-task', out, '--task', '0'], elsewhere);
  assert.is(changed.code, 2);
  assert.match(
    changed.stderr,
    /^omnifold: input sim in\/sim\.csv must be the file planned \(SHA-256 [0-9a-f]{12}…\); got [0-9a-f]{12}… \(it changed since omnifold plan: plan again\)\n$/,
  );
});

test('usage errors: one line naming the option, the rule and the value; nothing written', () => {
  const out = join(root, 'bad');
  const cases: [string[], RegExp][] = [
    [
      ['--toy', 'gauss'],
      /^omnifold: plan must be given a back end: --slurm, --htcondor or --emit tasks\.txt; got none$/,
    ],
    [['--slurm', '--replicas', '0'], /^omnifold: --replicas must not be given to plan .*; got --replicas 0$/],
    [['--emit', 'tasks.txt', '--partition', 'short'], /^omnifold: --partition must come with --slurm; got no --slurm$/],
    [['--slurm', '--time', '1 hour'], /^omnifold: --time must be a Slurm time: .*; got "1 hour"$/],
    [
      ['--slurm', '--mem', '4 GB'],
      /^omnifold: --mem must be a size in MiB or with a K, M, G or T suffix, e\.g\. 4G; got "4 GB"$/,
    ],
    [
      ['--slurm', '--data-bootstraps', '2', '--tasks', '4'],
      /^omnifold: --tasks must be an integer in 1-3 \(the plan holds 3 replicas\); got 4$/,
    ],
    [['--slurm', '--sbatch-extra', `--qos='x`], /^omnifold: --sbatch-extra must close every quote; got /],
    [['--emit', 'pbs'], /^omnifold: --emit must list slurm, htcondor, tasks\.txt; got "pbs"$/],
    [
      ['--slurm', '--frobnicate'],
      /^omnifold: plan options must be known flags \(see omnifold plan --help\); got --frobnicate$/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = run(['plan', ...args, '--out', out]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), pattern);
  }
  assert.not.ok(existsSync(out), 'no folder for a usage error');
  const p = join(root, 'p');
  const errors: [string[], RegExp][] = [
    [['run-task', p, '--task', '3'], /^omnifold: --task must be a task of the plan, an integer in 0-2; got "3"$/],
    [
      ['run-task', root, '--task', '0'],
      /^omnifold: plan folder \S+ must hold plan\.json \(written by omnifold plan\); got none$/,
    ],
    [['merge'], /^omnifold: merge must be given one plan folder \(written by omnifold plan\); got none$/],
    [['status', p, '--verbose'], /^omnifold: status options must be known flags .*; got --verbose$/],
  ];
  for (const [args, pattern] of errors) {
    const r = run(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trimEnd(), pattern);
  }
  // a folder the engine did not write is never a plan folder
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'notes', 'mine.txt'), 'keep me');
  const refused = run(['plan', '--toy', 'gauss', '--slurm', '--out', join(root, 'notes')]);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /must be empty or an earlier omnifold output; got a folder holding mine\.txt/);
  assert.is(readFileSync(join(root, 'notes', 'mine.txt'), 'utf8'), 'keep me');
});

test.run();
