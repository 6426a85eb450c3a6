/**
 * The pfn classifier: a known-truth toy (multiplicity alone separates the classes), its
 * pooling (a sum, not a mean, and not blind to the particles), determinism, saved models,
 * and the refusals of inputs without particles (and of particles by mlp and binned).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/base/errors.js';
import type { FeatureMatrix } from '../src/base/features.js';
import { RandomStream, type RngKey } from '../src/base/rng.js';
import { BinnedClassifier } from '../src/classifiers/binned.js';
import { MlpClassifier } from '../src/classifiers/mlp/classifier.js';
import { PfnClassifier } from '../src/classifiers/pfn/classifier.js';
import { TrainedPfn } from '../src/classifiers/pfn/trained.js';
import { createClassifier, restoreModel } from '../src/classifiers/registry.js';
import { assertBitEqual } from './helpers/close.js';
import { poisson } from './helpers/poisson.js';

const KEY: RngKey = { seed: 7, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 };
const CLIP = { epsilon: 1e-6, wMax: 1e6 };

/** `n` events with Poisson(`mean`) particles of 2 features (uniform, the same for both classes); no event features. */
function events(s: RandomStream, n: number, mean: number, nEventFeatures = 0): FeatureMatrix {
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + poisson(s, mean);
  const values = new Float32Array(offsets[n] * 2);
  for (let k = 0; k < values.length; k++) values[k] = s.nextDouble() * 2 - 1;
  const ev = new Float32Array(n * nEventFeatures);
  for (let k = 0; k < ev.length; k++) ev[k] = s.nextDouble();
  return { values: ev, nEvents: n, nFeatures: nEventFeatures, particles: { offsets, values, nFeatures: 2 } };
}

function stream(member: number): RandomStream {
  return new RandomStream({ ...KEY, member }, 'toy');
}

const N = 12000;
const data = { x0: events(stream(1), N, 4), x1: events(stream(2), N, 7) };
const ones = new Float64Array(N).fill(1);
const SPEC = { phi: [16, 16], f: [16], epochs: 12, batchSize: 128, learningRate: 2e-3, patience: 0 };
let trained: TrainedPfn | undefined;
function model(): TrainedPfn {
  trained ??= new PfnClassifier(SPEC).fit(data.x0, ones, data.x1, ones, { rngKey: KEY }) as TrainedPfn;
  return trained;
}

/** Events with exactly `m` particles each (fresh uniform features). */
function fixedMultiplicity(s: RandomStream, n: number, m: number): FeatureMatrix {
  const offsets = Uint32Array.from({ length: n + 1 }, (_, i) => i * m);
  const values = Float32Array.from({ length: n * m * 2 }, () => s.nextDouble() * 2 - 1);
  return { values: new Float32Array(0), nEvents: n, nFeatures: 0, particles: { offsets, values, nFeatures: 2 } };
}

test('known truth: the trained ratio follows P1(n)/P0(n) = e^−3·(7/4)^n per multiplicity n (within 0.25 in log)', () => {
  const m = model();
  const s = stream(3);
  // multiplicities with at least ~250 events of the rarer class in training; tolerance 0.25 in ln r
  for (let n = 1; n <= 9; n++) {
    const x = fixedMultiplicity(s, 200, n);
    const { ratio } = m.ratio(x, CLIP);
    let meanLog = 0;
    for (const r of ratio) meanLog += Math.log(r) / ratio.length;
    const truth = -3 + n * Math.log(7 / 4);
    assert.ok(
      Math.abs(meanLog - truth) < 0.25,
      `n = ${n}: mean ln r = ${meanLog.toFixed(3)}, truth ${truth.toFixed(3)}`,
    );
  }
});

