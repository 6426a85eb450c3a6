/**
 * Variable-length (jagged) columns in every format that can hold them: files written by the
 * maintained libraries (apache-arrow, parquet-wasm, h5wasm) or by the NPY spec's bytes,
 * read back as offsets plus flat values and compared exactly with what was written; empty
 * lists, tables of 0 rows, and each one-line error. ROOT reads the jagged branches of the
 * shared fixtures (jsroot cannot write TTrees) and skips when they are absent.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { writeHdf5 } from '../src/io/hdf5_write.js';
import { encodeNpy } from '../src/io/npy_io.js';
import { readJagged, type JaggedColumn } from '../src/io/table.js';
import { rejectsInput } from './helpers/rejects.js';

const dir = mkdtempSync(join(tmpdir(), 'omnifold-jagged-'));
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
  // only what was asked for is read
  await rejectsInput(
    () => Promise.resolve(readJagged(t, 'pt', 'n')),
    /lists\.parquet: variable-length column "pt" must be asked for with the count column it was read with \(none\); got "n"$/,
  );
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

test.run();
