/**
 * Variable-length (jagged) columns in every format that can hold them: files written by the
 * maintained libraries (apache-arrow, parquet-wasm, h5wasm) or by the NPY spec's bytes,
 * read back as offsets plus flat values and compared exactly with what was written; empty
 * lists, tables of 0 rows, and each one-line error. ROOT reads the jagged branches of the
 * shared fixtures (jsroot cannot write TTrees) and skips when they are absent.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Field,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Bool,
  LargeList,
  List,
  Table,
  Uint8,
  makeTable,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readTable } from '../src/io/load.js';
import { readCsv } from '../src/io/csv_io.js';
import { encodeNpy } from '../src/io/npy_io.js';
import { readJagged, type JaggedColumn } from '../src/io/table.js';
import { rejectsInput } from './helpers/rejects.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-jagged-');
const at = (name: string): string => join(dir, name);
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The lists of a jagged column, row by row (for exact comparison). */
const lists = (c: JaggedColumn): number[][] =>
  Array.from({ length: c.offsets.length - 1 }, (_, i) => Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1])));

/** Offsets must start at 0, never fall, and end at the number of values. */
function assertConsistent(c: JaggedColumn, nRows: number): void {
  assert.instance(c.offsets, Uint32Array);
  assert.is(c.offsets.length, nRows + 1);
  assert.is(c.offsets[0], 0);
  for (let i = 0; i < nRows; i++) assert.ok(c.offsets[i + 1] >= c.offsets[i], `offsets fall at row ${i}`);
  assert.is(c.offsets[nRows], c.values.length);
}

/** Rows of particles used throughout: empty lists first, in the middle and at the end. */
const ROWS: number[][] = [[], [1.5, -2.25], [], [3, 4, 5, 6], [0.125], [-0, 1e30, -7.75], []];
const F32_ROWS = ROWS.map((r) => r.map(Math.fround));

function listVector(rows: unknown[], type: DataType, large = false): Vector {
  const field = new Field('item', type, true);
  return vectorFromArray(rows, large ? new LargeList(field) : new List(field));
}

// ---------------------------------------------------------------------------------------
// Arrow IPC

test('arrow: List<Float32>, List<Float64>, LargeList and integer lists read exactly, beside flat columns', async () => {
  const table = makeTable({ n: Int32Array.from(ROWS, (r) => r.length) });
  const arrow = new Table({
    n: table.getChild('n') as Vector,
    pt: listVector(F32_ROWS, new Float32()),
    e: listVector(ROWS, new Float64()),
    big: listVector(ROWS, new Float64(), true),
    q: listVector(
      ROWS.map((r) => r.map((_, k) => (k % 2 === 0 ? 1 : -1))),
      new Int16(),
    ),
    id: listVector(
      ROWS.map((r) => r.map((_, k) => BigInt(211 * (k + 1)))),
      new Int64(),
    ),
  });
  for (const format of ['file', 'stream'] as const) {
    const file = at(`lists.${format === 'file' ? 'arrow' : 'arrows'}`);
    writeFileSync(file, tableToIPC(arrow, format));
    const t = await readTable(file, {
      columns: ['n'],
      jagged: [{ name: 'pt' }, { name: 'e' }, { name: 'big' }, { name: 'q' }, { name: 'id' }],
    });
    assert.is(t.nRows, ROWS.length);
    const pt = readJagged(t, 'pt');
    assertConsistent(pt, ROWS.length);
    assert.instance(pt.values, Float32Array);
    assert.equal(lists(pt), F32_ROWS);
    for (const name of ['e', 'big']) {
      const c = readJagged(t, name);
      assert.instance(c.values, Float64Array, name);
      assert.equal(lists(c), ROWS, name);
    }
    const q = readJagged(t, 'q');
    assert.instance(q.values, Float64Array);
    assert.equal(
      lists(q),
      ROWS.map((r) => r.map((_, k) => (k % 2 === 0 ? 1 : -1))),
    );
    assert.equal(
      lists(readJagged(t, 'id')),
      ROWS.map((r) => r.map((_, k) => 211 * (k + 1))),
    );
    assert.equal(
      Array.from(t.column('n') as Int32Array),
      Array.from(pt.offsets.subarray(1), (o, i) => o - pt.offsets[i]),
    );
  }
});

