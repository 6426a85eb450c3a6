/**
 * The readers against corrupt files: a fixed seeded set of mutants of every format, each
 * read in a child process (the full run is `npm run fuzz`), must end in a clean one-line
 * InputError naming the file or in a read that is provably right; plus one test for each
 * kind of corruption that once read as data, crashed, or printed on stderr.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { muteStderrSync, unmuted } from '../src/io/library_guard.js';
import { readTable } from '../src/io/load.js';
import { encodeNpy } from '../src/io/npy_io.js';
import { writeNpz } from '../src/io/npz_io.js';
import { writeHdf5 } from '../src/io/hdf5_write.js';
import { writeParquet } from '../src/io/parquet_io.js';
import { Field, Float32, List, Table, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { fuzzFormat } from './fuzz/fuzz.js';
import { rejectsInput } from './helpers/rejects.js';
import type { ReadReply } from './fuzz/child.js';
import { classify, ReaderChild } from './fuzz/harness.js';
import { DEFAULT_FORMATS, knownColumns, makeInput, ROOT_FIXTURE, type FuzzInput } from './fuzz/inputs.js';
import { editNpyHeader, findFields, zipMembers } from './fuzz/mutators.js';
import { testDir } from './helpers/temp_dir.js';

/** `rejectsInput` with the file named first, as these reader tests read best. */
const rejects = (fn: () => Promise<unknown>, file: string, pattern: RegExp) => rejectsInput(fn, pattern, file);

const dir = testDir('omnifold-fuzz-test-');
const at = (name: string): string => join(dir, name);
/** Mutants per format in `npm test` (the long run is `npm run fuzz`). */
const MUTANTS_PER_FORMAT = 20;
/** Generous limits: two busy cores. */
const LIMITS = { timeoutMs: 20_000, memoryMiB: 1024 };

test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Reads `bytes` as `name` in a child process; returns the outcome, the reply and stderr. */
async function readInChild(
  name: string,
  bytes: Uint8Array,
  columns: string[],
  object = '',
  jagged?: { name: string; count?: string }[],
): Promise<{ outcome: string; message: string; stderr: string; reply?: ReadReply }> {
  const file = at(name);
  writeFileSync(file, bytes);
  const child = new ReaderChild(LIMITS);
  try {
    const result = await child.read(`${file}${object}`, columns, jagged);
    const original = { nRows: -1, columnNames: [], columns: {} };
    const outcome = classify(
      result,
      { bytes, kind: 'test', description: name, dataOnly: false },
      original,
      { format: 'csv' } as FuzzInput,
      file,
    );
    const message =
      result.reply !== undefined && !result.reply.ok
        ? result.reply.message
        : JSON.stringify(result.killed ?? result.exit ?? 'read');
    return { outcome, message, stderr: result.stderr, reply: result.reply };
  } finally {
    child.stop();
  }
}

for (const format of DEFAULT_FORMATS) {
  test(`fuzz ${format}: ${MUTANTS_PER_FORMAT} seeded mutants end in a clean error or a right read`, async () => {
    const input = await makeInput(format, dir);
    if (typeof input === 'string') {
      console.log(`  skipped fuzz ${format}: ${input}`);
      return;
    }
    const tally = await fuzzFormat(input, { seed: 7, count: MUTANTS_PER_FORMAT, limits: LIMITS, dir });
    assert.is(tally.ran, MUTANTS_PER_FORMAT);
    assert.equal(tally.failures, [], `${format}: every mutant must end in an allowed outcome`);
    assert.ok(
      tally.counts.clean > 0,
      `${format}: some mutants must be rejected (a fuzzer that finds nothing is broken)`,
    );
  });
}

const base64 = (values: Float64Array): string =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');

const MATRIX = { a: knownColumns().px as Float64Array, b: Float64Array.from(knownColumns().eta as Float32Array) };

