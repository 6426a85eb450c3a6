/**
 * Pool scaling: throughput of an ensemble (or bootstrap) step job at 1, 2, 4 and 8 worker
 * threads, and the peak RSS of a 10⁶-event, 8-feature job with 1 vs 4 workers: one step
 * job, and whole unfoldings of 0.5, 1 and 2 × 10⁶ events (the difference must not grow
 * with the data), next to the RSS of empty Node worker threads (the floor of any pool).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/pool.bench.js [--events N] [--members M] [--repeats R]
 *
 * Each configuration is timed as the best of R runs (default 2) after a warm-up task per
 * thread (a step job takes seconds; tinybench's sampling would add nothing but time). RSS is measured in a fresh
 * child process per worker count (`--rss T`), as process.resourceUsage().maxRSS, which
 * counts every thread of the process.
 */
import { execFile, spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { ClassifierSpec } from '../src/classifiers/registry.js';
import type { FeatureMatrix } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { PoolRunner } from '../src/execution/pool.js';
import { RandomStream } from '../src/base/rng.js';
import type { StepJob } from '../src/algorithm/types.js';

const N_FEATURES = 8;

function matrix(nEvents: number, shift: number, stream: number): FeatureMatrix {
  const s = new RandomStream(
    { seed: 1, kind: 'nominal', replica: stream, iteration: 0, step: 'none', member: 0 },
    'toy',
  );
  const values = new Float32Array(new SharedArrayBuffer(nEvents * N_FEATURES * 4)); // [nEvents × 8], row-major
  for (let i = 0; i < values.length; i++)
    values[i] = (s.nextDouble() + s.nextDouble() + s.nextDouble() - 1.5) * 2 + shift;
  return { values, nEvents, nFeatures: N_FEATURES };
}

const MLP: ClassifierSpec = { type: 'mlp', hidden: [32, 32], epochs: 2, batchSize: 256, patience: 0 };
const BINNED: ClassifierSpec = { type: 'binned', edges: Array.from({ length: N_FEATURES }, () => [-2, 0, 2]) };

function job(nEvents: number, classifier: ClassifierSpec): StepJob {
  const x0 = matrix(nEvents, 0, 0);
  const x1 = matrix(nEvents, 0.2, 1);
  const w = new Float64Array(new SharedArrayBuffer(nEvents * 8)).fill(1);
  return {
    step: 'step1',
    iteration: 1,
    replica: { kind: 'nominal', index: 0 },
    seed: 1,
    classifier,
    x0,
    w0: w,
    x1,
    w1: w,
    targets: [x0],
    clip: { epsilon: 1e-6, wMax: 100 },
  };
}

/**
 * A whole unfolding of `nEvents` sim events (8 gen + 8 reco features) against as many data events,
 * one iteration, 4 members per step, a tiny MLP: the event data the pool must share.
 */
async function rssUnfoldChild(threads: number, nEvents: number): Promise<void> {
  const sim = {
    gen: matrix(nEvents, 0, 2),
    reco: matrix(nEvents, 0, 3),
    passGen: new Uint8Array(nEvents).fill(1),
    passReco: new Uint8Array(nEvents).fill(1),
    weights: new Float64Array(nEvents).fill(1),
  };
  const data = { reco: matrix(nEvents, 0.2, 4), weights: new Float64Array(nEvents).fill(1) };
  const dataBytes =
    sim.gen.values.byteLength +
    sim.reco.values.byteLength +
    data.reco.values.byteLength +
    sim.weights.byteLength +
    data.weights.byteLength;
  const runner = new PoolRunner({ threads });
  try {
    await unfold(sim, data, { nIterations: 1, nMembers: 4, classifier: RSS_MLP }, { runner });
  } finally {
    await runner.close();
  }
  process.stdout.write(
    JSON.stringify({ threads, maxRssBytes: process.resourceUsage().maxRSS * 1024, dataBytes }) + '\n',
  );
}

/**
 * Best of `repeats` timed runs after a warm-up task per thread: wall seconds, and the cores
 * the process kept busy meanwhile (CPU seconds of all its threads / wall seconds), which
 * shows how much of the machine the other load left us.
 */
async function timed(
  threads: number,
  j: StepJob,
  nMembers: number,
  repeats: number,
): Promise<{ seconds: number; cores: number }> {
  const runner = new PoolRunner({ threads });
  try {
    await runner.fitMembers({ ...j, targets: [] }, threads); // warm-up: start every thread
    let best = { seconds: Infinity, cores: 0 };
    for (let r = 0; r < repeats; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await runner.fitMembers(j, nMembers);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (seconds < best.seconds) best = { seconds, cores: (cpu.user + cpu.system) / 1e6 / seconds };
    }
    return best;
  } finally {
    await runner.close();
  }
}

const RSS_MLP: ClassifierSpec = { type: 'mlp', hidden: [16], epochs: 1, batchSize: 512, patience: 0 };

/** Peak RSS with `threads` worker threads that load nothing and wait: Node's own per-thread cost. */
async function rssEmptyChild(threads: number): Promise<void> {
  const workers = Array.from(
    { length: threads },
    () => new Worker("require('node:worker_threads').parentPort.postMessage('up')", { eval: true }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.all(workers.map((w) => w.terminate()));
  process.stdout.write(
    JSON.stringify({ threads, maxRssBytes: process.resourceUsage().maxRSS * 1024, dataBytes: 0 }) + '\n',
  );
}

async function rssChild(threads: number, nEvents: number, nMembers: number, bare: boolean): Promise<void> {
  const classifier = RSS_MLP;
  const j = job(nEvents, classifier);
  const dataBytes = j.x0.values.byteLength + j.x1.values.byteLength + j.w0.byteLength;
  const runner = new PoolRunner({ threads });
  try {
    // bare: only start the threads (tiny job), to separate per-thread overhead from data
    await runner.fitMembers(bare ? job(64, BINNED) : j, bare ? threads : nMembers);
  } finally {
    await runner.close();
  }
  process.stdout.write(
    JSON.stringify({
      threads,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      dataBytes,
      classifier: classifier.type,
    }) + '\n',
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      members: { type: 'string' },
      repeats: { type: 'string' },
      rss: { type: 'string' },
      bare: { type: 'boolean' },
      'rss-unfold': { type: 'string' },
      'rss-events': { type: 'string' },
      'rss-empty': { type: 'string' },
      solo: { type: 'boolean' },
    },
  });
  if (values.rss !== undefined) return rssChild(Number(values.rss), 1_000_000, 4, values.bare === true);
  if (values['rss-unfold'] !== undefined)
    return rssUnfoldChild(Number(values['rss-unfold']), Number(values['rss-events'] ?? 1_000_000));
  if (values['rss-empty'] !== undefined) return rssEmptyChild(Number(values['rss-empty']));
  const repeats = Number(values.repeats ?? 2);
  const nEvents = Number(values.events ?? 50_000);
  const nMembers = Number(values.members ?? 8);
  const classifier = MLP;
  if (values.solo === true) {
    // one process of the "two independent processes" reference: half the members on one thread
    const { seconds } = await timed(1, job(nEvents, classifier), nMembers / 2, repeats);
    process.stdout.write(JSON.stringify({ seconds }) + '\n');
    return;
  }
  const epochs = classifier.type === 'mlp' ? (classifier.epochs ?? 1) : 1;
  console.log(
    `node ${process.version}; CPU ${cpus()[0]?.model ?? 'unknown'}; availableParallelism ${availableParallelism()}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log("measured under load: the machine is shared with other engineers' builds and tests");
  console.log(
    `job: ${nMembers} members × (${nEvents} + ${nEvents} events × ${N_FEATURES} features), classifier ${JSON.stringify(classifier)}\n`,
  );
  const j = job(nEvents, classifier);
  const samples = nMembers * 2 * nEvents * epochs;
  console.log('threads   seconds   samples·epochs/s   speed-up   cores busy');
  let base = 0;
  for (const threads of [1, 2, 4, 8]) {
    const { seconds: s, cores } = await timed(threads, j, nMembers, repeats);
    base ||= s;
    console.log(
      `${String(threads).padStart(7)}   ${s.toFixed(3).padStart(7)}   ${(samples / s).toExponential(3).padStart(16)}   ${(base / s).toFixed(2).padStart(7)}×   ${cores.toFixed(2).padStart(10)}`,
    );
  }
  // the machine's own limit: two independent one-thread processes, each fitting half the members
  const solo = () =>
    new Promise<number>((resolve, reject) => {
      const args = [
        fileURLToPath(import.meta.url),
        '--solo',
        '--events',
        String(nEvents),
        '--members',
        String(nMembers),
        '--repeats',
        String(repeats),
      ];
      execFile(process.execPath, args, (error, stdout) =>
        error ? reject(error) : resolve((JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number }).seconds),
      );
    });
  const pair = await Promise.all([solo(), solo()]);
  console.log(
    `reference: 2 independent 1-thread processes, ${nMembers / 2} members each, finish in ${Math.max(...pair).toFixed(3)} s: ${(base / Math.max(...pair)).toFixed(2)}× one thread (what this machine gives two threads)`,
  );
  console.log(
    `\npeak RSS, one step job: 10⁶ events × 8 features per class, 4 members, ${JSON.stringify(RSS_MLP)} (fresh process each)`,
  );
  const child = (threads: number, bare: boolean, mode = '--rss', extra: string[] = []) => {
    const out = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), mode, String(threads), ...(bare ? ['--bare'] : []), ...extra],
      { encoding: 'utf8' },
    );
    if (out.status !== 0) throw new Error(`rss child failed: ${out.stderr}`);
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      threads: number;
      maxRssBytes: number;
      dataBytes: number;
    };
  };
  const rows = [child(1, false), child(4, false)];
  const bare = [child(1, true), child(4, true)];
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  for (const r of rows)
    console.log(
      `${String(r.threads).padStart(7)} workers: peak RSS ${mb(r.maxRssBytes)} MiB (event data ${mb(r.dataBytes)} MiB)`,
    );
  const diff = rows[1].maxRssBytes - rows[0].maxRssBytes;
  console.log(
    `difference 4 − 1 workers: ${mb(diff)} MiB = ${((100 * diff) / rows[0].dataBytes).toFixed(1)} % of the event data (target < 25 %)`,
  );
  const idle = bare[1].maxRssBytes - bare[0].maxRssBytes;
  console.log(
    `same data, threads only started (tiny job): 4 − 1 workers = ${mb(idle)} MiB, i.e. ${mb(idle / 3)} MiB per extra thread`,
  );
  console.log(
    '\npeak RSS, a whole unfolding: N sim events (8 gen + 8 reco features) and N data events, 1 iteration, 4 members (fresh process each, least of 3)',
  );
  console.log('    events   event data   1 worker   4 workers   difference   of the data (target < 25 %)');
  for (const events of [500_000, 1_000_000, 2_000_000]) {
    // the orchestrator's transient arrays make one run's peak vary by ±8 MiB: least of 3 runs each
    const least = (t: number) =>
      [0, 1, 2]
        .map(() => child(t, false, '--rss-unfold', ['--rss-events', String(events)]))
        .reduce((a, b) => (b.maxRssBytes < a.maxRssBytes ? b : a));
    const [one, four] = [least(1), least(4)];
    const d = four.maxRssBytes - one.maxRssBytes;
    console.log(
      `${events.toExponential(1).padStart(10)}   ${mb(one.dataBytes).padStart(6)} MiB   ${mb(one.maxRssBytes).padStart(4)} MiB   ${mb(four.maxRssBytes).padStart(5)} MiB   ${mb(d).padStart(6)} MiB   ${((100 * d) / one.dataBytes).toFixed(1).padStart(5)} %`,
    );
  }
  const empty = [1, 4].map((t) => child(t, false, '--rss-empty'));
  const floor = empty[1].maxRssBytes - empty[0].maxRssBytes;
  console.log(
    `Node's floor: 3 more empty worker threads (no piscina, no engine code) add ${mb(floor)} MiB, ${mb(floor / 3)} MiB each`,
  );
}

await main();