test('arrow: several record batches join; null lists read as empty; Float16 widens; bools read 0/1', async () => {
  const a = new Table({ x: listVector([[1], null, [2, 3]], new Float32()) });
  const b = new Table({ x: listVector([[], [4, 5, 6], null], new Float32()) });
  const file = at('batches.arrow');
  writeFileSync(file, tableToIPC(new Table([...a.batches, ...b.batches]), 'file'));
  const t = await readTable(file, { columns: [], jagged: [{ name: 'x' }] });
  assert.is(t.nRows, 6);
  const x = readJagged(t, 'x');
  assertConsistent(x, 6);
  assert.equal(lists(x), [[1], [], [2, 3], [], [4, 5, 6], []]);
  const h = new Table({
    h: listVector([[0.5, -2], [65504]], new Float16()),
    flag: listVector([[true, false, true], []], new Bool()),
    u: listVector([[255], [0, 7]], new Uint8()),
  });
  writeFileSync(at('half.arrow'), tableToIPC(h, 'file'));
  const t2 = await readTable(at('half.arrow'), {
    columns: [],
    jagged: [{ name: 'h' }, { name: 'flag' }, { name: 'u' }],
  });
  assert.instance(readJagged(t2, 'h').values, Float32Array);
  assert.equal(lists(readJagged(t2, 'h')), [[0.5, -2], [65504]]);
  assert.equal(lists(readJagged(t2, 'flag')), [[1, 0, 1], []]);
  assert.equal(lists(readJagged(t2, 'u')), [[255], [0, 7]]);
});

test('arrow: a table of 0 rows gives one offset and no values', async () => {
  const t0 = new Table({ x: listVector([], new Float64()) });
  writeFileSync(at('empty.arrow'), tableToIPC(t0, 'file'));
  const t = await readTable(at('empty.arrow'), { columns: [], jagged: [{ name: 'x' }] });
  assert.is(t.nRows, 0);
  const x = readJagged(t, 'x');
  assert.equal(Array.from(x.offsets), [0]);
  assert.is(x.values.length, 0);
  assert.instance(x.values, Float64Array);
});

test('arrow: a null inside a list, a flat column asked as a list, a list asked as flat, a missing column', async () => {
  writeFileSync(
    at('nulls.arrow'),
    tableToIPC(
      new Table({ x: listVector([[1], [2, null as unknown as number, 3]], new Float32()), f: vectorFromArray([1, 2]) }),
      'file',
    ),
  );
  await rejectsInput(
    () => readTable(at('nulls.arrow'), { columns: [], jagged: [{ name: 'x' }] }),
    /nulls\.arrow: variable-length column "x" must have no nulls inside its lists; got a null at row 1, position 1$/,
    'nulls.arrow',
  );
  await rejectsInput(
    () => readTable(at('nulls.arrow'), { columns: [], jagged: [{ name: 'f' }] }),
    /nulls\.arrow: variable-length column "f" must be a List or LargeList of numbers; got Float64$/,
  );
  await rejectsInput(
    () => readTable(at('nulls.arrow'), { columns: ['x'] }),
    /nulls\.arrow: column "x" must be numeric or boolean; got List<Float32> \(a list column: read it as a variable-length column\)$/,
  );
  await rejectsInput(
    () => readTable(at('nulls.arrow'), { columns: [], jagged: [{ name: 'jets' }] }),
    /nulls\.arrow: column "jets" not found; columns are x, f$/,
  );
  const strings = new Table({
    s: vectorFromArray([['a'], []], new List(new Field('item', new (await import('apache-arrow')).Utf8()))),
  });
  writeFileSync(at('strings.arrow'), tableToIPC(strings, 'file'));
  await rejectsInput(
    () => readTable(at('strings.arrow'), { columns: [], jagged: [{ name: 's' }] }),
    /strings\.arrow: variable-length column "s" must be a list of numbers or booleans; got List<Utf8>$/,
  );
});

test('arrow: a 64-bit integer beyond 2^53 in a list is an error, not a rounded number', async () => {
  writeFileSync(
    at('int64.arrow'),
    tableToIPC(new Table({ id: listVector([[1n], [2n, 2n ** 53n + 1n]], new Int64()) }), 'file'),
  );
  await rejectsInput(
    () => readTable(at('int64.arrow'), { columns: [], jagged: [{ name: 'id' }] }),
    /int64\.arrow: variable-length column "id" must hold integers of magnitude at most 2\^53 \(read as float64\); got 9007199254740993 in row 1$/,
  );
});

// ---------------------------------------------------------------------------------------
// CSV, and what readTable checks for every format

