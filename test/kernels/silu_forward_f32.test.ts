import { test } from 'uvu';
import { siluForwardF32 } from '../../src/kernels/silu_forward_f32.js';
import { siluForwardF32 as reference } from '../../src/kernels/reference/silu_forward_f32.js';
import { assertClose } from '../helpers/close.js';
import { checkForwardVsReference, checkLanePaths } from './activation_checks.js';

test('tier A: hand-computed values', () => {
  // silu(0) = 0; silu(1) = 1/(1 + e^-1) = 0.7310585786; silu(-1) = -0.2689414214
  assertClose(
    'silu',
    siluForwardF32(new Float32Array([0, 1, -1, 100])),
    [0, 0.7310585786300049, -0.2689414213699951, 100],
    { rtol: 1e-6, atol: 0 },
  );
});

test('tier B: kernel vs f64 reference (f32 exp and arithmetic: a few ulp)', () => {
  checkForwardVsReference('silu_forward_f32', siluForwardF32, reference, { rtol: 2e-6, atol: 1e-30 });
});

test('f32x4 lanes: the 8-wide, 4-wide and one-lane paths give the same bits', () => {
  checkLanePaths('silu_forward_f32', siluForwardF32);
});

test.run();
