/**
 * `omnifold unfold` input files through the compiled CLI: `FILE:OBJECT` paths for every
 * file option (checked, read and hashed as the file, recorded as given), a missing file
 * named with its option before anything is read, and inputs without events named with
 * their file and column.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHdf5 } from '../src/io/hdf5_write.js';
import { writeNpz } from '../src/io/npz_io.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-inputs-');
const ROOT_FILE = join(process.cwd(), '..', 'shared', 'fixtures', 'root', 'uproot-Zmumu.root');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const N = 300;
const gen = Float64Array.from({ length: N }, (_, i) => Math.sin(i));
const reco = gen.map((g, i) => g + Math.cos(7 * i) / 3);
const BINNED = [
  '--classifier',
  'binned',
  '--bins',
  'gen_x=-1.5:1.5:6;reco_x=-2:2:8',
  '--iterations',
  '1',
  '--no-plots',
  '--quiet',
];

test('FILE:OBJECT for --sim, --data, --truth and --syst: read from the object, the file hashed, the path recorded as given', async () => {
  await writeHdf5(join(dir, 'sim.h5'), { gen_x: gen, reco_x: reco }, '/events');
  await writeNpz(join(dir, 'data.npz'), { reco_x: reco.map((r) => r + 0.1) });
  await writeHdf5(join(dir, 'truth.h5'), { gen_x: gen }, '/truth');
  const r = run([
    'unfold',
    '--sim',
    'sim.h5:/events',
    '--data',
    'data.npz',
    '--truth',
    'truth.h5:/truth',
    '--syst',
    'alt=sim.h5:/events',
    '--gen',
    'gen_x',
    '--reco',
    'reco_x',
    ...BINNED,
    '--out',
    'out-objects',
  ]);
  assert.is(r.code, 0, r.stderr);
  const f = await readWeightsFile(join(dir, 'out-objects', 'weights.arrow'));
  const inputs = f.metadata.inputs.map((i) => [i.role, i.path, i.sha256]);
  assert.equal(inputs, [
    ['sim', 'sim.h5:/events', sha256(join(dir, 'sim.h5'))],
    ['data', 'data.npz', sha256(join(dir, 'data.npz'))],
    ['truth', 'truth.h5:/truth', sha256(join(dir, 'truth.h5'))],
    ['syst:alt', 'sim.h5:/events', sha256(join(dir, 'sim.h5'))],
  ]);
});

test('--config: relative sim, data and systematic files resolve against the config folder, objects kept', async () => {
  mkdirSync(join(dir, 'conf'), { recursive: true });
  await writeHdf5(join(dir, 'conf', 'alt.h5'), { gen_x: gen, reco_x: reco }, '/events');
  writeFileSync(
    join(dir, 'conf', 'run.json'),
    JSON.stringify({
      sim: '../sim.h5:/events',
      data: '../data.npz',
      syst: ['alt=alt.h5:/events', 'w2=reco:reco_x*1.01'],
      gen: 'gen_x',
      reco: 'reco_x',
    }),
  );
  const r = run(
    ['--config', 'conf/run.json', ...BINNED, '--out', 'out-config'].flatMap((a, i) => (i === 0 ? ['unfold', a] : [a])),
  );
  assert.is(r.code, 0, r.stderr);
  const f = await readWeightsFile(join(dir, 'out-config', 'weights.arrow'));
  assert.equal(
    f.metadata.inputs.map((i) => [i.role, i.path]),
    [
      ['sim', join(dir, 'sim.h5:/events')],
      ['data', join(dir, 'data.npz')],
      ['syst:alt', join(dir, 'conf', 'alt.h5:/events')],
    ],
  );
});

test('FILE:OBJECT with a ROOT tree', async () => {
  if (!existsSync(ROOT_FILE)) {
    console.log(`skipped: ROOT fixture ${ROOT_FILE} is absent (see ../shared/fixtures/root/README.md)`);
    return;
  }
  const path = `${ROOT_FILE}:events`;
  const r = run([
    'unfold',
    '--sim',
    path,
    '--data',
    path,
    '--gen',
    'px1',
    '--reco',
    'px2',
    '--classifier',
    'binned',
    '--bins',
    'px1=-50:50:10;px2=-50:50:10',
    '--iterations',
    '1',
    '--no-plots',
    '--quiet',
    '--out',
    'out-root',
  ]);
  assert.is(r.code, 0, r.stderr);
  const f = await readWeightsFile(join(dir, 'out-root', 'weights.arrow'));
  assert.is(f.nRows, 2304);
  assert.equal(f.metadata.inputs[0].path, path);
  assert.is(f.metadata.inputs[0].sha256, sha256(ROOT_FILE));
});

test('unfold --help says that file options take FILE:OBJECT', () => {
  const r = run(['unfold', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /--sim X\s+simulation file \(\.arrow, \.csv, …; FILE:OBJECT names a tree, group or member\)/);
  assert.match(r.stdout, /--data X\s+data file with the reco columns \(FILE or FILE:OBJECT\)/);
  assert.match(r.stdout, /--truth X\s+gen-level truth file \(gen columns; FILE or FILE:OBJECT\)/);
});

const ERRORS: [string, string[], RegExp][] = [
  [
    'missing ROOT file behind an object',
    ['--sim', 'nope.root:events', '--data', 'sim.h5:/events'],
    /^omnifold: --sim nope\.root:events: file nope\.root must exist; got no such file\n$/,
  ],
  [
    'missing data file',
    ['--sim', 'sim.h5:/events', '--data', 'nope.csv'],
    /^omnifold: --data nope\.csv: file must exist; got no such file\n$/,
  ],
  [
    'missing truth file, named before the sim is read',
    ['--sim', 'sim.h5:/events', '--data', 'data.npz', '--truth', 'nope.h5:/truth'],
    /^omnifold: --truth nope\.h5:\/truth: file nope\.h5 must exist; got no such file\n$/,
  ],
  [
    'missing systematic file',
    ['--sim', 'sim.h5:/events', '--data', 'data.npz', '--syst', 'alt=nope.npz:x'],
    /^omnifold: --syst alt nope\.npz:x: file nope\.npz must exist; got no such file\n$/,
  ],
  [
    'a folder as a file',
    ['--sim', 'sim.h5:/events', '--data', '.'],
    /^omnifold: --data \.: file must be a regular file; got a directory\n$/,
  ],
  [
    'sim with a header and no rows',
    ['--sim', 'header.csv', '--data', 'data.npz'],
    /^omnifold: header\.csv: file must hold at least one event; got no events \(0 rows\)\n$/,
  ],
  [
    'data with a header and no rows',
    ['--sim', 'sim.h5:/events', '--data', 'header.csv'],
    /^omnifold: header\.csv: file must hold at least one event; got no events \(0 rows\)\n$/,
  ],
  [
    'truth with a header and no rows',
    ['--sim', 'sim.h5:/events', '--data', 'data.npz', '--truth', 'header.csv'],
    /^omnifold: header\.csv: file must hold at least one event; got no events \(0 rows\)\n$/,
  ],
  [
    'no sim event passes reco',
    ['--sim', 'masks.csv', '--data', 'data.npz', '--pass-reco', 'zero'],
    /^omnifold: masks\.csv: column "zero" must let at least one event pass reco; got 0 of 4 events passing\n$/,
  ],
  [
    'no sim event passes gen',
    ['--sim', 'masks.csv', '--data', 'data.npz', '--pass-gen', 'zero'],
    /^omnifold: masks\.csv: column "zero" must let at least one event pass gen; got 0 of 4 events passing\n$/,
  ],
  [
    'sim weights of the passing events sum to ≤ 0',
    ['--sim', 'masks.csv', '--data', 'data.npz', '--sim-weight', 'w'],
    /^omnifold: masks\.csv: column "w" must have a positive total over the 4 events passing reco; got -2\n$/,
  ],
  [
    'data weights sum to 0',
    ['--sim', 'sim.h5:/events', '--data', 'masks.csv', '--data-weight', 'zero'],
    /^omnifold: masks\.csv: column "zero" must have a positive total; got 0\n$/,
  ],
];

for (const [name, args, pattern] of ERRORS) {
  test(`input error names the file: ${name}`, () => {
    writeFileSync(join(dir, 'header.csv'), 'gen_x,reco_x\n');
    writeFileSync(join(dir, 'masks.csv'), 'gen_x,reco_x,zero,w\n0,0,0,1\n1,1,0,-1\n0.5,0.5,0,-1\n0.2,0.2,0,-1\n');
    const out = `out-${name.replace(/\W+/g, '-')}`;
    const r = run(['unfold', ...args, '--gen', 'gen_x', '--reco', 'reco_x', ...BINNED, '--out', out]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.not.ok(existsSync(join(dir, out)), 'nothing written');
  });
}

test.run();
