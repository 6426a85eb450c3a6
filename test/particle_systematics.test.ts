/**
 * Systematics of a particle-level run (`--classifier pfn` on particle columns): every
 * `--syst` that reads another sim file reads its particle columns too. `prior:FILE`
 * reweights the nominal to another generator with the PFN on gen particles, `FILE` (the
 * nominal events through another detector) must hold the same gen particles row by row,
 * and `unfold:FILE` unfolds the data with the other sample.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FeatureMatrix } from '../src/base/features.js';
import { main } from '../src/cli/main.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { jetsToy, JETS_OBSERVABLES } from '../src/toys/jets.js';
import type { ToyDataset } from '../src/toys/toy.js';
import { addJetColumns, type ArrowColumns } from './helpers/jets_files.js';

const dir = mkdtempSync(join(tmpdir(), 'omnifold-particle-syst-'));
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

test('CLI: prior:FILE, FILE and unfold:FILE read particle columns; a sample with other gen particles is refused', async () => {
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
  assert.is(await main(args(out, [`gen=prior:${generator}`, `det=${detector}`, `alt=unfold:${generator}`])), 0, 'runs');
  const file = await readWeightsFile(join(out, 'weights.arrow'));
  const nominal = file.columns.get('weight')!;
  for (const name of ['syst_gen', 'syst_det']) {
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

test.run();
