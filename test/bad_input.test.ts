/**
 * Bad input, everywhere: a matrix of bad files, flags and expressions given to the
 * compiled CLI (`unfold`, `hist`, `plot`, `export`, `validate`) through every reader
 * (Arrow, CSV, Parquet, HDF5, NPY/NPZ, ROOT). Each case must exit 2 with exactly one
 * line on stderr, `omnifold: …`, that names the file, column or option (the regex of the
 * case), no stack trace, nothing on stdout, and nothing written: the temporary folder's
 * tree (names, sizes, modification times) is the same before and after.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeData,
  Field,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromArrays,
  tableFromJSON,
  tableToIPC,
} from 'apache-arrow';
import { zipSync } from 'fflate';
import { writeHdf5 } from '../src/io/hdf5_write.js';
import { encodeNpy, writeNpy } from '../src/io/npy_io.js';
import { writeNpz } from '../src/io/npz_io.js';
import { writeParquet } from '../src/io/parquet_io.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const dir = testDir('omnifold-bad-input-');
const ROOT_DIR = join(process.cwd(), '..', 'shared', 'fixtures', 'root');
const HAS_ROOT = existsSync(join(ROOT_DIR, 'uproot-Zmumu.root')) && existsSync(join(ROOT_DIR, 'uproot-HZZ.root'));

interface Case {
  name: string;
  args: string[];
  /** The one stderr line, after `omnifold: `. */
  error: RegExp;
  needsRoot?: boolean;
}

const N = 40;
const gen = Float64Array.from({ length: N }, (_, i) => Math.sin(i));
const reco = gen.map((g, i) => g + Math.cos(7 * i) / 3);
const ones = new Float64Array(N).fill(1);
const withValue = (values: Float64Array, row: number, v: number) =>
  Float64Array.from(values, (x, i) => (i === row ? v : x));

function write(name: string, bytes: string | Uint8Array): void {
  writeFileSync(join(dir, name), bytes);
}

/** The first `fraction` of a file's bytes, as a new file. */
function truncate(from: string, to: string, fraction: number): void {
  const bytes = readFileSync(join(dir, from));
  write(to, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}

/** A file with bytes that belong to no format. */
const GARBAGE = Uint8Array.from({ length: 700 }, (_, i) => (i * 73 + 11) & 0xff);

/** An .npy file with a hand-written header (dtype and shape as given). */
function npyWithHeader(header: string, payload: Uint8Array): Uint8Array {
  let text = `${header} `;
  while ((10 + text.length + 1) % 64 !== 0) text += ' ';
  text += '\n';
  const out = new Uint8Array(10 + text.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  out.set(new TextEncoder().encode(text), 10);
  out.set(payload, 10 + text.length);
  return out;
}

/** An Arrow IPC file whose first two columns are both named `gen_x`. */
function duplicateArrow(): Uint8Array {
  // three distinct arrays: apache-arrow 21 writes a broken body when columns share one buffer
  const source = tableFromArrays({
    a: Float64Array.from(gen),
    b: Float64Array.from(gen),
    reco_x: Float64Array.from(reco),
  });
  const schema = new Schema([
    new Field('gen_x', new Float64()),
    new Field('gen_x', new Float64()),
    new Field('reco_x', new Float64()),
  ]);
  const data = makeData({
    type: new Struct(schema.fields),
    length: N,
    nullCount: 0,
    children: source.batches[0].data.children,
  });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), 'file');
}

const csv = (header: string, rows: string[]) => `${header}\n${rows.join('\n')}\n`;
const csvRows = (f: (i: number) => string) => Array.from({ length: N }, (_, i) => f(i));

