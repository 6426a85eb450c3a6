import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTable, makeVector, tableFromArrays, tableToIPC, Table, vectorFromArray, Bool } from 'apache-arrow';
import { detectArrowFormat, readArrow } from '../src/io/arrow_io.js';
import { readTable } from '../src/io/load.js';
import { InputError } from '../src/base/errors.js';
import { assertBitEqual } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-arrow-');
const pt = Float32Array.from({ length: 1001 }, (_, i) => 10 + i * 0.25);
const eta = Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i));
const n = Int32Array.from({ length: 1001 }, (_, i) => i - 500);
const passBits = Array.from({ length: 1001 }, (_, i) => i % 3 !== 0);

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function sample(): Table {
  return new Table({
    gen_pt: makeVector(pt),
    reco_eta: makeVector(eta),
    n: makeVector(n),
    pass: vectorFromArray(passBits, new Bool()),
  });
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, InputError);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

for (const format of ['file', 'stream'] as const) {
  test(`${format} format round trip: floats, ints and booleans keep their bits`, async () => {
    const path = write(`round.${format === 'file' ? 'arrow' : 'arrows'}`, tableToIPC(sample(), format));
    const t = await readArrow(path, { columns: ['gen_pt', 'reco_eta', 'n', 'pass'] });
    assert.is(t.nRows, 1001);
    assert.equal([...t.columnNames], ['gen_pt', 'reco_eta', 'n', 'pass']);
    assertBitEqual('gen_pt', t.column('gen_pt'), pt);
    assertBitEqual('reco_eta', t.column('reco_eta'), eta);
    assertBitEqual('n', t.column('n'), n);
    const pass = t.column('pass');
    assert.instance(pass, Uint8Array);
    assert.equal(
      Array.from(pass as Uint8Array),
      passBits.map((b) => (b ? 1 : 0)),
    );
  });
}

test('magic bytes tell file from stream', () => {
  assert.is(detectArrowFormat(tableToIPC(sample(), 'file')), 'file');
  assert.is(detectArrowFormat(tableToIPC(sample(), 'stream')), 'stream');
  assert.is(detectArrowFormat(new TextEncoder().encode('gen_pt,reco_pt\n')), undefined);
});

test('a single-chunk Float32 column is a zero-copy view of the file bytes', async () => {
  const path = write('zero.arrow', tableToIPC(tableFromArrays({ x: pt, y: pt }), 'file'));
  const t = await readArrow(path, { columns: ['x', 'y'] });
  const x = t.column('x') as Float32Array;
  const y = t.column('y') as Float32Array;
  assert.instance(x, Float32Array);
  assert.is(x.buffer, y.buffer, 'both columns view the one buffer of the file');
  assert.ok(x.buffer.byteLength > x.byteLength, 'the view is into a larger buffer (no per-column copy)');
});

test('a multi-chunk column is concatenated (a copy) with the same values', async () => {
  const a = tableFromArrays({ x: pt.subarray(0, 500) });
  const b = tableFromArrays({ x: pt.subarray(500) });
  const path = write('chunks.arrow', tableToIPC(a.concat(b), 'file'));
  const t = await readArrow(path, { columns: ['x'] });
  assertBitEqual('x', t.column('x'), pt);
});

test('readTable dispatches .arrow, .feather and .arrows to readArrow', async () => {
  for (const ext of ['arrow', 'feather']) {
    const t = await readTable(write(`d.${ext}`, tableToIPC(tableFromArrays({ x: pt }), 'file')), { columns: ['x'] });
    assert.is(t.nRows, 1001);
  }
  const s = await readTable(write('d.arrows', tableToIPC(tableFromArrays({ x: pt }), 'stream')), { columns: ['x'] });
  assert.is(s.nRows, 1001);
});

test('errors: missing file, empty file, missing column, garbled and truncated files', async () => {
  await rejects(readArrow(join(dir, 'nope.arrow'), { columns: [] }), /nope\.arrow: file must exist; got no such file$/);
  await rejects(
    readArrow(write('empty.arrow', new Uint8Array(0)), { columns: [] }),
    /empty\.arrow: file must not be empty; got 0 bytes$/,
  );
  const sim = write(
    'sim.arrow',
    tableToIPC(tableFromArrays({ gen_pt: pt, gen_eta: pt, reco_eta: pt, weight: eta }), 'file'),
  );
  await rejects(
    readArrow(sim, { columns: ['gen_pt', 'reco_pt'] }),
    /sim\.arrow: column "reco_pt" not found; columns are gen_pt, gen_eta, reco_eta, weight$/,
  );
  await rejects(
    readArrow(write('garbled.arrow', new TextEncoder().encode('not an arrow file at all')), { columns: [] }),
    /garbled\.arrow: file must be Arrow IPC \(file or stream format\); got bytes that are neither/,
  );
  const full = tableToIPC(tableFromArrays({ x: pt }), 'file');
  await rejects(
    readArrow(write('cut.arrow', full.slice(0, full.length - 40)), { columns: ['x'] }),
    /cut\.arrow: file must be a complete Arrow IPC file; got .*truncated/,
  );
  const stream = tableToIPC(tableFromArrays({ x: pt }), 'stream');
  await rejects(
    readArrow(write('cut.arrows', stream.slice(0, 300)), { columns: ['x'] }),
    /cut\.arrows: file must be a complete Arrow IPC stream; got a truncated or garbled one/,
  );
});

test('errors: a string column is not numeric', async () => {
  const path = write(
    'str.arrow',
    tableToIPC(makeTable({ x: Float32Array.from([1, 2]) }).assign(tableFromArrays({ s: ['a', 'b'] })), 'file'),
  );
  await rejects(
    readArrow(path, { columns: ['s'] }),
    /str\.arrow: column "s" must be numeric or boolean; got (Utf8|Dictionary.*)$/,
  );
});

test.run();
