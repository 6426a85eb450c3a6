import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation } from '../../src/kernels/activation.js';
import { parameterCount } from '../../src/kernels/mlp_workspace.js';
import { wasmLogits } from './mlp_helpers.js';
import { mlpForwardF32 as reference } from '../../src/kernels/reference/mlp_forward_f32.js';
import { assertBitEqual, assertClose } from '../helpers/close.js';
import { stream, uniformF32 } from './random_inputs.js';

test('tier A: a 2-input, 2-hidden ReLU network by hand', () => {
  // W1 = [[1, -1], [2, 0.5]], b1 = [0, 1]; W2 = [[3], [-2]], b2 = [0.5]
  // x = [1, 1]: z1 = [3, 0.5] → a1 = [3, 0.5] → 9 − 1 + 0.5 = 8.5
  // x = [-1, 0]: z1 = [-1, 2] → a1 = [0, 2] → −4 + 0.5 = −3.5
  const params = new Float32Array([1, -1, 2, 0.5, 0, 1, 3, -2, 0.5]);
  assert.equal(Array.from(wasmLogits(params, [2, 2, 1], 'relu', new Float32Array([1, 1, -1, 0]), 2)), [8.5, -3.5]);
});

test('tier B: wasm network equals the reference network (ReLU bit for bit; smooth activations to f32 ulps)', () => {
  const s = stream('mlp_forward_f32');
  // ReLU hidden widths at the column tails of the zero-skipping products (asm/sparse_gemm.ts)
  const nets: [number[], Activation][] = [
    [[1, 5, 1], 'relu'],
    [[8, 50, 50, 50, 1], 'relu'],
    [[3, 6, 130, 5, 1], 'relu'],
    [[2, 4, 7, 33, 1], 'relu'],
    [[5, 31, 64, 1], 'relu'],
    [[3, 2, 9, 1], 'relu'],
    [[3, 7, 9, 1], 'silu'],
    [[24, 13, 1], 'gelu'],
  ];
  for (const [dims, activation] of nets) {
    for (const nRows of [0, 1, 3, 4, 5, 131]) {
      const params = uniformF32(s, parameterCount(dims), -0.5, 0.5);
      const x = uniformF32(s, nRows * dims[0], -2, 2);
      const got = wasmLogits(params, dims, activation, x, nRows);
      const want = reference(params, dims, activation, x, nRows).logits;
      const label = `logits ${activation} ${dims.join('-')} (${nRows} rows)`;
      if (activation === 'relu') assertBitEqual(label, got, want);
      else assertClose(label, got, want, { rtol: 1e-4, atol: 1e-5 }); // activation ulps through 2–3 layers
    }
  }
});

test.run();
