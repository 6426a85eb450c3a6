import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sigmoidF32 } from '../../src/kernels/sigmoid_f32.js';
import { sigmoidF32 as reference } from '../../src/kernels/reference/sigmoid_f32.js';
import { assertClose } from '../helpers/close.js';
import { EDGE_VALUES } from './activation_checks.js';
import { LENGTHS, stream, uniformF32 } from './random_inputs.js';

test('tier A: σ(0) = ½, σ(±Inf) = 1, 0, σ(±100) without overflow', () => {
  const p = sigmoidF32(new Float32Array([0, Infinity, -Infinity, 100, -100]));
  assert.equal(Array.from(p.subarray(0, 4)), [0.5, 1, 0, 1]);
  assertClose('σ(−100)', p[4], 3.720075976020836e-44, { rtol: 0.05, atol: 0 }); // f32 subnormal: few bits
});

test('tier B: kernel vs f64 reference (f32 exp: a few ulp)', () => {
  const s = stream('sigmoid_f32');
  for (const n of LENGTHS) {
    const z = uniformF32(s, n, -30, 30);
    assertClose(`σ (n=${n})`, sigmoidF32(z), reference(z), { rtol: 3e-7, atol: 1e-37 });
  }
  assertClose('σ (edge values)', sigmoidF32(EDGE_VALUES), reference(EDGE_VALUES), { rtol: 3e-7, atol: 1e-43 });
});

test.run();