test('csv: no variable-length columns; readTable and readJagged say so in one line', async () => {
  writeFileSync(at('flat.csv'), 'x,n\n1,2\n3,4\n');
  await rejectsInput(
    () => readTable(at('flat.csv'), { columns: ['x'], jagged: [{ name: 'x' }] }),
    /flat\.csv: variable-length column "x" must come from a format that holds lists \(Arrow, Parquet, ROOT, or padded HDF5\/NPZ with a count column\); got a format that holds no variable-length columns$/,
  );
  const t = await readCsv(at('flat.csv'), { columns: ['x'] });
  assert.is(t.jagged, undefined);
  await rejectsInput(
    () => Promise.resolve(readJagged(t, 'x', 'n')),
    /flat\.csv: variable-length column "x" must come from a format that holds lists .*; got a format that holds no variable-length columns$/,
  );
});

test('readTable: one variable-length column asked with two count columns is an error', async () => {
  writeFileSync(at('two.arrow'), tableToIPC(new Table({ pt: listVector([[1]], new Float32()) }), 'file'));
  await rejectsInput(
    () => readTable(at('two.arrow'), { columns: [], jagged: [{ name: 'pt' }, { name: 'pt', count: 'n' }] }),
    /two\.arrow: variable-length column "pt" must be requested with one count column; got "pt" and "pt" \(count "n"\)$/,
  );
});

// ---------------------------------------------------------------------------------------
// Parquet

/** Writes an Arrow table as Parquet with parquet-wasm (row groups of `rowGroupRows`). */
async function writeParquetTable(file: string, table: Table, rowGroupRows = 1024): Promise<void> {
  const pw = await import('parquet-wasm');
  const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(rowGroupRows).build();
  writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')), props));
}

test('parquet: list columns over several row groups read exactly; null lists read as empty', async () => {
  const withNull = ROWS.map((r, i) => (i === 2 ? null : r));
  const table = new Table({
    n: vectorFromArray(Int32Array.from(ROWS, (r) => r.length)),
    pt: listVector(F32_ROWS, new Float32()),
    e: listVector(withNull, new Float64(), true),
    q: listVector(
      ROWS.map((r) => r.map((_, k) => k - 1)),
      new Int32(),
    ),
  });
  const file = at('lists.parquet');
  await writeParquetTable(file, table, 3);
  const fractions: number[] = [];
  const t = await readTable(file, {
    columns: ['n'],
    jagged: [{ name: 'pt' }, { name: 'e' }, { name: 'q' }],
    onProgress: (f) => fractions.push(f),
  });
  assert.is(t.nRows, ROWS.length);
  const pt = readJagged(t, 'pt');
  assertConsistent(pt, ROWS.length);
  assert.instance(pt.values, Float32Array);
  assert.equal(lists(pt), F32_ROWS);
  const e = readJagged(t, 'e');
  assert.instance(e.values, Float64Array);
  assert.equal(lists(e), ROWS);
  assert.equal(
    lists(readJagged(t, 'q')),
    ROWS.map((r) => r.map((_, k) => k - 1)),
  );
  assert.equal(fractions.at(-1), 1);
  // a count column is for padded formats: a format that stores lists ignores it
  assert.is(readJagged(t, 'pt', 'n'), pt);
  // only what was asked for is read
  const t2 = await readTable(file, { columns: ['n'] });
  await rejectsInput(
    () => Promise.resolve(readJagged(t2, 'pt')),
    /lists\.parquet: variable-length column "pt" must be listed in options\.jagged to be read; got only \(none\)$/,
  );
  await rejectsInput(
    () => Promise.resolve(readJagged(t2, 'nope')),
    /lists\.parquet: column "nope" not found; columns are n, pt, e, q$/,
  );
});

test('parquet: 0 rows; a flat column asked as a list; a null inside a list', async () => {
  await writeParquetTable(at('empty.parquet'), new Table({ x: listVector([], new Float32()) }));
  const t = await readTable(at('empty.parquet'), { columns: [], jagged: [{ name: 'x' }] });
  assert.is(t.nRows, 0);
  assert.equal(Array.from(readJagged(t, 'x').offsets), [0]);
  assert.instance(readJagged(t, 'x').values, Float32Array);
  await writeParquetTable(
    at('bad.parquet'),
    new Table({ x: listVector([[1], [], [2, null, 3]], new Float32()), f: vectorFromArray([1, 2, 3]) }),
    2,
  );
  await rejectsInput(
    () => readTable(at('bad.parquet'), { columns: [], jagged: [{ name: 'x' }] }),
    /bad\.parquet: variable-length column "x" must have no nulls inside its lists; got a null at row 2, position 1$/,
  );
  await rejectsInput(
    () => readTable(at('bad.parquet'), { columns: [], jagged: [{ name: 'f' }] }),
    /bad\.parquet: variable-length column "f" must be a list column \(List or LargeList of numbers\); got Float64$/,
  );
  await rejectsInput(
    () => readTable(at('bad.parquet'), { columns: [], jagged: [{ name: 'g' }] }),
    /bad\.parquet: column "g" not found; columns are x, f$/,
  );
});

