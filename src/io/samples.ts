/**
 * Builds {@link SimSample} and {@link DataSample} from file columns: features become f32
 * row-major matrices in SharedArrayBuffers (the worker pool shares them without copying),
 * weights f64, masks Uint8Array. Validation happens here, once, naming file, column and
 * row: masks must be 0/1 (or boolean), weights finite, and features finite on every event
 * that passes the selection they belong to. A sample must have events: a file with no rows,
 * a sim in which no event passes reco (or gen), or weights summing to ≤ 0 there, is an
 * error naming the file and the column, before any training.
 */
import { InputError } from '../base/errors.js';
import { concatRows, shareableBuffer, type FeatureMatrix } from '../base/features.js';
import { sameParticleFeatures } from '../algorithm/options.js';
import { readParticles, type ParticleColumns } from './particles.js';
import type { BackgroundSample, DataSample, SimSample } from '../algorithm/types.js';
import type { ColumnTable, NumericColumn } from './table.js';

/** Which columns of a sim table hold what. */
export interface SimColumns {
  /** Gen-level feature columns, in feature order. */
  gen: readonly string[];
  /** Reco-level feature columns, in feature order (same order as the data's). */
  reco: readonly string[];
  /** Prior weight column; every weight 1 when absent. */
  weight?: string;
  /** Gen-selection mask column (0/1 or boolean); every event passes when absent. */
  passGen?: string;
  /** Reco-selection mask column; every event passes when absent. */
  passReco?: string;
  /** Gen-level particle sets (particle-level classifiers); none when absent. */
  genParticles?: ParticleColumns;
  /** Reco-level particle sets, with the same features as the data's. */
  recoParticles?: ParticleColumns;
}

/** Which columns of a data table hold what. */
export interface DataColumns {
  reco: readonly string[];
  weight?: string;
  /** Reco-level particle sets (particle-level classifiers); none when absent. */
  particles?: ParticleColumns;
}

/** Reads a column as numbers (BigInt64 columns converted). */
function numbers(table: ColumnTable, name: string): ArrayLike<number> {
  const col: NumericColumn = table.column(name);
  if (col instanceof BigInt64Array) return Float64Array.from(col, (v) => Number(v));
  return col;
}

