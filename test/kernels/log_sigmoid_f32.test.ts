import { test } from 'uvu';
import { logSigmoidF32 } from '../../src/kernels/log_sigmoid_f32.js';
import { logSigmoidF32 as reference } from '../../src/kernels/reference/log_sigmoid_f32.js';
import { assertClose } from '../helpers/close.js';
import { EDGE_VALUES } from './activation_checks.js';
import { LENGTHS, stream, uniformF32 } from './random_inputs.js';

test('tier A: log σ(0) = −log 2, log σ(±100), log σ(±Inf)', () => {
  const got = logSigmoidF32(new Float32Array([0, 100, -100, Infinity, -Infinity]));
  assertClose('log σ', got, [-Math.LN2, -3.720075976020836e-44, -100, 0, -Infinity], { rtol: 1e-15, atol: 0 });
});

test('tier B: kernel vs reference (f64 exp/log1p: ulps)', () => {
  const s = stream('log_sigmoid_f32');
  for (const n of LENGTHS) {
    const z = uniformF32(s, n, -50, 50);
    assertClose(`log σ (n=${n})`, logSigmoidF32(z), reference(z), { rtol: 1e-14, atol: 0 });
  }
  assertClose('log σ (edge values)', logSigmoidF32(EDGE_VALUES), reference(EDGE_VALUES), { rtol: 1e-14, atol: 0 });
});

test.run();
