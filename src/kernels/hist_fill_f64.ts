/**
 * Weighted 1-D histogram fill in wasm: see asm/hist_fill_f64.ts for the contract.
 * Values and weights are copied into the wasm arena in fixed chunks (f32 values are widened
 * to f64 exactly), so memory use does not grow with the number of events.
 */
import { InputError } from '../base/errors.js';
import { kernels } from './wasm.js';

type HistFillExport = (
  xPtr: number,
  wPtr: number,
  n: number,
  edgesPtr: number,
  nBins: number,
  sumwPtr: number,
  sumw2Ptr: number,
) => number;

/** Events per wasm call; fills are sequential per slot, so the chunking does not change any bit. */
export const HIST_FILL_CHUNK = 16384;

/**
 * Adds events `x` with weights `w` (1 each if undefined) into `sumw`/`sumw2`
 * ([nBins + 2]: slot 0 underflow, slot nBins + 1 overflow). Returns how many NaN values
 * were skipped.
 */
export function histFillF64(
  x: Float64Array | Float32Array,
  w: Float64Array | undefined,
  edges: Float64Array,
  sumw: Float64Array,
  sumw2: Float64Array,
): number {
  checkEdges(edges);
  const nBins = edges.length - 1;
  if (w !== undefined && w.length !== x.length) {
    throw new InputError(`hist_fill_f64: weights must have the same length as values; got ${w.length} and ${x.length}`);
  }
  if (sumw.length !== nBins + 2 || sumw2.length !== nBins + 2) {
    throw new InputError(
      `hist_fill_f64: sumw and sumw2 must hold nBins + 2 = ${nBins + 2} numbers; got ${sumw.length} and ${sumw2.length}`,
    );
  }
  const k = kernels();
  const fill = k.exports.hist_fill_f64 as HistFillExport;
  const arena = k.arena;
  const mark = arena.mark();
  try {
    const chunk = Math.min(HIST_FILL_CHUNK, Math.max(x.length, 1));
    const edgesPtr = arena.allocF64(edges.length);
    const sumwPtr = arena.allocF64(nBins + 2);
    const sumw2Ptr = arena.allocF64(nBins + 2);
    const xPtr = arena.allocF64(chunk);
    const wPtr = w === undefined ? 0 : arena.allocF64(chunk);
    arena.f64(edgesPtr, edges.length).set(edges);
    arena.f64(sumwPtr, nBins + 2).set(sumw);
    arena.f64(sumw2Ptr, nBins + 2).set(sumw2);
    const xView = arena.f64(xPtr, chunk);
    const wView = w === undefined ? undefined : arena.f64(wPtr, chunk);
    let nNaN = 0;
    for (let start = 0; start < x.length; start += chunk) {
      const n = Math.min(chunk, x.length - start);
      xView.set(x.subarray(start, start + n));
      if (w !== undefined) wView!.set(w.subarray(start, start + n));
      nNaN += fill(xPtr, wPtr, n, edgesPtr, nBins, sumwPtr, sumw2Ptr);
    }
    sumw.set(arena.f64(sumwPtr, nBins + 2));
    sumw2.set(arena.f64(sumw2Ptr, nBins + 2));
    return nNaN;
  } finally {
    arena.release(mark);
  }
}

function checkEdges(edges: Float64Array): void {
  if (edges.length < 2) throw new InputError(`hist_fill_f64: edges must hold at least 2 values; got ${edges.length}`);
  for (let k = 0; k < edges.length; k++) {
    if (!Number.isFinite(edges[k]) || (k > 0 && !(edges[k] > edges[k - 1]))) {
      throw new InputError(
        `hist_fill_f64: edges must be finite and strictly increasing; got ${edges[k]} at index ${k}`,
      );
    }
  }
}