// ---------------------------------------------------------------------------------------
// padded formats (HDF5, NPZ): a 2-D [nRows × maxLength] array beside a 1-D count column

const MAX_LENGTH = 5;

/** ROWS padded to MAX_LENGTH with `pad` (which must never be read back). */
function padded<T extends Float32Array | Float64Array | Int32Array | BigInt64Array>(
  make: (n: number) => T,
  rows: number[][],
  pad: number,
  width = MAX_LENGTH,
): T {
  const out = make(rows.length * width);
  rows.forEach((r, i) => {
    for (let j = 0; j < width; j++) {
      const v = j < r.length ? r[j] : pad;
      (out as unknown as (number | bigint)[])[i * width + j] = out instanceof BigInt64Array ? BigInt(v) : v;
    }
  });
  return out;
}

const COUNTS = Int32Array.from(ROWS, (r) => r.length);
const INT_ROWS = ROWS.map((r) => r.map((_, k) => 3 * k - 2));

/** Writes `/events` with 1-D columns `n` (counts), `w`, and 2-D padded datasets, through h5wasm. */
async function writePaddedHdf5(
  file: string,
  datasets: Record<string, { data: ArrayLike<number | bigint>; shape: number[]; dtype?: string }>,
  columns: Record<string, ArrayLike<number>>,
): Promise<void> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(file, 'w');
  try {
    const g = f.create_group('events');
    for (const [name, data] of Object.entries(columns)) g.create_dataset({ name, data: data as Float64Array });
    for (const [name, d] of Object.entries(datasets))
      g.create_dataset({
        name,
        data: d.data as Float64Array,
        shape: d.shape,
        ...(d.dtype === undefined ? {} : { dtype: d.dtype }),
      });
  } finally {
    f.close();
  }
}

test('hdf5: padded 2-D datasets cut to their count column; float32 kept, ints as float64; padding never read', async () => {
  const file = at('padded.h5');
  await writePaddedHdf5(
    file,
    {
      pt: { data: padded((n) => new Float32Array(n), F32_ROWS, Number.NaN), shape: [ROWS.length, MAX_LENGTH] },
      e: { data: padded((n) => new Float64Array(n), ROWS, 9e99), shape: [ROWS.length, MAX_LENGTH] },
      q: { data: padded((n) => new Int32Array(n), INT_ROWS, -99), shape: [ROWS.length, MAX_LENGTH] },
      id: { data: padded((n) => new BigInt64Array(n), INT_ROWS, -99), shape: [ROWS.length, MAX_LENGTH] },
    },
    { n: COUNTS, w: new Float64Array(ROWS.length).fill(0.5) },
  );
  const t = await readTable(`${file}:/events`, {
    columns: ['w'],
    jagged: ['pt', 'e', 'q', 'id'].map((name) => ({ name, count: 'n' })),
  });
  assert.is(t.nRows, ROWS.length);
  const pt = readJagged(t, 'pt', 'n');
  assertConsistent(pt, ROWS.length);
  assert.instance(pt.values, Float32Array);
  assert.equal(lists(pt), F32_ROWS);
  assert.instance(readJagged(t, 'e', 'n').values, Float64Array);
  assert.equal(lists(readJagged(t, 'e', 'n')), ROWS);
  assert.instance(readJagged(t, 'q', 'n').values, Float64Array);
  assert.equal(lists(readJagged(t, 'q', 'n')), INT_ROWS);
  assert.equal(lists(readJagged(t, 'id', 'n')), INT_ROWS);
  assert.equal(Array.from(t.column('w') as Float64Array), new Array<number>(ROWS.length).fill(0.5));
  // the count column is read to cut, not returned unless asked for
  await rejectsInput(() => Promise.resolve(t.column('n')), /column "n" must be listed in options\.columns to be read/);
  await rejectsInput(
    () => Promise.resolve(readJagged(t, 'pt')),
    /padded\.h5:\/events: variable-length column "pt" must be asked for with the count column it was read with \("n"\); got none$/,
  );
});

