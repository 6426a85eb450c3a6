/**
 * Particle sets from variable-length file columns: one list per particle feature (e.g.
 * `pt`, `eta`, `phi`), all with the same length on every row, zipped into per-event
 * particle sets stored as offsets plus flat f32 values ({@link ParticleSets}), never padded.
 *
 * `maxParticles` caps the particles per event. Which ones are kept: the first ones in the
 * order the file gives, or, with `sortBy`, the largest values of that feature (e.g. the
 * hardest particles by pT; ties keep the file's order), stored in decreasing order of it. Events that fail their selection
 * get an empty set: no classifier ever sees them.
 */
import { InputError } from '../base/errors.js';
import { shareableBuffer, type ParticleSets } from '../base/features.js';
import { readJagged, type ColumnTable, type JaggedColumn } from './table.js';

/** Which variable-length columns hold an event's particles. */
export interface ParticleColumns {
  /** One variable-length column per particle feature, in feature order. */
  features: readonly string[];
  /** For padded formats (HDF5, NPY/NPZ): the column with each row's particle count. */
  count?: string;
  /** At most this many particles per event (absent: all). */
  maxParticles?: number;
  /** With `maxParticles`: keep the particles with the largest values of this feature (one of `features`). */
  sortBy?: string;
}

/** The largest finite f32. */
const F32_MAX = 3.4028234663852886e38;

/** Checks a {@link ParticleColumns} against its own rules, naming `option` in messages. */
export function checkParticleColumns(option: string, columns: ParticleColumns): void {
  if (columns.features.length === 0)
    throw new InputError(`${option} must name at least one particle feature column; got none`);
  const max = columns.maxParticles;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1))
    throw new InputError(`--max-particles must be a positive integer; got ${max}`);
  if (columns.sortBy !== undefined && !columns.features.includes(columns.sortBy))
    throw new InputError(
      `--particle-sort must name one of the particle features ${columns.features.join(', ')}; got ${JSON.stringify(columns.sortBy)}`,
    );
}

/**
 * The particle sets of every row of `table`; rows with `mask[i] = 0` get none. A
 * non-finite value (or one beyond f32) of a kept particle on a selected event is an error
 * naming the column, row and particle.
 */
export function readParticles(table: ColumnTable, columns: ParticleColumns, mask: Uint8Array): ParticleSets {
  checkParticleColumns('particle columns', columns);
  const lists = columns.features.map((name) => {
    const list = readJagged(table, name, columns.count);
    if (list.offsets.length !== table.nRows + 1)
      throw new InputError(
        `${table.source}: column "${name}" must hold one list per row (${table.nRows}); got ${list.offsets.length - 1}`,
      );
    return list;
  });
  const first = lists[0].offsets;
  lists.forEach((list, f) => {
    for (let i = 0; i < table.nRows; i++) {
      if (list.offsets[i + 1] - list.offsets[i] !== first[i + 1] - first[i])
        throw new InputError(
          `${table.source}: column "${columns.features[f]}" must have as many particles per row as "${columns.features[0]}"; got ${list.offsets[i + 1] - list.offsets[i]} and ${first[i + 1] - first[i]} at row ${i}`,
        );
    }
  });
  const max = columns.maxParticles ?? Infinity;
  const sortList = columns.sortBy === undefined ? undefined : lists[columns.features.indexOf(columns.sortBy)];
  const d = lists.length;
  const offsets = new Uint32Array(shareableBuffer((table.nRows + 1) * 4));
  for (let i = 0; i < table.nRows; i++)
    offsets[i + 1] = offsets[i] + (mask[i] === 1 ? Math.min(max, first[i + 1] - first[i]) : 0);
  const values = new Float32Array(shareableBuffer(offsets[table.nRows] * d * 4));
  for (let i = 0; i < table.nRows; i++) {
    const kept = keptParticles(first[i], first[i + 1], offsets[i + 1] - offsets[i], sortList);
    kept.forEach((source, p) => {
      for (let f = 0; f < d; f++) {
        const list = lists[f];
        const v = list.values[list.offsets[i] + (source - first[i])];
        if (!Number.isFinite(Math.fround(v))) {
          const rule = Number.isFinite(v) ? `be within ±${F32_MAX} (single precision)` : 'be finite';
          throw new InputError(
            `${table.source}: column "${columns.features[f]}" must ${rule} on selected events; got ${v} at row ${i}, particle ${source - first[i]}`,
          );
        }
        values[(offsets[i] + p) * d + f] = v;
      }
    });
  }
  return { offsets, values, nFeatures: d };
}

/** Positions (in the first list's numbering) of the `n` particles kept from [begin, end). */
function keptParticles(begin: number, end: number, n: number, sortList: JaggedColumn | undefined): number[] {
  const all = Array.from({ length: end - begin }, (_, k) => begin + k);
  if (sortList === undefined) return all.slice(0, n);
  // Every list has the same offsets (same lengths per row, from 0), so k indexes them all.
  const key = (k: number): number => {
    const v = sortList.values[k];
    return Number.isNaN(v) ? -Infinity : v;
  };
  // Stable sort by decreasing value: ties keep the file's order.
  return all.sort((a, b) => key(b) - key(a) || a - b).slice(0, n);
}
