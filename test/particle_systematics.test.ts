/**
 * Systematics of a particle-level run (`--classifier pfn` on particle columns): every
 * `--syst` that reads another sim file reads its particle columns too. `prior:FILE`
 * reweights the nominal to another generator with the PFN on gen particles, `FILE` (the
 * nominal events through another detector) must hold the same gen particles row by row,
 * and `unfold:FILE` unfolds the data with the other sample. `response:FILE` fits the nominal
 * to the alternative jointly on each event's gen and reco particles.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FeatureMatrix } from '../src/base/features.js';
import { main } from '../src/cli/main.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { jetsToy, JETS_OBSERVABLES } from '../src/toys/jets.js';
import { generatorSystematic } from '../src/uncertainty/generator_systematics.js';
import type { ToyDataset } from '../src/toys/toy.js';
import { addJetColumns, type ArrowColumns } from './helpers/jets_files.js';
import { rejectsInput } from './helpers/rejects.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-particle-syst-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const gen = [...JETS_OBSERVABLES];
const reco = JETS_OBSERVABLES.map((n) => `reco_${n}`);

/** `x` with particle feature 0 (pT) scaled by `factor`; its observables unchanged. */
function scaledPt(x: FeatureMatrix, factor: number): FeatureMatrix {
  const p = x.particles!;
  const values = Float32Array.from(p.values, (v, k) => (k % p.nFeatures === 0 ? v * factor : v));
  return { ...x, particles: { ...p, values } };
}

/** Writes a sim file of `sim`'s gen and reco levels. */
function writeSim(name: string, sim: ToyDataset['sim']): string {
  const columns: ArrowColumns = {};
  addJetColumns(columns, sim.gen, gen, 'gen_');
  addJetColumns(columns, sim.reco, reco, 'reco_');
  const path = join(dir, name);
  writeFileSync(path, tableToIPC(new Table(columns), 'file'));
  return path;
}

test('CLI: prior:FILE, response:FILE, FILE and unfold:FILE read particle columns; a sample with other gen particles is refused', async () => {
  const toy = jetsToy({ nSim: 1200, nData: 1200, seed: 7 });
  const other = jetsToy({ nSim: 1200, nData: 10, seed: 8 });
  const sim = writeSim('sim.arrow', toy.sim);
  const data: ArrowColumns = {};
  addJetColumns(data, toy.data.reco, reco, 'reco_');
  writeFileSync(join(dir, 'data.arrow'), tableToIPC(new Table(data), 'file'));
  // another generator (other events), and the nominal events through a detector with a 2 % pT scale
  const generator = writeSim('generator.arrow', other.sim);
  const detector = writeSim('detector.arrow', { ...toy.sim, reco: scaledPt(toy.sim.reco, 1.02) });
  const otherGenParticles = writeSim('gen_particles.arrow', { ...toy.sim, gen: scaledPt(toy.sim.gen, 1.01) });
  const args = (out: string, syst: string[]) => [
    'unfold',
    ...['--sim', sim, '--data', join(dir, 'data.arrow'), '--gen', gen.join(','), '--reco', reco.join(',')],
    ...['--gen-particles', 'gen_pt,gen_deta,gen_dphi', '--reco-particles', 'reco_pt,reco_deta,reco_dphi'],
    ...['--classifier', 'pfn', '--phi', '8,8', '--f', '8', '--epochs', '2', '--batch', '128'],
    ...['--iterations', '1', '--ensemble', '1', '--no-plots', '--quiet', '--threads', '2', '--out', out],
    ...syst.flatMap((s) => ['--syst', s]),
  ];
  const out = join(dir, 'out');
  const syst = [`gen=prior:${generator}`, `det=${detector}`, `alt=unfold:${generator}`, `resp=response:${generator}`];
  assert.is(await main(args(out, syst)), 0, 'runs');
  const file = await readWeightsFile(join(out, 'weights.arrow'));
  const nominal = file.columns.get('weight')!;
  for (const name of ['syst_gen', 'syst_det', 'syst_resp']) {
    const w = file.columns.get(name);
    assert.ok(w !== undefined, `column ${name}`);
    assert.ok(
      w.every((v) => Number.isFinite(v)),
      `${name}: every weight finite`,
    );
    assert.ok(
      w.some((v, i) => v !== nominal[i]),
      `${name}: differs from the nominal`,
    );
  }
  // the gen particles of a row-aligned sample must be the nominal's
  assert.is(await main(args(join(dir, 'refused'), [`det=${otherGenParticles}`])), 2, 'other gen particles: exit 2');
});

test("response recipe with particles: the nominal events take on another detector's efficiency", async () => {
  // the same generator through a detector of efficiency 0.75 instead of 0.95: the recipe's
  // weights must give the nominal events that detector's reco multiplicity and keep their
  // gen multiplicity (the spectra are the same)
  const nominal = jetsToy({ nSim: 4000, nData: 10, seed: 11 }).sim;
  const alternative = jetsToy({ nSim: 4000, nData: 10, seed: 12, efficiency: 0.75 }).sim;
  const both = (sim: ToyDataset['sim']) => Array.from(sim.weights, (_, i) => i).filter((i) => sim.passReco[i] === 1);
  const mean = (x: FeatureMatrix, rows: number[], w: ArrayLike<number>) =>
    rows.reduce((a, i) => a + w[i] * x.values[i * x.nFeatures], 0) / rows.reduce((a, i) => a + w[i], 0);
  const result = await generatorSystematic('response', 'eff', nominal, alternative, {
    index: 0,
    classifier: {
      type: 'pfn',
      phi: [32, 32, 32],
      f: [32, 32],
      epochs: 20,
      batchSize: 128,
      patience: 0,
      eventFeatures: false,
    },
  });
  const w = result.spec.weights;
  assert.equal(
    result.fits.map((f) => f.name),
    // (the nominal has no misses and neither sample fakes: every jet passes gen)
    ['alternative to nominal (gen)', 'nominal to tuned alternative (both)'],
  );
  const nominalReco = mean(nominal.reco, both(nominal), nominal.weights);
  const target = mean(alternative.reco, both(alternative), alternative.weights);
  const got = mean(nominal.reco, both(nominal), w);
  // the detectors differ by 2 particles a jet; the statistical error of each mean is about 0.05
  assert.ok(nominalReco - target > 1.5, `reco multiplicity: nominal ${nominalReco}, alternative ${target}`);
  // the weights close at least 80 % of the gap (8.52 against 8.46 from 10.54 here)
  assert.ok(Math.abs(got - target) < 0.2 * (nominalReco - target), `reweighted nominal ${got}, alternative ${target}`);
  const all = Array.from(nominal.weights, (_, i) => i);
  // the gen multiplicity moves by less than a quarter of the reco one (−0.30 here: the
  // fitted ratio leans on the reco count a little beyond its dependence on the gen count)
  const genShift = mean(nominal.gen, all, w) - mean(nominal.gen, all, nominal.weights);
  assert.ok(Math.abs(genShift) < 0.25 * (nominalReco - got), `gen multiplicity moved by ${genShift}`);
  // particle sets of other widths at the two levels cannot share one set
  const narrow = { ...nominal, reco: { ...nominal.reco, particles: { ...nominal.reco.particles!, nFeatures: 1 } } };
  await rejectsInput(
    () =>
      generatorSystematic('response', 'eff', narrow, alternative, { index: 0, classifier: { type: 'pfn' } as never }),
    /the response recipe with particles needs gen and reco particle sets of the same features, one set per level; got 4 gen and 1 reco particle features/,
  );
});

test.run();
