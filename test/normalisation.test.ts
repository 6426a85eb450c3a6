/**
 * Normalised histograms (src/uncertainty/normalisation.ts): the option's syntax, the values
 * (a shape integrates to 1, a cross section is events / (L·width)), the covariances (each
 * replica normalised on its own: a shape's covariance times the widths sums to zero) and
 * the first-order √Σw² variance of a shape against a Poisson bootstrap of the events.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/base/errors.js';
import { binnedSums, histogramUncertainties } from '../src/uncertainty/quantities.js';
import type { WeightColumn } from '../src/uncertainty/families.js';
import {
  normaliseHistogram,
  normaliseSumw2,
  normalisedHistogramUncertainties,
  parseNormalisation,
} from '../src/uncertainty/normalisation.js';
import { assertClose } from './helpers/close.js';
import { uniforms } from './helpers/weights_fixture.js';

const EDGES = [0, 0.5, 1, 2, 4];
const WIDTHS = [0.5, 0.5, 1, 2];

/** Events x ~ exponential(1) with weights in [0.5, 1.5), and `nBootstraps` Poisson(1) data bootstraps. */
function events(nEvents: number, nBootstraps: number, seed = 3) {
  const u = uniforms(seed);
  const x = Float64Array.from({ length: nEvents }, () => -Math.log(1 - u()));
  const w = Float64Array.from({ length: nEvents }, () => 0.5 + u());
  const poisson = () => {
    // inversion: P(0) = P(1) = e^-1, …
    let k = 0;
    let p = Math.exp(-1);
    let c = p;
    const r = u();
    while (r > c && k < 20) {
      k++;
      p /= k;
      c += p;
    }
    return k;
  };
  const columns: WeightColumn[] = [{ name: 'weight', family: 'nominal', values: w }];
  for (let b = 0; b < nBootstraps; b++)
    columns.push({
      name: `weight_data_bootstrap_${b}`,
      family: 'data_bootstrap',
      values: Float64Array.from(w, (v) => v * poisson()),
    });
  return { x, w, columns };
}

test('--normalise: events, shape, xsec:LUMI[:UNIT]; errors name the option, the rule and the value', () => {
  assert.equal(parseNormalisation('events'), { kind: 'events' });
  assert.equal(parseNormalisation('shape'), { kind: 'shape' });
  assert.equal(parseNormalisation('xsec:139000'), { kind: 'xsec', luminosity: 139000, unit: 'pb' });
  assert.equal(parseNormalisation('xsec:139:fb'), { kind: 'xsec', luminosity: 139, unit: 'fb' });
  assert.equal(parseNormalisation('xsec:1.5e3'), { kind: 'xsec', luminosity: 1500, unit: 'pb' });
  for (const [text, message] of [
    ['Shape', /^--normalise must be events, xsec:LUMI\[:UNIT\] .* or shape; got "Shape"$/],
    ['xsec', /^--normalise must be .*; got "xsec"$/],
    ['xsec:0', /^--normalise xsec:LUMI must have LUMI a finite positive number; got "0" in "xsec:0"$/],
    ['xsec:-1', /LUMI a finite positive number; got "-1"/],
    ['xsec:abc', /LUMI a finite positive number; got "abc"/],
    ['xsec:', /LUMI a finite positive number; got ""/],
    ['xsec:Infinity', /LUMI a finite positive number; got "Infinity"/],
    ['xsec:1:', /^--normalise xsec:LUMI:UNIT must have a non-empty UNIT; got "xsec:1:"$/],
    ['xsec:1:fb:x', /^--normalise must be/],
  ] as const) {
    assert.throws(
      () => parseNormalisation(text),
      (e: Error) => e instanceof InputError && message.test(e.message),
    );
  }
});

test('a shape integrates to 1 over the shown bins; a cross section is events / (L · width)', () => {
  const sums = [4, 6, 5, 5];
  const shape = normaliseHistogram(sums, EDGES, { kind: 'shape' });
  assertClose('shape', shape, [0.4, 0.6, 0.25, 0.125]);
  assertClose(
    'area',
    shape.reduce((a, v, k) => a + v * WIDTHS[k], 0),
    1,
  );
  assertClose('xsec', normaliseHistogram(sums, EDGES, { kind: 'xsec', luminosity: 2, unit: 'pb' }), [4, 6, 2.5, 1.25]);
  assert.equal(Array.from(normaliseHistogram(sums, EDGES, { kind: 'events' })), sums);
});

