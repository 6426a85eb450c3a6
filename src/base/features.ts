/**
 * Feature matrices: the one in-memory layout every classifier, kernel and loader shares.
 */
import { InputError } from './errors.js';

/**
 * Events × features, f32, row-major: feature `f` of event `i` is `values[i * nFeatures + f]`.
 * `values` may be backed by a SharedArrayBuffer (the pool shares it between threads) and
 * is never written by the engine.
 */
export interface FeatureMatrix {
  /** [nEvents × nFeatures], row-major */
  readonly values: Float32Array;
  readonly nEvents: number;
  /** Per-event features; may be 0 when the events carry {@link particles}. */
  readonly nFeatures: number;
  /**
   * A variable-length set of particles per event (particle-level classifiers, e.g. `pfn`);
   * absent for fixed-length rows only. Event-level classifiers (`mlp`, `binned`) refuse it.
   */
  readonly particles?: ParticleSets;
}

/**
 * Variable-length particle sets, one per event, stored as offsets plus flat values (never
 * padded to the largest event): particle `p` of event `i` is row `offsets[i] + p`, and its
 * feature `f` is `values[(offsets[i] + p) * nFeatures + f]`. Both arrays may be backed by
 * SharedArrayBuffers and are never written by the engine.
 */
export interface ParticleSets {
  /** [nEvents + 1], offsets[0] = 0, non-decreasing; event i holds offsets[i+1] − offsets[i] particles. */
  readonly offsets: Uint32Array;
  /** [offsets[nEvents] × nFeatures], row-major per particle. */
  readonly values: Float32Array;
  /** Features per particle (≥ 1). */
  readonly nFeatures: number;
}

/**
 * `bytes` zeroed bytes the worker pool can share between threads: a SharedArrayBuffer
 * where the platform has one (Node; browsers only on cross-origin isolated pages), else an
 * ArrayBuffer, which the in-process runner reads just as well.
 */
export function shareableBuffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** Wraps row-major values as a {@link FeatureMatrix}, checking the length. */
export function featureMatrix(values: Float32Array, nEvents: number, nFeatures: number): FeatureMatrix {
  if (!Number.isInteger(nFeatures) || nFeatures < 1) {
    throw new InputError(`nFeatures must be a positive integer; got ${nFeatures}`);
  }
  if (!Number.isInteger(nEvents) || nEvents < 0 || values.length !== nEvents * nFeatures) {
    throw new InputError(
      `values must hold nEvents × nFeatures = ${nEvents} × ${nFeatures} numbers; got ${values.length}`,
    );
  }
  return { values, nEvents, nFeatures };
}

/** Builds a row-major matrix from per-feature columns (any numeric arrays of equal length). */
export function fromColumns(columns: readonly ArrayLike<number>[], shared = false): FeatureMatrix {
  if (columns.length === 0) throw new InputError('columns must hold at least one feature; got 0');
  const nEvents = columns[0].length;
  const nFeatures = columns.length;
  columns.forEach((c, f) => {
    if (c.length !== nEvents) {
      throw new InputError(
        `feature columns must have equal lengths; got column 0 with ${nEvents} and column ${f} with ${c.length}`,
      );
    }
  });
  const bytes = nEvents * nFeatures * 4;
  const values = new Float32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  for (let f = 0; f < nFeatures; f++) {
    const c = columns[f];
    for (let i = 0; i < nEvents; i++) values[i * nFeatures + f] = c[i];
  }
  return { values, nEvents, nFeatures };
}

/** Copies out one feature as a column. */
export function column(x: FeatureMatrix, feature: number): Float32Array {
  const out = new Float32Array(x.nEvents);
  for (let i = 0; i < x.nEvents; i++) out[i] = x.values[i * x.nFeatures + feature];
  return out;
}

/**
 * The rows of `x` listed in `rows` (ascending event indices), with their particle sets when
 * `x` has them, as a new matrix backed by SharedArrayBuffers where the platform has them
 * ({@link shareableBuffer}), so the worker pool can read it without copying.
 */
export function selectRows(x: FeatureMatrix, rows: Uint32Array): FeatureMatrix {
  const nFeatures = x.nFeatures;
  const values = new Float32Array(shareableBuffer(rows.length * nFeatures * 4));
  for (let r = 0; r < rows.length; r++) {
    values.set(x.values.subarray(rows[r] * nFeatures, rows[r] * nFeatures + nFeatures), r * nFeatures);
  }
  const selected: FeatureMatrix = { values, nEvents: rows.length, nFeatures };
  return x.particles === undefined ? selected : { ...selected, particles: selectParticles(x.particles, rows) };
}

/** The particle sets of the events listed in `rows`, in that order, on shareable buffers. */
export function selectParticles(p: ParticleSets, rows: Uint32Array): ParticleSets {
  const offsets = new Uint32Array(shareableBuffer((rows.length + 1) * 4));
  for (let r = 0; r < rows.length; r++) offsets[r + 1] = offsets[r] + (p.offsets[rows[r] + 1] - p.offsets[rows[r]]);
  const d = p.nFeatures;
  const values = new Float32Array(shareableBuffer(offsets[rows.length] * d * 4));
  for (let r = 0; r < rows.length; r++) {
    const from = p.offsets[rows[r]] * d;
    values.set(p.values.subarray(from, p.offsets[rows[r] + 1] * d), offsets[r] * d);
  }
  return { offsets, values, nFeatures: d };
}

/**
 * The events of `a` followed by those of `b` (same features, and particle sets in both or
 * neither), on shareable buffers.
 */
export function concatRows(a: FeatureMatrix, b: FeatureMatrix): FeatureMatrix {
  const nEvents = a.nEvents + b.nEvents;
  const values = new Float32Array(shareableBuffer(nEvents * a.nFeatures * 4));
  values.set(a.values);
  values.set(b.values, a.values.length);
  const joined: FeatureMatrix = { values, nEvents, nFeatures: a.nFeatures };
  if (a.particles === undefined || b.particles === undefined) return joined;
  const pa = a.particles;
  const pb = b.particles;
  const offsets = new Uint32Array(shareableBuffer((nEvents + 1) * 4));
  offsets.set(pa.offsets);
  const base = pa.offsets[a.nEvents];
  for (let i = 1; i <= b.nEvents; i++) offsets[a.nEvents + i] = base + pb.offsets[i];
  const particleValues = new Float32Array(shareableBuffer(offsets[nEvents] * pa.nFeatures * 4));
  particleValues.set(pa.values);
  particleValues.set(pb.values, pa.values.length);
  return { ...joined, particles: { offsets, values: particleValues, nFeatures: pa.nFeatures } };
}

/** Particles of event `i` (0 when `x` has no particle sets). */
export function particleCount(x: FeatureMatrix, i: number): number {
  return x.particles === undefined ? 0 : x.particles.offsets[i + 1] - x.particles.offsets[i];
}

/** Indices i with mask[i] !== 0 (and, if given, other[i] !== 0). */
export function maskIndices(mask: Uint8Array, other?: Uint8Array): Uint32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] && (other === undefined || other[i])) n++;
  const out = new Uint32Array(n);
  n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] && (other === undefined || other[i])) out[n++] = i;
  return out;
}