async function makeFixtures(): Promise<void> {
  // valid files of each format: gen_x, reco_x, w, pass
  const cols = { gen_x: gen, reco_x: reco, w: ones, pass: new Uint8Array(N).fill(1) };
  write(
    'sim.csv',
    csv(
      'gen_x,reco_x,w,pass',
      csvRows((i) => `${gen[i]},${reco[i]},1,1`),
    ),
  );
  write('sim.arrow', tableToIPC(tableFromArrays(cols), 'file'));
  await writeParquet(join(dir, 'sim.parquet'), cols);
  await writeHdf5(join(dir, 'sim.h5'), cols, '/events');
  await writeNpz(join(dir, 'sim.npz'), { gen_x: gen, reco_x: reco, w: ones });
  await writeNpy(join(dir, 'reco_x.npy'), reco);
  // empty, truncated and corrupt files of each format
  for (const ext of ['csv', 'arrow', 'parquet', 'h5', 'npy', 'npz', 'root']) write(`empty.${ext}`, '');
  for (const ext of ['arrow', 'parquet', 'h5', 'npz']) truncate(`sim.${ext}`, `truncated.${ext}`, 0.6);
  for (const sub of ['truncated', 'corrupt', 'complex', 'object', 'empty']) mkdirSync(join(dir, sub));
  truncate('reco_x.npy', 'truncated/reco_x.npy', 0.6);
  write('corrupt/reco_x.npy', GARBAGE);
  write('empty/reco_x.npy', '');
  for (const ext of ['arrow', 'parquet', 'h5', 'npy', 'npz', 'root']) write(`corrupt.${ext}`, GARBAGE);
  write('truncated.csv', 'gen_x,reco_x\n1,2\n3,4\n5');
  write('corrupt.csv', GARBAGE);
  // CSV contents
  write('sim.txt', 'gen_x,reco_x\n1,2\n');
  write('header.csv', 'gen_x,reco_x,w,pass\n');
  write(
    'text.csv',
    csv(
      'gen_x,reco_x',
      csvRows((i) => (i === 5 ? `${gen[i]},high` : `${gen[i]},${reco[i]}`)),
    ),
  );
  write(
    'dup.csv',
    csv(
      'gen_x,reco_x,gen_x',
      csvRows((i) => `${gen[i]},${reco[i]},${gen[i]}`),
    ),
  );
  write('short.csv', csv('gen_x,reco_x', csvRows((i) => `${gen[i]},${reco[i]}`).slice(0, N - 3)));
  write(
    'nan.csv',
    csv(
      'gen_x,reco_x,w,pass',
      csvRows((i) => `${gen[i]},${i === 7 ? 'NaN' : reco[i]},1,1`),
    ),
  );
  write(
    'inf.csv',
    csv(
      'gen_x,reco_x,w,pass',
      csvRows((i) => `${i === 3 ? '-inf' : gen[i]},${reco[i]},1,1`),
    ),
  );
  write(
    'infw.csv',
    csv(
      'gen_x,reco_x,w,pass',
      csvRows((i) => `${gen[i]},${reco[i]},${i === 9 ? 'inf' : 1},1`),
    ),
  );
  write(
    'mask.csv',
    csv(
      'gen_x,reco_x,w,pass',
      csvRows((i) => `${gen[i]},${reco[i]},1,${i === 4 ? 2 : 1}`),
    ),
  );
  write(
    'halfmask.csv',
    csv(
      'gen_x,reco_x,w,pass',
      csvRows((i) => `${gen[i]},${reco[i]},1,${i === 6 ? 0.5 : 1}`),
    ),
  );
  // Arrow contents
  write('nan.arrow', tableToIPC(tableFromArrays({ ...cols, reco_x: withValue(reco, 2, NaN) }), 'file'));
  write('infw.arrow', tableToIPC(tableFromArrays({ ...cols, w: withValue(ones, 8, -Infinity) }), 'file'));
  write('mask.arrow', tableToIPC(tableFromArrays({ ...cols, pass: withValue(ones, 1, 3) }), 'file'));
  write('dup.arrow', duplicateArrow());
  write(
    'jagged.arrow',
    tableToIPC(
      tableFromJSON(Array.from({ length: N }, (_, i) => ({ gen_x: Array(1 + (i % 3)).fill(gen[i]), reco_x: reco[i] }))),
      'file',
    ),
  );
  write(
    'text.arrow',
    tableToIPC(tableFromArrays({ gen_x: Array.from(gen, (g) => g.toFixed(2)), reco_x: reco }), 'file'),
  );
  // other formats' contents
  const pw = await import('parquet-wasm');
  const textTable = tableFromArrays({ gen_x: Array.from(gen, (g) => g.toFixed(2)), reco_x: Float64Array.from(reco) });
  write('text.parquet', pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(textTable, 'stream'))));
  await writeHdf5Ragged(join(dir, 'ragged.h5'));
  await writeParquet(join(dir, 'nanw.parquet'), { ...cols, w: withValue(ones, 5, NaN) });
  await writeHdf5(join(dir, 'inf.h5'), { ...cols, gen_x: withValue(gen, 0, Infinity) }, '/events');
  await writeNpz(join(dir, 'mask.npz'), { gen_x: gen, reco_x: reco, pass: withValue(ones, 2, -1) });
  write(
    'complex/reco_x.npy',
    npyWithHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(64)),
  );
  write(
    'object/reco_x.npy',
    npyWithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)),
  );
  for (const sub of ['misspelt', 'offbyone', 'shortdata']) mkdirSync(join(dir, sub));
  const payload = new Uint8Array(reco.buffer.slice(0));
  write('misspelt/reco_x.npy', npyWithHeader("{'descr': '<f8', 'fortran_ordr': False, 'shape': (40,), }", payload));
  write('shortdata/reco_x.npy', npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (400,), }", payload));
  const offByOne = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (40,), }", payload);
  offByOne[8] += 1; // the header length, one byte too long: every value would shift
  write('offbyone/reco_x.npy', offByOne);
  write(
    'crc.npz',
    flipStoredByte(zipSync({ 'gen_x.npy': encodeNpy(gen), 'reco_x.npy': encodeNpy(reco) }, { level: 0 })),
  );
  write('ragged.npz', npzOf({ gen_x: gen, reco_x: reco.subarray(0, N - 1) }));
  // a weights file for hist / plot / export / validate, and an Arrow file without metadata
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'unfold',
      '--toy',
      'gauss',
      '--events',
      '400',
      '--classifier',
      'binned',
      '--bins',
      'x=-3:3:6',
      '--iterations',
      '1',
      '--quiet',
      '--no-plots',
      '--out',
      'run',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.is(r.status, 0, r.stderr);
  write('config.json', '{"iterations": 2,');
  write('proto.json', '{"__proto__": {"iterations": 0}}');
  write('constructor.json', '{"constructor": "x"}');
  if (HAS_ROOT) {
    copyFileSync(join(ROOT_DIR, 'uproot-Zmumu.root'), join(dir, 'zmumu.root'));
    truncate('zmumu.root', 'truncated.root', 0.5);
  }
}

