/**
 * Shared by the batch-plan CLI tests (test/batch_cli.test.ts, test/batch_tasks.test.ts):
 * the compiled CLI run in a folder, and a sim and a data sample as CSV files in `root/in/`
 * (deterministic: gen x, reco x smeared; data shifted by 0.3).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin', 'omnifold.js');

/** Runs `omnifold args…` in `cwd`. */
export function runIn(cwd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Writes `root/in/sim.csv` (x_gen, x_reco) and `root/in/data.csv` (x_reco), 2000 events each. */
export function writeBatchInputs(root: string): void {
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const sim = ['x_gen,x_reco'];
  const data = ['x_reco'];
  for (let i = 0; i < 2000; i++) {
    const g = normal();
    sim.push(`${g.toFixed(6)},${(g + 0.5 * normal()).toFixed(6)}`);
    const d = 0.3 + normal();
    data.push((d + 0.5 * normal()).toFixed(6));
  }
  mkdirSync(join(root, 'in'), { recursive: true });
  writeFileSync(join(root, 'in', 'sim.csv'), `${sim.join('\n')}\n`);
  writeFileSync(join(root, 'in', 'data.csv'), `${data.join('\n')}\n`);
}

/** Unfold options over those files: 6 replicas (weight, data_boot_0..2, sim_boot_0, syst_es), relative paths. */
export const BATCH_OPTIONS: readonly string[] = Object.freeze([
  '--sim',
  'in/sim.csv',
  '--data',
  'in/data.csv',
  '--gen',
  'x_gen',
  '--reco',
  'x_reco',
  '--classifier',
  'binned',
  '--bins',
  'x_gen=-3:3:12;x_reco=-3:3:12',
  '--iterations',
  '3',
  '--data-bootstraps',
  '3',
  '--sim-bootstraps',
  '1',
  '--syst',
  'es=reco:x_reco*1.02',
  '--quiet',
]);

/** A file's bytes. */
export const bytes = (path: string): Buffer => readFileSync(path);
