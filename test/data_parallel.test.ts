// One fit shared by several threads (src/classifiers/mlp/gang.ts): the same bits as one thread.
// Runs on compiled output (the pool's worker is dist/workers/unfold_task.js).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import { fitMember } from '../src/algorithm/fit_member.js';
import type { StepJob } from '../src/algorithm/types.js';
import { resolveMlpOptions } from '../src/classifiers/mlp/options.js';
import { MLP_CLASSIFIER } from '../src/classifiers/mlp/kind.js';
import { stopGang } from '../src/classifiers/gang.js';
import type { ClassifierSpec } from '../src/classifiers/registry.js';
import { PoolRunner } from '../src/execution/pool.js';
import { assertBlocksAgree, assertSameRatios, sharedFit } from './helpers/shared_fit.js';

function column(n: number, mean: number, sigma: number, replica: number): Float64Array {
  const s = new RandomStream({ seed: 5, kind: 'nominal', replica, iteration: 0, step: 'none', member: 0 }, 'toy');
  return Float64Array.from({ length: n }, () => {
    let u = 0;
    for (let k = 0; k < 12; k++) u += s.nextDouble();
    return mean + sigma * (u - 6);
  });
}

function makeJob(classifier: ClassifierSpec): StepJob {
  const n0 = 3001;
  const n1 = 2777;
  const x0 = fromColumns([column(n0, 0, 1, 0), column(n0, 1, 2, 1), column(n0, 0, 1, 2)]);
  const x1 = fromColumns([column(n1, 0.3, 1, 3), column(n1, 1.2, 2, 4), column(n1, 0.1, 1.2, 5)]);
  return {
    step: 'step1',
    iteration: 1,
    replica: { kind: 'nominal', index: 0 },
    seed: 77,
    classifier,
    x0,
    w0: Float64Array.from({ length: n0 }, (_, i) => 1 + (i % 4) * 0.25),
    x1,
    w1: new Float64Array(n1).fill(1),
    targets: [x0],
    clip: { epsilon: 1e-6, wMax: 100 },
  };
}

const mlp = (gradientBlocks: number): ClassifierSpec => ({
  type: 'mlp',
  hidden: [24, 24],
  epochs: 3,
  batchSize: 256,
  patience: 0,
  gradientBlocks,
});

test('one fit on 1, 2 and 3 threads: helpers compute blocks, the ratios are the same bits', async () => {
  const job = makeJob(mlp(8));
  const alone = [fitMember(job, 0)];
  for (const threads of [2, 3]) {
    const { results, helped } = await sharedFit(job, threads);
    assertSameRatios(`${threads} threads`, results, alone);
    // 3 epochs × 23 minibatches × 8 blocks: the helpers took part
    assert.ok(helped > 0, `${threads} threads: helpers computed ${helped} blocks`);
  }
});

test('with a decorrelation penalty (a whole-minibatch gradient term), 1, 2 and 3 threads give the same bits', async () => {
  const job = makeJob({ ...mlp(8), decorrelate: 1, discoLambda: 0.5 } as ClassifierSpec);
  const alone = [fitMember(job, 0)];
  // the penalty changes the fit: not the unpenalised bits
  const unpenalised = fitMember(makeJob(mlp(8)), 0).ratios[0];
  assert.ok(
    alone[0].ratios[0].some((r, i) => r !== unpenalised[i]),
    'the penalty changes the ratios',
  );
  for (const threads of [2, 3]) {
    const { results, helped } = await sharedFit(job, threads);
    assertSameRatios(`${threads} threads`, results, alone);
    assert.ok(helped > 0, `${threads} threads: helpers computed ${helped} blocks`);
  }
});

test('members that fill the pool get no helpers, and keep their bits', async () => {
  const job = makeJob(mlp(8));
  const alone = [0, 1].map((m) => fitMember(job, m));
  const runner = new PoolRunner({ threads: 2 });
  try {
    assertSameRatios('2 members on 2 threads', await runner.fitMembers(job, 2), alone);
    assert.is(runner.helpedBlocks, 0);
  } finally {
    await runner.close();
  }
});

test('the block count changes the arithmetic, not the result: 1 and 8 blocks agree to rounding', () => {
  const one = fitMember(makeJob(mlp(1)), 0).ratios[0];
  const eight = fitMember(makeJob(mlp(8)), 0).ratios[0];
  // float rounding of the gradient sums, grown over 57 Adam steps: far below the statistics
  assertBlocksAgree(one, eight, 0.05);
});

test('a helper of a fit that has ended returns at once, having computed nothing', () => {
  const spec = { type: 'mlp' as const, ...resolveMlpOptions({ hidden: [4], batchSize: 64 }) };
  const x = fromColumns([new Float64Array(5), new Float64Array(5), new Float64Array(5)]);
  const gang = MLP_CLASSIFIER.dataParallel!.gang(spec, x, x)!;
  stopGang(gang);
  assert.is(MLP_CLASSIFIER.dataParallel!.help(spec, gang), 0);
  assert.is(MLP_CLASSIFIER.dataParallel!.gang({ ...spec, gradientBlocks: 1 }, x, x), undefined, 'one block: no gang');
});

test('mlp.gradientBlocks is checked', () => {
  assert.throws(
    () => resolveMlpOptions({ gradientBlocks: 0 }),
    /mlp.gradientBlocks must be an integer in \[1, 256\]; got 0/,
  );
  assert.throws(
    () => resolveMlpOptions({ gradientBlocks: 2.5 }),
    /mlp.gradientBlocks must be an integer in \[1, 256\]; got 2.5/,
  );
  const flag = MLP_CLASSIFIER.flags.find((f) => f.name === 'gradient-blocks')!;
  assert.throws(() => flag.parse('257'), /--gradient-blocks must be an integer in \[1, 256\]; got "257"/);
  assert.is(flag.parse('16'), 16);
});

test.run();
