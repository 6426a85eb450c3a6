import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseExpression } from '../src/analysis/expr.js';
import { assertClose } from './helpers/close.js';

const cols = {
  a: Float64Array.of(1, 2, 3),
  b: Float64Array.of(4, 5, 6),
  gen_pt: Float64Array.of(10, 20, 30),
  gen_phi: Float64Array.of(0, Math.PI / 2, Math.PI),
};
const names = Object.keys(cols);
const ev = (src: string) => Array.from(parseExpression(src, names).evaluate(cols, 3));

test('arithmetic, precedence and associativity', () => {
  assert.equal(ev('1 + 2 * 3'), [7, 7, 7]);
  assert.equal(ev('(1 + 2) * 3'), [9, 9, 9]);
  assert.equal(ev('a - b - 1'), [-4, -4, -4]);
  assert.equal(ev('b / a'), [4, 2.5, 2]);
  assert.equal(ev('2 ^ 3 ^ 2'), [512, 512, 512]); // right-associative
  assert.equal(ev('-a ^ 2'), [-1, -4, -9]); // -(a^2)
  assert.equal(ev('a ^ -1'), [1, 0.5, 1 / 3]);
  assert.equal(ev('--a'), [1, 2, 3]);
  assert.equal(ev('1.5e1 + .5'), [15.5, 15.5, 15.5]);
});

test('functions', () => {
  assertClose('gen_pt*cos(gen_phi)', ev('gen_pt*cos(gen_phi)'), [10, 20 * Math.cos(Math.PI / 2), -30]);
  assert.equal(
    ev('sqrt(a*a + b*b)'),
    Array.from({ length: 3 }, (_, i) => Math.sqrt(cols.a[i] ** 2 + cols.b[i] ** 2)),
  );
  assert.equal(ev('hypot(a, b, 1)'), [Math.hypot(1, 4, 1), Math.hypot(2, 5, 1), Math.hypot(3, 6, 1)]);
  assert.equal(ev('min(a, b, 2)'), [1, 2, 2]);
  assert.equal(ev('max(a, 2)'), [2, 2, 3]);
  assert.equal(ev('pow(a, 2) + abs(-b)'), [5, 9, 15]);
  assert.equal(ev('atan2(a, b)'), [Math.atan2(1, 4), Math.atan2(2, 5), Math.atan2(3, 6)]);
  assert.equal(ev('exp(0) + log(1) + sin(0) + tan(0) + cosh(0) + sinh(0)'), [2, 2, 2]);
  assertClose('pi', ev('cos(2*pi)'), [1, 1, 1]);
});

test('comparisons and logic give 1/0; mask treats NaN as false', () => {
  assert.equal(ev('a >= 2'), [0, 1, 1]);
  assert.equal(ev('a > 1 && b < 6'), [0, 1, 0]);
  assert.equal(ev('a == 1 || b == 6'), [1, 0, 1]);
  assert.equal(ev('a != 2'), [1, 0, 1]);
  assert.equal(ev('!(a <= 1)'), [0, 1, 1]);
  assert.equal(ev('a + 1 > b - 3 && a < 3'), [1, 1, 0]); // comparison binds looser than +
  assert.equal(Array.from(parseExpression('sqrt(a - 2)').mask(cols, 3)), [0, 0, 1]);
});

test('columns lists the names read, once each', () => {
  assert.equal(parseExpression('a*b + a').columns, ['a', 'b']);
  assert.equal(parseExpression('1 + 2').columns, []);
});

const bad: [string, RegExp][] = [
  ['gen_pt*cos(gen_phi', /^expression "gen_pt\*cos\(gen_phi" : expected "\)" at position 18; got end of input$/],
  [
    'gen_pt*cos(phi)',
    /^expression "gen_pt\*cos\(phi\)" : expected a column name at position 11; got unknown column "phi" \(columns are a, b, gen_pt, gen_phi\)$/,
  ],
  ['foo(a)', /^expression "foo\(a\)" : expected a function \(one of sqrt, abs, .*hypot\) at position 0; got "foo"$/],
  ['sqrt(a, b)', /^expression "sqrt\(a, b\)" : expected 1 argument to sqrt\(\) at position 0; got 2$/],
  ['atan2(a)', /: expected 2 arguments to atan2\(\) at position 0; got 1$/],
  ['max(a)', /: expected at least 2 arguments to max\(\) at position 0; got 1$/],
  [
    'a # b',
    /^expression "a # b" : expected a number, column, function, operator or parenthesis at position 2; got "#"$/,
  ],
  ['a b', /: expected an operator or end of input at position 2; got "b"$/],
  ['a +', /: expected a number, column, function or "\(" at position 3; got end of input$/],
  ['(a))', /: expected an operator or end of input at position 3; got "\)"$/],
  ['a * )', /: expected a number, column, function or "\(" at position 4; got "\)"$/],
  ['   ', /^expression " {3}" : expected an expression at position 0; got end of input$/],
  ['a < b < 3', /: expected an operator or end of input at position 6; got "<"$/],
];

test('errors name the bad token and its position', () => {
  for (const [src, re] of bad) {
    try {
      parseExpression(src, names);
      assert.unreachable(`${src} parsed`);
    } catch (e) {
      assert.match((e as Error).message, re, src);
      assert.is((e as Error).name, 'InputError');
    }
  }
});

test('evaluate checks column lengths', () => {
  assert.throws(
    () => parseExpression('a + q').evaluate({ a: [1] }, 1),
    /^expression "a \+ q" : column "q" must have 1 values; got none$/,
  );
  assert.throws(() => parseExpression('a').evaluate({ a: [1, 2] }, 1), /column "a" must have 1 values; got 2/);
});

test.run();
