/**
 * A small, safe expression language for observables and selections computed from weight
 * file columns after the fact (`omnifold hist --obs 'gen_pt*cos(gen_phi)' --where ...`).
 * No `eval`, no `Function`: a tokenizer, a precedence-climbing parser and a vectorised
 * evaluator over Float64Array columns.
 *
 * Grammar, loosest binding first:
 *   or      := and ('||' and)*
 *   and     := cmp ('&&' cmp)*
 *   cmp     := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+' | '!') unary | power
 *   power   := atom ('^' unary)?                     (right-associative; -x^2 = -(x^2))
 *   atom    := number | name | name '(' args ')' | '(' or ')'
 * Comparisons and logic give 1 or 0; a value is true when it is non-zero and not NaN.
 * Histograms are not weights, so Math.* is fine here (docs/algorithm.md §Determinism
 * concerns weights only).
 */
import { InputError } from '../base/errors.js';

type Node =
  | { type: 'num'; value: number; pos: number }
  | { type: 'col'; name: string; pos: number }
  | { type: 'un'; op: string; arg: Node; pos: number }
  | { type: 'bin'; op: string; left: Node; right: Node; pos: number }
  | { type: 'call'; name: string; args: Node[]; pos: number };

interface Token {
  kind: 'num' | 'name' | 'op' | 'end';
  text: string;
  pos: number;
}

/** Functions: name → [min args, max args, implementation]. */
const FUNCTIONS: Record<string, [number, number, (...a: number[]) => number]> = {
  sqrt: [1, 1, Math.sqrt],
  abs: [1, 1, Math.abs],
  sin: [1, 1, Math.sin],
  cos: [1, 1, Math.cos],
  tan: [1, 1, Math.tan],
  atan2: [2, 2, Math.atan2],
  exp: [1, 1, Math.exp],
  log: [1, 1, Math.log],
  pow: [2, 2, Math.pow],
  min: [2, Infinity, Math.min],
  max: [2, Infinity, Math.max],
  cosh: [1, 1, Math.cosh],
  sinh: [1, 1, Math.sinh],
  hypot: [2, Infinity, Math.hypot],
};

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
  '<': (a, b) => (a < b ? 1 : 0),
  '<=': (a, b) => (a <= b ? 1 : 0),
  '>': (a, b) => (a > b ? 1 : 0),
  '>=': (a, b) => (a >= b ? 1 : 0),
  '==': (a, b) => (a === b ? 1 : 0),
  '!=': (a, b) => (a !== b ? 1 : 0),
  '&&': (a, b) => (truthy(a) && truthy(b) ? 1 : 0),
  '||': (a, b) => (truthy(a) || truthy(b) ? 1 : 0),
};

const CONSTANTS: Record<string, number> = { pi: Math.PI };
const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '^', '<', '>', '(', ')', ',', '!'];

function truthy(v: number): boolean {
  return v !== 0 && !Number.isNaN(v);
}

function describeToken(t: Token): string {
  return t.kind === 'end' ? 'end of input' : JSON.stringify(t.text);
}

/** A parsed expression: which columns it reads, and how to evaluate it over them. */
export class Expression {
  /** Column names the expression reads, in first-use order. */
  readonly columns: readonly string[];

  constructor(
    readonly source: string,
    private readonly root: Node,
    columns: string[],
  ) {
    this.columns = Object.freeze(columns);
  }

  /**
   * Evaluates on `nRows` rows: `columns` maps every name in {@link Expression.columns} to an
   * array of length `nRows`. Returns a new Float64Array [nRows].
   */
  evaluate(columns: Readonly<Record<string, ArrayLike<number>>>, nRows: number): Float64Array {
    for (const name of this.columns) {
      const c = columns[name];
      if (c === undefined || c.length !== nRows) {
        throw new InputError(
          `expression "${this.source}" : column "${name}" must have ${nRows} values; got ${c === undefined ? 'none' : c.length}`,
        );
      }
    }
    const v = evalNode(this.root, columns, nRows);
    return typeof v === 'number' ? new Float64Array(nRows).fill(v) : v;
  }

  /** Evaluates as a selection: 1 where the value is non-zero and not NaN, else 0. */
  mask(columns: Readonly<Record<string, ArrayLike<number>>>, nRows: number): Uint8Array {
    const v = this.evaluate(columns, nRows);
    const out = new Uint8Array(nRows);
    for (let i = 0; i < nRows; i++) out[i] = truthy(v[i]) ? 1 : 0;
    return out;
  }
}

type Value = number | Float64Array;

function evalNode(node: Node, columns: Readonly<Record<string, ArrayLike<number>>>, n: number): Value {
  switch (node.type) {
    case 'num':
      return node.value;
    case 'col':
      return Float64Array.from(columns[node.name]);
    case 'un': {
      const f =
        node.op === '-' ? (a: number) => -a : node.op === '!' ? (a: number) => (truthy(a) ? 0 : 1) : (a: number) => a;
      return map([evalNode(node.arg, columns, n)], n, f);
    }
    case 'bin':
      return map([evalNode(node.left, columns, n), evalNode(node.right, columns, n)], n, BINARY[node.op]);
    case 'call':
      return map(
        node.args.map((a) => evalNode(a, columns, n)),
        n,
        FUNCTIONS[node.name][2],
      );
  }
}

