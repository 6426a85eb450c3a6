/**
 * The standardiser: per-feature location and scale of a fit's training events, measured
 * once per fit, stored with the trained model, and applied to every row the network sees,
 * x ↦ f32((f64(x) − mean[f]) / scale[f]), in wasm (asm/standardise_rows_f32.ts).
 */
import type { Arena } from '../../kernels/wasm.js';
import { momentsRowsF32InWasm } from '../../kernels/moments_rows_f32.js';
import { checkStandardise, standardiseRowsF32InWasm } from '../../kernels/standardise_rows_f32.js';
import type { EventOrder } from './event_order.js';
import type { Events } from './events.js';

/** Per-feature location and scale of the training sample (f64 [nFeatures] each), stored with the model. */
export interface Standardiser {
  mean: Float64Array;
  scale: Float64Array;
}

/** Standardises `nRows` rows at `xPtr` in wasm memory in place: a standardiser loaded by {@link loadStandardiser}. */
export type StandardiseRows = (xPtr: number, nRows: number) => void;

/** Rows per block when the measuring pass copies the caller's rows into wasm memory. */
const MOMENTS_BLOCK = 4096;

/**
 * The standardiser of a fit: mean and standard deviation of each feature over the training
 * events (unweighted), in one Welford pass in ascending event order (class 0 first, each
 * class in row order) in wasm (asm/moments_rows_f32.ts), skipping the validation events by
 * their bitmap (EventOrder.markValidation). It reads the resident rows at `rowsPtr`, or
 * (rowsPtr = 0) the caller's rows copied in blocks: the same sums either way. A feature
 * without spread gets scale 1.
 */
export function measureStandardiser(events: Events, order: EventOrder, arena: Arena, rowsPtr: number): Standardiser {
  const nFeatures = events.nFeatures;
  const words = Math.ceil(events.n / 32);
  const maskPtr = arena.allocU32(words);
  const meanPtr = arena.allocF64(nFeatures);
  const m2Ptr = arena.allocF64(nFeatures);
  order.markValidation(maskPtr, words);
  arena.f64(meanPtr, nFeatures).fill(0);
  arena.f64(m2Ptr, nFeatures).fill(0);
  let count = 0;
  if (rowsPtr !== 0) {
    count = momentsRowsF32InWasm(rowsPtr, events.n, nFeatures, maskPtr, 0, meanPtr, m2Ptr, 0);
  } else {
    const block = Math.min(events.n, MOMENTS_BLOCK);
    const scratchPtr = arena.allocF32(Math.max(block * nFeatures, 1));
    const classes: [Float32Array, number, number][] = [
      [events.x0.values, 0, events.x0.nEvents],
      [events.x1.values, events.x0.nEvents, events.x1.nEvents],
    ];
    for (const [values, firstEvent, nRows] of classes) {
      for (let r0 = 0; r0 < nRows; r0 += block) {
        const blockRows = Math.min(block, nRows - r0);
        arena.f32(scratchPtr, blockRows * nFeatures).set(values.subarray(r0 * nFeatures, (r0 + blockRows) * nFeatures));
        count = momentsRowsF32InWasm(scratchPtr, blockRows, nFeatures, maskPtr, firstEvent + r0, meanPtr, m2Ptr, count);
      }
    }
  }
  const mean = arena.f64(meanPtr, nFeatures).slice();
  const scale = arena.f64(m2Ptr, nFeatures).slice(); // Σ (x − mean)², then the standard deviation
  for (let f = 0; f < nFeatures; f++) {
    const sd = Math.sqrt(scale[f] / Math.max(count, 1)); // IEEE sqrt: correctly rounded everywhere
    scale[f] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { mean, scale };
}

/**
 * Copies `standardiser` into the arena (freed with the caller's mark) and returns the
 * function that applies it to rows in wasm memory, in place.
 */
export function loadStandardiser(arena: Arena, standardiser: Readonly<Standardiser>): StandardiseRows {
  const nFeatures = standardiser.mean.length;
  checkStandardise(0, nFeatures, standardiser.mean, standardiser.scale);
  const meanPtr = arena.allocF64(nFeatures);
  const scalePtr = arena.allocF64(nFeatures);
  arena.f64(meanPtr, nFeatures).set(standardiser.mean);
  arena.f64(scalePtr, nFeatures).set(standardiser.scale);
  return (xPtr, nRows) => standardiseRowsF32InWasm(xPtr, nRows, nFeatures, meanPtr, scalePtr);
}