test('hdf5: 0 rows; every count rule; missing and misshapen datasets are one-line errors', async () => {
  await writePaddedHdf5(at('empty.h5'), { pt: { data: new Float32Array(0), shape: [0, 4] } }, { n: new Int32Array(0) });
  const t = await readTable(`${at('empty.h5')}:/events`, { columns: [], jagged: [{ name: 'pt', count: 'n' }] });
  assert.is(t.nRows, 0);
  assert.equal(Array.from(readJagged(t, 'pt', 'n').offsets), [0]);
  const rows = [[1], [2, 3], []];
  const data = { pt: { data: padded((n) => new Float64Array(n), rows, 0, 3), shape: [3, 3] } };
  const cases: [string, ArrayLike<number>, RegExp][] = [
    [
      'neg',
      Int32Array.from([1, -1, 0]),
      /count column "n" of variable-length column "pt" must hold integers in \[0, 3\] \(the padded length\); got -1 in row 1$/,
    ],
    [
      'big',
      Int32Array.from([1, 2, 4]),
      /count column "n" of variable-length column "pt" must hold integers in \[0, 3\] \(the padded length\); got 4 in row 2$/,
    ],
    [
      'frac',
      Float64Array.from([1, 1.5, 0]),
      /count column "n" of variable-length column "pt" must hold integers in \[0, 3\] \(the padded length\); got 1\.5 in row 1$/,
    ],
    ['nan', Float64Array.from([Number.NaN, 1, 0]), /got NaN in row 0$/],
    [
      'short',
      Int32Array.from([1, 2]),
      /count column "n" of variable-length column "pt" must have one entry per row of "pt" \(3\); got 2 entries$/,
    ],
  ];
  for (const [label, counts, pattern] of cases) {
    const file = at(`count-${label}.h5`);
    await writePaddedHdf5(file, data, { n: counts });
    await rejectsInput(
      () => readTable(`${file}:/events`, { columns: [], jagged: [{ name: 'pt', count: 'n' }] }),
      pattern,
      `count-${label}.h5`,
    );
  }
  const file = at('shapes.h5');
  await writePaddedHdf5(file, data, { n: Int32Array.from([1, 2, 0]), flat: new Float64Array(3) });
  const source = `${file}:/events`;
  await rejectsInput(
    () => readTable(source, { columns: [], jagged: [{ name: 'pt' }] }),
    /shapes\.h5:\/events: variable-length column "pt" is padded \(HDF5\) and must come with its count column; got none \(give \{ name, count \}\)$/,
  );
  await rejectsInput(
    () => readTable(source, { columns: [], jagged: [{ name: 'flat', count: 'n' }] }),
    /variable-length column "flat" must be a 2-D dataset \[nRows × maxLength\] of the group; got a 1-D dataset \(2-D datasets: pt\)$/,
  );
  await rejectsInput(
    () => readTable(source, { columns: [], jagged: [{ name: 'jets', count: 'n' }] }),
    /variable-length column "jets" must be a 2-D dataset \[nRows × maxLength\] of the group; got no dataset of that name \(2-D datasets: pt\)$/,
  );
  await rejectsInput(
    () => readTable(source, { columns: [], jagged: [{ name: 'pt', count: 'njets' }] }),
    /count column "njets" of variable-length column "pt" must be a 1-D dataset of the group; got none of that name \(1-D datasets: flat, n\)$/,
  );
  await rejectsInput(
    () => readTable(`${file}:/events/pt`, { columns: [], jagged: [{ name: 'pt', count: 'n' }] }),
    /variable-length column "pt" must be a 2-D dataset of a group, beside its count column; got the dataset \/events\/pt read as the table \(name its group: .*shapes\.h5:\/GROUP\)$/,
  );
});

/**
 * A 2-D `.npy` array written per the NPY format spec (version 1.0): magic, version, header
 * length, the dict literal padded with spaces to a multiple of 64 bytes, then the data.
 */
function npy2d(
  values: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array,
  nRows: number,
  width: number,
  options: { fortran?: boolean; bigEndian?: boolean } = {},
): Uint8Array {
  const kind =
    values instanceof Float32Array
      ? 'f4'
      : values instanceof Float64Array
        ? 'f8'
        : values instanceof Int32Array
          ? 'i4'
          : values instanceof BigInt64Array
            ? 'i8'
            : 'b1';
  const order = kind === 'b1' ? '|' : options.bigEndian === true ? '>' : '<';
  const dict = `{'descr': '${order}${kind}', 'fortran_order': ${options.fortran === true ? 'True' : 'False'}, 'shape': (${nRows}, ${width}), }`;
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const out = new Uint8Array(10 + headerLength + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, headerLength & 0xff, headerLength >> 8]);
  out.set(new TextEncoder().encode(dict.padEnd(headerLength - 1, ' ') + '\n'), 10);
  // row-major values, reordered to column-major and/or byte-swapped as asked
  const w = values.BYTES_PER_ELEMENT;
  const src = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < nRows; i++)
    for (let j = 0; j < width; j++) {
      const from = (i * width + j) * w;
      const to = 10 + headerLength + (options.fortran === true ? j * nRows + i : i * width + j) * w;
      for (let k = 0; k < w; k++) out[to + k] = src[from + (options.bigEndian === true ? w - 1 - k : k)];
    }
  return out;
}

