/**
 * Particle sets (offsets plus flat values): row selection and concatenation, sharing with
 * workers, the checks of `unfold()`, reading them from variable-length columns (truncation
 * by file order or by a feature), and the jets toy that carries them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { concatRows, particleCount, selectRows, type FeatureMatrix } from '../src/base/features.js';
import { checkClassifierInputs, validateSamples } from '../src/algorithm/options.js';
import { readParticles } from '../src/io/particles.js';
import type { ColumnTable, JaggedColumn } from '../src/io/table.js';
import { shareFeatures } from '../src/execution/shared_job.js';
import { jetObservables, jetsToy, JETS_SIM, JETS_DATA } from '../src/toys/jets.js';
import { assertBitEqual } from './helpers/close.js';
import { parseUnfoldArgs } from '../src/cli/unfold_args.js';
import { planUnfold } from '../src/cli/unfold_plan.js';

/** Events with 2, 0 and 3 particles of 2 features: particle k of event i is (10i + k, −(10i + k)). */
function matrix(): FeatureMatrix {
  const counts = [2, 0, 3];
  const offsets = Uint32Array.from([0, 2, 2, 5]);
  const values: number[] = [];
  counts.forEach((n, i) => {
    for (let k = 0; k < n; k++) values.push(10 * i + k, -(10 * i + k));
  });
  return {
    values: Float32Array.from([1, 2, 3]),
    nEvents: 3,
    nFeatures: 1,
    particles: { offsets, values: Float32Array.from(values), nFeatures: 2 },
  };
}

/** The particles of event i as [[f0, f1], …]. */
function particlesOf(x: FeatureMatrix, i: number): number[][] {
  const p = x.particles!;
  const out: number[][] = [];
  for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++)
    out.push(Array.from(p.values.subarray(r * p.nFeatures, (r + 1) * p.nFeatures)));
  return out;
}

test('selectRows keeps each selected event with its own particles, in the order asked', () => {
  const x = matrix();
  const picked = selectRows(x, Uint32Array.from([0, 2]));
  assert.equal(Array.from(picked.values), [1, 3]);
  assert.equal(Array.from(picked.particles!.offsets), [0, 2, 5]);
  assert.equal(particlesOf(picked, 0), [
    [0, -0],
    [1, -1],
  ]);
  assert.equal(particlesOf(picked, 1), [
    [20, -20],
    [21, -21],
    [22, -22],
  ]);
  const empty = selectRows(x, Uint32Array.from([1]));
  assert.equal(Array.from(empty.particles!.offsets), [0, 0]);
  assert.is(empty.particles!.values.length, 0);
  assert.is(selectRows({ values: x.values, nEvents: 3, nFeatures: 1 }, Uint32Array.from([1])).particles, undefined);
});

test('concatRows puts the second matrix’s events, with their particles, after the first’s', () => {
  const x = matrix();
  const joined = concatRows(x, selectRows(x, Uint32Array.from([2, 0])));
  assert.is(joined.nEvents, 5);
  assert.equal(Array.from(joined.values), [1, 2, 3, 3, 1]);
  assert.equal(Array.from(joined.particles!.offsets), [0, 2, 2, 5, 8, 10]);
  assert.equal(particlesOf(joined, 3), particlesOf(x, 2));
  assert.equal(particlesOf(joined, 4), particlesOf(x, 0));
  assert.equal(
    [0, 1, 2, 3, 4].map((i) => particleCount(joined, i)),
    [2, 0, 3, 3, 2],
  );
});

test('shareFeatures puts the particle sets on SharedArrayBuffers too, with the same values', () => {
  const x = matrix();
  const shared = shareFeatures(x);
  assert.ok(shared.particles!.offsets.buffer instanceof SharedArrayBuffer);
  assert.ok(shared.particles!.values.buffer instanceof SharedArrayBuffer);
  assert.equal(Array.from(shared.particles!.values), Array.from(x.particles!.values));
  assert.is(shareFeatures(shared), shared);
});