test('√Σw² of a shape: the first-order ratio formula, equal to a finite-difference delta method', () => {
  const sums = [4, 6, 5, 5];
  const sumw2 = [3, 7, 2, 4];
  const got = normaliseSumw2(sums, sumw2, EDGES, { kind: 'shape' });
  // delta method: Var v_k = Σ_j s_j (∂v_k/∂H_j)², the derivative by central differences
  const want = WIDTHS.map((_, k) => {
    let v = 0;
    for (let j = 0; j < sums.length; j++) {
      const h = 1e-5;
      const up = normaliseHistogram(
        sums.map((s, i) => (i === j ? s + h : s)),
        EDGES,
        { kind: 'shape' },
      )[k];
      const down = normaliseHistogram(
        sums.map((s, i) => (i === j ? s - h : s)),
        EDGES,
        { kind: 'shape' },
      )[k];
      v += sumw2[j] * ((up - down) / (2 * h)) ** 2;
    }
    return v;
  });
  assertClose('shape sumw2 variance', got, want, { rtol: 1e-6, atol: 0 });
  assertClose(
    'xsec sumw2 variance',
    normaliseSumw2(sums, sumw2, EDGES, { kind: 'xsec', luminosity: 2, unit: 'pb' }),
    sumw2.map((s, k) => s / (2 * WIDTHS[k]) ** 2),
  );
});

test('the first-order shape variance agrees with 400 Poisson bootstraps of the events within 25%', () => {
  const { x, columns } = events(4000, 400);
  const boot = normalisedHistogramUncertainties(columns, x, EDGES, { kind: 'shape' });
  const sumw2 = normalisedHistogramUncertainties(columns.slice(0, 1), x, EDGES, { kind: 'shape' });
  assert.is(boot.statEstimate, 'data_bootstraps');
  assert.is(sumw2.statEstimate, 'sumw2');
  const n = EDGES.length - 1;
  for (let k = 0; k < n; k++) {
    const ratio = boot.stat[k * n + k] / sumw2.stat[k * n + k];
    assert.ok(Math.abs(ratio - 1) < 0.25, `bin ${k}: bootstrap / first-order variance ${ratio}`);
  }
});

test('each replica normalised on its own: a shape covariance times the widths sums to 0; xsec scales; events keep their bits', () => {
  const { x, columns } = events(3000, 20, 5);
  const n = EDGES.length - 1;
  const shape = normalisedHistogramUncertainties(columns, x, EDGES, { kind: 'shape' });
  const scale = Math.max(...shape.stat);
  for (let j = 0; j < n; j++) {
    const row = WIDTHS.reduce((a, w, k) => a + w * shape.stat[k * n + j], 0);
    assert.ok(Math.abs(row) < 1e-12 * scale, `Σ_k width_k cov(k, ${j}) = ${row}`);
  }
  const absolute = histogramUncertainties(columns, x, EDGES);
  const same = normalisedHistogramUncertainties(columns, x, EDGES, { kind: 'events' });
  assert.equal(Array.from(same.total), Array.from(absolute.total), 'events: bit for bit');
  const xsec = normalisedHistogramUncertainties(columns, x, EDGES, { kind: 'xsec', luminosity: 3, unit: 'fb' });
  assertClose(
    'xsec values',
    xsec.nominal,
    Array.from(absolute.nominal, (v, k) => v / (3 * WIDTHS[k])),
  );
  assertClose(
    'xsec covariance',
    xsec.total,
    Array.from(absolute.total, (v, ij) => v / (9 * WIDTHS[Math.floor(ij / n)] * WIDTHS[ij % n])),
  );
  // linked alternative unfoldings enter as their own normalised histograms
  const other = binnedSums(x, columns[3].values, EDGES);
  const withLinked = normalisedHistogramUncertainties(
    columns,
    x,
    EDGES,
    { kind: 'shape' },
    {
      linked: [{ name: 'alt', values: other }],
    },
  );
  assertClose(
    'linked shift',
    withLinked.systematics[0].delta,
    Array.from(normaliseHistogram(other, EDGES, { kind: 'shape' }), (v, k) => v - shape.nominal[k]),
  );
});

test('a shape of an empty histogram is refused, naming the option and the observable', () => {
  const { x, columns } = events(100, 0);
  assert.throws(
    () => normalisedHistogramUncertainties(columns, x, [10, 11], { kind: 'shape' }, { subject: 'gen_pt' }),
    /^--normalise shape must have a non-zero sum of weights over the bins of gen_pt to divide by; got 0$/,
  );
});

test.run();