test('sum pooling: the ratio grows with multiplicity as the truth does (a mean, or a blind Φ, would give a flat ratio)', () => {
  // from n = 2 to n = 8 the true ratio grows by (7/4)^6 ≈ 28.7; mean pooling cannot see n at all
  const m = model();
  const s = stream(4);
  const mean = (n: number) => {
    const { ratio } = m.ratio(fixedMultiplicity(s, 300, n), CLIP);
    return ratio.reduce((a, r) => a + Math.log(r), 0) / ratio.length;
  };
  const growth = Math.exp(mean(8) - mean(2));
  assert.ok(growth > 15 && growth < 55, `ratio(8)/ratio(2) = ${growth}, truth 28.7`);
  // events without particles pool to zeros: their ratio is the truth at n = 0, e^−3
  const empty = m.ratio(fixedMultiplicity(s, 5, 0), CLIP).ratio;
  assert.ok(Math.abs(Math.log(empty[0]) + 3) < 0.5, `ratio(0) = ${empty[0]}, truth ${Math.exp(-3)}`);
});

test('determinism: the same key gives the same parameters and ratios, bit for bit; a saved model gives the same ratios', () => {
  const small = { ...SPEC, epochs: 2 };
  const x0 = events(stream(5), 1500, 4, 2);
  const x1 = events(stream(6), 1500, 7, 2);
  const w = new Float64Array(1500).fill(1);
  const a = new PfnClassifier(small).fit(x0, w, x1, w, { rngKey: KEY }) as TrainedPfn;
  const b = new PfnClassifier(small).fit(x0, w, x1, w, { rngKey: KEY }) as TrainedPfn;
  assertBitEqual('params', a.params, b.params);
  const ra = a.ratio(x1, CLIP).ratio;
  assertBitEqual('ratios', ra, b.ratio(x1, CLIP).ratio);
  const restored = restoreModel(a.toData(), 'model');
  assertBitEqual('restored ratios', restored.ratio(x1, CLIP).ratio, ra);
  const other = new PfnClassifier(small).fit(x0, w, x1, w, { rngKey: { ...KEY, member: 1 } }) as TrainedPfn;
  assert.not.ok(
    other.params.every((p, k) => p === a.params[k]),
    'another key, other parameters',
  );
});

test('order of particles within an event: the same ratio up to f32 rounding of the pooled sum (rtol 1e-4)', () => {
  const m = model();
  const x = events(stream(8), 400, 7);
  const { offsets, values } = x.particles!;
  const reversed = new Float32Array(values.length);
  for (let i = 0; i < x.nEvents; i++) {
    for (let p = offsets[i]; p < offsets[i + 1]; p++) {
      const q = offsets[i] + offsets[i + 1] - 1 - p;
      reversed.set(values.subarray(q * 2, q * 2 + 2), p * 2);
    }
  }
  const a = m.ratio(x, CLIP).ratio;
  const b = m.ratio({ ...x, particles: { offsets, values: reversed, nFeatures: 2 } }, CLIP).ratio;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * a[i], `event ${i}: ${a[i]} vs ${b[i]}`);
});

test('ratio chunks never change a bit: events one by one equal the whole set', () => {
  const m = model();
  const x = events(stream(9), 600, 5);
  const all = m.ratio(x, CLIP).ratio;
  const { offsets, values } = x.particles!;
  for (const i of [0, 1, 299, 599]) {
    const one: FeatureMatrix = {
      values: new Float32Array(0),
      nEvents: 1,
      nFeatures: 0,
      particles: {
        offsets: new Uint32Array([0, offsets[i + 1] - offsets[i]]),
        values: values.slice(offsets[i] * 2, offsets[i + 1] * 2),
        nFeatures: 2,
      },
    };
    assert.ok(Object.is(m.ratio(one, CLIP).ratio[0], all[i]), `event ${i}`);
  }
});

