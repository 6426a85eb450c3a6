/**
 * Scalar twin of asm/peak_mul_add_f32.ts: the same 12 chains acc_k ← acc_k·0.5 + 1 per lane,
 * each operation rounded to f32, summed over chains (lane-wise, in chain order) and then
 * over lanes.
 */
export function peakMulAddF32(rounds: number): number {
  const f = Math.fround;
  const acc = Array.from({ length: 12 }, (_, k) => [0, 0.25, 0.5, 0.75].map((lane) => f(lane + k)));
  for (let r = 0; r < rounds; r++)
    for (const chain of acc) for (let j = 0; j < 4; j++) chain[j] = f(f(chain[j] * 0.5) + 1);
  const lanes = acc[0].slice();
  for (let k = 1; k < 12; k++) for (let j = 0; j < 4; j++) lanes[j] = f(lanes[j] + acc[k][j]);
  return f(f(f(lanes[0] + lanes[1]) + lanes[2]) + lanes[3]);
}