function samples(gen: FeatureMatrix, reco: FeatureMatrix, data: FeatureMatrix) {
  const n = gen.nEvents;
  return {
    sim: {
      gen,
      reco,
      passGen: new Uint8Array(n).fill(1),
      passReco: new Uint8Array(n).fill(1),
      weights: new Float64Array(n).fill(1),
    },
    data: { reco: data, weights: new Float64Array(data.nEvents).fill(1) },
  };
}

test('unfold()’s checks: offsets, finite particle values, the same particle features everywhere', () => {
  const x = matrix();
  const ok = samples(x, x, x);
  validateSamples(ok.sim, ok.data);
  const bad = (p: Partial<NonNullable<FeatureMatrix['particles']>>) => ({ ...x, particles: { ...x.particles!, ...p } });
  assert.throws(
    () => validateSamples(samples(bad({ offsets: Uint32Array.from([0, 2, 1, 5]) }), x, x).sim, ok.data),
    /sim\.gen\.particles\.offsets must not decrease; got 1 after 2 at event 2/,
  );
  assert.throws(
    () => validateSamples(samples(x, bad({ offsets: Uint32Array.from([0, 2, 2]) }), x).sim, ok.data),
    /sim\.reco\.particles\.offsets must hold nEvents \+ 1 = 4 values; got 3/,
  );
  const nan = Float32Array.from(x.particles!.values);
  nan[7] = NaN; // event 2, particle 1, feature 1
  assert.throws(
    () => validateSamples(samples(bad({ values: nan }), x, x).sim, ok.data),
    /sim\.gen particle 1 feature 1 of event 2 must be finite; got NaN/,
  );
  const plain = { values: x.values, nEvents: 3, nFeatures: 1 };
  assert.throws(
    () => validateSamples(ok.sim, samples(x, x, plain).data),
    /data\.reco must have particles with 2 features, as sim\.reco has; got no particles/,
  );
  const onlyEvents = samples(plain, plain, plain);
  assert.throws(
    () =>
      checkClassifierInputs({ type: 'mlp' }, ok.sim, {
        ...ok.data,
        reco: { ...x, nFeatures: 0, values: new Float32Array(0) },
      }),
    /data\.reco\.nFeatures must be at least 1, as classifier mlp reads event-level features; got 0/,
  );
  checkClassifierInputs({ type: 'mlp' }, onlyEvents.sim, onlyEvents.data);
});

/** A table whose variable-length columns are given as lists per row. */
function table(lists: Record<string, number[][]>): ColumnTable {
  const names = Object.keys(lists);
  const nRows = lists[names[0]].length;
  const jagged = (name: string): JaggedColumn => {
    const rows = lists[name];
    const offsets = new Uint32Array(nRows + 1);
    rows.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.length));
    return { offsets, values: Float64Array.from(rows.flat()) };
  };
  return {
    source: 'events.arrow',
    nRows,
    columnNames: names,
    column: () => {
      throw new Error('not a flat column');
    },
    jagged,
  };
}

test('readParticles zips one list per feature, caps events in file order or by a feature, and skips failing events', () => {
  const t = table({
    pt: [[1, 5, 3], [], [2, 8], [4]],
    eta: [[0.1, 0.5, 0.3], [], [0.2, 0.8], [0.4]],
  });
  const all = readParticles(t, { features: ['pt', 'eta'] }, Uint8Array.from([1, 1, 1, 0]));
  assert.equal(Array.from(all.offsets), [0, 3, 3, 5, 5]);
  assert.equal(Array.from(all.values), Array.from(Float32Array.from([1, 0.1, 5, 0.5, 3, 0.3, 2, 0.2, 8, 0.8])));
  const firstTwo = readParticles(t, { features: ['pt', 'eta'], maxParticles: 2 }, new Uint8Array(4).fill(1));
  assert.equal(Array.from(firstTwo.offsets), [0, 2, 2, 4, 5]);
  assert.equal(Array.from(firstTwo.values.filter((_, k) => k % 2 === 0)), [1, 5, 2, 8, 4]);
  const hardest = readParticles(
    t,
    { features: ['pt', 'eta'], maxParticles: 2, sortBy: 'pt' },
    new Uint8Array(4).fill(1),
  );
  assert.equal(Array.from(hardest.values.filter((_, k) => k % 2 === 0)), [5, 3, 8, 2, 4]);
  assert.equal(
    Array.from(hardest.values.filter((_, k) => k % 2 === 1)),
    Array.from(Float32Array.from([0.5, 0.3, 0.8, 0.2, 0.4])),
  );
});

