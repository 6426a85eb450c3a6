import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dm from '../src/toys/detmath.js';

/** Distance in units in the last place between two doubles of the same sign (0 if equal). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const key = (v: bigint) => (v < 0n ? -(v & 0x7fffffffffffffffn) : v);
  const d = key(i[0]) - key(i[1]);
  return Number(d < 0n ? -d : d);
}

/** A fixed LCG for test inputs (test code may not use Math.random either). */
function inputs(n: number, draw: (u: number) => number): number[] {
  let s = 12345;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return draw(s / 2147483648);
  });
}

// Tolerance: V8's Math.* are themselves ≤ 1 ulp from the true value, and ours are within
// 1 ulp, so two results may differ by 2 ulp (sinh/asinh: 3, they combine two roundings more).
const cases: [string, (x: number) => number, (x: number) => number, number, number[]][] = [
  ['exp', dm.exp, Math.exp, 2, inputs(20000, (u) => (u * 2 - 1) * 745)],
  ['exp near 0', dm.exp, Math.exp, 2, inputs(5000, (u) => (u * 2 - 1) * 1e-6)],
  ['log', dm.log, Math.log, 2, inputs(20000, (u) => 10 ** ((u * 2 - 1) * 307))],
  ['log near 1', dm.log, Math.log, 2, inputs(10000, (u) => 1 + (u * 2 - 1) * 0.3)],
  ['log subnormal', dm.log, Math.log, 2, inputs(1000, (u) => u * 4e-310)],
  ['log1p', dm.log1p, Math.log1p, 2, inputs(10000, (u) => (u * 2 - 1) * 0.99)],
  ['sin', dm.sin, Math.sin, 2, inputs(20000, (u) => (u * 2 - 1) * 1e5)],
  ['sin small', dm.sin, Math.sin, 2, inputs(20000, (u) => (u * 2 - 1) * 7)],
  ['cos', dm.cos, Math.cos, 2, inputs(20000, (u) => (u * 2 - 1) * 1e5)],
  ['cos small', dm.cos, Math.cos, 2, inputs(20000, (u) => (u * 2 - 1) * 7)],
  ['atan', dm.atan, Math.atan, 2, inputs(20000, (u) => (u < 0.5 ? -1 : 1) * 10 ** ((u * 4 - 2) * 10))],
  ['sinh', dm.sinh, Math.sinh, 3, inputs(20000, (u) => (u * 2 - 1) * 700)],
  ['sinh small', dm.sinh, Math.sinh, 3, inputs(5000, (u) => (u * 2 - 1) * 2)],
  ['asinh', dm.asinh, Math.asinh, 3, inputs(20000, (u) => (u < 0.5 ? -1 : 1) * 10 ** ((u * 4 - 2) * 20))],
];

for (const [name, ours, ref, tol, xs] of cases) {
  test(`${name} agrees with Math.* within ${tol} ulp on ${xs.length} inputs`, () => {
    for (const x of xs) {
      const d = ulps(ours(x), ref(x));
      if (d > tol) assert.unreachable(`${name}(${x}) = ${ours(x)}, Math gives ${ref(x)}: ${d} ulp (tolerance ${tol})`);
    }
  });
}

test('atan2 agrees with Math.atan2 within 2 ulp over all quadrants and scales', () => {
  const ys = inputs(3000, (u) => (u * 2 - 1) * 10 ** (((u * 97) % 7) - 3));
  const xs = inputs(3000, (u) => (u * 2 - 1) * 10 ** (((u * 89) % 5) - 2)).reverse();
  for (let i = 0; i < ys.length; i++) {
    const d = ulps(dm.atan2(ys[i], xs[i]), Math.atan2(ys[i], xs[i]));
    if (d > 2) assert.unreachable(`atan2(${ys[i]}, ${xs[i]}): ${d} ulp`);
  }
});

test('special values follow IEEE / Math.*', () => {
  const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1, 5e-324, 1.7976931348623157e308, 710, -746, 709.78, -745.13];
  for (const [name, ours, ref] of [
    ['exp', dm.exp, Math.exp],
    ['log', dm.log, Math.log],
    ['log1p', dm.log1p, Math.log1p],
    ['sin', dm.sin, Math.sin],
    ['cos', dm.cos, Math.cos],
    ['atan', dm.atan, Math.atan],
    ['sinh', dm.sinh, Math.sinh],
    ['asinh', dm.asinh, Math.asinh],
  ] as const) {
    for (const x of specials) {
      const a = ours(x);
      const b = ref(x);
      if ((name === 'sin' || name === 'cos') && Math.abs(x) > 1.6e6 && Number.isFinite(x)) {
        assert.ok(Math.abs(a) <= 1, `${name}(${x}) = ${a}: beyond 2^20·π/2 only finite and in [-1, 1] (documented)`);
      } else if (Number.isNaN(b) || !Number.isFinite(b) || b === 0)
        assert.ok(Object.is(a, b), `${name}(${x}) = ${a}, wanted ${b}`);
      else assert.ok(ulps(a, b) <= 2, `${name}(${x}) = ${a}, wanted ${b}`);
    }
  }
  const pairs = [
    [0, 0],
    [-0, 0],
    [0, -0],
    [-0, -0],
    [1, 0],
    [-1, 0],
    [0, -1],
    [-0, -1],
    [Infinity, Infinity],
    [Infinity, -Infinity],
    [-Infinity, Infinity],
    [-Infinity, -Infinity],
    [1, Infinity],
    [1, -Infinity],
    [-1, -Infinity],
    [Infinity, 1],
    [NaN, 1],
    [1, NaN],
  ];
  for (const [y, x] of pairs) {
    const a = dm.atan2(y, x);
    const b = Math.atan2(y, x);
    assert.ok(Object.is(a, b) || ulps(a, b) <= 1, `atan2(${y}, ${x}) = ${a}, wanted ${b}`);
  }
});

test('hand-checked values: exp(1), log(2), sin(pi/6), cos(pi/3) (within 1 ulp of the rounded true value)', () => {
  assert.ok(ulps(dm.exp(1), 2.718281828459045) <= 1, `exp(1) = ${dm.exp(1)}`);
  assert.ok(ulps(dm.log(2), 0.6931471805599453) <= 1, `log(2) = ${dm.log(2)}`);
  assert.ok(Math.abs(dm.sin(Math.PI / 6) - 0.5) < 2e-16);
  assert.ok(Math.abs(dm.cos(Math.PI / 3) - 0.5) < 2e-16);
  assert.is(dm.exp(0), 1);
  assert.is(dm.log(1), 0);
});

test.run();
