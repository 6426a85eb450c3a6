// The progress display of a run, driven by a fake clock and a fake sink: plain lines (CI
// logs), the live bar on a terminal, --quiet; replica names; and the events runReplicas
// sends it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progressPrinter, type ProgressOptions } from '../src/cli/progress.js';
import { formatDuration } from '../src/cli/run_progress.js';
import { fromColumns } from '../src/base/features.js';
import { type ReplicaProgress } from '../src/uncertainty/replicas.js';
import { runReplicas } from '../src/execution/run_replicas.js';
import { ToyRandom } from '../src/toys/toy_random.js';
import type { IterationDiagnostics } from '../src/algorithm/types.js';
import { testDir } from './helpers/temp_dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/test → repository root
const CLEAR = '\r\u001b[2K';

/** A sink that records writes, a clock set by hand, and a tick run by hand. */
function harness(tty: boolean, columns?: number) {
  const writes: string[] = [];
  const clock = { t: 0 };
  const ticks: { tick: () => void; ms: number; stopped: boolean }[] = [];
  const options: ProgressOptions = {
    now: () => clock.t,
    every: (tick, ms) => {
      const entry = { tick, ms, stopped: false };
      ticks.push(entry);
      return () => {
        entry.stopped = true;
      };
    },
  };
  const sink = { write: (s: string) => writes.push(s), isTTY: tty, columns };
  return { writes, clock, ticks, options, sink, text: () => writes.join('') };
}

function diagnostics(iteration: number): IterationDiagnostics {
  return {
    iteration,
    steps: [{ step: 'step1', clippedFraction: 0, ess: 100, nEvents: 100, change: 0.1, members: [] }],
    recoChi2: [],
  };
}

const start = (name: string, replica: string, total: number): ReplicaProgress => ({
  type: 'replica-start',
  name,
  replica,
  total,
});
const step = (replica: string, iteration: number, s: 'step1' | 'step2'): ReplicaProgress => ({
  type: 'step',
  replica,
  iteration,
  step: s,
  member: 0,
});
const finished = (
  name: string,
  done: number,
  total: number,
  status: 'computed' | 'resumed' = 'computed',
): ReplicaProgress => ({ type: 'replica', name, status, done, total });

test('plain output: status at most every 5 s, one line per finished replica, nominal iterations, replica names', () => {
  const h = harness(false);
  const p = progressPrinter(h.sink, 2, false, h.options);
  const at = (t: number, e: ReplicaProgress) => {
    h.clock.t = t;
    p.onProgress(e);
  };
  p.message('using 2 worker threads');
  at(0, start('weight', 'nominal#0', 3));
  at(0, {
    type: 'notice',
    name: 'data_boot_0',
    message: 'stored replica data_boot_0 is damaged (short); recomputing it',
  });
  at(0, start('data_boot_0', 'data#0', 3));
  at(1000, step('nominal#0', 1, 'step1'));
  at(2000, step('data#0', 1, 'step1'));
  at(5000, step('nominal#0', 1, 'step2')); // 5 s: the first status line
  at(6000, {
    type: 'epoch',
    replica: 'data#0',
    iteration: 1,
    step: 'step1',
    member: 1,
    epoch: 3,
    trainLoss: 0.69,
    validationLoss: 0.7,
  });
  at(7000, { type: 'iteration', replica: 'nominal#0', iteration: 1, diagnostics: diagnostics(1) });
  at(7000, { type: 'iteration', replica: 'data#0', iteration: 1, diagnostics: diagnostics(1) }); // not the nominal: no line
  at(10000, finished('data_boot_0', 1, 3));
  at(10000, finished('data_boot_1', 2, 3, 'resumed'));
  at(10500, step('nominal#0', 2, 'step1')); // 5.5 s after the last status line
  h.clock.t = 12000;
  h.ticks[0].tick(); // 1.5 s after: nothing
  h.clock.t = 16000;
  h.ticks[0].tick(); // no event, but 5.5 s: a status line
  at(20000, finished('weight', 3, 3));
  p.end();
  assert.is(
    h.text(),
    [
      'using 2 worker threads',
      'stored replica data_boot_0 is damaged (short); recomputing it',
      'progress: replicas 0/3 done · 5s elapsed, ~55s left · nominal iteration 1/2 step2 · data_boot_0 iteration 1/2 step1',
      'nominal: iteration 1/2 done: step1 ess 100 Δ 1.00e-1',
      'replica data_boot_0 done (1/3, took 10s); 10s elapsed, ~10s left',
      'replica data_boot_1 resumed from an earlier run (2/3)',
      'progress: replicas 2/3 done · 11s elapsed, ~4s left · nominal iteration 2/2 step1', // 0.5 of a replica left at 1.5 per 10.5 s
      'progress: replicas 2/3 done · 16s elapsed, ~5s left · nominal iteration 2/2 step1',
      'replica nominal done (3/3, took 20s); 20s elapsed, ~0s left',
      'all 3 replicas done in 20s (1 resumed)',
      '',
    ].join('\n'),
  );
  assert.is(h.ticks.length, 1);
  assert.is(h.ticks[0].ms, 5000);
  assert.ok(h.ticks[0].stopped, 'end stops the tick');
});

