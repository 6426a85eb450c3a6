/** Σ w·x / Σ w over all rows; the columns as read from a weights file (numbers). */
export function weightedMean(column: unknown, weights: unknown): number {
  const values = column as ArrayLike<number>;
  const w = weights as ArrayLike<number>;
  let s = 0;
  let sx = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i];
    sx += w[i] * values[i];
  }
  return sx / s;
}
