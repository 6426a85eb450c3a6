import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reluForwardF32 } from '../../src/kernels/relu_forward_f32.js';
import { reluForwardF32 as reference } from '../../src/kernels/reference/relu_forward_f32.js';
import { checkForwardVsReference } from './activation_checks.js';

test('tier A: hand-computed values', () => {
  assert.equal(Array.from(reluForwardF32(new Float32Array([-2, -0.5, 0, 0.5, 3]))), [0, 0, 0, 0.5, 3]);
});

test('tier B: kernel equals the reference exactly (lengths 0..4099, edge values, NaN)', () => {
  checkForwardVsReference('relu_forward_f32', reluForwardF32, reference, { rtol: 0, atol: 0 });
});

test.run();
