import { test } from 'uvu';
import { geluBackwardF32 } from '../../src/kernels/gelu_backward_f32.js';
import { geluForwardF32 } from '../../src/kernels/gelu_forward_f32.js';
import { geluBackwardF32 as reference } from '../../src/kernels/reference/gelu_backward_f32.js';
import { assertClose } from '../helpers/close.js';
import { checkBackwardVsReference, checkGradient, checkLanePaths } from './activation_checks.js';

test('tier A: hand-computed values', () => {
  // d gelu/dz at 0 is ½; at ±50 it is 1 and 0
  assertClose('dgelu', geluBackwardF32(new Float32Array([0, 50, -50]), new Float32Array([1, 1, 1])), [0.5, 1, 0], {
    rtol: 1e-6,
    atol: 1e-30,
  });
});

test('tier B: kernel vs f64 reference (f32 arithmetic; absolute floor near the zero of the derivative)', () => {
  checkBackwardVsReference('gelu_backward_f32', geluBackwardF32, reference, { rtol: 1e-4, atol: 1e-6 });
});

test('gradient check: central differences of gelu_forward_f32', () => {
  checkGradient('gelu', geluForwardF32, geluBackwardF32);
});

test('f32x4 lanes: the 8-wide, 4-wide and one-lane paths give the same bits', () => {
  checkLanePaths('gelu_backward_f32', (z) => geluBackwardF32(z, new Float32Array(z.length).fill(1.5)));
});

test.run();
