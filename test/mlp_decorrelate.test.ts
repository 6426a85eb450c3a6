// The MLP's decorrelation penalty (mlp.decorrelate, mlp.discoLambda; docs/algorithm.md
// "Decorrelation"): a toy where the unpenalised classifier output is strongly correlated
// with a feature v, and the penalty removes most of that correlation on held-out events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromColumns, type FeatureMatrix } from '../src/base/features.js';
import { RandomStream, type RngKey } from '../src/base/rng.js';
import { MlpClassifier } from '../src/classifiers/mlp/classifier.js';
import type { MlpOptions } from '../src/classifiers/mlp/options.js';
import type { TrainedMlp } from '../src/classifiers/mlp/trained.js';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { distanceCorrF64 } from '../src/kernels/distance_corr_f64.js';
import { assertBitEqual, assertClose } from './helpers/close.js';
import { BlockedStep } from '../src/classifiers/mlp/block_step.js';
import { MlpWorkspace } from '../src/kernels/mlp_workspace.js';
import { sigmoidF32 } from '../src/kernels/sigmoid_f32.js';
import { kernels } from '../src/kernels/wasm.js';
import { wasmLogits } from './kernels/mlp_helpers.js';

const key: RngKey = { seed: 3, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 };

/** A standard normal from 12 uniforms (Irwin–Hall): no Math.log, and plenty for a toy. */
function normal(s: RandomStream): number {
  let u = 0;
  for (let k = 0; k < 12; k++) u += s.nextDouble();
  return u - 6;
}

/**
 * Two features, u and v, each N(0, 1) in class 0 and N(1, 1) in class 1, independent within
 * a class: the best classifier uses both, so its output is correlated with v; a classifier
 * of u alone still separates the classes.
 */
function sample(n: number, shift: number, s: RandomStream): { u: Float64Array; v: Float64Array } {
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = shift + normal(s);
    v[i] = shift + normal(s);
  }
  return { u, v };
}

const s = new RandomStream({ ...key, member: 500 }, 'toy');
const N = 4000;
const train0 = sample(N, 0, s);
const train1 = sample(N, 1, s);
const held0 = sample(1000, 0, s);
const held1 = sample(1000, 1, s);
const x0 = fromColumns([train0.u, train0.v]);
const x1 = fromColumns([train1.u, train1.v]);
const heldU = Float64Array.from([...held0.u, ...held1.u]);
const heldV = Float64Array.from([...held0.v, ...held1.v]);
const held: FeatureMatrix = fromColumns([heldU, heldV]);
const ones = new Float64Array(N).fill(1);
const base: Partial<MlpOptions> = { hidden: [16, 16], epochs: 10, batchSize: 256, learningRate: 2e-3 };

/** The held-out outputs f = σ(logit), from the ratio e^logit·S1/S0 (S1 = S0 here, no clipping). */
function outputs(model: TrainedMlp): Float64Array {
  const r = model.ratio(held, { epsilon: 0, wMax: 1e30 }).ratio;
  return r.map((x) => x / (1 + x));
}

function measure(options: Partial<MlpOptions>) {
  const model = new MlpClassifier({ ...base, ...options }).fit(x0, ones, x1, ones, { rngKey: key }) as TrainedMlp;
  const f = outputs(model);
  const w = new Float64Array(f.length).fill(1);
  let separation = 0;
  for (let i = 0; i < 1000; i++) separation += (f[1000 + i] - f[i]) / 1000;
  return {
    model,
    f,
    v: distanceCorrF64(f, heldV, w).dcorr2,
    u: distanceCorrF64(f, heldU, w).dcorr2,
    separation,
  };
}

const plain = measure({});

test('the penalty removes most of the correlation of the output with v on held-out events, and keeps u', () => {
  const mild = measure({ decorrelate: 1, discoLambda: 0.3 });
  const strong = measure({ decorrelate: 1, discoLambda: 1 });
  // measured (seed 3): dCorr²(f, v) 0.526 without, 0.139 at λ = 0.3, 0.013 at λ = 1;
  // dCorr²(f, u) 0.53, 0.93, 0.76; mean f of class 1 − class 0: 0.34, 0.26, 0.10
  assert.ok(plain.v > 0.4, `no penalty: dCorr²(f, v) = ${plain.v}`);
  assert.ok(mild.v < 0.5 * plain.v, `λ = 0.3: dCorr²(f, v) = ${mild.v} (no penalty ${plain.v})`);
  assert.ok(strong.v < 0.1 * plain.v, `λ = 1: dCorr²(f, v) = ${strong.v} (no penalty ${plain.v})`);
  assert.ok(strong.v < mild.v, `λ = 1 (${strong.v}) decorrelates more than λ = 0.3 (${mild.v})`);
  // the output still classifies, through u
  assert.ok(mild.u > 0.5 && strong.u > 0.5, `dCorr²(f, u): ${mild.u}, ${strong.u}`);
  assert.ok(mild.separation > 0.15 && strong.separation > 0.03, `separation ${mild.separation}, ${strong.separation}`);
});

