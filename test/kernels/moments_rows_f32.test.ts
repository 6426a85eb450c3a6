import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/base/errors.js';
import { momentsRowsF32, type MomentsState } from '../../src/kernels/moments_rows_f32.js';
import { momentsRowsF32 as reference } from '../../src/kernels/reference/moments_rows_f32.js';
import { assertBitEqual } from '../helpers/close.js';
import { LENGTHS, stream, uniformF32 } from './random_inputs.js';

const fresh = (nf: number): MomentsState => ({ mean: new Float64Array(nf), m2: new Float64Array(nf), count: 0 });

test('tier A: hand-computed mean and Σ (x − mean)², one row masked', () => {
  // feature 0: rows 1, 3, (9 masked), 5 → mean 3, m2 = 4 + 0 + 4 = 8; feature 1: 2, 2, ·, 8 → mean 4, m2 = 24
  const x = new Float32Array([1, 2, 3, 2, 9, 9, 5, 8]);
  const s = fresh(2);
  momentsRowsF32(x, 2, new Uint32Array([0b0100]), 0, s);
  assert.is(s.count, 3);
  assert.equal(Array.from(s.mean), [3, 4]);
  assert.equal(Array.from(s.m2), [8, 24]);
});

test('tier B: kernel equals the JS twin bit for bit (feature counts, lengths, masks, blocks continuing a state)', () => {
  const s = stream('moments_rows_f32');
  for (const nf of [1, 2, 3, 4, 5, 8, 9, 24]) {
    for (const nRows of LENGTHS) {
      const x = uniformF32(s, nRows * nf, -40, 90);
      const mask = Uint32Array.from({ length: Math.ceil((nRows + 37) / 32) + 1 }, () => s.nextUint32());
      for (const m of [undefined, mask]) {
        const got = fresh(nf);
        const want = fresh(nf);
        // in two blocks, the second continuing the first (rows first..: bits 37 + r)
        const cut = Math.floor(nRows / 3) * nf;
        momentsRowsF32(x.subarray(0, cut), nf, m, 37, got);
        momentsRowsF32(x.subarray(cut), nf, m, 37 + cut / nf, got);
        reference(x, nf, m, 37, want);
        const label = `nf=${nf} nRows=${nRows} ${m === undefined ? 'no mask' : 'mask'}`;
        assert.is(got.count, want.count, label);
        assertBitEqual(`mean ${label}`, got.mean, want.mean);
        assertBitEqual(`m2 ${label}`, got.m2, want.m2);
      }
    }
  }
});

test('large offsets and means: Welford keeps the variance where a naive Σx² would not', () => {
  // 1e4 + u with u uniform in [0, 1): f32 spacing near 1e4 is 2^-10, variance ≈ 1/12
  const s = stream('moments_rows_f32/offset');
  const x = uniformF32(s, 4099, 10000, 10001);
  const st = fresh(1);
  momentsRowsF32(x, 1, undefined, 0, st);
  const want = fresh(1);
  reference(x, 1, undefined, 0, want);
  assertBitEqual('mean', st.mean, want.mean);
  assertBitEqual('m2', st.m2, want.m2);
  assert.ok(Math.abs(st.m2[0] / st.count - 1 / 12) < 0.01, `variance ${st.m2[0] / st.count}`);
});

test('preconditions are InputErrors naming the argument', () => {
  const fails = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof InputError && re.test(e.message));
  fails(
    () => momentsRowsF32(new Float32Array(3), 2, undefined, 0, fresh(2)),
    /^moments_rows_f32: x must hold a whole number of rows of 2 features; got 3 numbers$/,
  );
  fails(
    () => momentsRowsF32(new Float32Array(4), 2, undefined, 0, fresh(3)),
    /state\.mean must hold nFeatures = 2 numbers; got 3/,
  );
  fails(
    () => momentsRowsF32(new Float32Array(4), 2, new Uint32Array(1), 31, fresh(2)),
    /mask must cover bits first \+ nRows = 33; got 32/,
  );
  fails(() => momentsRowsF32(new Float32Array(4), 2, undefined, -1, fresh(2)), /first must be an integer >= 0/);
  const st = fresh(2);
  momentsRowsF32(new Float32Array(0), 2, undefined, 0, st);
  assert.is(st.count, 0);
});

test.run();
