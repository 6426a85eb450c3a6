import { test } from 'uvu';
import { siluBackwardF32 } from '../../src/kernels/silu_backward_f32.js';
import { siluForwardF32 } from '../../src/kernels/silu_forward_f32.js';
import { siluBackwardF32 as reference } from '../../src/kernels/reference/silu_backward_f32.js';
import { assertClose } from '../helpers/close.js';
import { checkBackwardVsReference, checkGradient, checkLanePaths } from './activation_checks.js';

test('tier A: hand-computed values', () => {
  // d/dz z·σ(z) at 0 is ½; at ±100 it is 1 and 0
  assertClose('dsilu', siluBackwardF32(new Float32Array([0, 100, -100]), new Float32Array([2, 1, 1])), [1, 1, 0], {
    rtol: 1e-6,
    atol: 1e-30,
  });
});

test('tier B: kernel vs f64 reference (f32 arithmetic; absolute floor near the zero of the derivative)', () => {
  checkBackwardVsReference('silu_backward_f32', siluBackwardF32, reference, { rtol: 1e-5, atol: 1e-6 });
});

test('gradient check: central differences of silu_forward_f32', () => {
  checkGradient('silu', siluForwardF32, siluBackwardF32);
});

test('f32x4 lanes: the 8-wide, 4-wide and one-lane paths give the same bits', () => {
  checkLanePaths('silu_backward_f32', (z) => siluBackwardF32(z, new Float32Array(z.length).fill(1.5)));
});

test.run();