test('refusals: pfn needs particles; one-line InputErrors', () => {
  const plain: FeatureMatrix = { values: new Float32Array(4), nEvents: 2, nFeatures: 2 };
  const w = new Float64Array(2).fill(1);
  const oneLine = (re: RegExp) => (e: Error) =>
    e instanceof InputError && re.test(e.message) && !e.message.includes('\n');
  assert.throws(
    () => new PfnClassifier().fit(plain, w, plain, w, { rngKey: KEY }),
    oneLine(
      /^pfn\.fit: class 0 must carry per-event particle sets \(FeatureMatrix\.particles\); got event features only/,
    ),
  );
  const bad = events(stream(11), 2, 3);
  const offsets = bad.particles!.offsets.slice();
  offsets[1] = offsets[2] + 1;
  assert.throws(
    () => new PfnClassifier().fit({ ...bad, particles: { ...bad.particles!, offsets } }, w, bad, w, { rngKey: KEY }),
    oneLine(/^pfn\.fit: class 0 particle offsets must be non-decreasing/),
  );
  assert.throws(() => new PfnClassifier({ phi: [] }), oneLine(/^pfn\.phi must be a non-empty array/));
  assert.throws(
    () => createClassifier({ type: 'pfn', f: [0] } as never),
    oneLine(/^pfn\.f\[0\] must be a positive integer/),
  );
  const data = model().toData();
  assert.throws(
    () => restoreModel({ ...data, arrays: { ...data.arrays, params: new Float32Array(3) } }, 'm'),
    oneLine(/^m\.arrays\.params must hold \d+ values; got 3$/),
  );
  assert.throws(() => model().ratio(plain, CLIP), oneLine(/^pfn\.ratio: events must carry per-event particle sets/));
});

test('mlp and binned read the event features only: particle sets beside them change no bit', () => {
  const withParticles = events(stream(10), 300, 3, 2);
  const plain: FeatureMatrix = { values: withParticles.values, nEvents: 300, nFeatures: 2 };
  const w = new Float64Array(300).fill(1);
  const flip: FeatureMatrix = { ...plain, values: withParticles.values.map((v) => 1 - v) };
  const fit = (x: FeatureMatrix, y: FeatureMatrix) =>
    new MlpClassifier({ hidden: [8], epochs: 2 }).fit(x, w, y, w, { rngKey: KEY }).ratio(x, CLIP).ratio;
  assert.equal(
    Array.from(fit(withParticles, { ...flip, particles: withParticles.particles })),
    Array.from(fit(plain, flip)),
  );
  const binned = new BinnedClassifier({
    type: 'binned',
    edges: [
      [0, 0.5, 1],
      [0, 0.5, 1],
    ],
  });
  assert.equal(
    Array.from(binned.fit(withParticles, w, flip, w, { rngKey: KEY }).ratio(withParticles, CLIP).ratio),
    Array.from(binned.fit(plain, w, flip, w, { rngKey: KEY }).ratio(plain, CLIP).ratio),
  );
});

test('eventFeatures: false trains on the particles alone, and the model ignores event features', () => {
  const x0 = events(stream(20), 400, 4, 2);
  const x1 = events(stream(21), 400, 7, 2);
  const w = new Float64Array(400).fill(1);
  const options = { phi: [8, 8], f: [8], epochs: 2, eventFeatures: false };
  const strip = (x: FeatureMatrix): FeatureMatrix => ({
    values: new Float32Array(0),
    nEvents: x.nEvents,
    nFeatures: 0,
    particles: x.particles,
  });
  const a = new PfnClassifier(options).fit(x0, w, x1, w, { rngKey: KEY });
  const b = new PfnClassifier(options).fit(strip(x0), w, strip(x1), w, { rngKey: KEY });
  const noisy: FeatureMatrix = { ...x0, values: x0.values.map((v) => v * 100 + 3) };
  const ra = Array.from(a.ratio(x0, CLIP).ratio);
  assert.equal(ra, Array.from(b.ratio(strip(x0), CLIP).ratio));
  assert.equal(ra, Array.from(a.ratio(noisy, CLIP).ratio));
  const withEvents = new PfnClassifier({ ...options, eventFeatures: true }).fit(x0, w, x1, w, { rngKey: KEY });
  assert.not.equal(Array.from(withEvents.ratio(noisy, CLIP).ratio), Array.from(withEvents.ratio(x0, CLIP).ratio));
});

test.run();
