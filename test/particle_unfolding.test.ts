/**
 * Particle-level OmniFold end to end, on the jets toy (src/toys/jets.ts), whose truth is
 * known: the PFN, reading each jet's constituents only, moves all four derived observables
 * (multiplicity, mass, width, τ21) most of the way from the prior to the truth, and closes
 * them within a stated allowance of MultiFold (an MLP on those four observables); and the CLI reads particles from Arrow list columns and writes the same
 * weight bits on 1 and 2 threads.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unfold } from '../src/algorithm/omnifold.js';
import { summarize } from '../src/publish/run_summary.js';
import { jetsToy, JETS_OBSERVABLES } from '../src/toys/jets.js';
import { addJetColumns, type ArrowColumns, weightSha } from './helpers/jets_files.js';
import type { ToyDataset } from '../src/toys/toy.js';
import { main } from '../src/cli/main.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-particles-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** χ² of the unfolded and of the prior histograms against the truth, per observable. */
function closure(
  toy: ToyDataset,
  weights: Float64Array,
): { name: string; unfolded: number; ndf: number; prior: number }[] {
  const summary = summarize({
    genNames: toy.sim.genNames ?? [],
    gen: toy.sim.gen,
    passGen: toy.sim.passGen,
    priorWeights: toy.sim.weights,
    weights,
    truth: toy.truth,
    bins: toy.bins,
    iterations: [],
    nDropped: 0,
  });
  return summary.features.map((f) => ({
    name: f.feature,
    unfolded: f.unfoldedVsTruth!.chi2,
    ndf: f.unfoldedVsTruth!.ndf,
    prior: f.priorVsTruth!.chi2,
  }));
}

test('jets toy: the PFN on constituents unfolds the derived observables about as MultiFold does', async () => {
  // 8000 jets per sample, 3 iterations, small networks: 15–40 s on 2 loaded cores.
  const toy = jetsToy({ nSim: 8000, nData: 8000, seed: 0 });
  const run = async (classifier: Record<string, unknown>) =>
    closure(
      toy,
      (await unfold(toy.sim, toy.data, { classifier: classifier as never, nIterations: 3, nMembers: 1 })).weights,
    );
  const pfn = await run({
    type: 'pfn',
    phi: [32, 32, 32],
    f: [32, 32],
    epochs: 10,
    batchSize: 128,
    patience: 0,
    eventFeatures: false,
  });
  const multiFold = await run({ type: 'mlp', hidden: [32, 32], epochs: 10, batchSize: 256, patience: 0 });
  const total = (rows: { unfolded: number }[]) => rows.reduce((s, r) => s + r.unfolded, 0);
  const priorTotal = pfn.reduce((s, r) => s + r.prior, 0);
  // Over the four observables the PFN's χ² is below a fifth of the prior's.
  assert.ok(total(pfn) < 0.2 * priorTotal, `PFN χ² ${total(pfn).toFixed(1)}, prior ${priorTotal.toFixed(1)}`);
  for (const [k, r] of pfn.entries()) {
    // Every observable moves most of the way from the prior to the truth, or to χ²/ndf
    // below 1.5 (τ21's prior is within 3σ per bin of the truth at this size).
    assert.ok(
      r.unfolded < 0.4 * r.prior || r.unfolded < 1.5 * r.ndf,
      `${r.name}: χ² ${r.unfolded.toFixed(1)}/${r.ndf} against the prior's ${r.prior.toFixed(1)}`,
    );
    // Each observable within 2× MultiFold's χ², which is trained on exactly these observables.
    assert.ok(
      r.unfolded < 2 * multiFold[k].unfolded,
      `${r.name}: PFN χ² ${r.unfolded.toFixed(1)}, MultiFold ${multiFold[k].unfolded.toFixed(1)}`,
    );
  }
  // and the sum over the four within 1.5× MultiFold's
  assert.ok(
    total(pfn) < 1.5 * total(multiFold),
    `PFN χ² ${total(pfn).toFixed(1)}, MultiFold ${total(multiFold).toFixed(1)}`,
  );
});

test('CLI: particles from Arrow list columns, capped by pT; the same weight bits on 1 and 2 threads and through apply', async () => {
  const toy = jetsToy({ nSim: 1500, nData: 1500, seed: 5 });
  const gen = [...JETS_OBSERVABLES];
  const reco = JETS_OBSERVABLES.map((n) => `reco_${n}`);
  const sim: ArrowColumns = {};
  addJetColumns(sim, toy.sim.gen, gen, 'gen_');
  addJetColumns(sim, toy.sim.reco, reco, 'reco_');
  writeFileSync(join(dir, 'sim.arrow'), tableToIPC(new Table(sim), 'file'));
  const data: ArrowColumns = {};
  addJetColumns(data, toy.data.reco, reco, 'reco_');
  writeFileSync(join(dir, 'data.arrow'), tableToIPC(new Table(data), 'file'));
  const args = (out: string, threads: number, extra: string[] = []) => [
    'unfold',
    ...['--sim', join(dir, 'sim.arrow'), '--data', join(dir, 'data.arrow')],
    ...['--gen', gen.join(','), '--reco', reco.join(',')],
    ...['--gen-particles', 'gen_pt,gen_deta,gen_dphi', '--reco-particles', 'reco_pt,reco_deta,reco_dphi'],
    ...['--max-particles', '8', '--particle-sort', 'gen_pt'],
    ...['--classifier', 'pfn', '--phi', '8,8', '--f', '8', '--epochs', '2', '--batch', '128'],
    ...['--iterations', '2', '--ensemble', '2', '--no-plots', '--quiet', '--threads', String(threads), '--out', out],
    ...extra,
  ];
  assert.is(await main(args(join(dir, 'one'), 1, ['--save-models'])), 0);
  assert.is(await main(args(join(dir, 'two'), 2)), 0);
  const one = await weightSha(join(dir, 'one'));
  assert.is(await weightSha(join(dir, 'two')), one);
  // The saved PFN models, applied to the training sim (its particle columns as recorded), give its weights bit for bit.
  const applied = join(dir, 'applied');
  assert.is(await main(['apply', join(dir, 'one'), '--sim', join(dir, 'sim.arrow'), '--out', applied, '--quiet']), 0);
  assert.is(await weightSha(applied), one);
  // The cap changes what the PFN sees, hence the weights.
  assert.is(await main(args(join(dir, 'all'), 1, ['--max-particles', '64'])), 0);
  assert.is.not(await weightSha(join(dir, 'all')), one);
  // A particle column the files lack: a usage error, exit 2.
  assert.is(await main(args(join(dir, 'bad'), 1, ['--reco-particles', 'reco_pt,reco_deta,reco_mass'])), 2);
});

test.run();
