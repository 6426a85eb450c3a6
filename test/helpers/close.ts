/**
 * Numeric comparisons for tests. A failure names the quantity, the first mismatching
 * index, the value received, the value wanted and the tolerance.
 */
import * as assert from 'uvu/assert';

/** Default tolerances per dtype: a few ulps of the format. */
export const TOL = Object.freeze({
  f32: { rtol: 1e-5, atol: 1e-6 },
  f64: { rtol: 1e-12, atol: 1e-14 },
});

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** |got − want| ≤ atol + rtol·|want| elementwise; NaN matches only NaN. */
export function assertClose(
  name: string,
  got: ArrayLike<number> | number,
  want: ArrayLike<number> | number,
  tol: Tolerance = TOL.f64,
): void {
  const g = typeof got === 'number' ? [got] : got;
  const w = typeof want === 'number' ? [want] : want;
  if (g.length !== w.length) assert.unreachable(`${name}: length ${g.length}, wanted ${w.length}`);
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue;
    if (!(Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b))) {
      assert.unreachable(
        `${name}[${i}] = ${a}, wanted ${b} (rtol ${tol.rtol}, atol ${tol.atol}, |diff| ${Math.abs(a - b)})`,
      );
    }
  }
}

/** Bitwise equality of two typed arrays (NaN payloads included). */
export function assertBitEqual(name: string, got: ArrayBufferView, want: ArrayBufferView): void {
  const a = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
  const b = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
  if (a.length !== b.length) assert.unreachable(`${name}: ${a.length} bytes, wanted ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.unreachable(`${name}: first differing byte ${i} (${a[i]} vs ${b[i]})`);
  }
}