test('npy: a misspelt fortran_order key is an error, not a transposed read', async () => {
  const bytes = editNpyHeader(
    encodeNpy(MATRIX, { layout: 'matrix', fortranOrder: true }),
    /fortran_order/,
    'fortran_ordr',
  ) as Uint8Array;
  writeFileSync(at('misspelt.npy'), bytes);
  await rejects(
    () => readTable(at('misspelt.npy'), { columns: ['col0'] }),
    'misspelt.npy',
    /header keys must be exactly descr, fortran_order, shape; got "descr", "fortran_ordr", "shape"$/,
  );
});

test('npy: a header length off by one is an error, not shifted values', async () => {
  const good = encodeNpy(MATRIX.a);
  for (const delta of [1, -1]) {
    const bytes = good.slice();
    const view = new DataView(bytes.buffer);
    view.setUint16(8, view.getUint16(8, true) + delta, true);
    writeFileSync(at('shifted.npy'), bytes);
    await rejects(
      () => readTable(at('shifted.npy'), { columns: ['shifted'] }),
      'shifted.npy',
      /header must (end with a newline|be a Python dict literal)/,
    );
  }
});

test('npy: data longer than the shape promises is an error', async () => {
  writeFileSync(at('long.npy'), new Uint8Array([...encodeNpy(MATRIX.a), 0, 0, 0, 0, 0, 0, 0, 0]));
  await rejects(
    () => readTable(at('long.npy'), { columns: ['long'] }),
    'long.npy',
    /data must fill the file exactly; got 8 bytes after the 1600 the header promises/,
  );
});

test('npz: a member whose CRC-32 does not match is an error, not other values', async () => {
  await writeNpz(at('crc.npz'), MATRIX);
  const bytes = new Uint8Array(readFileSync(at('crc.npz')));
  const member = zipMembers(bytes)[0];
  bytes[member.dataStart + member.size - 3] ^= 0x40; // inside the last value of member "a"
  writeFileSync(at('crc.npz'), bytes);
  await rejects(
    () => readTable(at('crc.npz'), { columns: ['a'] }),
    'crc.npz',
    /member 'a\.npy' whose CRC-32 is 0x[0-9a-f]+, not 0x[0-9a-f]+ as recorded/,
  );
});

test('parquet: a row group declaring more rows than it holds is an error, not zeros', async () => {
  await writeParquet(at('short.parquet'), MATRIX);
  const good = new Uint8Array(readFileSync(at('short.parquet')));
  const footerStart = good.length - 8 - new DataView(good.buffer).getInt32(good.length - 8, true);
  let shortGroup = 0;
  // each place the footer stores 200 (zigzag varint 0x90 0x03) raised to 201 (0x92 0x03)
  for (let k = footerStart; k + 1 < good.length - 8; k++) {
    if (good[k] !== 0x90 || good[k + 1] !== 0x03) continue;
    const bytes = good.slice();
    bytes[k] = 0x92;
    const { outcome, message, reply } = await readInChild('short.parquet', bytes, ['a', 'b']);
    if (/row group 0 must hold the 201 rows the footer declares; got 200/.test(message)) shortGroup++;
    // a count the decoder does not use (a statistic, say) may be raised harmlessly: then the read is the original
    const same =
      reply?.ok === true &&
      reply.nRows === 200 &&
      reply.columns.a.base64 === base64(MATRIX.a) &&
      reply.columns.b.base64 === base64(MATRIX.b);
    assert.ok(
      outcome === 'clean' || same,
      `a declared count raised at byte ${k} must be an error or ignored; got ${message}`,
    );
  }
  assert.ok(shortGroup > 0, 'the row group count must be among the fields raised');
});

test('parquet: a trap in the decoder is a clean error, not a crash', async () => {
  const input = (await makeInput('parquet', dir)) as FuzzInput;
  // a page header's bytes overwritten: parquet-wasm panics (RuntimeError: unreachable) while decoding
  const bytes = input.bytes.slice();
  new DataView(bytes.buffer).setInt32(7, 0, true);
  const { outcome, message, stderr } = await readInChild('trap.parquet', bytes, input.columns);
  assert.is(outcome, 'clean', message);
  assert.match(message, /trap\.parquet: row group 0 must decode; got "unreachable"/);
  assert.is(stderr, '');
});