async function writeNpzMembers(file: string, members: Record<string, Uint8Array>): Promise<void> {
  const { zipSync } = await import('fflate');
  writeFileSync(
    file,
    zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [`${k}.npy`, v])), { level: 0 }),
  );
}

test('npz: padded 2-D members cut to a 1-D count member (C and Fortran order, big-endian, ints, bools)', async () => {
  const n = ROWS.length;
  const file = at('padded.npz');
  await writeNpzMembers(file, {
    n: encodeNpy(COUNTS),
    w: encodeNpy(new Float64Array(n).fill(2)),
    pt: npy2d(
      padded((k) => new Float32Array(k), F32_ROWS, Number.POSITIVE_INFINITY),
      n,
      MAX_LENGTH,
    ),
    e: npy2d(
      padded((k) => new Float64Array(k), ROWS, -1),
      n,
      MAX_LENGTH,
      { fortran: true, bigEndian: true },
    ),
    q: npy2d(
      padded((k) => new Int32Array(k), INT_ROWS, 77),
      n,
      MAX_LENGTH,
      { fortran: true },
    ),
    id: npy2d(
      padded((k) => new BigInt64Array(k), INT_ROWS, 77),
      n,
      MAX_LENGTH,
      { bigEndian: true },
    ),
  });
  const t = await readTable(file, {
    columns: ['w'],
    jagged: ['pt', 'e', 'q', 'id'].map((name) => ({ name, count: 'n' })),
  });
  assert.is(t.nRows, n);
  const pt = readJagged(t, 'pt', 'n');
  assertConsistent(pt, n);
  assert.instance(pt.values, Float32Array);
  assert.equal(lists(pt), F32_ROWS);
  assert.instance(readJagged(t, 'e', 'n').values, Float64Array);
  assert.equal(lists(readJagged(t, 'e', 'n')), ROWS);
  assert.equal(lists(readJagged(t, 'q', 'n')), INT_ROWS);
  assert.instance(readJagged(t, 'q', 'n').values, Float64Array);
  assert.equal(lists(readJagged(t, 'id', 'n')), INT_ROWS);
  assert.equal(Array.from(t.column('w') as Float64Array), new Array<number>(n).fill(2));
  // 0 rows
  await writeNpzMembers(at('empty.npz'), { n: encodeNpy(new Int32Array(0)), pt: npy2d(new Float32Array(0), 0, 3) });
  const t0 = await readTable(at('empty.npz'), { columns: [], jagged: [{ name: 'pt', count: 'n' }] });
  assert.is(t0.nRows, 0);
  assert.equal(Array.from(readJagged(t0, 'pt', 'n').offsets), [0]);
});