/** ROC AUC of outputs `f` whose first `n0` are class 0 and the rest class 1 (ties broken by index). */
function auc(f: ArrayLike<number>, n0: number): number {
  const order = Array.from(f, (_, i) => i).sort((a, b) => f[a] - f[b] || a - b);
  let ranks1 = 0;
  order.forEach((i, r) => (ranks1 += i >= n0 ? r + 1 : 0));
  const n1 = f.length - n0;
  return (ranks1 - (n1 * (n1 + 1)) / 2) / (n0 * n1);
}

test('per class (Kasieczka & Shih): decorrelating within class 0 alone keeps more separation than pooled, at the same decorrelation', () => {
  // class 0 has v uniform in [−3, 3], class 1 a narrow v peak N(0, 0.5²); both have u ~ N(class, 1),
  // independent of v within a class. v separates the classes, so the pooled penalty must also
  // weaken what the output tells of the class; within class 0 only, a function of u costs nothing.
  const r = new RandomStream({ ...key, member: 700 }, 'toy');
  const draw = (n: number, cls: number) => {
    const u = Float64Array.from({ length: n }, () => cls + normal(r));
    const v = Float64Array.from({ length: n }, () => (cls === 1 ? 0.5 * normal(r) : 6 * r.nextDouble() - 3));
    return { u, v };
  };
  const [t0, t1, h0, h1] = [draw(N, 0), draw(N, 1), draw(2000, 0), draw(2000, 1)];
  const heldOut = fromColumns([Float64Array.from([...h0.u, ...h1.u]), Float64Array.from([...h0.v, ...h1.v])]);
  const w = new Float64Array(2000).fill(1);
  const run = (options: Partial<MlpOptions>) => {
    const model = new MlpClassifier({ ...base, ...options }).fit(
      fromColumns([t0.u, t0.v]),
      ones,
      fromColumns([t1.u, t1.v]),
      ones,
      { rngKey: key },
    ) as TrainedMlp;
    const f = model.ratio(heldOut, { epsilon: 0, wMax: 1e30 }).ratio.map((x) => x / (1 + x));
    return { within0: distanceCorrF64(f.subarray(0, 2000), h0.v, w).dcorr2, auc: auc(f, 2000) };
  };
  const none = run({});
  const pooled = run({ decorrelate: 1, discoLambda: 3 });
  const class0 = run({ decorrelate: 1, discoLambda: 3, discoClass: 0 });
  // measured: dCorr²(f, v) within class 0: none 0.197, pooled 0.012, class 0 0.005; AUC 0.914,
  // 0.604, 0.660 (a classifier of u alone, on a toy drawn alike: about 0.75). Three other
  // draws of the toy gave AUC pooled 0.598, 0.509, 0.708 against class 0 0.672, 0.818, 0.821.
  assert.ok(none.within0 > 0.15, `no penalty: dCorr²(f, v) within class 0 ${none.within0}`);
  for (const [name, m] of [
    ['pooled', pooled],
    ['class 0', class0],
  ] as const)
    assert.ok(m.within0 < 0.1 * none.within0, `${name}: dCorr²(f, v) within class 0 ${m.within0}`);
  assert.ok(
    class0.auc > pooled.auc + 0.04 && class0.auc > 0.62,
    `AUC: class 0 ${class0.auc}, pooled ${pooled.auc} (none ${none.auc})`,
  );
});

test('λ = 0 trains exactly as without the option, bit for bit; the spec records both options', () => {
  const zero = measure({ decorrelate: 1, discoLambda: 0 });
  assertBitEqual('outputs', zero.f, plain.f);
  assertBitEqual('parameters', zero.model.toData().arrays.params, plain.model.toData().arrays.params);
  const spec = new MlpClassifier({ decorrelate: 0, discoLambda: 2.5 }).spec;
  assert.is(spec.decorrelate, 0);
  assert.is(spec.discoLambda, 2.5);
  assert.is(new MlpClassifier().spec.decorrelate, undefined);
});