/** A 0/1 mask from a column, or all ones; other values are an error naming the row. */
export function readMask(table: ColumnTable, name: string | undefined): Uint8Array {
  const out = new Uint8Array(table.nRows);
  if (name === undefined) return out.fill(1);
  const col = numbers(table, name);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (v !== 0 && v !== 1) {
      throw new InputError(`${table.source}: column "${name}" must hold 0/1 or true/false; got ${v} at row ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Weights from a column (f64, finite), or all ones. */
export function readWeights(table: ColumnTable, name: string | undefined): Float64Array {
  if (name === undefined) return new Float64Array(table.nRows).fill(1);
  const col = numbers(table, name);
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (!Number.isFinite(v))
      throw new InputError(`${table.source}: column "${name}" must hold finite weights; got ${v} at row ${i}`);
    out[i] = v;
  }
  return out;
}

/** The largest finite f32. */
const F32_MAX = 3.4028234663852886e38;

/**
 * Feature columns as an f32 row-major matrix in a SharedArrayBuffer where the platform has
 * one ({@link shareableBuffer}). A NaN or ±Inf on an event with `mask[i] = 1` is an error,
 * and so is a finite value too large for f32 (it would become ±Inf); on an event that fails
 * the selection either is stored as 0, so no classifier ever sees a non-finite number.
 */
export function readFeatures(
  table: ColumnTable,
  names: readonly string[],
  mask?: Uint8Array,
  particles?: ParticleColumns,
): FeatureMatrix {
  if (names.length === 0 && particles === undefined)
    throw new InputError(`${table.source}: feature columns must name at least one column; got none`);
  const nEvents = table.nRows;
  const nFeatures = names.length;
  // [nEvents × nFeatures], row-major
  const values = new Float32Array(shareableBuffer(nEvents * nFeatures * 4));
  names.forEach((name, f) => {
    const col = numbers(table, name);
    for (let i = 0; i < nEvents; i++) {
      const v = col[i];
      if (Number.isFinite(Math.fround(v))) values[i * nFeatures + f] = v;
      else if (mask === undefined || mask[i]) {
        const rule = Number.isFinite(v)
          ? `be within ±${F32_MAX} (single precision) on selected events`
          : 'be finite on selected events';
        throw new InputError(`${table.source}: column "${name}" must ${rule}; got ${v} at row ${i}`);
      }
    }
  });
  if (particles === undefined) return { values, nEvents, nFeatures };
  return { values, nEvents, nFeatures, particles: readParticles(table, particles, mask ?? allPass(nEvents)) };
}

function allPass(n: number): Uint8Array {
  return new Uint8Array(n).fill(1);
}

/** Throws unless the table has at least one row. */
function requireEvents(table: ColumnTable): void {
  if (table.nRows === 0)
    throw new InputError(`${table.source}: file must hold at least one event; got no events (0 rows)`);
}

/**
 * Throws unless some event passes `mask` (column `maskName`, absent = all pass) and the
 * weights (column `weightName`) sum to a positive total over those events.
 */
function requireSelected(
  table: ColumnTable,
  level: 'reco' | 'gen',
  mask: Uint8Array,
  maskName: string | undefined,
  weights: Float64Array,
  weightName: string | undefined,
): void {
  let nPass = 0;
  let total = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 1) {
      nPass++;
      total += weights[i];
    }
  }
  if (nPass === 0)
    throw new InputError(
      `${table.source}: column ${JSON.stringify(maskName)} must let at least one event pass ${level}; got 0 of ${mask.length} events passing`,
    );
  if (!(total > 0)) {
    throw new InputError(
      `${table.source}: column ${JSON.stringify(weightName)} must have a positive total over the ${nPass} events passing ${level}; got ${total}`,
    );
  }
}

/** Builds the simulation sample from one table. */
export function simSampleFromTable(table: ColumnTable, columns: SimColumns): SimSample {
  requireEvents(table);
  const passGen = readMask(table, columns.passGen);
  const passReco = readMask(table, columns.passReco);
  const weights = readWeights(table, columns.weight);
  requireSelected(table, 'reco', passReco, columns.passReco, weights, columns.weight);
  requireSelected(table, 'gen', passGen, columns.passGen, weights, columns.weight);
  return {
    gen: readFeatures(table, columns.gen, passGen, columns.genParticles),
    reco: readFeatures(table, columns.reco, passReco, columns.recoParticles),
    passGen,
    passReco,
    weights,
    genNames: [...columns.gen],
    recoNames: [...columns.reco],
  };
}

/** Builds the data sample from one table (every data event passes reco by definition). */
export function dataSampleFromTable(table: ColumnTable, columns: DataColumns): DataSample {
  requireEvents(table);
  const weights = readWeights(table, columns.weight);
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  if (!(total > 0))
    throw new InputError(
      `${table.source}: column ${JSON.stringify(columns.weight)} must have a positive total; got ${total}`,
    );
  return { reco: readFeatures(table, columns.reco, undefined, columns.particles), weights };
}

/**
 * Builds a simulated background sample from one table: reco features (the data's columns,
 * in their order) and weights (every weight 1 when `columns.weight` is absent). Individual
 * weights may be negative; the unfolding checks that data minus background stays positive.
 */
export function backgroundSampleFromTable(table: ColumnTable, columns: DataColumns): BackgroundSample {
  requireEvents(table);
  return {
    reco: readFeatures(table, columns.reco, undefined, columns.particles),
    weights: readWeights(table, columns.weight),
  };
}

/**
 * Several background samples as one: their events one after the other, in the order
 * given (one sample is returned as it is). They must have the same number of features.
 */
export function concatBackgrounds(parts: readonly BackgroundSample[]): BackgroundSample {
  if (parts.length === 0) throw new InputError('background samples must be at least one; got none');
  if (parts.length === 1) return parts[0];
  const nFeatures = parts[0].reco.nFeatures;
  let nEvents = 0;
  parts.forEach((p, k) => {
    if (p.reco.nFeatures !== nFeatures)
      throw new InputError(
        `background sample ${k} must have the ${nFeatures} reco features of sample 0; got ${p.reco.nFeatures}`,
      );
    sameParticleFeatures(`background sample ${k}`, p.reco, 'sample 0', parts[0].reco);
    nEvents += p.reco.nEvents;
  });
  const weights = new Float64Array(nEvents);
  let offset = 0;
  for (const p of parts) {
    weights.set(p.weights, offset);
    offset += p.reco.nEvents;
  }
  return { reco: parts.slice(1).reduce((joined, p) => concatRows(joined, p.reco), parts[0].reco), weights };
}

/** Gen-level truth (for summaries and χ²): features of events passing gen, and weights. */
export interface TruthSample {
  gen: FeatureMatrix;
  weights: Float64Array;
  passGen: Uint8Array;
}

/** Builds a truth sample; `gen` names the same features as the sim's gen columns. */
export function truthSampleFromTable(
  table: ColumnTable,
  columns: { gen: readonly string[]; weight?: string; passGen?: string },
): TruthSample {
  requireEvents(table);
  const passGen = readMask(table, columns.passGen);
  return { gen: readFeatures(table, columns.gen, passGen), weights: readWeights(table, columns.weight), passGen };
}

/** The variable-length columns a table must have, for {@link ReadOptions.jagged}. */
export function jaggedColumnList(...sets: (ParticleColumns | undefined)[]): { name: string; count?: string }[] {
  return sets.flatMap((set) => (set === undefined ? [] : set.features.map((name) => ({ name, count: set.count }))));
}

/** The columns a sim table must have, for {@link ReadOptions.columns}. */
export function simColumnList(columns: SimColumns): string[] {
  const list = [...columns.gen, ...columns.reco];
  for (const c of [columns.weight, columns.passGen, columns.passReco]) if (c !== undefined) list.push(c);
  return [...new Set(list)];
}
