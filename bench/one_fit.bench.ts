/**
 * One fit on several threads: the time of one MLP or PFN step job (a fit and its ratios)
 * with 1 thread and with T threads sharing it block by block (src/classifiers/gang.ts),
 * at several batch sizes, with the same bits checked on every run. Also the cost of the
 * blocks themselves on one thread: gradientBlocks 1 against the default.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/one_fit.bench.js [--events N] [--hidden 100,100,100]
 *       [--batches 128,512,10000] [--threads 2,4] [--blocks 8] [--epochs 2] [--repeats 5]
 *       [--classifier pfn --phi 100,100,128 --f 100,100 --particles 30]
 *
 * With --classifier pfn each event also carries Poisson(--particles) particles of 3
 * features (the PFN reads them and the 8 event features).
 *
 * Each pair also times T independent fits at once on the T threads (members of one step):
 * their throughput against one fit alone is what the machine itself allows (cores that
 * share caches, memory bandwidth or a host's hyperthreads give less than T×), and the
 * shared fit's ratio is also printed as a fraction of it.
 *
 * Each time is the best of `repeats` runs. The one-thread and the T-thread fits run in
 * pairs, back to back, and the median of the pairs' ratios is printed beside the ratio of
 * the bests (a shared machine's speed drifts by up to 2× for seconds). The pool's threads
 * start (and compile the kernels) before the clock; the one-thread time is the fit in
 * this thread.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fitMember } from '../src/algorithm/fit_member.js';
import type { StepJob } from '../src/algorithm/types.js';
import type { FeatureMatrix } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import type { ClassifierSpec } from '../src/classifiers/registry.js';
import { PoolRunner } from '../src/execution/pool.js';

const N_FEATURES = 8;

const N_PARTICLE_FEATURES = 3;

/** Poisson(mean) by inversion (mean ≤ ~500). */
function poisson(s: RandomStream, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = s.nextDouble();
  while (u > cdf && k < 10 * mean + 50) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

function matrix(nEvents: number, shift: number, stream: number, particles: number): FeatureMatrix {
  const s = new RandomStream(
    { seed: 3, kind: 'nominal', replica: stream, iteration: 0, step: 'none', member: 0 },
    'toy',
  );
  const values = new Float32Array(new SharedArrayBuffer(nEvents * N_FEATURES * 4));
  for (let i = 0; i < values.length; i++)
    values[i] = (s.nextDouble() + s.nextDouble() + s.nextDouble() - 1.5) * 2 + shift * ((i % N_FEATURES) / N_FEATURES);
  if (particles === 0) return { values, nEvents, nFeatures: N_FEATURES };
  const offsets = new Uint32Array(new SharedArrayBuffer(4 * (nEvents + 1)));
  for (let i = 0; i < nEvents; i++) offsets[i + 1] = offsets[i] + poisson(s, particles * (1 + shift / 4));
  const p = new Float32Array(new SharedArrayBuffer(4 * N_PARTICLE_FEATURES * offsets[nEvents]));
  for (let k = 0; k < p.length; k++) p[k] = s.nextDouble() * 2 - 1 + shift * (k % N_PARTICLE_FEATURES === 0 ? 1 : 0);
  return { values, nEvents, nFeatures: N_FEATURES, particles: { offsets, values: p, nFeatures: N_PARTICLE_FEATURES } };
}

function job(nEvents: number, classifier: ClassifierSpec, particles: number): StepJob {
  const n0 = Math.floor(nEvents / 2);
  const n1 = nEvents - n0;
  const x0 = matrix(n0, 0, 1, particles);
  const x1 = matrix(n1, 0.4, 2, particles);
  const shared = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n)).fill(1);
  return {
    step: 'step1',
    iteration: 1,
    replica: { kind: 'nominal', index: 0 },
    seed: 1,
    classifier,
    x0,
    w0: shared(n0),
    x1,
    w1: shared(n1),
    targets: [x0],
    clip: { epsilon: 1e-6, wMax: 100 },
  };
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

