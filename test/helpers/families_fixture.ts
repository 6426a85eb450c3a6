/**
 * A weights file of five events with every weight-column family, small enough that each
 * family's covariance of the two-bin histogram of `x` over [0, 1, 2] is computed by hand
 * (`FAMILY_COVARIANCES`). Event 4 fails the gen selection and carries weight 100 in every
 * column: a histogram that counted it would be far off.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { weightsArrowBytes } from './weights_fixture.js';
import { testDir } from './temp_dir.js';

export const FAMILY_EDGES = [0, 1, 2];

/** Per-event values of each column; events 0, 1 fill bin 1, events 2, 3 bin 2. */
const COLUMNS: Record<string, { role: string; values: number[] }> = {
  x: { role: 'gen_feature', values: [0.5, 0.5, 1.5, 1.5, 0.5] },
  pass_gen: { role: 'mask', values: [1, 1, 1, 1, 0] },
  pass_reco: { role: 'mask', values: [1, 1, 1, 1, 1] },
  weight: { role: 'nominal', values: [1, 1, 1, 1, 100] }, // H = (2, 2)
  member_0: { role: 'ensemble', values: [1, 1, 1, 1, 100] }, // (2, 2)
  member_1: { role: 'ensemble', values: [1.5, 1.5, 1.5, 1.5, 100] }, // (3, 3)
  member_2: { role: 'ensemble', values: [0.5, 0.5, 1, 1, 100] }, // (1, 2)
  member_3: { role: 'ensemble', values: [1, 1, 1.5, 1.5, 100] }, // (2, 3)
  data_boot_0: { role: 'data_bootstrap', values: [2, 1, 0, 1, 100] }, // (3, 1)
  data_boot_1: { role: 'data_bootstrap', values: [1, 0, 1, 2, 100] }, // (1, 3)
  data_boot_2: { role: 'data_bootstrap', values: [1, 1, 1, 1, 100] }, // (2, 2)
  sim_boot_0: { role: 'sim_bootstrap', values: [2, 0, 1, 1, 100] }, // (2, 2)
  sim_boot_1: { role: 'sim_bootstrap', values: [1, 1, 2, 2, 100] }, // (2, 4)
  background_boot_0: { role: 'background_bootstrap', values: [1, 1, 1, 1, 100] }, // (2, 2)
  background_boot_1: { role: 'background_bootstrap', values: [1.5, 1.5, 1, 1, 100] }, // (3, 2)
  syst_a: { role: 'systematic', values: [1.5, 1.5, 1, 1, 100] }, // (3, 2): δ = (1, 0)
  syst_b: { role: 'systematic', values: [1.25, 1.25, 0.75, 0.75, 100] }, // (2.5, 1.5): δ = (0.5, −0.5)
};

export const MEDIAN_F = 1.253;
/** f²/K for the K = 4 members combined by median. */
const E = (MEDIAN_F * MEDIAN_F) / 4;

/**
 * Each family's covariance, [2 × 2] row-major, worked out by hand from the comments above:
 * stat: deviations (1, −1), (−1, 1), (0, 0) from the mean (2, 2), divisor 2;
 * sim-stat: (0, ∓1) from (2, 3), divisor 1; background-stat: (±0.5, 0) from (2.5, 2), divisor 1;
 * ensemble: deviations (0, −0.5), (1, 0.5), (−1, −0.5), (0, 0.5) from (2, 2.5), divisor 3,
 * times f²/4.
 */
export const FAMILY_COVARIANCES = {
  stat: [1, -1, -1, 1],
  simStat: [0, 0, 0, 2],
  backgroundStat: [0.5, 0, 0, 0],
  a: [1, 0, 0, 0],
  b: [0.25, -0.25, -0.25, 0.25],
  syst: [1.25, -0.25, -0.25, 0.25],
  ensemble: [(E * 2) / 3, E / 3, E / 3, E / 3],
  // stat + sim-stat + syst + ensemble; background-stat is not added
  total: [1 + 0 + 1.25 + (E * 2) / 3, -1 + 0 - 0.25 + E / 3, -1 + 0 - 0.25 + E / 3, 1 + 2 + 0.25 + E / 3],
};

/** Their correlations (1 on the diagonal; 0 off it where a variance is 0). */
export const FAMILY_CORRELATIONS = {
  stat: [1, -1, -1, 1],
  simStat: [1, 0, 0, 1],
  backgroundStat: [1, 0, 0, 1],
  a: [1, 0, 0, 1],
  b: [1, -1, -1, 1],
  syst: [1, -1 / Math.sqrt(5), -1 / Math.sqrt(5), 1],
  ensemble: [1, Math.SQRT1_2, Math.SQRT1_2, 1],
};

/** The file's bytes. */
export function familiesFileBytes(): Uint8Array {
  const columns = Object.fromEntries(
    Object.entries(COLUMNS).map(([name, c]) => [
      name,
      c.role === 'mask'
        ? Uint8Array.from(c.values)
        : c.role === 'gen_feature'
          ? Float32Array.from(c.values)
          : Float64Array.from(c.values),
    ]),
  );
  const metadata = {
    format: 'omnifold-weights',
    formatVersion: 1,
    engine: { name: 'omnifold', version: '0.1.0' },
    configuration: {},
    seed: 5,
    inputs: [],
    iterations: [],
    nDropped: 0,
    columns: Object.entries(COLUMNS).map(([name, c]) => ({ name, role: c.role })),
    normalisation: { description: 'absolute' },
    ensemble: { members: 4, runs: 1, combine: 'median', standardErrorFactor: MEDIAN_F },
  };
  return weightsArrowBytes(columns, metadata);
}

/** Writes the file as weights.arrow into a fresh temporary folder; returns the folder. */
export function writeFamiliesFixture(): string {
  const dir = testDir('omnifold-families-');
  writeFileSync(join(dir, 'weights.arrow'), familiesFileBytes());
  return dir;
}
