/**
 * unfold() options and guards: every validation message, misses and fakes modes, negative
 * weights, dropped events, diagnostics, progress and determinism.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, NumericalError } from '../src/base/errors.js';
import { fromColumns } from '../src/base/features.js';
import { unfold } from '../src/algorithm/omnifold.js';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { UNFOLD_DEFAULTS } from '../src/algorithm/defaults.js';
import type { DataSample, MemberRunner, SimSample, StepJob, UnfoldProgress } from '../src/algorithm/types.js';
import { assertBitEqual, assertClose } from './helpers/close.js';

interface Ev {
  g: number;
  r: number;
  pg?: number;
  pr?: number;
  w: number;
}

function sim(events: Ev[]): SimSample {
  return {
    gen: fromColumns([events.map((e) => e.g)]),
    reco: fromColumns([events.map((e) => e.r)]),
    passGen: Uint8Array.from(events, (e) => e.pg ?? 1),
    passReco: Uint8Array.from(events, (e) => e.pr ?? 1),
    weights: Float64Array.from(events, (e) => e.w),
  };
}
const data = (r: number[], w: number[]): DataSample => ({ reco: fromColumns([r]), weights: Float64Array.from(w) });
const binned3 = { type: 'binned' as const, edges: [[0, 1, 2, 3]] };
const genHist = (s: SimSample, w: Float64Array) => {
  const h = [0, 0, 0];
  for (let i = 0; i < w.length; i++) if (s.passGen[i]) h[Math.floor(s.gen.values[i])] += w[i];
  return h;
};

// A small sim with migrations, misses, fakes and dropped events; reused below.
const mixed: Ev[] = [
  { g: 0.5, r: 0.5, w: 3 },
  { g: 0.5, r: 1.5, w: 1 },
  { g: 0.5, r: NaN, pr: 0, w: 1 },
  { g: 1.5, r: 1.5, w: 4 },
  { g: 1.5, r: 2.5, w: 1 },
  { g: 1.5, r: NaN, pr: 0, w: 2 },
  { g: 2.5, r: 2.5, w: 2 },
  { g: 2.5, r: 1.5, w: 1 },
  { g: 2.5, r: NaN, pr: 0, w: 1 },
  { g: NaN, r: 0.5, pg: 0, w: 1 },
  { g: NaN, r: 2.5, pg: 0, w: 2 },
  { g: NaN, r: 2.6, pg: 0, w: 1 },
  { g: NaN, r: NaN, pg: 0, pr: 0, w: 5 },
  { g: NaN, r: NaN, pg: 0, pr: 0, w: 6 },
];
const mixedData = data([0.5, 1.5, 2.5], [5, 6, 7]);

test('every option is validated with its path, rule and received value', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ nIterations: 0 }, /^options\.nIterations must be a positive integer; got 0$/],
    [{ nIterations: 2.5 }, /^options\.nIterations must be a positive integer; got 2\.5$/],
    [{ misses: 'x' }, /^options\.misses must be one of expectation, prior; got "x"$/],
    [{ fakes: 'drop' }, /^options\.fakes must be one of reco-average, global, fixed; got "drop"$/],
    [{ epsilon: 0.5 }, /^options\.epsilon must be a number in \[0, 0\.5\); got 0\.5$/],
    [{ epsilon: -1 }, /^options\.epsilon must be a number in \[0, 0\.5\); got -1$/],
    [{ wMax: 0 }, /^options\.wMax must be a finite positive number; got 0$/],
    [{ wMax: Infinity }, /^options\.wMax must be a finite positive number; got Infinity$/],
    [{ nMembers: 0 }, /^options\.nMembers must be a positive integer; got 0$/],
    [{ ensembleCombine: 'max' }, /^options\.ensembleCombine must be one of mean, median; got "max"$/],
    [{ seed: -1 }, /^options\.seed must be an integer in \[0, 2\^32\); got -1$/],
    [{ seed: 2 ** 32 }, /^options\.seed must be an integer in \[0, 2\^32\); got 4294967296$/],
    [{ saveIterations: 1 }, /^options\.saveIterations must be a boolean; got 1$/],
    [{ replica: 3 }, /^options\.replica must be an object \{ kind, index \}; got 3$/],
    [
      { replica: { kind: 'boot', index: 0 } },
      /^options\.replica\.kind must be one of nominal, data, sim, syst, background, coverage; got "boot"$/,
    ],
    [{ replica: { kind: 'data', index: -2 } }, /^options\.replica\.index must be a non-negative integer; got -2$/],
    [
      { replica: { kind: 'data', index: 0, extra: 1 } },
      /^options\.replica must only have the keys kind, index; got "extra"$/,
    ],
    [{ nIteration: 3 }, /^options must only have the keys nIterations, .*; got "nIteration"$/],
    [{ classifier: 'mlp' }, /^options\.classifier must be an object with a type; got "mlp"$/],
    [{ classifier: { type: 'bdt' } }, /^options\.classifier\.type must be one of mlp, binned, pfn; got "bdt"$/],
    [
      { classifier: { type: 'binned', edges: [[1, 0]] } },
      /^options\.classifier\.edges\[0\] must be strictly increasing; got 1 then 0 at index 1$/,
    ],
    [
      { classifier: { type: 'binned' } },
      /^options\.classifier\.edges must be a non-empty array of edge arrays \(one per feature\); got undefined$/,
    ],
    [
      { classifier: { type: 'binned', edges: [[0, 1]], hidden: [3] } },
      /^options\.classifier must only have the keys type, edges; got "hidden"$/,
    ],
    [
      { classifier: { type: 'mlp', hidden: [] } },
      /^options\.classifier\.hidden must be a non-empty array of positive integers; got array of length 0$/,
    ],
    [
      { classifier: { type: 'mlp', hidden: [8, 0] } },
      /^options\.classifier\.hidden\[1\] must be a positive integer; got 0$/,
    ],
    [
      { classifier: { type: 'mlp', activation: 'tanh' } },
      /^options\.classifier\.activation must be one of relu, silu, gelu; got "tanh"$/,
    ],
    [{ classifier: { type: 'mlp', epochs: 0 } }, /^options\.classifier\.epochs must be a positive integer; got 0$/],
    [
      { classifier: { type: 'mlp', batchSize: 1.5 } },
      /^options\.classifier\.batchSize must be a positive integer; got 1\.5$/,
    ],
    [
      { classifier: { type: 'mlp', learningRate: 0 } },
      /^options\.classifier\.learningRate must be a number in \(0, 1000000\]; got 0$/,
    ],
    [{ classifier: { type: 'mlp', beta1: 1 } }, /^options\.classifier\.beta1 must be a number in \[0, 1\); got 1$/],
    [
      { classifier: { type: 'mlp', beta2: -0.1 } },
      /^options\.classifier\.beta2 must be a number in \[0, 1\); got -0\.1$/,
    ],
    [
      { classifier: { type: 'mlp', adamEpsilon: 0 } },
      /^options\.classifier\.adamEpsilon must be a number in \(0, 1\]; got 0$/,
    ],
    [
      { classifier: { type: 'mlp', validationFraction: 1 } },
      /^options\.classifier\.validationFraction must be a number in \[0, 1\); got 1$/,
    ],
    [
      { classifier: { type: 'mlp', patience: -1 } },
      /^options\.classifier\.patience must be a non-negative integer; got -1$/,
    ],
    [
      { classifier: { type: 'mlp', schedule: 'step' } },
      /^options\.classifier\.schedule must be one of constant, cosine; got "step"$/,
    ],
    [
      { classifier: { type: 'mlp', dropout: 0.1 } },
      /^options\.classifier must only have the keys type, hidden, .*; got "dropout"$/,
    ],
  ];
  for (const [partial, re] of cases) {
    assert.throws(
      () => resolveUnfoldOptions(partial),
      (e: Error) => e instanceof InputError && re.test(e.message),
      `${JSON.stringify(partial)} → ${re}`,
    );
  }
  assert.throws(() => resolveUnfoldOptions(null as never), /^options must be an object; got null$/);
});

test('defaults fill what is not given; undefined means default', () => {
  const o = resolveUnfoldOptions({ nIterations: 7, misses: undefined });
  assert.equal(o, {
    ...UNFOLD_DEFAULTS,
    nIterations: 7,
    classifier: { type: 'mlp', gradientBlocks: 8 }, // the block count is always recorded
    replica: { kind: 'nominal', index: 0 },
  });
});

test('samples are validated: shapes, masks, finite values in used events, positive class totals', async () => {
  const s = () => sim(mixed);
  const opts = { classifier: binned3 };
  const reject = async (simS: SimSample, dataS: DataSample, re: RegExp) => {
    try {
      await unfold(simS, dataS, opts);
    } catch (e) {
      assert.ok(e instanceof InputError && re.test((e as Error).message), `${(e as Error).message} vs ${re}`);
      return;
    }
    assert.unreachable(`no error; wanted ${re}`);
  };
  await reject(
    { ...s(), reco: fromColumns([mixed.slice(1).map((e) => e.r)]) },
    mixedData,
    /^sim gen and reco must have the same number of events; got gen=14, reco=13$/,
  );
  await reject(
    { ...s(), weights: new Float64Array(3) },
    mixedData,
    /^sim\.weights must have one entry per sim event \(14\); got Float64Array of length 3$/,
  );
  await reject(
    s(),
    { ...mixedData, weights: new Float64Array(2) },
    /^data\.weights must have one entry per data event \(3\); got Float64Array of length 2$/,
  );
  await reject(
    s(),
    { reco: fromColumns([[0.5], [1]]), weights: Float64Array.of(1) },
    /^sim reco and data reco must have the same number of features; got sim=1, data=2$/,
  );
  await reject(
    { ...s(), passGen: Uint8Array.from(mixed, (e, i) => (i === 4 ? 2 : (e.pg ?? 1))) },
    mixedData,
    /^sim\.passGen must hold only 0 or 1; got 2 at event 4$/,
  );
  await reject(
    { ...s(), gen: fromColumns([mixed.map((e, i) => (i === 1 ? NaN : e.g))]) },
    mixedData,
    /^sim\.gen feature 0 of event 1 must be finite; got NaN$/,
  );
  await reject(
    { ...s(), weights: Float64Array.from(mixed, (e, i) => (i === 3 ? Infinity : e.w)) },
    mixedData,
    /^sim\.weights of event 3 must be finite; got Infinity$/,
  );
  await reject(
    s(),
    data([0.5, Infinity, 1], [1, 1, 1]),
    /^data\.reco feature 0 of event 1 must be finite; got Infinity$/,
  );
  await reject(s(), data([0.5, 1.5], [1, -1]), /^data weights must have a positive total; got 0$/);
  await reject(
    { ...s(), weights: Float64Array.from(mixed, (e) => (e.pr === 0 ? e.w : -e.w)) },
    mixedData,
    /^sim weights of events passing reco must have a positive total; got -16$/,
  );
  // non-finite values in events that are not used are fine (the NaN features above)
  const ok = await unfold({ ...s(), weights: Float64Array.from(mixed, (e, i) => (i === 13 ? NaN : e.w)) }, mixedData, {
    ...opts,
    nIterations: 1,
  });
  assert.ok(Number.isNaN(ok.weights[13]));
});

test('misses: "expectation" converges in one iteration where "prior" shrinks the error by (1 − efficiency) per iteration', async () => {
  // diagonal response, low efficiencies; prior P, truth T; data = the expected reco histogram of T
  const eff = [0.2, 0.3, 0.25];
  const P = [100, 80, 60];
  const T = [60, 90, 120];
  const ev: Ev[] = [];
  for (let c = 0; c < 3; c++)
    ev.push({ g: c + 0.5, r: c + 0.5, w: P[c] * eff[c] }, { g: c + 0.5, r: NaN, pr: 0, w: P[c] * (1 - eff[c]) });
  const s = sim(ev);
  const d = data(
    [0.5, 1.5, 2.5],
    T.map((t, c) => t * eff[c]),
  );
  const opts = { nIterations: 3, classifier: binned3, saveIterations: true };
  const expectation = await unfold(s, d, { ...opts, misses: 'expectation' });
  const prior = await unfold(s, d, { ...opts, misses: 'prior' });
  for (let n = 0; n < 3; n++) {
    assertClose(`expectation iteration ${n + 1}`, genHist(s, expectation.weightsPerIteration![n]), T, {
      rtol: 1e-12,
      atol: 0,
    });
    // prior: θ′ = ε·T + (1 − ε)·θ, so θ_n − T = (1 − ε)ⁿ (P − T)
    const want = T.map((t, c) => t + (1 - eff[c]) ** (n + 1) * (P[c] - t));
    assertClose(`prior iteration ${n + 1}`, genHist(s, prior.weightsPerIteration![n]), want, { rtol: 1e-12, atol: 0 });
  }
  assert.equal(
    prior.iterations[0].steps.map((x) => [x.step, x.members.length]),
    [
      ['step1', 1],
      ['misses', 0],
      ['step2', 1],
    ],
  );
});

test('fakes: "fixed" keeps ν, "global" shares Σw0μ/Σw0ν, "reco-average" uses E[ν′/ν | r] of events passing both', async () => {
  const s = sim(mixed);
  const fakes = [9, 10, 11];
  const run = (fakesMode: 'fixed' | 'global' | 'reco-average') =>
    unfold(s, mixedData, { nIterations: 1, classifier: binned3, fakes: fakesMode });
  const fixed = await run('fixed');
  for (const i of fakes) assert.is(fixed.push[i], 1);
  const global = await run('global');
  const factor =
    fakes.reduce((a, i) => a + s.weights[i] * global.pull[i], 0) / fakes.reduce((a, i) => a + s.weights[i], 0);
  assertClose(
    'global fakes',
    fakes.map((i) => global.push[i]),
    [factor, factor, factor],
  );
  const avg = await run('reco-average');
  // reco cell [2, 3) holds events 4 and 6 passing both: E[ν′|r] = Σ w0·ν′ / Σ w0 there (ν = 1)
  const cell = (ids: number[]) =>
    ids.reduce((a, i) => a + s.weights[i] * avg.push[i], 0) / ids.reduce((a, i) => a + s.weights[i], 0);
  assertClose(
    'reco-average fakes',
    fakes.map((i) => avg.push[i]),
    [cell([0]), cell([4, 6]), cell([4, 6])],
  );
  assert.equal(
    avg.iterations[0].steps.map((x) => x.step),
    ['step1', 'misses', 'step2', 'fakes'],
  );
});

test('negative prior weights: an event split into +3 and −1 unfolds like one event of weight 2', async () => {
  const split = sim([
    { g: 0.5, r: 0.5, w: 3 },
    { g: 0.5, r: 0.5, w: -1 },
    { g: 0.5, r: 1.5, w: 1 },
    { g: 1.5, r: 1.5, w: 4 },
    { g: 1.5, r: 0.5, w: -0.5 },
    { g: 1.5, r: 0.5, w: 1 },
  ]);
  const merged = sim([
    { g: 0.5, r: 0.5, w: 2 },
    { g: 0.5, r: 1.5, w: 1 },
    { g: 1.5, r: 1.5, w: 4 },
    { g: 1.5, r: 0.5, w: 0.5 },
  ]);
  const d = data([0.5, 1.5], [3, 5]);
  const opts = { nIterations: 4, classifier: binned3 };
  const a = await unfold(split, d, opts);
  const b = await unfold(merged, d, opts);
  assertClose('unfolded gen histogram', genHist(split, a.weights), genHist(merged, b.weights), {
    rtol: 1e-12,
    atol: 1e-12,
  });
  assert.ok(a.weights[1] < 0, 'a negative prior weight stays negative');
});

test('dropped events are counted and keep w0; diagnostics and progress are reported', async () => {
  const progress: UnfoldProgress[] = [];
  const r = await unfold(
    sim(mixed),
    mixedData,
    { nIterations: 2, classifier: binned3 },
    { onProgress: (p) => progress.push(p) },
  );
  assert.is(r.nDropped, 2);
  assert.equal([r.weights[12], r.weights[13]], [5, 6]);
  assert.equal(progress.map((p) => `${p.type}:${p.iteration}:${p.type === 'step' ? p.step : ''}`).slice(0, 5), [
    'step:1:step1',
    'step:1:misses',
    'step:1:step2',
    'step:1:fakes',
    'iteration:1:',
  ]);
  const it1 = r.iterations[0];
  assert.is(it1.recoChi2.length, 1);
  assert.is(it1.recoChi2[0].feature, 'reco0');
  assert.ok(it1.recoChi2[0].ndf > 0 && Number.isFinite(it1.recoChi2[0].chi2));
  for (const st of it1.steps) assert.ok(st.ess > 0 && st.change >= 0 && st.clippedFraction === 0, st.step);
  // step 1 of iteration 1: μ = ω on sim passing reco; change is Σ|w0(μ − 1)| / Σ|w0|
  const rows = mixed.map((e, i) => ((e.pr ?? 1) ? i : -1)).filter((i) => i >= 0);
  const once = await unfold(sim(mixed), mixedData, { nIterations: 1, classifier: binned3 });
  const w0 = sim(mixed).weights;
  const change =
    rows.reduce((a, i) => a + Math.abs(w0[i] * once.pull[i] - w0[i]), 0) /
    rows.reduce((a, i) => a + Math.abs(w0[i]), 0);
  assertClose('step1 change', it1.steps[0].change, change);
});

test('non-finite weights in the loop are a NumericalError naming the event', async () => {
  const runner: MemberRunner = {
    async fitMembers(job: StepJob, nMembers: number) {
      return Array.from({ length: nMembers }, () => ({
        ratios: job.targets.map((t) => new Float64Array(t.nEvents).fill(1).map((v, i) => (i === 2 ? NaN : v))),
        nClipped: job.targets.map(() => 0),
        info: { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0: 1, sumW1: 1 },
      }));
    },
  };
  try {
    await unfold(sim(mixed), mixedData, { classifier: binned3 }, { runner });
    assert.unreachable('no error');
  } catch (e) {
    assert.ok(e instanceof NumericalError, String(e));
    // the third event passing reco is sim event 3
    assert.match((e as Error).message, /^pull weight of sim event 3 must be finite; got NaN \(iteration 1, step1\)$/);
  }
});

test('ensembleCombine: members combine elementwise by mean or median, in member order', async () => {
  const memberRatio = [1, 1.5, 1.1, 0.9];
  const runner: MemberRunner = {
    async fitMembers(job: StepJob, nMembers: number) {
      return Array.from({ length: nMembers }, (_, m) => ({
        ratios: job.targets.map((t) => new Float64Array(t.nEvents).fill(memberRatio[m])),
        nClipped: job.targets.map(() => 0),
        info: { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0: 1, sumW1: 1 },
      }));
    },
  };
  const pullOf = async (nMembers: number, ensembleCombine: 'mean' | 'median') =>
    (
      await unfold(
        sim(mixed),
        mixedData,
        { nIterations: 1, classifier: binned3, nMembers, ensembleCombine },
        { runner },
      )
    ).pull[0];
  assert.is(await pullOf(3, 'mean'), (1 + 1.5 + 1.1) / 3);
  assert.is(await pullOf(3, 'median'), 1.1);
  assert.is(await pullOf(4, 'median'), 0.5 * (1 + 1.1));
});

test('determinism: the same inputs twice give bitwise-equal weights (3 members, median)', async () => {
  const opts = {
    nIterations: 3,
    classifier: binned3,
    nMembers: 3,
    ensembleCombine: 'median' as const,
    saveIterations: true,
  };
  const a = await unfold(sim(mixed), mixedData, opts);
  const b = await unfold(sim(mixed), mixedData, opts);
  assertBitEqual('weights', a.weights, b.weights);
  assertBitEqual('pull', a.pull, b.pull);
  a.weightsPerIteration!.forEach((w, n) => assertBitEqual(`iteration ${n + 1}`, w, b.weightsPerIteration![n]));
  assert.is(a.iterations[0].steps[0].members.length, 3);
});

test.run();
