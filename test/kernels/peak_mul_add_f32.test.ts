// The ceiling kernel of the benches (asm/peak_mul_add_f32.ts) against its scalar twin:
// the same f32 chains, bit for bit, for 0 to 5 rounds and for 1000 (at the fixed point).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { peakMulAddF32 } from '../../src/kernels/peak_mul_add_f32.js';
import { peakMulAddF32 as twin } from '../../src/kernels/reference/peak_mul_add_f32.js';

test('kernel vs twin, bit for bit; the chains tend to 2 each (a checksum of 12·4·2 = 96)', () => {
  for (const rounds of [0, 1, 2, 3, 4, 5, 1000]) assert.is(peakMulAddF32(rounds), twin(rounds), `rounds ${rounds}`);
  // 0 rounds: Σ_k Σ_lanes (k + lane/4) = 4·66 + 12·1.5
  assert.is(peakMulAddF32(0), 282);
  assert.is(peakMulAddF32(1000), 96);
  assert.throws(() => peakMulAddF32(-1), /peak_mul_add_f32: rounds must be/);
});

test.run();