test('one gradient block (the fused step) and eight (blocks) both decorrelate, and agree to rounding', () => {
  const fused = measure({ decorrelate: 1, discoLambda: 1, gradientBlocks: 1, epochs: 3 });
  const blocked = measure({ decorrelate: 1, discoLambda: 1, gradientBlocks: 8, epochs: 3 });
  let max = 0;
  for (let i = 0; i < fused.f.length; i++) max = Math.max(max, Math.abs(fused.f[i] - blocked.f[i]));
  assert.ok(max < 1e-3, `largest |Δf| ${max}`);
  assert.ok(fused.v < 0.2 * plain.v, `fused: dCorr²(f, v) = ${fused.v}`);
});

test('the validation loss includes the penalty: Σ n_g·λ·dCorr²_g over groups of batchSize validation events', () => {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const dims = [2, 8, 1];
    const nRows = 600;
    const r = new RandomStream({ ...key, member: 501 }, 'toy');
    const x = Float32Array.from({ length: nRows * 2 }, () => normal(r));
    const y = Float32Array.from({ length: nRows }, (_, i) => i % 2);
    const w = Float64Array.from({ length: nRows }, () => 0.5 + r.nextDouble());
    const ws = new MlpWorkspace(arena, dims, 'relu', 256, true);
    ws.params.set(Float32Array.from({ length: ws.nParams }, () => r.nextDouble() - 0.5));
    const fill = (start: number, count: number) => {
      ws.x.set(x.subarray(2 * start, 2 * (start + count)));
      ws.y.set(y.subarray(start, start + count));
      ws.w.set(w.subarray(start, start + count));
    };
    const plainLoss = new BlockedStep(ws, arena, 1).evaluate(nRows, fill);
    const decorrelation = { column: 1, lambda: 0.7, batchSize: 256 };
    const penalised = new BlockedStep(ws, arena, 1, undefined, decorrelation).evaluate(nRows, fill);
    let want = plainLoss;
    for (const [g0, g1] of [
      [0, 256],
      [256, 512],
      [512, 600],
    ]) {
      const f = Float64Array.from(sigmoidF32(wasmLogits(ws.params, dims, 'relu', x.slice(2 * g0, 2 * g1), g1 - g0)));
      const v = Float64Array.from({ length: g1 - g0 }, (_, i) => x[2 * (g0 + i) + 1]);
      want += (g1 - g0) * 0.7 * distanceCorrF64(f, v, w.slice(g0, g1)).dcorr2;
    }
    assert.ok(penalised > plainLoss + 1, `penalty ${penalised - plainLoss}`);
    assertClose('validation loss', penalised, want, { rtol: 1e-12, atol: 0 });
  } finally {
    arena.release(mark);
  }
});

test('errors: the two options come together, λ finite and ≥ 0, the column an input feature', () => {
  const cases: [object, RegExp][] = [
    [{ decorrelate: 1 }, /^mlp\.discoLambda must be given with mlp\.decorrelate; got undefined$/],
    [{ discoLambda: 1 }, /^mlp\.decorrelate must be given with mlp\.discoLambda; got undefined$/],
    [{ decorrelate: -1, discoLambda: 1 }, /^mlp\.decorrelate must be a non-negative integer; got -1$/],
    [{ decorrelate: 0.5, discoLambda: 1 }, /^mlp\.decorrelate must be a non-negative integer; got 0.5$/],
    [{ decorrelate: 0, discoLambda: -1 }, /^mlp\.discoLambda must be a finite number >= 0; got -1$/],
    [{ decorrelate: 0, discoLambda: Infinity }, /^mlp\.discoLambda must be a finite number >= 0; got Infinity$/],
    [{ decorrelate: 0, discoLambda: Number.NaN }, /^mlp\.discoLambda must be a finite number >= 0; got NaN$/],
  ];
  for (const [options, message] of cases) assert.throws(() => new MlpClassifier(options), message);
  assert.throws(
    () => resolveUnfoldOptions({ classifier: { type: 'mlp', decorrelate: 1 } as never }),
    /^options\.classifier\.discoLambda must be given with options\.classifier\.decorrelate; got undefined$/,
  );
  const mlp = new MlpClassifier({ hidden: [2], epochs: 1, decorrelate: 2, discoLambda: 1 });
  assert.throws(
    () => mlp.fit(x0, ones, x1, ones, { rngKey: key }),
    /^mlp\.decorrelate must be the index of an input feature, in \[0, 1\]; got 2$/,
  );
});

test.run();
