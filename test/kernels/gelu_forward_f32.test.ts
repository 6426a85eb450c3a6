import { test } from 'uvu';
import { geluForwardF32 } from '../../src/kernels/gelu_forward_f32.js';
import { geluForwardF32 as reference } from '../../src/kernels/reference/gelu_forward_f32.js';
import { assertClose } from '../helpers/close.js';
import { checkForwardVsReference, checkLanePaths } from './activation_checks.js';

test('tier A: hand-computed values', () => {
  // gelu(0) = 0; gelu(1) = ½(1 + tanh(0.7978845608·1.044715)) = 0.8411919906; gelu(-1) = 1 − 0.8411919906 − 1
  assertClose(
    'gelu',
    geluForwardF32(new Float32Array([0, 1, -1, 50])),
    [0, 0.8411919906082768, -0.15880800939172324, 50],
    { rtol: 1e-6, atol: 0 },
  );
});

test('tier B: kernel vs f64 reference (f32 u = √(2/π)(z + a z³) amplifies ulps by |2u| for z ≪ 0)', () => {
  checkForwardVsReference('gelu_forward_f32', geluForwardF32, reference, { rtol: 1e-4, atol: 1e-30 });
});

test('f32x4 lanes: the 8-wide, 4-wide and one-lane paths give the same bits', () => {
  checkLanePaths('gelu_forward_f32', geluForwardF32);
});

test.run();
