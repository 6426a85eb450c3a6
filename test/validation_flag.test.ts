/**
 * `--validation FRACTION` (the MLP's validationFraction, src/classifiers/mlp/kind.ts): 0
 * trains on every event, with no early stopping and the last epoch kept (no validation
 * loss); the default, given or not, writes the same bits; bad values are one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { assertBitEqual } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-validation-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'unfold', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = [
  '--toy',
  'gauss',
  '--events',
  '3000',
  '--iterations',
  '1',
  '--epochs',
  '4',
  '--hidden',
  '8',
  '--no-plots',
  '--quiet',
];

interface Member {
  epochs: number;
  bestEpoch: number;
  validationLoss: number | null;
}

test('--validation 0 trains on every event for every epoch; the default is the same bits given or not', async () => {
  for (const [out, extra] of [
    ['none', ['--validation', '0']],
    ['default', []],
    ['given', ['--validation', '0.2']],
  ] as const) {
    const r = run([...SMALL, ...extra, '--out', out]);
    assert.is(r.code, 0, r.stderr);
  }
  const [none, byDefault, given] = await Promise.all(
    ['none', 'default', 'given'].map((out) => readWeightsFile(join(dir, out, 'weights.arrow'))),
  );
  const members = (file: typeof none) =>
    (file.metadata.iterations as { steps: { members: Member[] }[] }[])[0].steps.flatMap((s) => s.members);
  for (const m of members(none)) {
    assert.is(m.epochs, 4);
    assert.is(m.bestEpoch, 0);
    assert.ok(m.validationLoss === null || Number.isNaN(m.validationLoss), String(m.validationLoss));
  }
  for (const m of members(byDefault)) assert.ok(Number.isFinite(m.validationLoss), String(m.validationLoss));
  const options = (file: typeof none) =>
    (file.metadata.configuration as { options: { classifier: { validationFraction: number } } }).options.classifier;
  assert.is(options(none).validationFraction, 0);
  assert.is(options(given).validationFraction, 0.2);
  assertBitEqual('weight', given.columns.get('weight')!, byDefault.columns.get('weight')!);
  // training on every event is a different fit
  const a = none.columns.get('weight') as Float64Array;
  const b = byDefault.columns.get('weight') as Float64Array;
  assert.ok(
    a.some((w, i) => w !== b[i]),
    'the fits differ',
  );
});

test('--validation must be a number in [0, 1)', () => {
  for (const bad of ['1', '-0.1', 'x', '']) {
    const r = run(['--toy', 'gauss', '--validation', bad, '--out', 'bad']);
    assert.is(r.code, 2, bad);
    assert.is(r.stderr, `omnifold: --validation must be a number in [0, 1); got ${JSON.stringify(bad)}\n`);
  }
});

test.run();
