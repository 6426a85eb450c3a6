/**
 * File formats in: Parquet, HDF5, NPY/NPZ written by the engine's own writers (plus Arrow
 * IPC and CSV) round-trip, give identical columns, and fail with one-line InputErrors.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { readTable } from '../src/io/load.js';
import { rejectsInput as rejects } from './helpers/rejects.js';
import { encodeNpy, readNpy, writeNpy } from '../src/io/npy_io.js';
import { writeNpz } from '../src/io/npz_io.js';
import { readParquet, writeParquet } from '../src/io/parquet_io.js';
import { readHdf5 } from '../src/io/hdf5_io.js';
import { writeHdf5 } from '../src/io/hdf5_write.js';
import type { NumericColumn } from '../src/io/table.js';
import { assertBitEqual, assertClose } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-formats-');
const at = (name: string): string => join(dir, name);

const N_ROWS = 1000;
/** Values exactly representable in float32 and in short decimal text, so every format agrees bit for bit. */
const COLUMNS = {
  gen_pt: Float32Array.from({ length: N_ROWS }, (_, i) => 20 + i * 0.25),
  reco_pt: Float64Array.from({ length: N_ROWS }, (_, i) => 19.5 + i * 0.125),
  charge: Int32Array.from({ length: N_ROWS }, (_, i) => (i % 3) - 1),
  pass_reco: Uint8Array.from({ length: N_ROWS }, (_, i) => (i % 4 === 0 ? 0 : 1)),
};
const NAMES = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];

function asNumbers(values: NumericColumn): number[] {
  return Array.from(values as ArrayLike<number | bigint>, Number);
}