test('npz and npy: count rules, misshapen members, and a .npy file are one-line errors', async () => {
  const rows = [[1], [2, 3], []];
  const pt = npy2d(
    padded((k) => new Float64Array(k), rows, 0, 3),
    3,
    3,
  );
  const cases: [string, Uint8Array, RegExp][] = [
    [
      'neg',
      encodeNpy(Int32Array.from([1, -1, 0])),
      /bad-neg\.npz: count column "n" of variable-length column "pt" must hold integers in \[0, 3\] \(the padded length\); got -1 in row 1$/,
    ],
    ['big', encodeNpy(Int32Array.from([1, 2, 4])), /got 4 in row 2$/],
    ['frac', encodeNpy(Float64Array.from([1, 0.5, 0])), /got 0\.5 in row 1$/],
    [
      'short',
      encodeNpy(Int32Array.from([1, 2, 0, 0])),
      /count column "n" of variable-length column "pt" must have one entry per row of "pt" \(3\); got 4 entries$/,
    ],
    [
      '2d',
      npy2d(Int32Array.from([1, 2, 0]), 3, 1),
      /count column "n" of variable-length column "pt" must be a 1-D array; got shape \(3, 1\)$/,
    ],
  ];
  for (const [label, counts, pattern] of cases) {
    const file = at(`bad-${label}.npz`);
    await writeNpzMembers(file, { n: counts, pt });
    await rejectsInput(
      () => readTable(file, { columns: [], jagged: [{ name: 'pt', count: 'n' }] }),
      pattern,
      `bad-${label}.npz`,
    );
  }
  const file = at('shapes.npz');
  await writeNpzMembers(file, { n: encodeNpy(Int32Array.from([1, 2, 0])), pt, flat: encodeNpy(new Float64Array(3)) });
  await rejectsInput(
    () => readTable(file, { columns: [], jagged: [{ name: 'flat', count: 'n' }] }),
    /shapes\.npz:flat: variable-length column "flat" must be a plain 2-D array \[nRows × maxLength\]; got shape \(3,\)$/,
  );
  await rejectsInput(
    () => readTable(file, { columns: [], jagged: [{ name: 'pt' }] }),
    /shapes\.npz: variable-length column "pt" is padded \(NPZ\) and must come with its count column; got none \(give \{ name, count \}\)$/,
  );
  await rejectsInput(
    () => readTable(file, { columns: [], jagged: [{ name: 'pt', count: 'm' }] }),
    /shapes\.npz: count column "m" of variable-length column "pt" must be a 1-D member of the archive; got none of that name \(members: n, pt, flat\)$/,
  );
  await rejectsInput(
    () => readTable(file, { columns: [], jagged: [{ name: 'jets', count: 'n' }] }),
    /shapes\.npz: column "jets" not found; columns are n, pt, flat$/,
  );
  await rejectsInput(
    () => readTable(`${file}:pt`, { columns: [], jagged: [{ name: 'pt', count: 'n' }] }),
    /shapes\.npz: variable-length column "pt" must be read from the archive, beside its count column; got the member "pt" read as the table \(read .*shapes\.npz without :pt\)$/,
  );
  writeFileSync(at('pt.npy'), pt);
  await rejectsInput(
    () => readTable(at('pt.npy'), { columns: [], jagged: [{ name: 'pt', count: 'n' }] }),
    /pt\.npy: variable-length column "pt" must be read from a format that holds one, with its count column \(an \.npz archive of the padded 2-D array and the 1-D counts\); got a \.npy file, which holds one array$/,
  );
});

// ---------------------------------------------------------------------------------------
// ROOT (fixtures written by ROOT; jsroot 7.11 has no TTree writer)

/** The repository root: the nearest directory above this file holding package.json. */
function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const ROOT_FIXTURES = join(repoRoot(), '..', 'shared', 'fixtures', 'root');
const HZZ = join(ROOT_FIXTURES, 'uproot-HZZ.root');
const SAMPLE = join(ROOT_FIXTURES, 'uproot-sample-6.20.04-zlib.root');
const STAFF = join(ROOT_FIXTURES, 'ntpl001_staff_rntuple_v1-0-1-0.root');
const HAVE_ROOT = [HZZ, SAMPLE, STAFF].every((f) => existsSync(f));
const skipRoot = (what: string): boolean => {
  if (!HAVE_ROOT)
    console.log(`  skipped ${what}: ROOT fixtures absent from ${ROOT_FIXTURES} (shared fixtures not installed)`);
  return !HAVE_ROOT;
};

test('root: x[n] branches of every leaf type follow the pattern the sample file was written with', async () => {
  if (skipRoot('root x[n] branches')) return;
  const names = ['Ai1', 'Au1', 'Ai2', 'Au2', 'Ai4', 'Au4', 'Ai8', 'Au8', 'Af4', 'Af8', 'Ab', 'ab', 'af8'];
  const t = await readTable(SAMPLE, { columns: ['n'], jagged: names.map((name) => ({ name })) });
  assert.is(t.nRows, 30);
  const rows = Array.from({ length: 30 }, (_, e) => e);
  // row e holds e % 5 values; group g = ⌊e / 5⌋ starts each list at -15 + 5g (signed), 5g (unsigned)
  const pattern = (start: number, step: number) =>
    rows.map((e) => Array.from({ length: e % 5 }, (_, j) => start + 5 * Math.floor(e / 5) + step * j));
  for (const name of names) assertConsistent(readJagged(t, name), 30);
  for (const s of ['Ai1', 'Ai2', 'Ai4', 'Ai8']) assert.equal(lists(readJagged(t, s)), pattern(-15, 2), s);
  for (const u of ['Au1', 'Au2', 'Au4', 'Au8']) assert.equal(lists(readJagged(t, u)), pattern(0, 2), u);
  for (const name of [...names.slice(0, 8), 'Af8', 'Ab', 'ab', 'af8'])
    assert.instance(readJagged(t, name).values, Float64Array, name);
  const f4 = readJagged(t, 'Af4');
  assert.instance(f4.values, Float32Array);
  assert.equal(
    lists(f4),
    pattern(-15, 1.1).map((r) => r.map(Math.fround)),
  );
  const f8 = lists(readJagged(t, 'Af8')).flat();
  const want8 = pattern(-15, 1.1).flat();
  assert.is(f8.length, want8.length);
  f8.forEach((v, k) => assert.ok(Math.abs(v - want8[k]) < 1e-12, `Af8 value ${k}: ${v} vs ${want8[k]}`));
  assert.equal(
    lists(readJagged(t, 'Ab')),
    rows.map((e) => new Array<number>(e % 5).fill(Math.floor(e / 5) % 2 === 0 ? 1 : 0)),
  );
  // fixed-size arrays read as lists of that size
  assert.equal(
    lists(readJagged(t, 'ab')),
    rows.map((e) => [0, 1, 2].map((j) => (e + j) % 2)),
  );
  const af8 = lists(readJagged(t, 'af8'));
  af8.forEach((r, e) => r.forEach((v, j) => assert.ok(Math.abs(v - (e - 13.9 + j)) < 1e-12, `af8[${e}][${j}] = ${v}`)));
  // the offsets agree with the counter branch
  const n = t.column('n') as Int32Array;
  const ai4 = readJagged(t, 'Ai4');
  assert.equal(
    Array.from(n),
    rows.map((e) => ai4.offsets[e + 1] - ai4.offsets[e]),
  );
});

