/**
 * ROOT reader on real files written by ROOT (../shared/fixtures/root/, from
 * scikit-hep-testdata): first rows as read, physics invariants that an independent
 * decoding must satisfy, and the one-line errors.
 *
 * The first-row values below were recorded once from this reader (jsroot 7.11.2). They
 * are trusted because of checks that do not depend on it: the Z→μμ rows satisfy
 * pt = hypot(px, py) and M = invariant mass of the two muons to the precision stored, the
 * mass peaks at the Z (91 GeV); the sample file follows an exact per-entry pattern in all
 * 12 numeric types; the RNTuple holds ROOT's tutorial `cernstaff.dat`, whose first line is
 * `202 15 58 28 0 10 13 40 11975 PS FRA` (3354 lines).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/base/errors.js';
import { readTable } from '../src/io/load.js';
import type { NumericColumn } from '../src/io/table.js';
import { assertClose } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

/** The repository root: the nearest directory above this file holding package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const FIXTURES = join(repoRoot(), '..', 'shared', 'fixtures', 'root');
const HAVE_FIXTURES = existsSync(join(FIXTURES, 'uproot-Zmumu.root'));
const ZMUMU = join(FIXTURES, 'uproot-Zmumu.root');
const HZZ = join(FIXTURES, 'uproot-HZZ.root');
const SAMPLE = join(FIXTURES, 'uproot-sample-6.20.04-zlib.root');
const STAFF = join(FIXTURES, 'ntpl001_staff_rntuple_v1-0-1-0.root');

const numbers = (values: NumericColumn, n = values.length): number[] =>
  Array.from(values as ArrayLike<number | bigint>, Number).slice(0, n);

async function rejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.instance(err, InputError, `wanted InputError, got ${String(err)}`);
    assert.not.match((err as Error).message, /\n/);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`wanted an error matching ${pattern}`);
}

const Z_COLUMNS = ['Run', 'Event', 'E1', 'px1', 'py1', 'pz1', 'pt1', 'Q1', 'E2', 'px2', 'py2', 'pz2', 'pt2', 'Q2', 'M'];

test('Zmumu: the only tree is used; first rows as recorded; dtypes follow the leaves', async () => {
  const fractions: number[] = [];
  const t = await readTable(ZMUMU, { columns: Z_COLUMNS, onProgress: (f) => fractions.push(f) });
  assert.is(t.source, `${ZMUMU}:events`);
  assert.is(t.nRows, 2304);
  assert.equal(
    [...t.columnNames],
    [
      'Type',
      'Run',
      'Event',
      'E1',
      'px1',
      'py1',
      'pz1',
      'pt1',
      'eta1',
      'phi1',
      'Q1',
      'E2',
      'px2',
      'py2',
      'pz2',
      'pt2',
      'eta2',
      'phi2',
      'Q2',
      'M',
    ],
  );
  assert.instance(t.column('Run'), Int32Array);
  assert.instance(t.column('M'), Float64Array);
  assert.equal(numbers(t.column('Run'), 3), [148031, 148031, 148031]);
  assert.equal(numbers(t.column('Event'), 3), [10507008, 10507008, 10507008]);
  assert.equal(numbers(t.column('E1'), 3), [82.2018663875, 62.3449289481, 62.3449289481]);
  assert.equal(numbers(t.column('px1'), 3), [-41.1952876442, 35.1180497674, 35.1180497674]);
  assert.equal(numbers(t.column('py1'), 3), [17.4332438965, -16.5703623299, -16.5703623299]);
  assert.equal(numbers(t.column('pz1'), 3), [-68.9649618071, -48.7752465359, -48.7752465359]);
  assert.equal(numbers(t.column('Q1'), 3), [1, -1, -1]);
  assert.equal(numbers(t.column('E2'), 3), [60.6218745939, 82.2018663875, 81.5827783316]);
  assert.equal(numbers(t.column('M'), 3), [82.4626915551, 83.6262040052, 83.3084646667]);
  assert.is(fractions.at(-1), 1);
});

test('Zmumu physics: pt = hypot(px, py), M = dimuon invariant mass, charges ±1, mass peak at the Z', async () => {
  const t = await readTable(`${ZMUMU}:events`, { columns: Z_COLUMNS });
  const c = (name: string) => t.column(name) as Float64Array;
  const [E1, px1, py1, pz1, E2, px2, py2, pz2] = ['E1', 'px1', 'py1', 'pz1', 'E2', 'px2', 'py2', 'pz2'].map(c);
  // In this CMS sample pt/eta/phi and px/py/pz can come from different track fits (rows
  // 3, 7, 11, … differ by up to 29 %), so pt = hypot(px, py) holds on most rows, not all.
  const ptAgrees = Array.from(px1, (px, i) => Math.abs(Math.hypot(px, py1[i]) - c('pt1')[i]) <= 1e-5 * c('pt1')[i]);
  assertClose(
    'pt1 vs hypot(px1, py1), rows 0-2',
    c('pt1').subarray(0, 3),
    ptAgrees.slice(0, 3).map((_, i) => Math.hypot(px1[i], py1[i])),
    { rtol: 1e-5, atol: 0 },
  );
  assert.ok(
    ptAgrees.filter(Boolean).length / t.nRows > 0.75,
    'pt = hypot(px, py) on more than 75 % of rows (77.6 % in this file)',
  );
  const mass = Array.from(E1, (e1, i) => {
    const e = e1 + E2[i];
    const px = px1[i] + px2[i];
    const py = py1[i] + py2[i];
    const pz = pz1[i] + pz2[i];
    return Math.sqrt(Math.max(0, e * e - px * px - py * py - pz * pz));
  });
  // M and the four-vectors are stored with ~10 decimals; the subtraction loses a few digits
  assertClose('M vs dimuon invariant mass', c('M'), mass, { rtol: 1e-6, atol: 1e-5 });
  for (const q of ['Q1', 'Q2'])
    assert.ok(
      numbers(t.column(q)).every((v) => v === 1 || v === -1),
      `${q} is ±1`,
    );
  const counts = new Array<number>(60).fill(0); // 1 GeV bins on [60, 120)
  for (const m of c('M')) if (m >= 60 && m < 120) counts[Math.floor(m - 60)]++;
  const peak = 60 + counts.indexOf(Math.max(...counts)) + 0.5;
  assert.ok(peak > 89 && peak < 93, `Z peak at ${peak} GeV, wanted 89–93`);
});

test('HZZ: flat branches read; first rows as recorded; jagged branches are one-line errors', async () => {
  const t = await readTable(`${HZZ}:events`, {
    columns: ['NJet', 'NMuon', 'MET_px', 'EventWeight', 'triggerIsoMu24', 'NPrimaryVertices'],
  });
  assert.is(t.nRows, 2421);
  assert.equal(numbers(t.column('NJet'), 3), [0, 1, 0]);
  assert.equal(numbers(t.column('NMuon'), 3), [2, 1, 2]);
  assert.equal(numbers(t.column('NPrimaryVertices'), 3), [6, 18, 16]);
  assertClose('MET_px', numbers(t.column('MET_px'), 3), [5.912771224975586, 24.76520347595215, -25.78508758544922], {
    rtol: 0,
    atol: 0,
  });
  assertClose(
    'EventWeight',
    numbers(t.column('EventWeight'), 3),
    [0.009271008893847466, 0.0003306444559711963, 0.005079628434032202],
    { rtol: 0, atol: 0 },
  );
  assert.instance(t.column('triggerIsoMu24'), Uint8Array);
  assert.ok(
    numbers(t.column('EventWeight')).every((w) => Number.isFinite(w) && w >= 0 && w < 0.01),
    'weights in [0, 0.01)',
  );
  assert.ok(
    numbers(t.column('NJet')).every((n) => Number.isInteger(n) && n >= 0 && n < 30),
    'NJet is a small count',
  );
  await rejects(
    () => readTable(HZZ, { columns: ['MET_px', 'Jet_Px'] }),
    /uproot-HZZ\.root:events: branch "Jet_Px" must be flat \(one value per entry\); got the jagged leaf Jet_Px\[NJet\] \(variable length: read it with options\.jagged\)$/,
  );
  await rejects(
    () => readTable(HZZ, { columns: ['Muon_Charge'] }),
    /branch "Muon_Charge" must be flat .*jagged leaf Muon_Charge\[NMuon\]/,
  );
});

test('sample file: every numeric leaf type follows the per-entry pattern it was written with', async () => {
  const names = ['n', 'b', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f4', 'f8'];
  const t = await readTable(SAMPLE, { columns: names });
  assert.is(t.source, `${SAMPLE}:sample`);
  assert.is(t.nRows, 30);
  const entries = Array.from({ length: 30 }, (_, e) => e);
  assert.equal(
    numbers(t.column('n')),
    entries.map((e) => e % 5),
  );
  assert.equal(
    numbers(t.column('b')),
    entries.map((e) => (e % 2 === 0 ? 1 : 0)),
  );
  for (const s of ['i1', 'i2', 'i4', 'i8'])
    assert.equal(
      numbers(t.column(s)),
      entries.map((e) => e - 15),
      s,
    );
  for (const u of ['u1', 'u2', 'u4', 'u8']) assert.equal(numbers(t.column(u)), entries, u);
  assert.equal(
    numbers(t.column('f4')),
    entries.map((e) => Math.fround(e - 14.9)),
  );
  assertClose(
    'f8',
    numbers(t.column('f8')),
    entries.map((e) => e - 14.9),
    { rtol: 0, atol: 1e-12 },
  );
  const types = names.map((n) => t.column(n).constructor.name);
  assert.equal(types, [
    'Int32Array',
    'Uint8Array',
    'Int8Array',
    'Uint8Array',
    'Int16Array',
    'Uint16Array',
    'Int32Array',
    'Uint32Array',
    'BigInt64Array',
    'BigInt64Array',
    'Float32Array',
    'Float64Array',
  ]);
  await rejects(
    () => readTable(SAMPLE, { columns: ['ab'] }),
    /sample: branch "ab" must be flat \(one value per entry\); got the fixed-size array leaf ab\[3\]$/,
  );
  await rejects(
    () => readTable(SAMPLE, { columns: ['str'] }),
    /sample: branch "str" must hold numbers; got the string leaf str \(TLeafC\)$/,
  );
});

test('RNTuple: flat numeric fields read (cernstaff.dat), strings are one-line errors', async () => {
  const t = await readTable(STAFF, {
    columns: ['Category', 'Flag', 'Age', 'Service', 'Children', 'Grade', 'Step', 'Hrweek', 'Cost'],
  });
  assert.is(t.source, `${STAFF}:Staff`);
  assert.is(t.nRows, 3354);
  assert.equal(
    [...t.columnNames],
    ['Category', 'Flag', 'Age', 'Service', 'Children', 'Grade', 'Step', 'Hrweek', 'Cost', 'Division', 'Nation'],
  );
  const firstRow = ['Category', 'Flag', 'Age', 'Service', 'Children', 'Grade', 'Step', 'Hrweek', 'Cost'].map((c) =>
    Number(t.column(c)[0]),
  );
  assert.equal(firstRow, [202, 15, 58, 28, 0, 10, 13, 40, 11975]);
  assert.equal(numbers(t.column('Age'), 3), [58, 63, 56]);
  assert.equal(numbers(t.column('Cost'), 3), [11975, 10228, 10730]);
  assert.instance(t.column('Flag'), Uint32Array);
  await rejects(
    () => readTable(`${STAFF}:Staff`, { columns: ['Division'] }),
    /Staff: field "Division" must be a flat numeric field \(.*\); got std::string$/,
  );
});

test('errors: missing tree, missing branch, missing file, truncated file', async () => {
  await rejects(
    () => readTable(`${ZMUMU}:nope`, { columns: ['M'] }),
    /uproot-Zmumu\.root: tree "nope" not found; the file holds events \(TTree\), StreamerInfo \(TList\)$/,
  );
  await rejects(
    () => readTable(`${ZMUMU}:StreamerInfo`, { columns: ['M'] }),
    /uproot-Zmumu\.root: "StreamerInfo" must be a TTree or RNTuple; got TList$/,
  );
  await rejects(
    () => readTable(ZMUMU, { columns: ['M', 'mass'] }),
    /uproot-Zmumu\.root:events: column "mass" not found; columns are Type, Run, Event, E1, .*, Q2, M$/,
  );
  await rejects(
    () => readTable(`${ZMUMU}:events`, { columns: ['Type'] }),
    /branch "Type" must hold numbers; got the string leaf Type/,
  );
  await rejects(
    () => readTable(join(FIXTURES, 'absent.root'), { columns: ['M'] }),
    /absent\.root: file must be readable; got ENOENT$/,
  );
  const dir = testDir('omnifold-root-');
  try {
    const bytes = readFileSync(ZMUMU);
    for (const keep of [0.5, 0.005]) {
      const cut = join(dir, `cut_${keep}.root`);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * keep)));
      await rejects(
        () => readTable(cut, { columns: ['M'] }),
        /cut_[0-9.]+\.root: file is truncated; the header says it has 178971 bytes, got \d+$/,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

if (HAVE_FIXTURES) test.run();
else console.log(`root_io: skipped, ROOT fixtures not found at ${FIXTURES}`);
