import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../src/io/csv_io.js';
import { dataSampleFromTable, readMask, simSampleFromTable } from '../src/io/samples.js';
import { InputError } from '../src/base/errors.js';
import { assertBitEqual } from './helpers/close.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-csv-');
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function rejects(run: () => unknown, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, InputError);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

test('round trip: numbers print and parse back to the same f64 bits', async () => {
  const x = Float64Array.from({ length: 257 }, (_, i) => Math.sin(i) * 10 ** ((i % 13) - 6));
  const y = Float64Array.from({ length: 257 }, (_, i) => -(i + 1) / 7);
  const path = write('rt.csv', `x,y\n${Array.from(x, (v, i) => `${v},${y[i]}`).join('\n')}\n`);
  const t = await readCsv(path, { columns: ['x', 'y'] });
  assert.is(t.nRows, 257);
  assertBitEqual('x', t.column('x'), x);
  assertBitEqual('y', t.column('y'), y);
});

test('syntax: CRLF, quotes, blank trailing lines, true/false, nan/inf, empty = NaN', async () => {
  const path = write('syn.csv', 'a,"b",pass\r\n1.5,"2",true\r\n-3e2, 4 ,FALSE\r\nnan,-inf,1\r\n,inf,0\r\n\r\n');
  const t = await readCsv(path, { columns: ['a', 'b', 'pass'] });
  assert.is(t.nRows, 4);
  assert.equal(Array.from(t.column('a') as Float64Array), [1.5, -300, NaN, NaN]);
  assert.equal(Array.from(t.column('b') as Float64Array), [2, 4, -Infinity, Infinity]);
  assert.equal(Array.from(readMask(t, 'pass')), [1, 0, 1, 0]);
});

test('a column not requested up front is parsed on demand', async () => {
  const t = await readCsv(write('lazy.csv', 'a,b\n1,2\n3,4\n'), { columns: ['a'] });
  assert.equal(Array.from(t.column('b') as Float64Array), [2, 4]);
});

test('errors name file, line, column and token', async () => {
  await rejects(() => readCsv(join(dir, 'nope.csv'), { columns: [] }), /nope\.csv: file must exist; got no such file$/);
  await rejects(
    () => readCsv(write('empty.csv', ''), { columns: [] }),
    /empty\.csv: file must not be empty; got 0 bytes$/,
  );
  await rejects(
    () => readCsv(write('blank.csv', '\n\n'), { columns: [] }),
    /blank\.csv: file must start with a header row; got only blank lines$/,
  );
  const sim = write('sim.csv', 'gen_pt,gen_eta,reco_eta,weight\n1,2,3,4\n');
  await rejects(
    () => readCsv(sim, { columns: ['reco_pt'] }),
    /sim\.csv: column "reco_pt" not found; columns are gen_pt, gen_eta, reco_eta, weight$/,
  );
  await rejects(
    () => readCsv(write('bad.csv', 'a,b\n1,2\n3,0x1F\n'), { columns: ['a', 'b'] }),
    /bad\.csv: line 3, column "b" must be a number or true\/false; got "0x1F"$/,
  );
  await rejects(
    () => readCsv(write('short.csv', 'a,b\n1,2\n3\n'), { columns: ['a'] }),
    /short\.csv: line 3 must have 2 fields like the header; got 1$/,
  );
  await rejects(
    () => readCsv(write('dup.csv', 'a,a\n1,2\n'), { columns: [] }),
    /dup\.csv: header column names must be unique; got "a" twice$/,
  );
  await rejects(
    () => readCsv(write('bin.csv', 'a\n\u0000\u0001\n'), { columns: [] }),
    /bin\.csv: file must be text; got NUL bytes/,
  );
  writeFileSync(join(dir, 'latin.csv'), Uint8Array.from([0x61, 0x0a, 0xff, 0xfe, 0x0a]));
  await rejects(
    () => readCsv(join(dir, 'latin.csv'), { columns: [] }),
    /latin\.csv: file must be UTF-8 text; got bytes that are not/,
  );
});

test('samples: f32 row-major features in SharedArrayBuffers, f64 weights, masks', async () => {
  const t = await readCsv(write('s.csv', 'g1,g2,r1,w,pg,pr\n1,2,3,0.5,1,true\n4,5,6,-1,0,false\n'), { columns: [] });
  const sim = simSampleFromTable(t, { gen: ['g1', 'g2'], reco: ['r1'], weight: 'w', passGen: 'pg', passReco: 'pr' });
  assert.ok(sim.gen.values.buffer instanceof SharedArrayBuffer);
  assert.equal(Array.from(sim.gen.values), [1, 2, 4, 5]);
  assert.equal(Array.from(sim.reco.values), [3, 6]);
  assert.equal(Array.from(sim.weights), [0.5, -1]);
  assert.equal(
    [Array.from(sim.passGen), Array.from(sim.passReco)],
    [
      [1, 0],
      [1, 0],
    ],
  );
  assert.equal(sim.genNames, ['g1', 'g2']);
  const data = dataSampleFromTable(t, { reco: ['r1'] });
  assert.equal(Array.from(data.weights), [1, 1]);
});

test('samples: NaN only allowed where the event fails the selection; masks 0/1 only', async () => {
  const t = await readCsv(write('nan.csv', 'g,r,w,pg,pr,bad\n1,nan,1,1,0,2\n,2,1,1,1,0\n3,4,nan,1,1,1\n'), {
    columns: [],
  });
  await rejects(
    () => simSampleFromTable(t, { gen: ['g'], reco: ['r'], passGen: 'pg', passReco: 'pr' }),
    /nan\.csv: column "g" must be finite on selected events; got NaN at row 1$/,
  );
  await rejects(
    () => simSampleFromTable(t, { gen: ['r'], reco: ['g'], passGen: 'pr' }),
    /nan\.csv: column "g" must be finite on selected events; got NaN at row 1$/,
  );
  await rejects(
    () => dataSampleFromTable(t, { reco: ['r'] }),
    /nan\.csv: column "r" must be finite on selected events; got NaN at row 0$/,
  );
  await rejects(
    () => dataSampleFromTable(t, { reco: ['pg'], weight: 'w' }),
    /nan\.csv: column "w" must hold finite weights; got NaN at row 2$/,
  );
  await rejects(() => readMask(t, 'bad'), /nan\.csv: column "bad" must hold 0\/1 or true\/false; got 2 at row 0$/);
  const ok = simSampleFromTable(t, { gen: ['pg'], reco: ['r'], passReco: 'pr' });
  assert.is(ok.reco.values[0], 0, 'NaN on a failing event is stored as 0');
});

test.run();