/** An HDF5 file whose group holds datasets of 40 and 39 values. */
async function writeHdf5Ragged(path: string): Promise<void> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = new h5.File(path, 'w');
  try {
    const group = file.create_group('events');
    group.create_dataset({ name: 'gen_x', data: Float64Array.from(gen) });
    group.create_dataset({ name: 'reco_x', data: Float64Array.from(reco.subarray(0, N - 1)) });
  } finally {
    file.close();
  }
}

/** Flips one byte inside the data of the last member of a stored (uncompressed) zip: its CRC-32 no longer matches. */
function flipStoredByte(zip: Uint8Array): Uint8Array {
  const out = zip.slice();
  let central = out.length - 22;
  while (
    central > 0 &&
    !(out[central] === 0x50 && out[central + 1] === 0x4b && out[central + 2] === 0x05 && out[central + 3] === 0x06)
  )
    central--;
  const centralStart = new DataView(out.buffer).getUint32(central + 16, true);
  out[centralStart - 20] ^= 0x40; // inside the last member's float64 values
  return out;
}

/** The bytes of an .npz archive holding the given members (any lengths). */
function npzOf(members: Record<string, Float64Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [`${k}.npy`, encodeNpy(v)])));
}

const UNFOLD = (sim: string, data: string, extra: string[] = []) => [
  'unfold',
  '--sim',
  sim,
  '--data',
  data,
  '--gen',
  'gen_x',
  '--reco',
  'reco_x',
  ...extra,
];
const SIM_FLAGS = ['--sim-weight', 'w', '--pass-reco', 'pass'];
/** Keeps a run short where a reader still accepts a bad file. */
const QUICK = ['--iterations', '1', '--epochs', '1', '--hidden', '2', '--no-plots'];

