import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecorrelationPenalty, distanceCorrF64 } from '../../src/kernels/distance_corr_f64.js';
import { distanceCorrF64 as reference } from '../../src/kernels/reference/distance_corr_f64.js';
import { sigmoidF32 } from '../../src/kernels/sigmoid_f32.js';
import { kernels } from '../../src/kernels/wasm.js';
import { assertClose } from '../helpers/close.js';
import { stream, uniformF32, uniformF64 } from './random_inputs.js';

/** The unweighted textbook V-statistic dCorr² (Székely, Rizzo & Bakirov 2007), written out once more. */
function unweighted(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  const centre = (z: ArrayLike<number>) => {
    const d = (i: number, j: number) => Math.abs(z[i] - z[j]);
    const row = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += d(i, j);
      return s / n;
    });
    const grand = row.reduce((a, b) => a + b, 0) / n;
    return (i: number, j: number) => d(i, j) - row[i] - row[j] + grand;
  };
  const A = centre(x);
  const B = centre(y);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      ab += A(i, j) * B(i, j);
      aa += A(i, j) * A(i, j);
      bb += B(i, j) * B(i, j);
    }
  return ab / n / n / Math.sqrt((aa / n / n) * (bb / n / n));
}

test('tier A: dCorr²(v, v) = 1, of a linear function of v = 1 (either sign), of a non-monotone function < 1', () => {
  const s = stream('distance_corr_f64 A');
  const v = uniformF64(s, 200, -3, 3);
  const w = uniformF64(s, 200, 0.1, 2);
  assertClose('v, v', distanceCorrF64(v, v, w).dcorr2, 1, { rtol: 1e-12, atol: 0 });
  assertClose(
    '3v + 2',
    distanceCorrF64(
      v.map((x) => 3 * x + 2),
      v,
      w,
    ).dcorr2,
    1,
    { rtol: 1e-12, atol: 0 },
  );
  assertClose(
    '−0.5v',
    distanceCorrF64(
      v.map((x) => -0.5 * x),
      v,
      w,
    ).dcorr2,
    1,
    { rtol: 1e-12, atol: 0 },
  );
  // v² on a symmetric range: dependent but not linearly (the textbook value is about 0.25)
  const square = distanceCorrF64(
    v.map((x) => x * x),
    v,
    w,
  ).dcorr2;
  assert.ok(square > 0.1 && square < 0.6, `v²: ${square}`);
});

test('independent large samples give dCorr² ≈ 0 (the V-statistic bias is O(1/n))', () => {
  const s = stream('distance_corr_f64 independent');
  const n = 2000;
  const f = uniformF64(s, n, 0, 1);
  const v = uniformF64(s, n, -5, 5);
  const w = uniformF64(s, n, 0.5, 1.5);
  const r = distanceCorrF64(f, v, w).dcorr2;
  assert.ok(r >= 0 && r < 0.01, `independent: ${r}`);
});

test('equal weights give the unweighted formula; an integer weight counts as repeated events; negative weights count as |w|', () => {
  const s = stream('distance_corr_f64 weights');
  const n = 41;
  const f = uniformF64(s, n, 0, 1);
  const v = f.map((x) => x + 0.3 * s.nextDouble());
  const want = unweighted(f, v);
  assertClose('w = 1', distanceCorrF64(f, v, new Float64Array(n).fill(1)).dcorr2, want, { rtol: 1e-12, atol: 0 });
  assertClose('w = 2.5', distanceCorrF64(f, v, new Float64Array(n).fill(2.5)).dcorr2, want, { rtol: 1e-12, atol: 0 });
  // event 0 with weight 3 is events 0, 0, 0 with weight 1
  const w3 = new Float64Array(n).fill(1);
  w3[0] = 3;
  const repeated = unweighted([f[0], f[0], ...f], [v[0], v[0], ...v]);
  assertClose('w_0 = 3', distanceCorrF64(f, v, w3).dcorr2, repeated, { rtol: 1e-12, atol: 0 });
  const w = uniformF64(s, n, -1, 2);
  const abs = w.map(Math.abs);
  const signed = distanceCorrF64(f, v, w);
  const magnitudes = distanceCorrF64(f, v, abs);
  assert.equal(signed.dcorr2, magnitudes.dcorr2);
  assert.equal(Array.from(signed.grad), Array.from(magnitudes.grad));
});

