import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adamStepF32, type AdamScalars } from '../../src/kernels/adam_step_f32.js';
import { adamStepF32 as reference } from '../../src/kernels/reference/adam_step_f32.js';
import { assertBitEqual, assertClose } from '../helpers/close.js';
import { LENGTHS, stream, uniformF32 } from './random_inputs.js';

const scalars = (t: number, lr = 1e-3): AdamScalars => ({
  lr,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-7,
  bc1: 1 - 0.9 ** t,
  bc2: 1 - 0.999 ** t,
});

test('tier A: the first step moves every parameter by lr·sign(g)', () => {
  // t = 1: m̂ = g, v̂ = g², so Δp = −lr·g/(|g| + ε) ≈ −lr·sign(g)
  const p = new Float32Array([1, 1, 1, 1, 1]);
  const m = new Float32Array(5);
  const v = new Float32Array(5);
  adamStepF32(p, new Float32Array([2, -3, 0.5, 0, -1e-3]), m, v, scalars(1, 0.1));
  assertClose('p', p, [0.9, 1.1, 0.9, 1, 1.1], { rtol: 1e-5, atol: 0 });
  assertClose('m', m, [0.2, -0.3, 0.05, 0, -1e-4], { rtol: 1e-6, atol: 0 });
});

test('tier B: kernel equals the reference bit for bit over several steps', () => {
  const s = stream('adam_step_f32');
  for (const n of [...LENGTHS, 103]) {
    const p = uniformF32(s, n);
    const m = new Float32Array(n);
    const v = new Float32Array(n);
    const [p2, m2, v2] = [p.slice(), m.slice(), v.slice()];
    for (let t = 1; t <= 5; t++) {
      const g = uniformF32(s, n, -2, 2);
      if (n > 2) g[1] = 0;
      adamStepF32(p, g, m, v, scalars(t));
      reference(p2, g, m2, v2, scalars(t));
    }
    assertBitEqual(`p (n=${n})`, p, p2);
    assertBitEqual(`m (n=${n})`, m, m2);
    assertBitEqual(`v (n=${n})`, v, v2);
  }
});

test('errors: hyperparameters', () => {
  const z = () => new Float32Array(2);
  assert.throws(
    () => adamStepF32(z(), z(), z(), z(), { ...scalars(1), beta1: 1 }),
    /adam_step_f32: beta1 must be in \[0, 1\); got 1/,
  );
  assert.throws(
    () => adamStepF32(z(), z(), z(), z(), { ...scalars(1), bc2: 0 }),
    /adam_step_f32: bc2 must be in \(0, 1\]; got 0/,
  );
  assert.throws(
    () => adamStepF32(z(), new Float32Array(3), z(), z(), scalars(1)),
    /adam_step_f32: g must hold the length of p = 2 numbers; got 3/,
  );
});

test.run();