test.before(async () => {
  await writeParquet(at('sim.parquet'), COLUMNS, { rowGroupRows: 300 });
  await writeHdf5(at('sim.h5'), COLUMNS, '/events/sim');
  await writeHdf5(at('root.h5'), COLUMNS);
  await writeNpz(at('sim.npz'), COLUMNS);
  await writeNpz(at('simz.npz'), COLUMNS, { compress: true });
  await writeNpy(at('gen_pt.npy'), COLUMNS.gen_pt);
  await writeNpy(at('struct.npy'), COLUMNS);
  writeFileSync(at('sim.arrow'), tableToIPC(tableFromArrays(COLUMNS), 'file'));
  const lines = [NAMES.join(',')];
  for (let i = 0; i < N_ROWS; i++) lines.push(NAMES.map((n) => String(COLUMNS[n][i])).join(','));
  writeFileSync(at('sim.csv'), `${lines.join('\n')}\n`);
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('parquet round trip keeps dtypes and values, reading only the requested columns', async () => {
  const fractions: number[] = [];
  const table = await readParquet(at('sim.parquet'), {
    columns: ['gen_pt', 'charge', 'pass_reco'],
    onProgress: (f) => fractions.push(f),
  });
  assert.is(table.nRows, N_ROWS);
  assert.equal([...table.columnNames], NAMES);
  assertBitEqual('gen_pt', table.column('gen_pt'), COLUMNS.gen_pt);
  assert.instance(table.column('gen_pt'), Float32Array);
  assertBitEqual('charge', table.column('charge'), COLUMNS.charge);
  assertBitEqual('pass_reco', table.column('pass_reco'), COLUMNS.pass_reco);
  assert.is(fractions.at(-1), 1, 'progress ends at 1');
  assert.ok(
    fractions.every((f, i) => i === 0 || f >= fractions[i - 1]),
    'progress is monotone',
  );
  assert.throws(() => table.column('reco_pt'), /column "reco_pt" must be listed in options\.columns/);
});

test('hdf5 round trip: a group of 1-D datasets, by path and at the root', async () => {
  const table = await readTable(`${at('sim.h5')}:/events/sim`, { columns: [...NAMES] });
  assert.is(table.nRows, N_ROWS);
  for (const name of NAMES) assertBitEqual(name, table.column(name), COLUMNS[name]);
  assert.instance(table.column('reco_pt'), Float64Array);
  const rootTable = await readHdf5(at('root.h5'), { columns: ['charge'] });
  assertBitEqual('charge', rootTable.column('charge'), COLUMNS.charge);
});

test('hdf5: a compound dataset gives its fields, a 2-D dataset gives col0..', async () => {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = new h5.File(at('layouts.h5'), 'w');
  const fields = new Map<string, NumericColumn>([
    ['x', new Float32Array([1.5, 3.5, 5.5])],
    ['n', new Int32Array([-1, 0, 7])],
  ]);
  file.create_dataset({
    name: 'events',
    data: fields as Map<string, never>,
    shape: [3],
    dtype: [
      ['x', '<f'],
      ['n', '<i'],
    ],
  });
  file.create_dataset({ name: 'matrix', data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] });
  file.create_dataset({ name: 'labels', data: ['a', 'b', 'c'] });
  file.close();
  const compound = await readTable(`${at('layouts.h5')}:/events`, { columns: ['x', 'n'] });
  assert.equal([...compound.columnNames], ['x', 'n']);
  assert.equal(asNumbers(compound.column('x')), [1.5, 3.5, 5.5]);
  assert.equal(asNumbers(compound.column('n')), [-1, 0, 7]);
  const matrix = await readTable(`${at('layouts.h5')}:/matrix`, { columns: ['col1', 'col0'] });
  assert.equal([...matrix.columnNames], ['col0', 'col1']);
  assert.equal(asNumbers(matrix.column('col0')), [1, 3, 5]);
  assert.equal(asNumbers(matrix.column('col1')), [2, 4, 6]);
  await rejects(
    () => readTable(`${at('layouts.h5')}:/labels`, { columns: ['labels'] }),
    /layouts\.h5:\/labels: dataset must be numeric \(float, int, bool\) or compound of numeric fields; got string/,
  );
});

test('npy: 1-D is one column named after the file; structured arrays give their fields', async () => {
  const single = await readNpy(at('gen_pt.npy'), { columns: ['gen_pt'] });
  assert.equal([...single.columnNames], ['gen_pt']);
  assertBitEqual('gen_pt', single.column('gen_pt'), COLUMNS.gen_pt);
  const struct = await readTable(at('struct.npy'), { columns: [...NAMES] });
  assert.equal([...struct.columnNames], NAMES);
  for (const name of NAMES) assertBitEqual(name, struct.column(name), COLUMNS[name]);
});

test('npy: 2-D arrays (C and Fortran order) give col0..; versions 2.0 and 3.0 read', async () => {
  const cols = { a: new Float64Array([1, 2, 3]), b: new Float64Array([10, 20, 30]) };
  await writeNpy(at('c.npy'), cols, { layout: 'matrix' });
  await writeNpy(at('f.npy'), cols, { layout: 'matrix', fortranOrder: true, version: 2 });
  await writeNpy(at('v3.npy'), cols.b, { version: 3 });
  for (const name of ['c.npy', 'f.npy']) {
    const table = await readTable(at(name), { columns: ['col0', 'col1'] });
    assert.equal([...table.columnNames], ['col0', 'col1'], name);
    assert.equal(asNumbers(table.column('col0')), [1, 2, 3], name);
    assert.equal(asNumbers(table.column('col1')), [10, 20, 30], name);
  }
  assert.equal(readFileSync(at('f.npy'))[6], 2, 'format version byte');
  const v3 = await readTable(at('v3.npy'), { columns: ['v3'] });
  assert.equal(asNumbers(v3.column('v3')), [10, 20, 30]);
});

test('npy: big-endian data are read correctly (converted to little-endian)', async () => {
  const cols = {
    f8: new Float64Array([1.25, -2.5e300, Number.NaN, 0]),
    i4: new Int32Array([1, -2, 2147483647, -2147483648]),
    u2: new Uint16Array([1, 2, 65535, 256]),
    i8: new BigInt64Array([1n, -2n, 9007199254740993n, -1n]),
  };
  await writeNpy(at('big.npy'), cols.f8, { byteOrder: 'big' });
  const bytes = readFileSync(at('big.npy'));
  assert.ok(bytes.includes(Buffer.from("'descr': '>f8'")), 'header says >f8');
  const single = await readTable(at('big.npy'), { columns: ['big'] });
  assertClose('big', asNumbers(single.column('big')), asNumbers(cols.f8), { rtol: 0, atol: 0 });
  await writeNpy(at('bigstruct.npy'), cols, { byteOrder: 'big' });
  const struct = await readTable(at('bigstruct.npy'), { columns: Object.keys(cols) });
  for (const [name, values] of Object.entries(cols)) assertBitEqual(name, struct.column(name), values);
  assert.instance(struct.column('i8'), BigInt64Array);
});

test('npy: uint64 comes as BigInt64Array; values of 2^63 or more are an error', async () => {
  const small = new BigUint64Array([0n, 5n, 2n ** 62n]);
  const bytes = patchDescr(encodeNpy(new BigInt64Array(small.buffer)), '<i8', '<u8');
  writeFileSync(at('u8.npy'), bytes);
  const table = await readTable(at('u8.npy'), { columns: ['u8'] });
  assert.equal([...(table.column('u8') as BigInt64Array)], [0n, 5n, 2n ** 62n]);
  const big = patchDescr(encodeNpy(new BigInt64Array(new BigUint64Array([1n, 2n ** 63n]).buffer)), '<i8', '<u8');
  writeFileSync(at('u8big.npy'), big);
  await rejects(
    () => readTable(at('u8big.npy'), { columns: ['u8big'] }),
    /u8big\.npy: column "u8big" \(uint64\) must hold values below 2\^63; got 9223372036854775808 at row 1/,
  );
});

/** Rewrites the dtype in an encoded .npy header (same length, so offsets stay valid). */
function patchDescr(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1').replace(`'descr': '${from}'`, `'descr': '${to}'`);
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

test('npz: members are columns; file.npz:member reads one member; compressed archives too', async () => {
  for (const name of ['sim.npz', 'simz.npz']) {
    const table = await readTable(at(name), { columns: ['reco_pt', 'pass_reco'] });
    assert.equal([...table.columnNames].sort(), [...NAMES].sort(), name);
    assertBitEqual('reco_pt', table.column('reco_pt'), COLUMNS.reco_pt);
    assertBitEqual('pass_reco', table.column('pass_reco'), COLUMNS.pass_reco);
  }
  const member = await readTable(`${at('sim.npz')}:charge`, { columns: ['charge'] });
  assert.is(member.source, `${at('sim.npz')}:charge`);
  assertBitEqual('charge', member.column('charge'), COLUMNS.charge);
});

test('every format gives identical columns (Parquet, HDF5, NPZ, NPY, Arrow IPC, CSV)', async () => {
  const sources = [
    at('sim.parquet'),
    `${at('sim.h5')}:/events/sim`,
    at('sim.npz'),
    at('struct.npy'),
    at('sim.arrow'),
    at('sim.csv'),
  ];
  for (const path of sources) {
    const table = await readTable(path, { columns: [...NAMES] });
    assert.is(table.nRows, N_ROWS, path);
    for (const name of NAMES)
      assertClose(`${path} ${name}`, asNumbers(table.column(name)), asNumbers(COLUMNS[name]), { rtol: 0, atol: 0 });
  }
});

test('missing column: the error names file and column and lists the columns', async () => {
  const list = NAMES.join(', ');
  for (const path of [at('sim.parquet'), `${at('sim.h5')}:/events/sim`, at('sim.npz'), at('struct.npy')]) {
    const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await rejects(
      () => readTable(path, { columns: ['gen_pt', 'nope'] }),
      new RegExp(`^${source}: column "nope" not found; columns are ${list}$`),
    );
  }
});

test('missing dataset / member / file', async () => {
  await rejects(
    () => readTable(`${at('sim.h5')}:/events/nope`, { columns: ['x'] }),
    /sim\.h5: object "\/events\/nope" not found; \/events holds \/events\/sim$/,
  );
  await rejects(
    () => readTable(`${at('sim.npz')}:nope`, { columns: ['x'] }),
    /sim\.npz: member "nope" not found; members are gen_pt, reco_pt, charge, pass_reco$/,
  );
  for (const ext of ['parquet', 'h5', 'npy', 'npz']) {
    await rejects(
      () => readTable(at(`absent.${ext}`), { columns: ['x'] }),
      new RegExp(`absent\\.${ext}: file must be readable; got ENOENT$`),
    );
  }
});

test('truncated files are one-line errors', async () => {
  const cut = (name: string, keep: (n: number) => number): string => {
    const bytes = readFileSync(at(name));
    const out = at(`trunc_${name}`);
    writeFileSync(out, bytes.subarray(0, keep(bytes.length)));
    return out;
  };
  await rejects(
    () =>
      readParquet(
        cut('sim.parquet', (n) => n - 100),
        { columns: ['gen_pt'] },
      ),
    /trunc_sim\.parquet: file is truncated or not a Parquet file; got ".*"$/,
  );
  await rejects(
    () =>
      readHdf5(
        cut('sim.h5', (n) => Math.floor(n / 2)),
        { columns: ['gen_pt'] },
      ),
    /trunc_sim\.h5: file is truncated or not an HDF5 file; got "truncated file: eof = \d+/,
  );
  await rejects(
    () =>
      readNpy(
        cut('gen_pt.npy', (n) => n - 8),
        { columns: ['trunc_gen_pt'] },
      ),
    /trunc_gen_pt\.npy: file is truncated; the header promises 4000 bytes of data, got 3992$/,
  );
  await rejects(
    () =>
      readNpy(
        cut('struct.npy', () => 7),
        { columns: ['x'] },
      ),
    /trunc_struct\.npy: file is truncated or not a \.npy file; got 7 bytes$/,
  );
  await rejects(
    () =>
      readTable(
        cut('sim.npz', (n) => n - 30),
        { columns: ['gen_pt'] },
      ),
    /trunc_sim\.npz: file is truncated or not a zip archive; got ".*"$/,
  );
});

test('unsupported dtypes are one-line errors naming the file, column and type', async () => {
  writeFileSync(at('text.npy'), patchDescr(encodeNpy(new Float32Array(4)), '<f4', '<U1'));
  await rejects(
    () => readNpy(at('text.npy'), { columns: ['text'] }),
    /text\.npy: dtype must be float32\/64, int8–64, uint8–64 or bool \(.*\); got "<U1"$/,
  );
  writeFileSync(at('half.npy'), patchDescr(encodeNpy(new Int16Array(4)), '<i2', '<f2'));
  await rejects(() => readNpy(at('half.npy'), { columns: ['half'] }), /half\.npy: dtype must be .*; got "<f2"$/);
  const cube = patchShape(encodeNpy(new Float32Array(8)), '(8,)', '(2, 2, 2)');
  writeFileSync(at('cube.npy'), cube);
  await rejects(
    () => readNpy(at('cube.npy'), { columns: ['cube'] }),
    /cube\.npy: array must be 1-D or 2-D \(structured arrays 1-D\); got shape \(2, 2, 2\)$/,
  );

  const pw = await import('parquet-wasm');
  const withText = tableFromArrays({ x: new Float32Array([1, 2]), label: ['a', 'b'] });
  writeFileSync(at('text.parquet'), pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(withText, 'stream'))));
  await rejects(
    () => readParquet(at('text.parquet'), { columns: ['x', 'label'] }),
    /text\.parquet: column "label" must be float32\/64, int8–64, uint8–64 or bool; got (Utf8|LargeUtf8|Dictionary.*) \(\w+\)$/,
  );
  const ok = await readParquet(at('text.parquet'), { columns: ['x'] });
  assert.equal(asNumbers(ok.column('x')), [1, 2]);
});

/** Rewrites the shape in an encoded .npy header, keeping the header length. */
function patchShape(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  const headerEnd = text.indexOf('\n');
  const header = text.slice(0, headerEnd).replace(`'shape': ${from}, }`, `'shape': ${to}, }`);
  const padded = header.slice(0, headerEnd).padEnd(headerEnd, ' ');
  return new Uint8Array(Buffer.from(padded + text.slice(headerEnd), 'latin1'));
}

test.run();