test('tier B: kernel vs reference over tail lengths 1..9, 37, 513 (weights of both signs)', () => {
  const s = stream('distance_corr_f64 B');
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 37, 513]) {
    const f = uniformF64(s, n, 0, 1);
    const v = f.map((x) => Math.sin(4 * x) + s.nextDouble());
    const w = uniformF64(s, n, -0.5, 2);
    const got = distanceCorrF64(f, v, w);
    const want = reference(f, v, w);
    assertClose(`n = ${n} value`, got.dcorr2, want.dcorr2, { rtol: 1e-11, atol: 1e-14 });
    const scale = Math.max(1, ...Array.from(want.grad, Math.abs));
    assertClose(`n = ${n} gradient`, got.grad, want.grad, { rtol: 1e-9, atol: 1e-11 * scale });
    assert.ok(got.dcorr2 >= -1e-15 && got.dcorr2 <= 1 + 1e-12, `n = ${n}: ${got.dcorr2}`);
  }
});

test('the gradient matches central differences of the value', () => {
  const s = stream('distance_corr_f64 fd');
  for (const n of [3, 9, 37]) {
    const f = uniformF64(s, n, 0, 1);
    const v = f.map((x) => x * x + 0.5 * s.nextDouble());
    const w = uniformF64(s, n, 0.2, 2);
    const { grad } = distanceCorrF64(f, v, w);
    const h = 1e-7;
    const fd = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const up = f.slice();
      const down = f.slice();
      up[k] += h;
      down[k] -= h;
      fd[k] = (distanceCorrF64(up, v, w).dcorr2 - distanceCorrF64(down, v, w).dcorr2) / (2 * h);
    }
    const scale = Math.max(...Array.from(fd, Math.abs));
    assertClose(`n = ${n}`, grad, fd, { rtol: 1e-5, atol: 1e-6 * scale });
  }
});

test('edges: n = 0 and 1, zero total weight, no spread in f or in v give 0 and a zero gradient, never NaN', () => {
  const zero = (n: number) => new Float64Array(n);
  const cases: [string, number[], number[], number[]][] = [
    ['n = 0', [], [], []],
    ['n = 1', [0.3], [2], [1]],
    ['zero weights', [0.1, 0.5, 0.9], [1, 2, 3], [0, 0, 0]],
    ['constant f', [0.5, 0.5, 0.5, 0.5], [1, 2, 3, 4], [1, 1, 2, 1]],
    ['constant v', [0.1, 0.2, 0.3, 0.4], [7, 7, 7, 7], [1, 1, 2, 1]],
    ['one event with weight', [0.1, 0.2, 0.3], [1, 2, 3], [0, 1, 0]],
  ];
  for (const [name, f, v, w] of cases) {
    for (const impl of [distanceCorrF64, reference]) {
      const r = impl(f, v, w);
      assert.is(r.dcorr2, 0, name);
      assert.equal(Array.from(r.grad), Array.from(zero(f.length)), name);
    }
  }
});

test('DecorrelationPenalty: λ·dCorr²(σ(z), v) and λ·∂dCorr²/∂f·σ(1 − σ) per logit, for any batch up to its capacity', () => {
  const s = stream('distance_corr_f64 penalty');
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const penalty = new DecorrelationPenalty(arena, 64, 0.7);
    for (const n of [1, 2, 17, 64]) {
      const z = uniformF32(s, n, -4, 4);
      const v = uniformF64(s, n, -1, 1).map((x, i) => x + z[i]);
      const w = uniformF64(s, n, -1, 2);
      penalty.logits(n).set(z);
      penalty.variable(n).set(v);
      penalty.weights(n).set(w);
      const r = penalty.compute(n);
      const f = Float64Array.from(sigmoidF32(z));
      const want = reference(f, v, w);
      assertClose(`n = ${n} dCorr²`, r, want.dcorr2, { rtol: 1e-11, atol: 1e-15 });
      const g = want.grad.map((x, i) => 0.7 * x * (f[i] * (1 - f[i])));
      const scale = Math.max(1, ...Array.from(g, Math.abs));
      assertClose(`n = ${n} gradient`, penalty.gradient(n), g, { rtol: 1e-9, atol: 1e-11 * scale });
    }
    assert.throws(() => penalty.compute(65), /distance_corr_f64: rows must be an integer in \[0, 64\]; got 65/);
    assert.throws(() => new DecorrelationPenalty(arena, 4, -1), /lambda must be finite and >= 0; got -1/);
  } finally {
    arena.release(mark);
  }
});