test('plain output of a run without replicas: no replica lines, no totals', () => {
  const h = harness(false);
  const p = progressPrinter(h.sink, 1, false, h.options);
  h.clock.t = 6000;
  p.onProgress(step('nominal#0', 1, 'step1')); // an unfolding without a replica-start event
  h.clock.t = 8000;
  p.onProgress({ type: 'iteration', replica: 'nominal#0', iteration: 1, diagnostics: diagnostics(1) });
  p.onProgress(finished('weight', 1, 1));
  p.end();
  assert.is(
    h.text(),
    'progress: 6s elapsed, time left unknown · nominal iteration 1/1 step1\nnominal: iteration 1/1 done: step1 ess 100 Δ 1.00e-1\n',
  );
});

test('terminal: one live bar redrawn in place, at most every 100 ms, never wider than the terminal', () => {
  const h = harness(true, 80);
  const p = progressPrinter(h.sink, 2, false, h.options);
  p.message('using 2 worker threads');
  assert.equal(h.writes, ['using 2 worker threads\n'], 'no bar before the first event');
  p.onProgress(start('weight', 'nominal#0', 2));
  h.clock.t = 50;
  p.onProgress(step('nominal#0', 1, 'step1')); // within 100 ms: not drawn
  assert.is(h.writes.length, 2);
  h.clock.t = 150;
  p.onProgress(step('nominal#0', 1, 'step2'));
  assert.is(h.writes.length, 3);
  assert.is(
    h.writes[2],
    `${CLEAR}[###-----------------]  12% replicas 0/2 done · 0s elapsed, ~1s left · nominal iteration 1/2 step2`.slice(
      0,
      79 + CLEAR.length,
    ),
  );
  h.clock.t = 3000;
  h.ticks[0].tick(); // a tick redraws: the elapsed time moves without events
  assert.match(h.writes[3], /^\r\u001b\[2K\[###-+\] {2}12% replicas 0\/2 done · 3s elapsed, ~21s left/);
  h.clock.t = 3020;
  p.onProgress({ type: 'iteration', replica: 'nominal#0', iteration: 1, diagnostics: diagnostics(1) });
  assert.is(
    h.writes[4],
    `${CLEAR}nominal: iteration 1/2 done: step1 ess 100 Δ 1.00e-1\n`,
    'a line of its own replaces the bar',
  );
  assert.match(h.writes[5], /^\r\u001b\[2K\[#####-+\] {2}25% /, 'and the bar comes back under it');
  p.message('warning: something');
  assert.is(h.writes[6], `${CLEAR}warning: something\n`);
  p.end();
  assert.is(h.writes[h.writes.length - 1], CLEAR, 'end clears the bar');
  assert.ok(h.ticks[0].stopped);
  for (const w of h.writes) {
    assert.ok(
      w.replace(CLEAR, '').replace(/\n$/, '').length <= 79 || w.endsWith('\n'),
      `bar segment wider than the terminal: ${JSON.stringify(w)}`,
    );
    assert.not.match(w.replace(/\n$/, ''), /\n/, 'one line per write');
  }
});

test('terminal: the bar names each running replica and its step', () => {
  const h = harness(true, 200);
  const p = progressPrinter(h.sink, 4, false, h.options);
  p.onProgress(start('weight', 'nominal#0', 3));
  h.clock.t = 200;
  p.onProgress(start('syst_jes', 'syst#0', 3));
  h.clock.t = 400;
  p.onProgress({
    type: 'epoch',
    replica: 'data#3',
    iteration: 2,
    step: 'step2',
    member: 1,
    epoch: 7,
    trainLoss: 0.5,
    validationLoss: 0.6,
  });
  const last = h.writes[h.writes.length - 1];
  assert.match(
    last,
    /nominal iteration 1\/4 · syst_jes iteration 1\/4 · data_boot_3 iteration 2\/4 step2 member 2 epoch 7$/,
  );
  assert.not.match(h.text(), /#\d/, 'never the internal kind#index key');
  h.clock.t = 600;
  p.onProgress(start('sim_boot_0', 'sim#0', 3));
  h.clock.t = 800;
  p.onProgress(start('sim_boot_1', 'sim#1', 3));
  assert.match(
    h.writes[h.writes.length - 1],
    / · data_boot_3 iteration 2\/4 step2 member 2 epoch 7 · \+2 more running$/,
  );
  p.end();
});

test('--quiet: nothing at all, and no tick', () => {
  for (const tty of [false, true]) {
    const h = harness(tty, 80);
    const p = progressPrinter(h.sink, 2, true, h.options);
    p.message('using 2 worker threads');
    p.onProgress(start('weight', 'nominal#0', 2));
    h.clock.t = 60000;
    p.onProgress(step('nominal#0', 1, 'step1'));
    p.onProgress({ type: 'iteration', replica: 'nominal#0', iteration: 1, diagnostics: diagnostics(1) });
    p.onProgress(finished('weight', 1, 2));
    p.onProgress(finished('data_boot_0', 2, 2));
    p.end();
    assert.equal(h.writes, []);
    assert.is(h.ticks.length, 0);
  }
});

test('durations: seconds, minutes, hours', () => {
  assert.equal([0, 59_400, 61_000, 3_725_000].map(formatDuration), ['0s', '59s', '1m01s', '1h02m']);
});

test('runReplicas: each computed replica announces its name and key before its unfolding events', async () => {
  const r = new ToyRandom(5, 0);
  const n = 400;
  const gen = Array.from({ length: n }, () => r.between(0, 4));
  const sim = {
    gen: fromColumns([gen], true),
    reco: fromColumns([gen.map((g) => g + r.normal(0, 0.3))], true),
    passGen: new Uint8Array(n).fill(1),
    passReco: new Uint8Array(n).fill(1),
    weights: new Float64Array(n).fill(1),
  };
  const data = {
    reco: fromColumns([Array.from({ length: 300 }, () => r.between(0, 4) + r.normal(0, 0.3))], true),
    weights: new Float64Array(300).fill(1),
  };
  const events: ReplicaProgress[] = [];
  await runReplicas(
    sim,
    data,
    {
      nIterations: 2,
      classifier: { type: 'binned', edges: [[0, 1, 2, 3, 4]] },
      dataBootstraps: 2,
      systematics: [{ name: 'w', kind: 'weight', weights: new Float64Array(n).fill(2) }],
    },
    { onProgress: (e) => events.push(e) },
  );
  const starts = events.filter(
    (e): e is Extract<ReplicaProgress, { type: 'replica-start' }> => e.type === 'replica-start',
  );
  assert.equal(starts.map((s) => `${s.name}=${s.replica}/${s.total}`).sort(), [
    'data_boot_0=data#0/4',
    'data_boot_1=data#1/4',
    'syst_w=syst#0/4',
    'weight=nominal#0/4',
  ]);
  events.forEach((e, k) => {
    if (e.type === 'step' || e.type === 'iteration')
      assert.ok(
        events.slice(0, k).some((s) => s.type === 'replica-start' && s.replica === e.replica),
        `${e.replica} started before its events`,
      );
  });
  // fed to the printer (one second per event): every line names its replica
  const h = harness(false);
  const p = progressPrinter(h.sink, 2, false, h.options);
  for (const e of events) {
    h.clock.t += 1000;
    p.onProgress(e);
  }
  p.end();
  assert.match(h.text(), /\nreplica data_boot_1 done \(\d\/4, took \d+s\); /);
  assert.match(h.text(), /\nreplica syst_w done \(\d\/4, took \d+s\); /);
  assert.match(h.text(), /\nnominal: iteration 2\/2 done: /);
  assert.match(h.text(), /\nall 4 replicas done in \d+s\n$/);
  assert.not.match(h.text(), /#\d/);
});

test('omnifold unfold with replicas: progress lines on a pipe, nothing with --quiet', () => {
  const dir = testDir('omnifold-progress-');
  const args = [
    'bin/omnifold.js',
    'unfold',
    '--toy',
    'gauss',
    '--events',
    '1500',
    '--iterations',
    '2',
    '--data-bootstraps',
    '2',
    '--threads',
    '1',
    '--no-plots',
  ];
  const loud = spawnSync(process.execPath, [...args, '--out', join(dir, 'a')], { encoding: 'utf8', cwd: root });
  assert.is(loud.status, 0, loud.stderr);
  assert.match(loud.stderr, /^nominal: iteration 1\/2 done: step1 ess /m);
  assert.match(loud.stderr, /^replica data_boot_1 done \(\d\/3, took \d+s\); \d+s elapsed, /m);
  assert.match(loud.stderr, /^all 3 replicas done in \d+s\n/m);
  assert.not.match(loud.stderr, /\r|\u001b/, 'no terminal control codes on a pipe');
  const quiet = spawnSync(process.execPath, [...args, '--out', join(dir, 'b'), '--quiet'], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.is(quiet.status, 0, quiet.stderr);
  assert.is(quiet.stderr, '');
});

test.run();