test('root: HZZ jets and muons; lengths equal their counters; E ≥ |p| for every jet', async () => {
  if (skipRoot('root HZZ jets')) return;
  const jets = ['Jet_Px', 'Jet_Py', 'Jet_Pz', 'Jet_E', 'Jet_ID'];
  const t = await readTable(`${HZZ}:events`, {
    columns: ['NJet', 'NMuon'],
    jagged: [...jets, 'Muon_Charge'].map((name) => ({ name })),
  });
  assert.is(t.nRows, 2421);
  const [px, py, pz, e] = jets.slice(0, 4).map((name) => readJagged(t, name));
  for (const c of [px, py, pz, e]) {
    assertConsistent(c, 2421);
    assert.instance(c.values, Float32Array);
    assert.equal(c.offsets, px.offsets);
  }
  const nJet = t.column('NJet') as Int32Array;
  for (let i = 0; i < 2421; i++) assert.is(px.offsets[i + 1] - px.offsets[i], nJet[i], `row ${i}`);
  assert.equal(lists(px).slice(0, 4), [
    [],
    [Math.fround(-38.87471389770508)],
    [],
    [-71.6952133178711, 36.60636901855469, -28.866418838500977].map(Math.fround),
  ]);
  for (let k = 0; k < e.values.length; k++) {
    const p = Math.hypot(px.values[k], py.values[k], pz.values[k]);
    assert.ok(e.values[k] >= p * (1 - 1e-6), `jet ${k}: E ${e.values[k]} < |p| ${p}`);
  }
  const charge = readJagged(t, 'Muon_Charge');
  const nMuon = t.column('NMuon') as Int32Array;
  for (let i = 0; i < 2421; i++) assert.is(charge.offsets[i + 1] - charge.offsets[i], nMuon[i]);
  assert.ok(
    charge.values.every((q) => q === 1 || q === -1),
    'muon charges are ±1',
  );
  assert.ok(
    readJagged(t, 'Jet_ID').values.every((b) => b === 0 || b === 1),
    'Jet_ID is a bool',
  );
});

test('root: flat branches, strings and RNTuple fields asked as lists are one-line errors', async () => {
  if (skipRoot('root list errors')) return;
  await rejectsInput(
    () => readTable(HZZ, { columns: [], jagged: [{ name: 'NJet' }] }),
    /uproot-HZZ\.root:events: variable-length branch "NJet" must be an array leaf \(x\[n\] or x\[N\]\); got the flat leaf NJet \(read it as a column\)$/,
  );
  await rejectsInput(
    () => readTable(HZZ, { columns: [], jagged: [{ name: 'Jets' }] }),
    /uproot-HZZ\.root:events: column "Jets" not found; columns are NJet, Jet_Px, /,
  );
  await rejectsInput(
    () => readTable(SAMPLE, { columns: [], jagged: [{ name: 'str' }] }),
    /sample: variable-length branch "str" must have one numeric leaf; got str \(TLeafC\)$/,
  );
  await rejectsInput(
    () => readTable(STAFF, { columns: [], jagged: [{ name: 'Age' }] }),
    /Staff: variable-length column "Age" must be a TTree array branch \(x\[n\]\); got an RNTuple field of type std::int32_t \(RNTuple collections are not read\)$/,
  );
});

test.run();
