import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sumBlocksF32 } from '../../src/kernels/sum_blocks_f32.js';
import { sumBlocksF32 as reference } from '../../src/kernels/reference/sum_blocks_f32.js';
import { assertBitEqual } from '../helpers/close.js';
import { stream, uniformF32 } from './random_inputs.js';

test('the fixed-order block sum equals its twin bit for bit (tails, one block, many blocks)', () => {
  const s = stream('sum_blocks_f32');
  for (const n of [0, 1, 3, 4, 5, 7, 8, 9, 37, 5601]) {
    for (const nBlocks of [1, 2, 3, 8, 17]) {
      // magnitudes spread over 2^±20, so the order of the additions shows in the bits
      const blocks = uniformF32(s, nBlocks * n, -1, 1).map((v, i) => v * 2 ** (((i * 7919) % 41) - 20));
      assertBitEqual(`n ${n} blocks ${nBlocks}`, sumBlocksF32(blocks, nBlocks, n), reference(blocks, nBlocks, n));
    }
  }
});

test('the sum runs in block order: a reordered sum differs', () => {
  // (1 + 2^-24) + 2^-24 rounds to 1 twice; 1 + (2^-24 + 2^-24) does not
  const blocks = Float32Array.from([1, 2 ** -24, 2 ** -24]);
  assert.is(sumBlocksF32(blocks, 3, 1)[0], 1);
  assert.is.not(sumBlocksF32(Float32Array.from([2 ** -24, 2 ** -24, 1]), 3, 1)[0], 1);
});

test('arguments are checked', () => {
  assert.throws(() => sumBlocksF32(new Float32Array(6), 0, 6), /nBlocks must be an integer >= 1; got 0/);
  assert.throws(() => sumBlocksF32(new Float32Array(5), 2, 3), /blocks must hold nBlocks × n = 6 numbers; got 5/);
});

test.run();
