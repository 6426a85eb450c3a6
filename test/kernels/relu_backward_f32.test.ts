import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reluBackwardF32 } from '../../src/kernels/relu_backward_f32.js';
import { reluForwardF32 } from '../../src/kernels/relu_forward_f32.js';
import { reluBackwardF32 as reference } from '../../src/kernels/reference/relu_backward_f32.js';
import { checkBackwardVsReference, checkGradient } from './activation_checks.js';

test('tier A: hand-computed values (subgradient 0 at z = 0)', () => {
  const dz = reluBackwardF32(new Float32Array([-2, 0, 0.5, 3, NaN]), new Float32Array([5, 5, 5, -7, 5]));
  assert.equal(Array.from(dz), [0, 0, 5, -7, 0]);
});

test('tier B: kernel equals the reference exactly', () => {
  checkBackwardVsReference('relu_backward_f32', reluBackwardF32, reference, { rtol: 0, atol: 0 });
});

test('gradient check: central differences of relu_forward_f32 away from the kink', () => {
  checkGradient('relu', reluForwardF32, reluBackwardF32, true);
});

test.run();
