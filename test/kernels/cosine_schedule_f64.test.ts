import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cosineScheduleF64 } from '../../src/kernels/cosine_schedule_f64.js';
import { cosineScheduleF64 as reference } from '../../src/kernels/reference/cosine_schedule_f64.js';
import { assertClose } from '../helpers/close.js';

test('tier A: 1 at the start, ½ half way, 0 at the end', () => {
  assert.is(cosineScheduleF64(0, 10), 1);
  assertClose('half', cosineScheduleF64(5, 10), 0.5, { rtol: 1e-15, atol: 1e-16 });
  assertClose('end', cosineScheduleF64(10, 10), 0, { rtol: 0, atol: 1e-16 });
});

test('tier B: kernel vs reference', () => {
  for (const nEpochs of [1, 3, 4, 5, 30, 4099]) {
    for (let e = 0; e <= nEpochs; e += Math.max(1, nEpochs >> 3)) {
      assertClose(`factor ${e}/${nEpochs}`, cosineScheduleF64(e, nEpochs), reference(e, nEpochs), {
        rtol: 1e-15,
        atol: 1e-16,
      });
    }
  }
  assert.throws(() => cosineScheduleF64(3, 2), /cosine_schedule_f64: epoch must be <= nEpochs = 2; got 3/);
});

test.run();