test('readParticles errors name the file, column, rule, value and row', () => {
  const uneven = table({
    pt: [[1, 2], [3]],
    eta: [
      [1, 2],
      [3, 4],
    ],
  });
  assert.throws(
    () => readParticles(uneven, { features: ['pt', 'eta'] }, Uint8Array.from([1, 1])),
    /events\.arrow: column "eta" must have as many particles per row as "pt"; got 2 and 1 at row 1/,
  );
  const inf = table({ pt: [[1, Infinity], [1e300]] });
  assert.throws(
    () => readParticles(inf, { features: ['pt'] }, Uint8Array.from([1, 1])),
    /events\.arrow: column "pt" must be finite on selected events; got Infinity at row 0, particle 1/,
  );
  assert.throws(
    () => readParticles(inf, { features: ['pt'] }, Uint8Array.from([0, 1])),
    /column "pt" must be within ±3\.4028234663852886e\+38 \(single precision\) on selected events; got 1e\+300 at row 1, particle 0/,
  );
  const flat: ColumnTable = { source: 'events.csv', nRows: 1, columnNames: ['pt'], column: () => new Float64Array(1) };
  assert.throws(
    () => readParticles(flat, { features: ['pt'] }, Uint8Array.from([1])),
    /events\.csv: variable-length column "pt" must come from a format that holds lists/,
  );
  assert.throws(
    () => readParticles(uneven, { features: ['pt'], maxParticles: 0 }, Uint8Array.from([1, 1])),
    /--max-particles must be a positive integer; got 0/,
  );
  assert.throws(
    () => readParticles(uneven, { features: ['pt'], maxParticles: 1, sortBy: 'e' }, Uint8Array.from([1, 1])),
    /--particle-sort must name one of the particle features pt; got "e"/,
  );
});

test('jets observables: two particles of known mass, width and τ21', () => {
  // Two massless particles of pT 3 and 1 at Δη = ±0.1 (φ = 0): m² = 2·3·1·(cosh 0.2 − 1).
  const [n, mass, width, tau21] = jetObservables({ pt: [3, 1], deta: [0.1, -0.1], dphi: [0, 0] });
  assert.is(n, 2);
  assert.ok(Math.abs(mass - Math.sqrt(6 * (Math.cosh(0.2) - 1))) < 1e-12, `mass ${mass}`);
  assert.ok(Math.abs(width - (3 * 0.1 + 1 * 0.1) / 4) < 1e-12, `width ${width}`);
  assert.is(tau21, 0); // both particles are axes of τ2
  assert.equal(jetObservables({ pt: [5], deta: [0], dphi: [0] }), [1, 0, 0, 0]);
});

