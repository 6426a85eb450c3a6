/**
 * The one bin syntax of the engine (`unfold --bins`, `hist --bins`, `export --bins`, the
 * viewer's binning box): `lo:hi:n` for n equal bins, or explicit edges `e0,e1,...`.
 */
import { InputError } from '../base/errors.js';
import { checkEdges } from './histogram.js';

/**
 * Bin edges from `lo:hi:n` (n equal bins) or `e0,e1,...` (explicit, strictly increasing);
 * `subject` names the option in error messages, e.g. `--bins` or `--bins gen_pt`.
 */
export function parseBins(spec: string, subject = '--bins'): Float64Array {
  const uniform = /^\s*([^:]+):([^:]+):([^:]+)\s*$/.exec(spec);
  if (uniform) {
    const [lo, hi, n] = uniform.slice(1).map(Number);
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo && Number.isInteger(n) && n >= 1)) {
      throw new InputError(
        `${subject} lo:hi:n must have finite lo < hi and a positive integer n; got ${JSON.stringify(spec)}`,
      );
    }
    return Float64Array.from({ length: n + 1 }, (_, k) => (k === n ? hi : lo + ((hi - lo) * k) / n));
  }
  const edges = spec.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (edges.length < 2 || edges.some((e) => !Number.isFinite(e))) {
    throw new InputError(
      `${subject} must be lo:hi:n or at least two comma-separated numbers; got ${JSON.stringify(spec)}`,
    );
  }
  checkEdges(`${subject} edges`, edges);
  return Float64Array.from(edges);
}