test('arrow: a huge buffer length is refused before anything is allocated', async () => {
  const good = new Uint8Array(tableToIPC(tableFromArrays(MATRIX), 'file'));
  const input = { format: 'arrow', bytes: good, dataRanges: [], bigEndian: false } as unknown as FuzzInput;
  const hits = findFields(input, 200).filter((h) => h.encoding === 'le' && h.width === 8 && h.value === 1600n);
  assert.ok(hits.length > 0, 'the buffer lengths (1600 bytes) must be found');
  for (const hit of hits) {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigInt64(hit.at, 1n << 40n, true);
    writeFileSync(at('huge.arrow'), bytes);
    const before = process.memoryUsage().arrayBuffers;
    await rejects(
      () => readTable(at('huge.arrow'), { columns: ['a'] }),
      'huge.arrow',
      /file must be a complete Arrow IPC file; got a truncated or garbled one \(buffer \d at (1099511627776 of \d+|\d+ of 1099511627776) bytes in a body of 3200\)$/,
    );
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, 'nothing large may be allocated');
  }
});

test('hdf5: columns asked of a file whose datasets sit in groups name the groups', async () => {
  await writeHdf5(at('grouped.h5'), MATRIX, '/events/sim');
  await rejects(
    () => readTable(at('grouped.h5'), { columns: ['a'] }),
    'grouped.h5',
    /group \/ must hold 1-D numeric datasets to read as columns; got none; the file holds \/events \(group\), \/events\/sim \(group\), \/events\/sim\/a \(dataset, shape \[200\]\), \/events\/sim\/b \(dataset, shape \[200\]\) \(name a group or dataset as .*grouped\.h5:\/PATH\)$/,
  );
  await rejects(
    () => readTable(`${at('grouped.h5')}:/nope/x`, { columns: ['a'] }),
    'grouped.h5',
    /object "\/nope\/x" not found; the file holds \/events \(group\), \/events\/sim \(group\), /,
  );
});

test('hdf5: a corrupt file prints nothing on stderr (no HDF5-DIAG dump)', async () => {
  const input = (await makeInput('hdf5', dir)) as FuzzInput;
  const bytes = input.bytes.slice();
  bytes.fill(0xff, 700, 900); // object headers of the group and its datasets
  const { outcome, message, stderr } = await readInChild('diag.h5', bytes, input.columns, input.object);
  assert.is(stderr, '');
  assert.is(outcome, 'clean', message);
});

test('hdf5: a corrupt dataset size is a clean error with nothing on stderr', async () => {
  const input = (await makeInput('hdf5', dir)) as FuzzInput;
  const bytes = input.bytes.slice();
  // a dataset's storage size doubled (after earlier reads in the same process, HDF5 has been
  // seen to abort() here, printing "Aborted(…)"; the next test pins that such printing is muted)
  new DataView(bytes.buffer).setUint16(838, 1600, true);
  const { outcome, message, stderr } = await readInChild('abort.h5', bytes, input.columns, input.object);
  assert.is(stderr, '');
  assert.is(outcome, 'clean', message);
});

/** Bytes from a seeded linear congruential generator (the same bytes on every run). */
function seededBytes(seed: number, n: number): Uint8Array {
  let state = seed >>> 0;
  return Uint8Array.from({ length: n }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24);
}

