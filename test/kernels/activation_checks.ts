/**
 * Checks shared by the activation tests: kernel vs reference twin at every length and on
 * edge values, and the backward kernel against central differences of the forward kernel.
 */
import * as assert from 'uvu/assert';
import { assertClose, type Tolerance } from '../helpers/close.js';
import { LENGTHS, stream, uniformF32 } from './random_inputs.js';

type Forward = (z: Float32Array) => Float32Array;
type Backward = (z: Float32Array, dy: Float32Array) => Float32Array;

export const EDGE_VALUES = new Float32Array([
  0,
  -0,
  1e-30,
  -1e-30,
  0.5,
  -0.5,
  3,
  -3,
  20,
  -20,
  100,
  -100,
  1e30,
  -1e30,
  NaN,
]);

/** LENGTHS plus lengths that end in the 4-wide loop after the 8-wide one (n mod 8 in 4..7). */
const ACT_LENGTHS = [...LENGTHS, 7, 12, 4103];

export function checkForwardVsReference(name: string, kernel: Forward, reference: Forward, tol: Tolerance): void {
  const s = stream(name);
  for (const n of ACT_LENGTHS) {
    const z = uniformF32(s, n, -8, 8);
    assertClose(`${name} y (n=${n})`, kernel(z), reference(z), tol);
  }
  assertClose(`${name} y (edge values)`, kernel(EDGE_VALUES), reference(EDGE_VALUES), tol);
}

export function checkBackwardVsReference(name: string, kernel: Backward, reference: Backward, tol: Tolerance): void {
  const s = stream(name);
  for (const n of ACT_LENGTHS) {
    const z = uniformF32(s, n, -8, 8);
    const dy = uniformF32(s, n, -2, 2);
    assertClose(`${name} dz (n=${n})`, kernel(z, dy), reference(z, dy), tol);
  }
  const ones = new Float32Array(EDGE_VALUES.length).fill(1);
  assertClose(`${name} dz (edge values)`, kernel(EDGE_VALUES, ones), reference(EDGE_VALUES, ones), tol);
}

/**
 * dz from the backward kernel vs (y(z+h) − y(z−h))/2h from the forward kernel, both in wasm.
 * Points within 2h of a kink (ReLU at 0) are skipped.
 */
export function checkGradient(name: string, forward: Forward, backward: Backward, kink = false): void {
  const s = stream(`${name} fd`);
  const z = uniformF32(s, 257, -4, 4);
  const h = 1 / 512; // exact in f32
  const up = forward(z.map((v) => v + h));
  const down = forward(z.map((v) => v - h));
  const dy = new Float32Array(z.length).fill(1);
  const dz = backward(z, dy);
  let checked = 0;
  for (let i = 0; i < z.length; i++) {
    if (kink && Math.abs(z[i]) < 2 * h) continue;
    const fd = (up[i] - down[i]) / (2 * h);
    // f32 rounding of y (≤ 4e-7·|y|) over 2h, plus h²·y'''/6 truncation
    assertClose(`${name} dz[${i}] vs central difference`, dz[i], fd, { rtol: 2e-3, atol: 2e-3 });
    checked++;
  }
  assert.ok(checked > 200, `${name}: only ${checked} points checked`);
}

/**
 * The 8-wide loop, the 4-wide loop and the one-lane tail give the same bits for the same
 * input: each edge value (and a spread of ordinary ones) repeated 15 times (8 + 4 + 3).
 */
export function checkLanePaths(name: string, kernel: Forward): void {
  const values = [...EDGE_VALUES, -87.5, -90, -103.9, -104.5, 0.1, -0.1, 7.25, -7.25];
  for (const v of values) {
    const out = kernel(new Float32Array(15).fill(v));
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 1; i < bits.length; i++) {
      assert.ok(
        bits[i] === bits[0],
        `${name}(${v}): element ${i} has bits 0x${bits[i].toString(16)}, element 0 has 0x${bits[0].toString(16)}`,
      );
    }
  }
}
