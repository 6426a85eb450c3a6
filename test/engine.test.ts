// The engine in worker threads (createEngine, through comlink): the nominal weights and
// every replica column are the same bits as the same run in this thread, for 1, 2 and 3
// workers, with the binned classifier and with an MLP ensemble; a run can be cancelled
// (and the next call starts the workers afresh); weights files are read and histogrammed
// in a worker as in this thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import {
  computeReplica,
  createEngine,
  decodeWeightsFile,
  encodeWeightsFile,
  gaussToy,
  hepdataHistogram,
  mergeReplicas,
  MemoryReplicaStore,
  prepareReplicas,
  type ReplicaOptions,
  type UnfoldProgress,
} from '../src/index.js';

const TOY = { nSim: 3000, nData: 3000, seed: 3 };
const MLP: ReplicaOptions = {
  nIterations: 2,
  seed: 9,
  nMembers: 2,
  classifier: { type: 'mlp', hidden: [8, 8], epochs: 2, batchSize: 128 },
  dataBootstraps: 2,
};
const BINNED: ReplicaOptions = {
  nIterations: 3,
  seed: 4,
  classifier: { type: 'binned', edges: [[-3, -1.5, -0.5, 0, 0.5, 1.5, 3]] },
  dataBootstraps: 3,
  simBootstraps: 1,
};

function sha(values: Float64Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

/** Every column of the run in this thread, by name → SHA-256. */
async function inThisThread(options: ReplicaOptions): Promise<Record<string, string>> {
  const toy = gaussToy(TOY);
  const work = prepareReplicas(toy.sim, toy.data, options, false);
  const store = new MemoryReplicaStore();
  for (let k = 0; k < work.plan.length; k++) store.write(await computeReplica(work, k));
  return Object.fromEntries(mergeReplicas(work, store, []).columns.map((c) => [c.name, sha(c.values)]));
}

for (const [name, options] of [
  ['binned', BINNED],
  ['MLP ensemble', MLP],
] as const) {
  test(`${name}: 1, 2 and 3 workers give the bits of this thread, every column`, async () => {
    const expected = await inThisThread(options);
    for (const workers of [1, 2, 3]) {
      const engine = await createEngine({ workers });
      try {
        const toy = gaussToy(TOY);
        const progress: UnfoldProgress[] = [];
        const result = await engine.unfold(toy.sim, toy.data, options, (p) => progress.push(p));
        assert.equal(
          Object.fromEntries(result.columns.map((c) => [c.name, sha(c.values)])),
          expected,
          `${workers} workers`,
        );
        assert.is(sha(result.weights), expected.weight);
        assert.is(result.lanes, workers);
        assert.is(result.sharing, workers === 1 ? 'none' : 'shared');
        assert.is(engine.sharing, result.sharing);
        assert.ok(progress.length > 0, 'progress reached this thread');
        assert.is(toy.sim.weights.length, 0, 'the inputs were transferred, not copied');
      } finally {
        await engine.close();
      }
    }
  });
}

test('a run can be cancelled; the next call starts the workers afresh', async () => {
  const engine = await createEngine({ workers: 2 });
  try {
    const controller = new AbortController();
    const toy = gaussToy(TOY);
    const run = engine.unfold(toy.sim, toy.data, { ...MLP, dataBootstraps: 20 }, () => controller.abort(), {
      signal: controller.signal,
    });
    await run.then(
      () => assert.unreachable('a cancelled run must reject'),
      (error: unknown) => assert.is((error as Error).name, 'AbortError'),
    );
    const again = gaussToy(TOY);
    const result = await engine.unfold(again.sim, again.data, BINNED);
    assert.is(sha(result.weights), (await inThisThread(BINNED)).weight);
  } finally {
    await engine.close();
  }
  await engine.unfold(gaussToy(TOY).sim, gaussToy(TOY).data, BINNED).then(
    () => assert.unreachable('a closed engine takes no call'),
    (error: unknown) => assert.match((error as Error).message, /engine is closed/),
  );
});

test('readWeights and hist in a worker equal decodeWeightsFile and hepdataHistogram here', async () => {
  const toy = gaussToy(TOY);
  const work = prepareReplicas(toy.sim, toy.data, BINNED, false);
  const store = new MemoryReplicaStore();
  for (let k = 0; k < work.plan.length; k++) store.write(await computeReplica(work, k));
  const merged = mergeReplicas(work, store, []);
  const bytes = encodeWeightsFile({
    genNames: ['x'],
    gen: toy.sim.gen,
    passGen: toy.sim.passGen,
    passReco: toy.sim.passReco,
    priorWeights: toy.sim.weights,
    dataWeightSum: TOY.nData,
    result: merged.nominal,
    replicas: merged.columns.slice(1),
    configuration: {},
    inputs: [],
  });
  const here = decodeWeightsFile(bytes);
  const request = { obs: 'x', edges: [-2, -1, 0, 1, 2], where: 'x > -1.5' };
  const expected = hepdataHistogram(here, request);
  const engine = await createEngine();
  try {
    const file = await engine.readWeights(bytes.slice());
    assert.equal(file.metadata, here.metadata);
    assert.equal(file.columnNames, here.columnNames);
    const bytesOf = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    for (const name of here.columnNames)
      assert.ok(bytesOf(file.columns.get(name)!).equals(bytesOf(here.columns.get(name)!)), name);
    assert.equal(await engine.hist(bytes.slice(), request), expected);
  } finally {
    await engine.close();
  }
});

test.run();
