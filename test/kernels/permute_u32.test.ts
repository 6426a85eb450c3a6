import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/base/errors.js';
import { WasmPermutation, permuteU32 } from '../../src/kernels/permute_u32.js';
import { kernels } from '../../src/kernels/wasm.js';
import type { RngKey } from '../../src/base/rng.js';
import { RandomPermutation, RandomStream } from '../../src/base/rng.js';
import { LENGTHS } from './random_inputs.js';

const key: RngKey = { seed: 21, kind: 'nominal', replica: 0, iteration: 2, step: 'step1', member: 1 };

test('tier A: a block of indices is the permutation itself (all of [0, n) once each)', () => {
  const n = 300;
  const got = permuteU32(new RandomPermutation(n, new RandomStream(key, 'split')), 0, n);
  assert.equal(
    [...got].sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
  );
});

test('tier B: wasm images equal RandomPermutation.at bit for bit (domain sizes, block tails, offsets, rekeyed)', () => {
  const stream = new RandomStream(key, 'toy');
  // sizes at the edges of the bit widths (8-bit minimum, odd and even widths, 2^32)
  for (const n of [1, 2, 5, 255, 256, 257, 1000, 4099, 65535, 65536, 65537, 1_000_003, 2 ** 31 + 11, 2 ** 32]) {
    const perm = new RandomPermutation(n, stream);
    for (const count of LENGTHS) {
      if (count > n) continue;
      const start = Math.floor((n - count) / 3);
      const want = Uint32Array.from({ length: count }, (_, r) => perm.at(start + r));
      const got = permuteU32(perm, start, count);
      assert.equal(Array.from(got), Array.from(want), `n=${n} start=${start} count=${count}`);
    }
    perm.rekey(stream);
    const src = Uint32Array.from({ length: 37 }, (_, r) => Math.floor((r * (n - 1)) / 40));
    const add = n > 40 ? 3 : 0;
    const want = Uint32Array.from(src, (i) => perm.at(i + add));
    assert.equal(Array.from(permuteU32(perm, add, src.length, src)), Array.from(want), `n=${n} from a source block`);
  }
});

test('composition in place: P2(P1(r) + k) as a fit draws its training order', () => {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const n = 5000;
    const nVal = 1000;
    const split = new RandomPermutation(n, new RandomStream(key, 'split'));
    const epoch = new RandomPermutation(n - nVal, new RandomStream(key, 'shuffle'));
    const ws = new WasmPermutation(arena, split);
    const we = new WasmPermutation(arena, epoch);
    const ptr = arena.allocU32(257);
    we.images(0, 257, 100, ptr);
    ws.images(ptr, 257, nVal, ptr);
    const want = Array.from({ length: 257 }, (_, r) => split.at(nVal + epoch.at(100 + r)));
    assert.equal(Array.from(arena.u32(ptr, 257)), want);
  } finally {
    arena.release(mark);
  }
});

test('errors: block past the end of the domain, negative offset', () => {
  const perm = new RandomPermutation(10, new RandomStream(key, 'split'));
  assert.throws(
    () => permuteU32(perm, 8, 3),
    (e: unknown) =>
      e instanceof InputError &&
      /^permute_u32: add \+ count must be at most the permutation size 10; got 11$/.test((e as Error).message),
  );
  assert.throws(() => permuteU32(perm, -1, 3), /^permute_u32: add must be an integer >= 0; got -1$/);
  assert.throws(
    () => permuteU32(new RandomPermutation(0, new RandomStream(key, 'split')), 0, 0),
    /^permute_u32: permutation size must be at least 1; got 0$/,
  );
});

test.run();