test('jets toy: the same seed gives the same bits; multiplicities follow the generators; reco loses particles', () => {
  // every gen particle kept (genMinPt 0), to count the generators' emissions
  const a = jetsToy({ nSim: 3000, nData: 3000, seed: 4, genMinPt: 0 });
  const b = jetsToy({ nSim: 3000, nData: 3000, seed: 4, genMinPt: 0 });
  assertBitEqual('gen particles', a.sim.gen.particles!.values, b.sim.gen.particles!.values);
  assertBitEqual('reco observables', a.sim.reco.values, b.sim.reco.values);
  const mean = (x: FeatureMatrix) => x.particles!.offsets[x.nEvents] / x.nEvents;
  // n = 2 + Poisson(μ): mean 2 + μ, standard error √(μ/3000) ≈ 0.06.
  assert.ok(Math.abs(mean(a.sim.gen) - (2 + JETS_SIM.multiplicityMean)) < 0.25, `sim ${mean(a.sim.gen)}`);
  assert.ok(Math.abs(mean(a.truth.gen) - (2 + JETS_DATA.multiplicityMean)) < 0.25, `truth ${mean(a.truth.gen)}`);
  assert.ok(mean(a.sim.reco) < mean(a.sim.gen) - 0.5, `reco ${mean(a.sim.reco)} vs gen ${mean(a.sim.gen)}`);
  // The multiplicity observable is the particle count, and particles come sorted by pT.
  const x = a.sim.gen;
  for (let i = 0; i < 50; i++) {
    assert.is(x.values[i * 4], particleCount(x, i));
    const p = x.particles!;
    const d = p.nFeatures;
    for (let r = p.offsets[i] + 1; r < p.offsets[i + 1]; r++) assert.ok(p.values[r * d] <= p.values[(r - 1) * d]);
    // z is each particle's share of the event's pT
    let sum = 0;
    for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++) sum += p.values[r * d];
    for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++)
      assert.ok(Math.abs(p.values[r * d + 3] - p.values[r * d] / sum) < 1e-6, `event ${i}: z`);
  }
});

test('jets toy: the fiducial pT threshold holds at both levels, and only the gen record changes with it', () => {
  const all = jetsToy({ nSim: 2000, nData: 2000, seed: 6, genMinPt: 0 });
  const fiducial = jetsToy({ nSim: 2000, nData: 2000, seed: 6 });
  const smallest = (x: FeatureMatrix) => {
    const p = x.particles!;
    let m = Infinity;
    for (let r = 0; r < p.offsets[x.nEvents]; r++) m = Math.min(m, p.values[r * p.nFeatures]);
    return m;
  };
  for (const x of [fiducial.sim.gen, fiducial.truth.gen, fiducial.sim.reco, fiducial.data.reco, all.sim.reco])
    assert.ok(smallest(x) >= 0.5, `smallest pT ${smallest(x)}`);
  assert.ok(smallest(all.sim.gen) < 0.5, `smallest pT ${smallest(all.sim.gen)}`);
  // the threshold drops gen particles from the record but draws nothing else: the same reco bits
  assertBitEqual('reco particles', fiducial.sim.reco.particles!.values, all.sim.reco.particles!.values);
  const p = all.sim.gen.particles!;
  const q = fiducial.sim.gen.particles!;
  for (let i = 0; i < 100; i++) {
    const kept: number[] = [];
    for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++) if (p.values[r * 4] >= 0.5) kept.push(p.values[r * 4]);
    const got = Array.from({ length: q.offsets[i + 1] - q.offsets[i] }, (_, k) => q.values[(q.offsets[i] + k) * 4]);
    assert.equal(got, kept, `event ${i}`);
  }
});

test('CLI: particle columns need a particle-level classifier, and their flags need each other', () => {
  const plan = (args: string) => planUnfold(parseUnfoldArgs(args.split(' ')));
  const files = '--sim s.arrow --data d.arrow --gen a --reco b';
  assert.throws(
    () => plan(`${files} --gen-particles pt --reco-particles pt`),
    /--gen-particles and --reco-particles must come with a particle-level classifier \(.*\); got --classifier mlp/,
  );
  assert.throws(
    () => plan(`${files} --gen-particles pt`),
    /--gen-particles and --reco-particles must be given together; got only --gen-particles/,
  );
  assert.throws(
    () => plan(`${files} --max-particles 5`),
    /--max-particles must come with --gen-particles and --reco-particles; got no particle columns/,
  );
  assert.throws(
    () => plan('--toy jets --max-particles 5'),
    /--max-particles must come with --sim, --data, --gen and --reco; got no input files/,
  );
  assert.throws(
    () => plan(`${files} --gen-particle-count n`),
    /--gen-particle-count must come with --gen-particles; got no --gen-particles/,
  );
  assert.is(plan('--toy jets').input.kind, 'toy');
});

test.run();