/** Applies `f` elementwise; scalars broadcast, and all-scalar arguments fold to a scalar. */
function map(args: Value[], n: number, f: (...a: number[]) => number): Value {
  if (args.every((a) => typeof a === 'number')) return f(...args);
  const out = new Float64Array(n);
  const row = new Array<number>(args.length);
  if (args.length === 2) {
    const [a, b] = args;
    const g = f;
    if (typeof a === 'number') for (let i = 0; i < n; i++) out[i] = g(a, (b as Float64Array)[i]);
    else if (typeof b === 'number') for (let i = 0; i < n; i++) out[i] = g(a[i], b);
    else for (let i = 0; i < n; i++) out[i] = g(a[i], b[i]);
    return out;
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      row[k] = typeof a === 'number' ? a : a[i];
    }
    out[i] = f(...row);
  }
  return out;
}

function tokenize(src: string, fail: (what: string, pos: number, got: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ kind: 'num', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) fail('a number, column, function, operator or parenthesis', i, JSON.stringify(c));
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}

/**
 * Parses `source`. With `available`, every name that is not a function or constant must be
 * one of them; the error names the bad token, its 0-based position and the columns.
 *
 * @example
 * parseExpression('gen_pt*cos(gen_phi)', ['gen_pt', 'gen_phi']).evaluate({ gen_pt: [2], gen_phi: [0] }, 1)
 * // Float64Array [ 2 ]
 */
export function parseExpression(source: string, available?: readonly string[]): Expression {
  const fail = (what: string, pos: number, got: string): never => {
    throw new InputError(`expression "${source}" : expected ${what} at position ${pos}; got ${got}`);
  };
  if (source.trim() === '') fail('an expression', 0, 'end of input');
  const tokens = tokenize(source, fail);
  const used: string[] = [];
  let p = 0;
  const peek = () => tokens[p];
  const isOp = (...ops: string[]) => peek().kind === 'op' && ops.includes(peek().text);

  const binaryLevel =
    (ops: string[], next: () => Node, once = false) =>
    (): Node => {
      let left = next();
      while (isOp(...ops)) {
        const t = tokens[p++];
        left = { type: 'bin', op: t.text, left, right: next(), pos: t.pos };
        if (once) break;
      }
      return left;
    };
  const atom = (): Node => {
    const t = tokens[p];
    if (t.kind === 'num') {
      p++;
      const value = Number(t.text);
      if (!Number.isFinite(value)) fail('a finite number', t.pos, JSON.stringify(t.text));
      return { type: 'num', value, pos: t.pos };
    }
    if (t.kind === 'op' && t.text === '(') {
      p++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.kind === 'name') {
      p++;
      if (isOp('(')) return call(t);
      if (Object.hasOwn(CONSTANTS, t.text) && !available?.includes(t.text))
        return { type: 'num', value: CONSTANTS[t.text], pos: t.pos };
      if (available !== undefined && !available.includes(t.text)) {
        fail('a column name', t.pos, `unknown column ${JSON.stringify(t.text)} (columns are ${available.join(', ')})`);
      }
      if (!used.includes(t.text)) used.push(t.text);
      return { type: 'col', name: t.text, pos: t.pos };
    }
    return fail('a number, column, function or "("', t.pos, describeToken(t));
  };
  const call = (t: Token): Node => {
    const fn = FUNCTIONS[t.text];
    if (!Object.hasOwn(FUNCTIONS, t.text))
      fail(`a function (one of ${Object.keys(FUNCTIONS).join(', ')})`, t.pos, JSON.stringify(t.text));
    p++; // '('
    const args: Node[] = [];
    if (!isOp(')')) {
      args.push(or());
      while (isOp(',')) {
        p++;
        args.push(or());
      }
    }
    expect(')');
    const [lo, hi] = fn;
    if (args.length < lo || args.length > hi) {
      const count = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
      fail(`${count} argument${lo === 1 && hi === 1 ? '' : 's'} to ${t.text}()`, t.pos, `${args.length}`);
    }
    return { type: 'call', name: t.text, args, pos: t.pos };
  };
  const expect = (text: string) => {
    const t = peek();
    if (t.kind !== 'op' || t.text !== text) fail(JSON.stringify(text), t.pos, describeToken(t));
    p++;
  };
  const power = (): Node => {
    const base = atom();
    if (isOp('^')) {
      const t = tokens[p++];
      return { type: 'bin', op: '^', left: base, right: unary(), pos: t.pos };
    }
    return base;
  };
  const unary = (): Node => {
    if (isOp('-', '+', '!')) {
      const t = tokens[p++];
      return { type: 'un', op: t.text, arg: unary(), pos: t.pos };
    }
    return power();
  };
  const product = binaryLevel(['*', '/'], unary);
  const sum = binaryLevel(['+', '-'], product);
  const cmp = binaryLevel(['<', '<=', '>', '>=', '==', '!='], sum, true);
  const and = binaryLevel(['&&'], cmp);
  const or = binaryLevel(['||'], and);

  const root = or();
  if (peek().kind !== 'end') fail('an operator or end of input', peek().pos, describeToken(peek()));
  return new Expression(source, root, used);
}