test("DecorrelationPenalty per class: class 0's, class 1's, or the sum of both classes' dCorr²; other rows get no gradient", () => {
  const s = stream('distance_corr_f64 penalty classes');
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    for (const classes of [0, 1, 'each'] as const) {
      const penalty = new DecorrelationPenalty(arena, 64, 0.7, classes);
      for (const n of [1, 2, 3, 17, 64]) {
        const z = uniformF32(s, n, -4, 4);
        const v = uniformF64(s, n, -1, 1).map((x, i) => x + z[i]);
        const w = uniformF64(s, n, -1, 2);
        const y = Uint8Array.from({ length: n }, () => (s.nextDouble() < 0.4 ? 1 : 0));
        penalty.logits(n).set(z);
        penalty.variable(n).set(v);
        penalty.weights(n).set(w);
        penalty.labels(n).set(y);
        const r = penalty.compute(n);
        const f = Float64Array.from(sigmoidF32(z));
        let want = 0;
        const g = new Float64Array(n);
        for (const c of classes === 'each' ? [0, 1] : [classes]) {
          const rows = Array.from({ length: n }, (_, i) => i).filter((i) => y[i] === c);
          const sub = reference(
            rows.map((i) => f[i]),
            rows.map((i) => v[i]),
            rows.map((i) => w[i]),
          );
          want += sub.dcorr2;
          rows.forEach((i, k) => (g[i] = 0.7 * sub.grad[k] * (f[i] * (1 - f[i]))));
        }
        assertClose(`${classes}, n = ${n}: D`, r, want, { rtol: 1e-11, atol: 1e-15 });
        const scale = Math.max(1, ...Array.from(g, Math.abs));
        assertClose(`${classes}, n = ${n}: gradient`, penalty.gradient(n), g, { rtol: 1e-9, atol: 1e-11 * scale });
        if (classes !== 'each')
          for (let i = 0; i < n; i++) if (y[i] !== classes) assert.is(penalty.gradient(n)[i], 0, `row ${i}`);
      }
    }
    // 'each' through the whole path: λ·∂D/∂z against central differences of λ·D in the logits
    const n = 40;
    const penalty = new DecorrelationPenalty(arena, n, 0.7, 'each');
    const z = Float32Array.from(uniformF64(s, n, -2, 2));
    const v = uniformF64(s, n, -1, 1).map((x, i) => x + z[i]);
    penalty.variable(n).set(v);
    penalty.weights(n).set(uniformF64(s, n, 0.5, 2));
    penalty.labels(n).set(Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)));
    const value = (logits: Float32Array) => {
      penalty.logits(n).set(logits);
      return 0.7 * penalty.compute(n, false);
    };
    penalty.logits(n).set(z);
    penalty.compute(n);
    const grad = penalty.gradient(n).slice();
    for (const i of [0, 1, 7, 39]) {
      const h = 1 / 64; // exact in f32 around |z| < 2
      const up = Float32Array.from(z);
      const down = Float32Array.from(z);
      up[i] += h;
      down[i] -= h;
      const numeric = (value(up) - value(down)) / (2 * h);
      assertClose(`∂(λD)/∂z_${i}`, grad[i], numeric, { rtol: 5e-2, atol: 1e-4 });
    }
    assert.throws(
      () => new DecorrelationPenalty(arena, 4, 1, 2 as unknown as 0),
      /classes must be one of 'pooled', 'each', 0, 1; got 2/,
    );
  } finally {
    arena.release(mark);
  }
});

test('length mismatches are one-line errors', () => {
  assert.throws(() => distanceCorrF64([1, 2], [1], [1, 1]), /distance_corr_f64: v must/);
  assert.throws(() => distanceCorrF64([1, 2], [1, 2], [1]), /distance_corr_f64: w must/);
});

test.run();
