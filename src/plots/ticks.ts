/**
 * Axis ranges and tick positions chosen in code, so every figure has the same look
 * (major ticks on 1-2-5 steps, minor ticks subdividing them) and so the mirrored tick axes
 * on the top and right of a panel line up with the labelled ones.
 */

/** Major and minor tick values inside a closed range. */
export interface Ticks {
  major: number[];
  minor: number[];
}

/** The 1-2-5 step nearest to `span / count`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const m = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  return m * power;
}

/** Minor subdivisions per major step: 5 for 1-steps, 4 for 2-steps, 5 for 5-steps. */
function minorDivisions(step: number): number {
  const f = Math.round(step / 10 ** Math.floor(Math.log10(step) + 1e-9));
  return f === 2 ? 4 : 5;
}

/** Rounds away binary noise (0.30000000000000004 → 0.3) relative to the step. */
function clean(x: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(x.toFixed(Math.min(20, digits)));
}

/** Linear ticks on [lo, hi] with about `count` major ticks. */
export function linearTicks(lo: number, hi: number, count = 5): Ticks {
  if (!(hi > lo)) return { major: [lo], minor: [] };
  const step = niceStep(hi - lo, count);
  const minorStep = step / minorDivisions(step);
  const eps = (hi - lo) * 1e-9;
  const major: number[] = [];
  for (let k = Math.ceil((lo - eps) / step); k * step <= hi + eps; k++) major.push(clean(k * step, step));
  const minor: number[] = [];
  for (let k = Math.ceil((lo - eps) / minorStep); k * minorStep <= hi + eps; k++) {
    const v = clean(k * minorStep, minorStep);
    if (!major.some((m) => Math.abs(m - v) < minorStep * 1e-6)) minor.push(v);
  }
  return { major, minor };
}

/** Decade ticks on a log axis [lo, hi] (lo > 0): majors at 10^k, minors at 2..9 × 10^k. */
export function logTicks(lo: number, hi: number): Ticks {
  const major: number[] = [];
  const minor: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const p = 10 ** e;
    if (p >= lo * (1 - 1e-9) && p <= hi * (1 + 1e-9)) major.push(p);
    for (let m = 2; m <= 9; m++) if (m * p >= lo && m * p <= hi) minor.push(m * p);
  }
  return { major, minor };
}

/** [0 or min, max × headroom] rounded up to a step: room above the data for the legend. */
export function countRange(lows: number[], highs: number[], headroom: number): [number, number] {
  const finiteLows = lows.filter(Number.isFinite);
  const finiteHighs = highs.filter(Number.isFinite);
  const max = Math.max(0, ...finiteHighs);
  let min = Math.min(0, ...finiteLows);
  // error bars reaching a little below zero are clipped rather than widening the axis
  if (min > -0.05 * max) min = 0;
  const span = max - min > 0 ? max - min : 1;
  const top = max + span * (headroom - 1);
  const step = niceStep(top - min, 10);
  return [min < 0 ? Math.floor(min / step) * step : 0, Math.ceil(top / step) * step];
}

/** A symmetric range around 1 covering `values` (ratios), between ±0.05 and ±1. */
export function ratioRange(values: number[]): [number, number] {
  let dev = 0;
  for (const v of values) if (Number.isFinite(v)) dev = Math.max(dev, Math.abs(v - 1));
  const half = Math.min(1, Math.max(0.05, niceCeil(dev * 1.15)));
  return [1 - half, 1 + half];
}

/** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is ≥ x. */
function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * power >= x * (1 - 1e-12)) return m * power;
  return 10 * power;
}

/** Tick-label format (d3-format) of a linear axis: plain decimals, scientific beyond 10^5. */
export function linearFormat(domain: [number, number], count: number): string {
  const big = Math.max(Math.abs(domain[0]), Math.abs(domain[1]));
  if (big >= 1e5 || (big > 0 && big < 1e-3)) return '.1e';
  const step = niceStep(domain[1] - domain[0], count);
  for (let d = 0; d < 8; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return `.${d}f`;
  return '.8f';
}
