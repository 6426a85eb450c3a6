// mlp.init: PyTorch's default initialisation starts near ln 2; the engine's He-uniform does not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns } from '../src/base/features.js';
import { RandomStream } from '../src/base/rng.js';
import { MlpClassifier } from '../src/classifiers/mlp/classifier.js';
import { resolveMlpOptions } from '../src/classifiers/mlp/options.js';
import { MLP_CLASSIFIER } from '../src/classifiers/mlp/kind.js';

function column(n: number, mean: number, replica: number): Float64Array {
  const s = new RandomStream({ seed: 9, kind: 'nominal', replica, iteration: 0, step: 'none', member: 0 }, 'toy');
  return Float64Array.from({ length: n }, () => mean + 3 * (s.nextDouble() - 0.5));
}

/** The weighted BCE of the first epoch, trained with a learning rate too small to move anything. */
function startingLoss(init: 'he' | 'torch', seed: number): number {
  const n = 2000;
  const x0 = fromColumns([column(n, 0, 0), column(n, 1, 1), column(n, -1, 2), column(n, 2, 3)]);
  const x1 = fromColumns([column(n, 0.2, 4), column(n, 1, 5), column(n, -1, 6), column(n, 2, 7)]);
  const w = new Float64Array(n).fill(1);
  let loss = NaN;
  new MlpClassifier({ hidden: [100, 100, 100], epochs: 1, learningRate: 1e-12, init }).fit(x0, w, x1, w, {
    rngKey: { seed, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 },
    onEpoch: (r) => (loss = r.trainLoss),
  });
  return loss;
}

test('init torch starts every fit near ln 2; init he starts further away on some seed', () => {
  const torch = [1, 2, 3].map((seed) => startingLoss('torch', seed));
  const he = [1, 2, 3].map((seed) => startingLoss('he', seed));
  // uniform(±1/√fan_in) weights and biases give logits of spread ≈ 0.03: BCE within 0.01 of ln 2
  for (const l of torch) assert.ok(Math.abs(l - Math.LN2) < 0.01, `torch: starting loss ${l}`);
  // He-uniform hidden layers and a Glorot logit layer: logits of spread ≈ 1
  assert.ok(Math.max(...he.map((l) => Math.abs(l - Math.LN2))) > 0.05, `he: starting losses ${he.join(', ')}`);
});

test('mlp.init and --init are checked', () => {
  assert.is(resolveMlpOptions({}).init, 'he');
  assert.throws(() => resolveMlpOptions({ init: 'xavier' as 'he' }), /mlp.init must be one of he, torch; got "xavier"/);
  const flag = MLP_CLASSIFIER.flags.find((f) => f.name === 'init')!;
  assert.is(flag.parse('torch'), 'torch');
  assert.throws(() => flag.parse('glorot'), /--init/);
});

test.run();
