/**
 * The jets toy (src/toys/jets.ts) written as Arrow columns, as a user's files hold jets:
 * flat observables and one List<Float32> column per particle feature; and the SHA-256 of
 * a run's `weight` column.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Field, Float32, List, vectorFromArray } from 'apache-arrow';
import * as assert from 'uvu/assert';
import type { FeatureMatrix } from '../../src/base/features.js';
import { readWeightsFile } from '../../src/publish/weights_file.js';
import { JETS_PARTICLE_FEATURES } from '../../src/toys/jets.js';

export type ArrowColumns = Record<string, ReturnType<typeof vectorFromArray>>;

/** Adds `x`'s observables as flat columns `names`, and each particle feature as a List<Float32> column `prefix + feature`. */
export function addJetColumns(columns: ArrowColumns, x: FeatureMatrix, names: readonly string[], prefix: string): void {
  const p = x.particles!;
  names.forEach((name, f) => {
    columns[name] = vectorFromArray(Float32Array.from({ length: x.nEvents }, (_, i) => x.values[i * x.nFeatures + f]));
  });
  JETS_PARTICLE_FEATURES.forEach((name, f) => {
    const rows = Array.from({ length: x.nEvents }, (_, i) =>
      Array.from({ length: p.offsets[i + 1] - p.offsets[i] }, (_, k) => p.values[(p.offsets[i] + k) * p.nFeatures + f]),
    );
    columns[`${prefix}${name}`] = vectorFromArray(rows, new List(new Field('item', new Float32(), true))) as never;
  });
}

/** SHA-256 of the `weight` column of `out/weights.arrow`, after checking every weight is finite. */
export async function weightSha(out: string): Promise<string> {
  const w = (await readWeightsFile(join(out, 'weights.arrow'))).columns.get('weight')!;
  assert.ok(
    w.every((v) => Number.isFinite(v)),
    'every weight finite',
  );
  return createHash('sha256')
    .update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength))
    .digest('hex');
}
