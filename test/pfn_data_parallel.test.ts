// One PFN fit shared by several threads (src/classifiers/pfn/block_step.ts): the same bits
// as one thread. Runs on compiled output (the pool's worker is dist/workers/unfold_task.js).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FeatureMatrix } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import { fitMember } from '../src/algorithm/fit_member.js';
import type { StepJob } from '../src/algorithm/types.js';
import { PFN_CLASSIFIER } from '../src/classifiers/pfn/kind.js';
import { batchParticleBound, multiplicity } from '../src/classifiers/pfn/particles.js';
import { stopGang } from '../src/classifiers/gang.js';
import type { ClassifierSpec } from '../src/classifiers/registry.js';
import { assertBitEqual } from './helpers/close.js';
import { assertBlocksAgree, assertSameRatios, sharedFit } from './helpers/shared_fit.js';
import { poisson } from './helpers/poisson.js';

/** `n` events of Poisson(`mean`) particles × 3 features and 2 event features, in shared memory. */
function events(n: number, mean: number, member: number): FeatureMatrix {
  const s = new RandomStream({ seed: 9, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member }, 'toy');
  const offsets = new Uint32Array(new SharedArrayBuffer(4 * (n + 1)));
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + poisson(s, mean);
  const values = new Float32Array(new SharedArrayBuffer(12 * offsets[n]));
  for (let k = 0; k < values.length; k++) values[k] = s.nextDouble() * 2 - 1 + (k % 3 === 0 ? mean / 10 : 0);
  const ev = new Float32Array(new SharedArrayBuffer(8 * n));
  for (let k = 0; k < ev.length; k++) ev[k] = s.nextDouble() + (k % 2) * mean * 0.05;
  return { values: ev, nEvents: n, nFeatures: 2, particles: { offsets, values, nFeatures: 3 } };
}

function makeJob(classifier: ClassifierSpec): StepJob {
  const x0 = events(1501, 5, 1);
  const x1 = events(1388, 6, 2);
  return {
    step: 'step1',
    iteration: 1,
    replica: { kind: 'nominal', index: 0 },
    seed: 31,
    classifier,
    x0,
    w0: Float64Array.from({ length: x0.nEvents }, (_, i) => 1 + (i % 3) * 0.5),
    x1,
    w1: new Float64Array(x1.nEvents).fill(1),
    targets: [x0],
    clip: { epsilon: 1e-6, wMax: 100 },
  };
}

const pfn = (gradientBlocks: number, extra: object = {}): ClassifierSpec => ({
  type: 'pfn',
  phi: [12, 8],
  f: [8],
  epochs: 3,
  batchSize: 128,
  patience: 0,
  gradientBlocks,
  ...extra,
});

for (const [name, extra] of [
  ['plain', {}],
  ['decorrelated (a whole-minibatch gradient term)', { decorrelate: 1, discoLambda: 0.5 }],
  ['particles only (no event features)', { eventFeatures: false }],
] as const) {
  test(`one PFN fit on 1, 2 and 3 threads, ${name}: helpers compute blocks, the ratios are the same bits`, async () => {
    const job = makeJob(pfn(8, extra));
    const alone = [fitMember(job, 0)];
    for (const threads of [2, 3]) {
      const { results, helped } = await sharedFit(job, threads);
      assertSameRatios(`${threads} threads`, results, alone);
      // 3 epochs × 19 minibatches × 8 blocks: the helpers took part
      assert.ok(helped > 0, `${threads} threads: helpers computed ${helped} blocks`);
    }
  });
}

test('the block count changes the arithmetic, not the result: 1 and 8 blocks agree to rounding', () => {
  const one = fitMember(makeJob(pfn(1)), 0).ratios[0];
  const eight = fitMember(makeJob(pfn(8)), 0).ratios[0];
  // float rounding of the gradient sums, grown over 57 Adam steps: far below the statistics
  assertBlocksAgree(one, eight, 0.05);
});

test('a PFN gang: none with one block or without particles; a helper of an ended fit returns at once', () => {
  const job = makeJob(pfn(8));
  const spec = job.classifier as never;
  const parallel = PFN_CLASSIFIER.dataParallel!;
  assert.is(parallel.gang(pfn(1) as never, job.x0, job.x1), undefined, 'one block: no gang');
  const flat = { values: job.x0.values, nEvents: job.x0.nEvents, nFeatures: 2 };
  assert.is(parallel.gang(spec, flat, flat), undefined, 'no particles: no gang');
  const gang = parallel.gang(spec, job.x0, job.x1)!;
  stopGang(gang);
  assert.is(parallel.help(spec, gang), 0);
});

test('a gang made for other inputs is not used: the fit trains alone, with its own bits', () => {
  const job = makeJob(pfn(8));
  const other = makeJob(pfn(8));
  // a gang sized for fewer particles per event
  const small = { ...other.x1, particles: { ...other.x1.particles!, offsets: new Uint32Array(other.x1.nEvents + 1) } };
  const gang = PFN_CLASSIFIER.dataParallel!.gang(job.classifier as never, small, small)!;
  const alone = fitMember(job, 0);
  const withGang = fitMember(job, 0, undefined, undefined, gang);
  assertBitEqual('ratios', withGang.ratios[0], alone.ratios[0]);
});

test('the particle bound of a batch is the sum of its largest multiplicities (against a sort)', () => {
  const x0 = events(301, 3, 5);
  const x1 = events(77, 9, 6);
  const all = [x0, x1].flatMap((x) => Array.from({ length: x.nEvents }, (_, i) => multiplicity(x, i)));
  all.sort((a, b) => b - a);
  for (const batch of [1, 2, 7, 64, 377, 378, 1000]) {
    const want = all.slice(0, batch).reduce((a, b) => a + b, 0);
    assert.is(batchParticleBound([x0, x1], batch), want, `batch ${batch}`);
  }
  const empty = { ...x1, particles: { ...x1.particles!, offsets: new Uint32Array(x1.nEvents + 1) } };
  assert.is(batchParticleBound([empty], 10), 0, 'no particles');
});

test.run();
