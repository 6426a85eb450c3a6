import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { likelihoodRatioF32 } from '../../src/kernels/likelihood_ratio_f32.js';
import { likelihoodRatioF32 as reference } from '../../src/kernels/reference/likelihood_ratio_f32.js';
import { assertClose } from '../helpers/close.js';
import { LENGTHS, stream, uniformF32 } from './random_inputs.js';

const clip = { epsilon: 1e-6, wMax: 100 };

test('tier A: p = ½ gives ratio S1/S0; e^z for moderate z; guards at ±100', () => {
  const r = likelihoodRatioF32(new Float32Array([0, Math.log(3), 100, -100]), clip, 1);
  assertClose('ratio', r.ratio.subarray(0, 2), [1, 3], { rtol: 1e-7, atol: 0 }); // ln 3 rounded to f32
  assert.is(r.ratio[2], 100); // (1−ε)/ε ≈ 1e6 → wMax
  assertClose('ratio(−100)', r.ratio[3], 1e-6 / (1 - 1e-6), { rtol: 1e-15, atol: 0 });
  assert.is(r.nClipped, 2);
  assert.is(likelihoodRatioF32(new Float32Array([0]), clip, 2.5).ratio[0], 2.5);
});

test('tier B: kernel vs reference (lengths 0..4099, logits to ±100, NaN)', () => {
  const s = stream('likelihood_ratio_f32');
  for (const n of LENGTHS) {
    const z = uniformF32(s, n, -100, 100);
    for (let i = 0; i < n; i += 5) z[i] = z[i] / 20; // many unclipped events too
    if (n > 3) z[3] = NaN;
    const got = likelihoodRatioF32(z, clip, 0.7);
    const want = reference(z, clip, 0.7);
    assertClose(`ratio (n=${n})`, got.ratio, want.ratio, { rtol: 1e-14, atol: 0 });
    assert.is(got.nClipped, want.nClipped, `nClipped (n=${n})`);
  }
});

test('errors: guards', () => {
  assert.throws(
    () => likelihoodRatioF32(new Float32Array(1), { epsilon: 0.5, wMax: 1 }, 1),
    /likelihood_ratio_f32: clip.epsilon must be in \[0, 0.5\); got 0.5/,
  );
  assert.throws(
    () => likelihoodRatioF32(new Float32Array(1), clip, 0),
    /likelihood_ratio_f32: S1\/S0 must be positive; got 0/,
  );
});

test.run();