test('variable-length columns: random bytes in every format end in a clean one-line error', async () => {
  const magic: Record<string, number[]> = {
    '.arrow': [...Buffer.from('ARROW1\0\0')],
    '.arrows': [0xff, 0xff, 0xff, 0xff],
    '.parquet': [...Buffer.from('PAR1')],
    '.h5': [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a],
    '.npz': [0x50, 0x4b, 0x03, 0x04],
    '.npy': [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0],
    '.csv': [...Buffer.from('x,n\n')],
    '.root': [...Buffer.from('root')],
  };
  const child = new ReaderChild(LIMITS);
  try {
    for (const [ext, head] of Object.entries(magic)) {
      for (const seed of [1, 2]) {
        // random bytes, and random bytes behind the format's magic (a trailer too, where the format has one)
        const body = seededBytes(seed * 97 + ext.length, 1500);
        const tail = ext === '.arrow' ? [...Buffer.from('ARROW1')] : ext === '.parquet' ? [...Buffer.from('PAR1')] : [];
        const bytes = seed === 1 ? body : new Uint8Array([...head, ...body, ...tail]);
        const file = at(`random-${seed}${ext}`);
        writeFileSync(file, bytes);
        const result = await child.read(file, [], [{ name: 'x', count: 'n' }]);
        const outcome = classify(
          result,
          { bytes, kind: 'test', description: file, dataOnly: false },
          { nRows: -1, columnNames: [], columns: {} },
          { format: 'csv' } as FuzzInput,
          file,
        );
        const reply = result.reply;
        const message =
          reply !== undefined && !reply.ok ? reply.message : JSON.stringify(result.killed ?? result.exit ?? 'read');
        assert.is(outcome, 'clean', `${file}: ${message}`);
      }
    }
  } finally {
    child.stop();
  }
});

test('arrow: list offsets that fall or point past the values are an error, not other lists', async () => {
  const rows = [[1, 2], [], [3], [4, 5, 6]];
  const table = new Table({ x: vectorFromArray(rows, new List(new Field('item', new Float32(), true))) });
  const good = new Uint8Array(tableToIPC(table, 'file'));
  const offsets = new Uint8Array(Int32Array.from([0, 2, 2, 3, 6]).buffer);
  const where = Buffer.from(good).indexOf(Buffer.from(offsets));
  assert.ok(where > 0, 'the offsets buffer must be found');
  const edits: [number, number, RegExp][] = [
    [2, 1, /list offsets rising within its 6 values; got 2\.\.1 in row 1 \(corrupt file\)$/],
    [4, 7, /list offsets rising within its 6 values; got 3\.\.7 in row 3 \(corrupt file\)$/],
    [1, -5, /list offsets rising within its 6 values; got 0\.\.-5 in row 0 \(corrupt file\)$/],
  ];
  for (const [k, value, pattern] of edits) {
    const bytes = good.slice();
    new DataView(bytes.buffer).setInt32(where + 4 * k, value, true);
    const { outcome, message, stderr } = await readInChild('offsets.arrow', bytes, [], '', [{ name: 'x' }]);
    assert.is(stderr, '');
    assert.is(outcome, 'clean', message);
    assert.match(message, /offsets\.arrow: variable-length column "x" must have /);
    assert.match(message, pattern);
  }
});

test('muted stderr: what a library prints is captured, progress callbacks still print', () => {
  const seen: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk: string) => {
    seen.push(chunk);
    return true;
  };
  try {
    const { lines } = muteStderrSync(() => {
      process.stderr.write('Aborted(native code called abort())\n');
      unmuted(() => process.stderr.write('progress 50%\n'));
    });
    assert.equal(lines, ['Aborted(native code called abort())']);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(seen, ['progress 50%\n']);
});

test('root: a corrupt basket is a clean error and jsroot prints nothing on stderr', async () => {
  if (!existsSync(ROOT_FIXTURE)) {
    console.log(`  skipped: ROOT fixture ${ROOT_FIXTURE} absent (shared fixtures not installed)`);
    return;
  }
  const input = (await makeInput('root', dir)) as FuzzInput;
  const bytes = input.bytes.slice();
  bytes[138394] ^= 0x20; // inside a compressed basket: jsroot logs "R__unzip: …" on its own
  const { outcome, message, stderr } = await readInChild('basket.root', bytes, input.columns, ':events');
  assert.is(stderr, '');
  assert.is(outcome, 'clean', message);
  assert.match(message, /basket\.root:events: (branch data must be intact|file must decode)/);
});

test.run();