const CASES: Case[] = [
  // --- unfold: flags and values
  {
    name: 'unknown flag',
    args: ['unfold', '--frobnicate'],
    error: /^unfold options must be known flags .*; got --frobnicate$/,
  },
  {
    name: 'flag without its value',
    args: ['unfold', '--toy', 'gauss', '--out'],
    error: /^unfold option --out must have a value; got none$/,
  },
  {
    name: 'iterations not a number',
    args: ['unfold', '--iterations', 'four'],
    error: /^--iterations must be a positive integer or auto\[:MAX\]; got "four"$/,
  },
  {
    name: 'negative seed',
    args: ['unfold', '--seed', '-1'],
    error: /^--seed must be a non-negative integer; got "-1"$/,
  },
  {
    name: 'seed past 2^32',
    args: ['unfold', '--seed', '4294967296'],
    error: /^--seed must be an integer in \[0, 2\^32\); got 4294967296$/,
  },
  {
    name: 'events zero',
    args: ['unfold', '--toy', 'gauss', '--events', '0'],
    error: /^--events must be a positive integer; got "0"$/,
  },
  {
    name: 'negative learning rate',
    args: ['unfold', '--lr', '-0.1'],
    error: /^--lr must be a positive number; got "-0\.1"$/,
  },
  {
    name: 'infinite learning rate',
    args: ['unfold', '--lr', 'Infinity'],
    error: /^--lr must be a positive number; got "Infinity"$/,
  },
  {
    name: 'hidden width zero',
    args: ['unfold', '--hidden', '8,0'],
    error: /^--hidden must be comma-separated positive integers; got "8,0"$/,
  },
  {
    name: 'threads zero',
    args: ['unfold', '--threads', '0'],
    error: /^--threads must be a positive integer; got "0"$/,
  },
  {
    name: 'unknown misses mode',
    args: ['unfold', '--misses', 'sometimes'],
    error: /^--misses must be one of expectation, prior; got "sometimes"$/,
  },
  {
    name: 'empty name in --gen',
    args: UNFOLD('sim.csv', 'sim.csv').map((a) => (a === 'gen_x' ? 'gen_x,,w' : a)),
    error: /^--gen must be a comma-separated list of names; got "gen_x,,w"$/,
  },
  {
    name: 'bins not a spec',
    args: ['unfold', '--toy', 'gauss', '--bins', 'x'],
    error: /^--bins entries must read col=lo:hi:n or col=e0,e1,…; got "x"$/,
  },
  {
    name: 'bins with NaN edge',
    args: ['unfold', '--toy', 'gauss', '--bins', 'x=0,NaN,1'],
    error: /^--bins x must be lo:hi:n or at least two comma-separated numbers; got "0,NaN,1"$/,
  },
  {
    name: 'binned classifier without bins',
    args: UNFOLD('sim.csv', 'sim.csv', ['--classifier', 'binned']),
    error: /^--bins must give edges for every --gen column with --classifier binned; got none for gen_x$/,
  },
  {
    name: 'systematic name with a space',
    args: ['unfold', '--syst', 'my syst=alt.csv'],
    error: /^--syst must read name=FILE, .*; got "my syst=alt\.csv"$/,
  },
  {
    name: 'systematic factor infinite',
    args: ['unfold', '--toy', 'gauss', '--syst', 'js=reco:x_reco*Infinity'],
    error: /^--syst js=reco:COL\*factor must give a column and a finite factor.*; got "js=reco:x_reco\*Infinity"$/,
  },
  {
    name: 'systematic file with other row count',
    args: UNFOLD('sim.csv', 'sim.csv', ['--syst', 'alt=short.csv']),
    error:
      /^--syst alt short\.csv must have the nominal sim's 40 events \(row-aligned with --sim\); got 37; for another generator use alt=prior:FILE or alt=response:FILE$/,
  },
  {
    name: 'config missing',
    args: ['unfold', '--config', 'nope.json'],
    error: /^--config nope\.json must be a readable JSON file; got no such file$/,
  },
  {
    name: 'config not JSON',
    args: ['unfold', '--config', 'config.json'],
    error: /^--config config\.json must be a readable JSON file; got .*JSON/,
  },
  {
    name: 'config key __proto__',
    args: ['unfold', '--config', 'proto.json'],
    error: /^--config proto\.json keys must be unfold flags without dashes; got "__proto__"$/,
  },
  {
    name: 'config key constructor',
    args: ['unfold', '--config', 'constructor.json'],
    error: /^--config constructor\.json keys must be unfold flags without dashes; got "constructor"$/,
  },
  // --- unfold: missing, empty, truncated and corrupt files of each format
  {
    name: 'missing CSV',
    args: UNFOLD('nope.csv', 'sim.csv'),
    error: /^--sim nope\.csv: file must exist; got no such file$/,
  },
  {
    name: 'missing HDF5 behind a group',
    args: UNFOLD('sim.csv', 'nope.h5:/events'),
    error: /^--data nope\.h5:\/events: file nope\.h5 must exist; got no such file$/,
  },
  {
    name: 'unknown extension',
    args: UNFOLD('sim.txt', 'sim.csv'),
    error: /^sim\.txt: file extension must be one of \.arrow, .*; got "\.txt"$/,
  },
  // readers word these as `FILE: file is truncated or not a … file; got …` or `FILE: file must …; got …`
  ...['csv', 'arrow', 'parquet', 'h5', 'npz'].map((ext) => ({
    name: `empty .${ext}`,
    args: UNFOLD(`empty.${ext}`, 'sim.csv'),
    error: new RegExp(`^empty\\.${ext}: file .*; got `),
  })),
  {
    name: 'CSV header without rows',
    args: UNFOLD('header.csv', 'sim.csv'),
    error: /^header\.csv: file must hold at least one event; got no events \(0 rows\)$/,
  },
  {
    name: 'truncated CSV',
    args: UNFOLD('truncated.csv', 'sim.csv'),
    error: /^truncated\.csv: line 4 must have 2 fields like the header; got 1$/,
  },
  { name: 'corrupt CSV', args: UNFOLD('corrupt.csv', 'sim.csv'), error: /^corrupt\.csv: .*must/ },
  { name: 'truncated Arrow', args: UNFOLD('truncated.arrow', 'sim.csv'), error: /^truncated\.arrow: file .*; got / },
  {
    name: 'corrupt Arrow',
    args: UNFOLD('corrupt.arrow', 'sim.csv'),
    error: /^corrupt\.arrow: file must be Arrow IPC .*; got /,
  },
  {
    name: 'truncated Parquet',
    args: UNFOLD('truncated.parquet', 'sim.csv'),
    error: /^truncated\.parquet: file .*; got /,
  },
  { name: 'corrupt Parquet', args: UNFOLD('corrupt.parquet', 'sim.csv'), error: /^corrupt\.parquet: file .*; got / },
  { name: 'truncated HDF5', args: UNFOLD('truncated.h5:/events', 'sim.csv'), error: /^truncated\.h5: file .*; got / },
  { name: 'corrupt HDF5', args: UNFOLD('corrupt.h5', 'sim.csv'), error: /^corrupt\.h5: file .*; got / },
  {
    name: 'truncated NPY',
    args: UNFOLD('sim.csv', 'truncated/reco_x.npy'),
    error: /^truncated\/reco_x\.npy: file .*got /,
  },
  { name: 'corrupt NPY', args: UNFOLD('sim.csv', 'corrupt/reco_x.npy'), error: /^corrupt\/reco_x\.npy: .*; got / },
  { name: 'empty NPY', args: UNFOLD('sim.csv', 'empty/reco_x.npy'), error: /^empty\/reco_x\.npy: .*; got 0 bytes$/ },
  { name: 'truncated NPZ', args: UNFOLD('truncated.npz', 'sim.csv'), error: /^truncated\.npz: file .*; got / },
  { name: 'corrupt NPZ', args: UNFOLD('corrupt.npz', 'sim.csv'), error: /^corrupt\.npz: file .*; got / },
  // --- unfold: contents
  {
    name: 'CSV text in a number column',
    args: UNFOLD('text.csv', 'sim.csv'),
    error: /^text\.csv: line 7, column "reco_x" must be a number or true\/false; got "high"$/,
  },
  {
    name: 'CSV duplicate column names',
    args: UNFOLD('dup.csv', 'sim.csv'),
    error: /^dup\.csv: header column names must be unique; got "gen_x" twice$/,
  },
  {
    name: 'CSV missing column',
    args: UNFOLD('sim.csv', 'sim.csv', ['--sim-weight', 'weight']),
    error: /^sim\.csv: column "weight" not found; columns are gen_x, reco_x, w, pass$/,
  },
  {
    name: 'CSV NaN in a reco feature',
    args: UNFOLD('nan.csv', 'sim.csv'),
    error: /^nan\.csv: column "reco_x" must be finite on selected events; got NaN at row 7$/,
  },
  {
    name: 'CSV -inf in a gen feature',
    args: UNFOLD('inf.csv', 'sim.csv'),
    error: /^inf\.csv: column "gen_x" must be finite on selected events; got -Infinity at row 3$/,
  },
  {
    name: 'CSV +inf in a weight',
    args: UNFOLD('infw.csv', 'sim.csv', SIM_FLAGS),
    error: /^infw\.csv: column "w" must hold finite weights; got Infinity at row 9$/,
  },
  {
    name: 'CSV mask 2',
    args: UNFOLD('mask.csv', 'sim.csv', SIM_FLAGS),
    error: /^mask\.csv: column "pass" must hold 0\/1 or true\/false; got 2 at row 4$/,
  },
  {
    name: 'CSV mask 0.5',
    args: UNFOLD('halfmask.csv', 'sim.csv', ['--pass-gen', 'pass']),
    error: /^halfmask\.csv: column "pass" must hold 0\/1 or true\/false; got 0\.5 at row 6$/,
  },
  {
    name: 'Arrow NaN in a feature',
    args: UNFOLD('nan.arrow', 'sim.csv'),
    error: /^nan\.arrow: column "reco_x" must be finite on selected events; got NaN at row 2$/,
  },
  {
    name: 'Arrow -inf in a data weight',
    args: UNFOLD('sim.csv', 'infw.arrow', ['--data-weight', 'w']),
    error: /^infw\.arrow: column "w" must hold finite weights; got -Infinity at row 8$/,
  },
  {
    name: 'Arrow mask 3',
    args: UNFOLD('mask.arrow', 'sim.csv', SIM_FLAGS),
    error: /^mask\.arrow: column "pass" must hold 0\/1 or true\/false; got 3 at row 1$/,
  },
  {
    name: 'Arrow duplicate column names',
    args: UNFOLD('dup.arrow', 'sim.csv'),
    error: /^dup\.arrow: column "gen_x" must name one column; got 2 columns of that name$/,
  },
  {
    name: 'Arrow jagged (list) column',
    args: UNFOLD('jagged.arrow', 'sim.csv'),
    error: /^jagged\.arrow: column "gen_x" .*must.*; got .*List/,
  },
  {
    name: 'Arrow text column',
    args: UNFOLD('text.arrow', 'sim.csv'),
    error: /^text\.arrow: column "gen_x" .*must.*; got /,
  },
  {
    name: 'Parquet text column',
    args: UNFOLD('text.parquet', 'sim.csv'),
    error: /^text\.parquet: column "gen_x" .*; got .*(Utf8|string|Dictionary|utf8)/,
  },
  {
    name: 'Parquet missing column',
    args: UNFOLD('sim.parquet', 'sim.csv', ['--pass-gen', 'pass_gen']),
    error: /^sim\.parquet: column "pass_gen" not found; columns are gen_x, reco_x, w, pass$/,
  },
  {
    name: 'HDF5 datasets of unequal length',
    args: UNFOLD('ragged.h5:/events', 'sim.csv'),
    error: /^ragged\.h5:\/events: .*(length|rows).*; got /,
  },
  {
    name: 'Parquet NaN in a weight',
    args: UNFOLD('nanw.parquet', 'sim.csv', SIM_FLAGS),
    error: /^nanw\.parquet: column "w" must hold finite weights; got NaN at row 5$/,
  },
  {
    name: 'HDF5 +inf in a gen feature',
    args: UNFOLD('inf.h5:/events', 'sim.csv'),
    error: /^inf\.h5:\/events: column "gen_x" must be finite on selected events; got Infinity at row 0$/,
  },
  { name: 'HDF5 group not found', args: UNFOLD('sim.h5:/nope', 'sim.csv'), error: /^sim\.h5.*"?\/nope"?.*/ },
  {
    name: 'HDF5 missing column',
    args: UNFOLD('sim.h5:/events', 'sim.csv', ['--sim-weight', 'weight']),
    error: /^sim\.h5:\/events: column "weight" not found; columns are /,
  },
  {
    name: 'NPZ mask -1',
    args: UNFOLD('mask.npz', 'sim.csv', ['--pass-reco', 'pass']),
    error: /^mask\.npz: column "pass" must hold 0\/1 or true\/false; got -1 at row 2$/,
  },
  {
    name: 'NPZ members of unequal length',
    args: UNFOLD('ragged.npz', 'sim.csv'),
    error: /^ragged\.npz: members must have the same length; got gen_x=40, reco_x=39$/,
  },
  {
    name: 'NPZ member not found',
    args: UNFOLD('sim.npz:nope', 'sim.csv'),
    error: /^sim\.npz: member "nope" not found; members are gen_x, reco_x, w$/,
  },
  {
    name: 'NPY misspelt fortran_order key',
    args: UNFOLD('sim.csv', 'misspelt/reco_x.npy', QUICK),
    error: /^misspelt\/reco_x\.npy: .*fortran_ordr.*/,
  },
  {
    name: 'NPY shape past the data',
    args: UNFOLD('sim.csv', 'shortdata/reco_x.npy'),
    error: /^shortdata\/reco_x\.npy: file .*got /,
  },
  {
    name: 'NPY header length off by one',
    args: UNFOLD('sim.csv', 'offbyone/reco_x.npy'),
    error: /^offbyone\/reco_x\.npy: .*header.*/,
  },
  {
    name: 'NPZ member with a wrong CRC-32',
    args: UNFOLD('sim.csv', 'crc.npz', QUICK),
    error: /^crc\.npz: .*(CRC|crc).*/,
  },
  {
    name: 'NPY complex dtype',
    args: UNFOLD('sim.csv', 'complex/reco_x.npy'),
    error: /^complex\/reco_x\.npy: .*; got .*c16/,
  },
  {
    name: 'NPY object dtype',
    args: UNFOLD('sim.csv', 'object/reco_x.npy'),
    error: /^object\/reco_x\.npy: .*; got .*O/,
  },
  // --- ROOT (fixtures from ../shared/fixtures/root)
  {
    name: 'missing ROOT file',
    args: UNFOLD('nope.root:events', 'sim.csv'),
    error: /^--sim nope\.root:events: file nope\.root must exist; got no such file$/,
  },
  { name: 'empty ROOT file', args: UNFOLD('empty.root:events', 'sim.csv'), error: /^empty\.root: file .*; got / },
  { name: 'corrupt ROOT file', args: UNFOLD('corrupt.root:events', 'sim.csv'), error: /^corrupt\.root: file .*; got / },
  {
    name: 'truncated ROOT file',
    args: ['unfold', '--sim', 'truncated.root:events', '--data', 'sim.csv', '--gen', 'px1', '--reco', 'px2'],
    error: /^truncated\.root: file .*got /,
    needsRoot: true,
  },
  {
    name: 'ROOT tree not found',
    args: ['unfold', '--sim', 'zmumu.root:nope', '--data', 'sim.csv', '--gen', 'px1', '--reco', 'px2'],
    error: /^zmumu\.root.*"nope".*/,
    needsRoot: true,
  },
  {
    name: 'ROOT branch not found',
    args: ['unfold', '--sim', 'zmumu.root:events', '--data', 'sim.csv', '--gen', 'px1', '--reco', 'reco_x'],
    error: /^zmumu\.root:events: .*"reco_x".*not found/,
    needsRoot: true,
  },
  {
    name: 'ROOT jagged branch',
    args: [
      'unfold',
      '--sim',
      `${join(ROOT_DIR, 'uproot-HZZ.root')}:events`,
      '--data',
      'sim.csv',
      '--gen',
      'Jet_Px',
      '--reco',
      'MET_px',
    ],
    error: /uproot-HZZ\.root:events: .*"Jet_Px".*must/,
    needsRoot: true,
  },
  // --- hist
  {
    name: 'hist: missing weights file',
    args: ['hist', 'nope.arrow', '--obs', 'x', '--bins', '0:1:2'],
    error: /^nope\.arrow: file must exist; got no such file$/,
  },
  {
    name: 'hist: a CSV as weights file',
    args: ['hist', 'sim.csv', '--obs', 'x', '--bins', '0:1:2'],
    error: /^sim\.csv: file must be Arrow IPC .*; got /,
  },
  {
    name: 'hist: Arrow without omnifold metadata',
    args: ['hist', 'sim.arrow', '--obs', 'x', '--bins', '0:1:2'],
    error: /^sim\.arrow: schema metadata must have the key "omnifold"; got keys none$/,
  },
  {
    name: 'hist: bins lo > hi',
    args: ['hist', 'run/weights.arrow', '--obs', 'x', '--bins', '1:-1:2'],
    error: /^--bins lo:hi:n must have finite lo < hi and a positive integer n; got "1:-1:2"$/,
  },
  {
    name: 'hist: obs without bins',
    args: ['hist', 'run/weights.arrow', '--obs', 'x'],
    error: /^--obs and --bins must be given together; got only --obs$/,
  },
  {
    name: 'hist: unknown column',
    args: ['hist', 'run/weights.arrow', '--obs', 'pt', '--bins', '0:1:2'],
    error: /^expression "pt" : expected a column name .*; got unknown column "pt" \(columns are x, /,
  },
  {
    name: 'hist: expression constructor',
    args: ['hist', 'run/weights.arrow', '--obs', 'constructor', '--bins', '0:1:2'],
    error: /^expression "constructor" : .*got unknown column "constructor"/,
  },
  {
    name: 'hist: expression __proto__',
    args: ['hist', 'run/weights.arrow', '--moment', '__proto__'],
    error: /^expression "__proto__" : .*got unknown column "__proto__"/,
  },
  {
    name: 'hist: expression process.exit(1)',
    args: ['hist', 'run/weights.arrow', '--where', 'process.exit(1)', '--moment', 'x'],
    error: /^expression "process\.exit\(1\)" : expected a function .*; got "process\.exit"$/,
  },
  {
    name: 'hist: expression this',
    args: ['hist', 'run/weights.arrow', '--moment', 'this'],
    error: /^expression "this" : .*got unknown column "this"/,
  },
  {
    name: 'hist: expression with backticks',
    args: ['hist', 'run/weights.arrow', '--moment', '`x`'],
    error: /^expression "`x`" : .*; got "`"$/,
  },
  {
    name: 'hist: expression constructor.constructor call',
    args: ['hist', 'run/weights.arrow', '--moment', 'constructor.constructor("return process")()'],
    error: /^expression .*: .*got /,
  },
  {
    name: 'hist: infinite number literal',
    args: ['hist', 'run/weights.arrow', '--moment', 'x*1e999'],
    error: /^expression "x\*1e999" : .*finite.*; got "1e999"$/,
  },
  {
    name: 'hist: two files',
    args: ['hist', 'run/weights.arrow', 'run/weights.arrow', '--moment', 'x'],
    error: /^hist must be given one weights file; got 2 /,
  },
  // --- plot
  {
    name: 'plot: missing folder',
    args: ['plot', 'nope'],
    error: /^plot folder nope must hold weights\.arrow \(an omnifold output\); got none$/,
  },
  {
    name: 'plot: scale zero',
    args: ['plot', 'run', '--scale', '0'],
    error: /^--scale must be a number in \(0, 8\]; got "0"$/,
  },
  { name: 'plot: unknown flag', args: ['plot', 'run', '--colour', 'red'], error: /'--colour'/ },
  // --- export
  {
    name: 'export: missing folder',
    args: ['export', 'nope', '--parquet', 'x.parquet'],
    error: /^nope\/weights\.arrow: file must exist; got no such file$/,
  },
  {
    name: 'export: no format',
    args: ['export', 'run'],
    error: /^export must be given --hepdata, --parquet, --hdf5 or --package; got none /,
  },
  {
    name: 'export: bins not a spec',
    args: ['export', 'run', '--hepdata', 'hd', '--obs', 'x', '--bins', 'wide'],
    error: /^--bins must be lo:hi:n or at least two comma-separated numbers; got "wide"$/,
  },
  {
    name: 'export: escaping expression',
    args: ['export', 'run', '--hepdata', 'hd', '--obs', 'process.exit(1)', '--bins', '0:1:2'],
    error: /^expression "process\.exit\(1\)" : expected a function .*; got "process\.exit"$/,
  },
  // --- validate
  {
    name: 'validate: two files',
    args: ['validate', 'a.arrow', 'b.arrow'],
    error: /^validate must be given one weights file; got 2 /,
  },
  { name: 'validate: unknown flag', args: ['validate', '--strict', 'run/weights.arrow'], error: /'--strict'/ },
  {
    name: 'validate: missing file',
    args: ['validate', 'nope.arrow'],
    error: /^validate nope\.arrow: file must exist; got no such file$/,
  },
];

/** Every entry under `root` with its size and modification time. */
function snapshot(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const rel = join(prefix, name);
    const s = statSync(join(root, rel));
    out.push(`${rel} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
    if (s.isDirectory()) out.push(...snapshot(root, rel));
  }
  return out;
}

test.before(makeFixtures);

test('the matrix holds at least 40 cases over every command and reader', () => {
  const commands = new Set(CASES.map((c) => c.args[0]));
  assert.equal([...commands].sort(), ['export', 'hist', 'plot', 'unfold', 'validate']);
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  for (const ext of ['csv', 'arrow', 'parquet', 'h5', 'npy', 'npz', 'root'])
    assert.ok(
      CASES.some((c) => c.args.some((a) => a.includes(`.${ext}`))),
      `a case reads .${ext}`,
    );
});

for (const c of CASES) {
  test(`bad input: ${c.name}`, () => {
    if (c.needsRoot && !HAS_ROOT) {
      console.log(`skipped: ${c.name}: ROOT fixtures absent from ${ROOT_DIR}`);
      return;
    }
    const out = `out-${c.name.replace(/\W+/g, '-')}`;
    const args = c.args[0] === 'unfold' ? [...c.args, '--out', out] : c.args;
    const before = snapshot(dir);
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const problems: string[] = [];
    if (r.status !== 2) problems.push(`exit code ${r.status}, wanted 2`);
    if (lines.length !== 1) problems.push(`${lines.length} stderr lines, wanted 1`);
    const message = lines[0]?.replace(/^omnifold: /, '') ?? '';
    if (!lines[0]?.startsWith('omnifold: ') || !c.error.test(message))
      problems.push(`stderr ${JSON.stringify(r.stderr.slice(0, 300))} does not match ${c.error}`);
    if (/^\s+at /m.test(r.stderr)) problems.push('a stack trace on stderr');
    if (r.stdout !== '') problems.push(`stdout ${JSON.stringify(r.stdout.slice(0, 200))}`);
    if (JSON.stringify(snapshot(dir)) !== JSON.stringify(before)) problems.push('files were written');
    assert.equal(problems, [], `${c.name}: ${problems.join('; ')}`);
  });
}

test.run();
