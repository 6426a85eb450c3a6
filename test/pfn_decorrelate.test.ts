/**
 * The decorrelation penalty (`decorrelate`, `discoLambda`; docs/algorithm.md
 * "Decorrelation") on the PFN: a toy where the PFN's output follows the multiplicity, and
 * an event feature v that the network never reads (eventFeatures: false) is the
 * multiplicity plus noise. The penalty drives dCorr²(f, v) down on held-out events; λ = 0
 * trains exactly as without the option.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FeatureMatrix } from '../src/base/features.js';
import { RandomStream, type RngKey } from '../src/base/rng.js';
import { PfnClassifier } from '../src/classifiers/pfn/classifier.js';
import type { PfnOptions } from '../src/classifiers/pfn/options.js';
import { distanceCorrF64 } from '../src/kernels/distance_corr_f64.js';
import { assertBitEqual } from './helpers/close.js';
import { poisson } from './helpers/poisson.js';

const KEY: RngKey = { seed: 5, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 };
const CLIP = { epsilon: 1e-6, wMax: 1e6 };

/** `n` events of Poisson(`mean`) particles with 2 uniform features; one event feature v = multiplicity + U(0, 2). */
function events(member: number, n: number, mean: number): FeatureMatrix {
  const s = new RandomStream({ ...KEY, member }, 'toy');
  const offsets = new Uint32Array(n + 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = poisson(s, mean);
    offsets[i + 1] = offsets[i] + m;
    v[i] = m + 2 * s.nextDouble();
  }
  const values = new Float32Array(offsets[n] * 2);
  for (let k = 0; k < values.length; k++) values[k] = 2 * s.nextDouble() - 1;
  return { values: v, nEvents: n, nFeatures: 1, particles: { offsets, values, nFeatures: 2 } };
}

const N = 3000;
const train = { x0: events(1, N, 4), x1: events(2, N, 7) };
const held = [events(3, 1500, 4), events(4, 1500, 7)];
const ones = new Float64Array(N).fill(1);
const BASE: Partial<PfnOptions> = {
  phi: [16, 16],
  f: [16],
  epochs: 6,
  batchSize: 128,
  patience: 0,
  eventFeatures: false,
};

/**
 * The model's outputs f = r/(1 + r) (equal class totals) on the held-out events, and
 * dCorr²(f, v) there: over both classes, and within class 0 alone.
 */
function heldOut(options: Partial<PfnOptions>): { f: Float64Array; dcorr2: number; within0: number } {
  const model = new PfnClassifier({ ...BASE, ...options }).fit(train.x0, ones, train.x1, ones, { rngKey: KEY });
  const f: number[] = [];
  const v: number[] = [];
  for (const x of held) {
    model.ratio(x, CLIP).ratio.forEach((r) => f.push(r / (1 + r)));
    v.push(...x.values);
  }
  const n0 = held[0].nEvents;
  return {
    f: Float64Array.from(f),
    dcorr2: distanceCorrF64(f, v, new Float64Array(f.length).fill(1)).dcorr2,
    within0: distanceCorrF64(f.slice(0, n0), v.slice(0, n0), new Float64Array(n0).fill(1)).dcorr2,
  };
}

test('PFN with --decorrelate: dCorr²(f, v) falls with λ; λ = 0 is the same bits as no option', () => {
  const plain = heldOut({});
  const zero = heldOut({ decorrelate: 0, discoLambda: 0 });
  assertBitEqual('λ = 0', zero.f, plain.f);
  const strong = heldOut({ decorrelate: 0, discoLambda: 2 });
  // Without the penalty the output follows the multiplicity, and so v (measured: 0.552;
  // with λ = 2, 0.019).
  assert.ok(plain.dcorr2 > 0.3, `no penalty: dCorr² ${plain.dcorr2}`);
  assert.ok(strong.dcorr2 < 0.3 * plain.dcorr2, `λ = 2: dCorr² ${strong.dcorr2} against ${plain.dcorr2}`);
});

test('PFN with --disco-class 0: dCorr²(f, v) within class 0 falls', () => {
  const plain = heldOut({});
  const class0 = heldOut({ decorrelate: 0, discoLambda: 2, discoClass: 0 });
  // measured: 0.426 without the penalty, 0.039 with it
  assert.ok(plain.within0 > 0.1, `no penalty: dCorr² within class 0 ${plain.within0}`);
  assert.ok(class0.within0 < 0.3 * plain.within0, `class 0: ${class0.within0} against ${plain.within0}`);
});

test('PFN --decorrelate errors: the index must be an event feature; the two options come together', () => {
  assert.throws(
    () => new PfnClassifier({ decorrelate: 1, discoLambda: 1 }).fit(train.x0, ones, train.x1, ones, { rngKey: KEY }),
    /pfn\.decorrelate must be the index of an input feature, in \[0, 0\]; got 1/,
  );
  assert.throws(() => new PfnClassifier({ decorrelate: 0 }), /pfn\.discoLambda must be given with pfn\.decorrelate/);
});

test.run();