async function best(
  repeats: number,
  run: () => Promise<Float64Array<ArrayBufferLike>> | Float64Array<ArrayBufferLike>,
) {
  let seconds = Infinity;
  let ratios: Float64Array<ArrayBufferLike> = new Float64Array(0);
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    ratios = await run();
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
  }
  return { seconds, ratios };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '100000' },
      hidden: { type: 'string', default: '100,100,100' },
      batches: { type: 'string', default: '128,512,10000' },
      threads: { type: 'string', default: String(availableParallelism()) },
      blocks: { type: 'string', default: '8' },
      epochs: { type: 'string', default: '2' },
      repeats: { type: 'string', default: '5' },
      classifier: { type: 'string', default: 'mlp' },
      phi: { type: 'string', default: '100,100,128' },
      f: { type: 'string', default: '100,100' },
      particles: { type: 'string', default: '30' },
    },
  });
  const nEvents = Number(values.events);
  const hidden = values.hidden.split(',').map(Number);
  const blocks = Number(values.blocks);
  const repeats = Number(values.repeats);
  const threadCounts = values.threads.split(',').map(Number);
  const isPfn = values.classifier === 'pfn';
  const particles = isPfn ? Number(values.particles) : 0;
  const network = isPfn
    ? `PFN Φ ${values.phi} F ${values.f}, Poisson(${particles}) particles × ${N_PARTICLE_FEATURES} features`
    : `MLP ${hidden.join('×')}`;
  const widths = (text: string) => text.split(',').map(Number);
  console.log(
    `# one fit, ${nEvents} events × ${N_FEATURES} features, ${network}, ${values.epochs} epochs, ` +
      `${blocks} gradient blocks; ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    'batch | 1 block, 1 thread (s) | 1 thread (s) | threads | time (s) | ratio of bests | median ratio of pairs (range) | ' +
      'T independent fits: throughput against 1, median (range) | shared / independent | same bits',
  );
  for (const batchSize of values.batches.split(',').map(Number)) {
    const training = { epochs: Number(values.epochs), batchSize, patience: 0 };
    const spec = (gradientBlocks: number): ClassifierSpec =>
      isPfn
        ? { type: 'pfn', phi: widths(values.phi), f: widths(values.f), ...training, gradientBlocks }
        : { type: 'mlp', hidden, ...training, gradientBlocks };
    const plain = await best(repeats, () => fitMember(job(nEvents, spec(1), particles), 0).ratios[0]);
    for (const threads of threadCounts) {
      const runner = new PoolRunner({ threads });
      const stepJob = job(nEvents, spec(blocks), particles);
      try {
        await runner.fitMembers(job(2000, spec(blocks), particles), 1); // threads started, kernels compiled
        // pairs, one thread then `threads`, back to back: the machine's speed drifts less
        // within a pair than across the run
        const ratios: number[] = [];
        // the machine's own ceiling, in the same pairs: T whole fits at once on T threads
        const independent: number[] = [];
        let alone = Infinity;
        let shared = Infinity;
        let same = true;
        for (let r = 0; r < repeats; r++) {
          const one = await best(1, () => fitMember(stepJob, 0).ratios[0]);
          const many = await best(1, async () => (await runner.fitMembers(stepJob, 1))[0].ratios[0]);
          ratios.push(one.seconds / many.seconds);
          const apart = await best(1, async () => (await runner.fitMembers(stepJob, threads))[0].ratios[0]);
          independent.push((threads * one.seconds) / apart.seconds);
          alone = Math.min(alone, one.seconds);
          shared = Math.min(shared, many.seconds);
          same &&= sameBits(one.ratios, many.ratios);
        }
        const summary = (values: number[]) => {
          values.sort((a, b) => a - b);
          const median = values[Math.floor(values.length / 2)];
          return {
            median,
            text: `${median.toFixed(2)}× (${values[0].toFixed(2)}–${values[values.length - 1].toFixed(2)})`,
          };
        };
        const sharedRatio = summary(ratios);
        const ceiling = summary(independent);
        console.log(
          `${batchSize} | ${plain.seconds.toFixed(2)} | ${alone.toFixed(2)} | ${threads} | ${shared.toFixed(2)} | ` +
            `${(alone / shared).toFixed(2)}× | ${sharedRatio.text} | ${ceiling.text} | ` +
            `${(sharedRatio.median / ceiling.median).toFixed(2)} | ${same}`,
        );
      } finally {
        await runner.close();
      }
    }
  }
}

await main();
