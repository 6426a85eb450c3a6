// The copies `omnifold export` writes for Python users, read back bit for bit: --parquet and
// --hdf5 with the weights file's metadata and each column's family, unit and description;
// --hdf5-layout atlas-zjets in pandas' fixed layout (read back by the engine's own HDF5
// reader, and by pandas.read_hdf where /usr/bin/python3 has pandas and PyTables); and
// --package (events.parquet + metadata.yaml, checksum and event count checked).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readHdf5 } from '../src/io/hdf5_io.js';
import { writePandasHdf5 } from '../src/io/hdf5_write.js';
import { readParquet, readParquetMetadata } from '../src/io/parquet_io.js';
import type { NumericColumn } from '../src/io/table.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { familiesFileBytes } from './helpers/families_fixture.js';
import { testDir } from './helpers/temp_dir.js';

const BIN = join(process.cwd(), 'bin', 'omnifold.js');
const root = testDir('omnifold-python-exports-');
writeFileSync(join(root, 'weights.arrow'), familiesFileBytes());

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The bytes of a column, for bit-for-bit comparisons. */
function bytesOf(values: NumericColumn): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The ATLAS Z+jets release's name of each column of the families fixture. */
const ATLAS_NAMES: Record<string, string> = {
  x: 'x',
  pass_gen: 'pass_gen',
  pass_reco: 'pass_reco',
  weight: 'weights_nominal',
  member_0: 'weights_ensemble_0',
  member_1: 'weights_ensemble_1',
  member_2: 'weights_ensemble_2',
  member_3: 'weights_ensemble_3',
  data_boot_0: 'weights_bootstrap_data_0',
  data_boot_1: 'weights_bootstrap_data_1',
  data_boot_2: 'weights_bootstrap_data_2',
  sim_boot_0: 'weights_bootstrap_mc_0',
  sim_boot_1: 'weights_bootstrap_mc_1',
  background_boot_0: 'weights_bootstrap_background_0',
  background_boot_1: 'weights_bootstrap_background_1',
  syst_a: 'weights_a',
  syst_b: 'weights_b',
};

const source = await readWeightsFile(join(root, 'weights.arrow'));

/** Whether /usr/bin/python3 imports every module in `modules`. */
function pythonHas(modules: string[]): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  return r.status === 0;
}

test('every export at once', () => {
  const r = run([
    'export',
    '.',
    '--parquet',
    'copy.parquet',
    '--hdf5',
    'weights.h5',
    '--package',
    'pkg',
    '--obs',
    'x',
    '--bins',
    '0:2:2',
  ]);
  assert.is(r.code, 0, r.stderr);
  const atlas = run(['export', '.', '--hdf5', 'atlas.h5', '--hdf5-layout', 'atlas-zjets']);
  assert.is(atlas.code, 0, atlas.stderr);
  assert.match(atlas.stdout, /pandas\.read_hdf\(path\) opens it, key df/);
});

test('--parquet: every column bit for bit, the metadata document and each column family, unit, description', async () => {
  const copy = await readParquet(join(root, 'copy.parquet'), { columns: source.columnNames });
  for (const name of source.columnNames) {
    assert.is(copy.column(name).constructor, source.columns.get(name)!.constructor, name);
    assert.ok(bytesOf(copy.column(name)).equals(bytesOf(source.columns.get(name)!)), name);
  }
  const { metadata, columnMetadata } = await readParquetMetadata(join(root, 'copy.parquet'));
  assert.is(metadata.get('omnifold'), JSON.stringify(source.metadata));
  assert.equal(JSON.parse(metadata.get('omnifold')!), source.metadata);
  assert.is(columnMetadata.get('data_boot_1')!.get('family'), 'data_bootstrap');
  assert.match(columnMetadata.get('data_boot_1')!.get('description')!, /stat replica 1/);
  assert.is(columnMetadata.get('syst_b')!.get('family'), 'systematic');
  assert.is(columnMetadata.get('x')!.get('family'), 'gen_feature');
  assert.match(columnMetadata.get('pass_gen')!.get('description')!, /gen-level selection/);
});

test('--hdf5: every column bit for bit; the metadata, column order and each column attributes', async () => {
  const copy = await readHdf5(join(root, 'weights.h5'), { columns: source.columnNames });
  for (const name of source.columnNames)
    assert.ok(bytesOf(copy.column(name)).equals(bytesOf(source.columns.get(name)!)), name);
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = new h5.File(join(root, 'weights.h5'), 'r');
  try {
    assert.is(file.attrs.omnifold.value, JSON.stringify(source.metadata));
    assert.equal(file.attrs.column_order.value, source.columnNames);
    const member = file.get('member_2') as import('h5wasm').Dataset;
    assert.is(member.attrs.family.value, 'ensemble');
    assert.is(member.attrs.unit.value, '');
    assert.match(member.attrs.description.value as string, /ensemble member 2/);
  } finally {
    file.close();
  }
});

test('--hdf5-layout atlas-zjets: pandas fixed layout, read back by the engine block by block', async () => {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = new h5.File(join(root, 'atlas.h5'), 'r');
  const blocks: { items: string[] }[] = [];
  try {
    const frame = file.get('df') as import('h5wasm').Group;
    assert.is(frame.attrs.pandas_type.value, 'frame');
    assert.is(Number(frame.attrs.nblocks.value), 3, 'float32, uint8 and float64 blocks');
    assert.equal((frame.get('axis0') as import('h5wasm').Dataset).value, Object.values(ATLAS_NAMES));
    for (let b = 0; b < 3; b++)
      blocks.push({ items: (frame.get(`block${b}_items`) as import('h5wasm').Dataset).value as string[] });
    assert.equal(JSON.parse(frame.attrs.column_descriptions.value as string).weights_a.source_column, 'syst_a');
  } finally {
    file.close();
  }
  for (const [b, { items }] of blocks.entries()) {
    const table = await readHdf5(join(root, `atlas.h5:/df/block${b}_values`), {
      columns: items.map((_, j) => `col${j}`),
    });
    items.forEach((item, j) => {
      const original = Object.keys(ATLAS_NAMES).find((k) => ATLAS_NAMES[k] === item)!;
      assert.ok(bytesOf(table.column(`col${j}`)).equals(bytesOf(source.columns.get(original)!)), item);
    });
  }
});

test('--hdf5-layout atlas-zjets: pandas.read_hdf gives every column bit for bit, in order, with its type', () => {
  if (!pythonHas(['pandas', 'tables'])) {
    console.log(
      '  skipped: /usr/bin/python3 with pandas and PyTables is absent (Debian: python3-pandas python3-tables)',
    );
    return;
  }
  const script = [
    'import hashlib, json, sys, pandas as pd',
    'df = pd.read_hdf(sys.argv[1])',
    'print(json.dumps({c: [str(df[c].dtype), hashlib.sha256(df[c].values.tobytes()).hexdigest()] for c in df.columns}))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, join(root, 'atlas.h5')], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as Record<string, [string, string]>;
  assert.equal(Object.keys(seen), Object.values(ATLAS_NAMES));
  const dtypes: Record<string, string> = { Float32Array: 'float32', Float64Array: 'float64', Uint8Array: 'uint8' };
  for (const [original, name] of Object.entries(ATLAS_NAMES)) {
    const values = source.columns.get(original)!;
    assert.equal(seen[name], [dtypes[values.constructor.name], sha256(bytesOf(values))], name);
  }
});

test('writePandasHdf5 in many slices (as for files larger than the wasm heap): every value in place', async () => {
  const n = 1001;
  const columns = {
    a: Float64Array.from({ length: n }, (_, i) => i * 0.25 - 7),
    b: Float32Array.from({ length: n }, (_, i) => -i),
    m: Uint8Array.from({ length: n }, (_, i) => i % 2),
    c: Float64Array.from({ length: n }, (_, i) => 1 / (i + 1)),
  };
  const path = join(root, 'sliced.h5');
  await writePandasHdf5(path, columns, { sliceBytes: 40 }); // 2-5 rows per slice
  const f64 = await readHdf5(`${path}:/df/block0_values`, { columns: ['col0', 'col1'] });
  assert.ok(bytesOf(f64.column('col0')).equals(bytesOf(columns.a)));
  assert.ok(bytesOf(f64.column('col1')).equals(bytesOf(columns.c)));
  const f32 = await readHdf5(`${path}:/df/block1_values`, { columns: ['col0'] });
  assert.ok(bytesOf(f32.column('col0')).equals(bytesOf(columns.b)));
  const index = await readHdf5(`${path}:/df/axis1`, { columns: ['axis1'] });
  assert.equal(
    Array.from(index.column('axis1') as BigInt64Array, Number),
    Array.from({ length: n }, (_, i) => i),
  );
  if (!pythonHas(['pandas', 'tables'])) {
    console.log('  skipped the pandas half: /usr/bin/python3 with pandas and PyTables is absent');
    return;
  }
  const script =
    'import sys, pandas as pd; df = pd.read_hdf(sys.argv[1]); print(list(df.columns), float(df.a.sum()), float(df.b.sum()), int(df.m.sum()), list(df.index[-2:]))';
  const r = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const sum = (v: ArrayLike<number>) => Array.from(v).reduce((x, y) => x + y, 0);
  assert.is(
    r.stdout.trim(),
    `['a', 'b', 'm', 'c'] ${sum(columns.a).toFixed(1)} ${sum(columns.b).toFixed(1)} 500 [999, 1000]`,
  );
});

test('the README snippet for HDF5 runs as written (h5py and pandas)', () => {
  if (!pythonHas(['pandas', 'tables', 'h5py'])) {
    console.log('  skipped: /usr/bin/python3 with pandas, PyTables and h5py is absent');
    return;
  }
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const block = /```python\n(# omnifold export OUT --hdf5[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has the HDF5 Python snippet');
  const r = spawnSync('/usr/bin/python3', ['-c', block[1]], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /data_bootstrap/);
});

test('--package: events.parquet under the ATLAS names, metadata.yaml with checksum, count, families', async () => {
  const events = readFileSync(join(root, 'pkg', 'events.parquet'));
  const document = parse(readFileSync(join(root, 'pkg', 'metadata.yaml'), 'utf8')) as Record<string, any>;
  assert.is(document.publication.checksum_sha256, sha256(events));
  assert.is(document.publication.event_count, source.nRows);
  assert.is(document.provenance.source_weights_sha256, sha256(readFileSync(join(root, 'weights.arrow'))));
  assert.is(document.weights.nominal, 'weights_nominal');
  assert.equal(
    document.weights.families.map((f: { name: string }) => f.name),
    ['ensemble', 'data_bootstrap', 'sim_bootstrap', 'background_bootstrap', 'systematic'],
  );
  const ensemble = document.weights.families[0];
  assert.equal(ensemble.columns, [
    'weights_ensemble_0',
    'weights_ensemble_1',
    'weights_ensemble_2',
    'weights_ensemble_3',
  ]);
  assert.is(ensemble.standard_error_factor, 1.253);
  assert.equal(document.weights.families[4].columns, ['weights_a', 'weights_b']);
  assert.equal(document.observables[0].binning, [0, 1, 2]);
  const names = Object.values(ATLAS_NAMES);
  const copy = await readParquet(join(root, 'pkg', 'events.parquet'), { columns: names });
  for (const [original, name] of Object.entries(ATLAS_NAMES))
    assert.ok(bytesOf(copy.column(name)).equals(bytesOf(source.columns.get(original)!)), name);
  const { metadata } = await readParquetMetadata(join(root, 'pkg', 'events.parquet'));
  assert.is(metadata.get('omnifold'), JSON.stringify(source.metadata));
});

test('metadata.yaml reads the same with a YAML 1.1 reader (PyYAML)', () => {
  if (!pythonHas(['yaml'])) {
    console.log('  skipped: /usr/bin/python3 with PyYAML is absent (Debian: python3-yaml)');
    return;
  }
  const script = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
  const r = spawnSync('/usr/bin/python3', ['-c', script, join(root, 'pkg', 'metadata.yaml')], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), parse(readFileSync(join(root, 'pkg', 'metadata.yaml'), 'utf8')));
});

test('bad layout options are one-line errors before anything is written', () => {
  const bad = run(['export', '.', '--hdf5', 'never.h5', '--hdf5-layout', 'root']);
  assert.is(bad.code, 2);
  assert.is(bad.stderr.trim(), 'omnifold: --hdf5-layout must be one of columns, atlas-zjets; got "root"');
  const alone = run(['export', '.', '--parquet', 'never.parquet', '--hdf5-layout', 'atlas-zjets']);
  assert.is(alone.code, 2);
  assert.match(
    alone.stderr.trim(),
    /^omnifold: --hdf5-layout must come with --hdf5 FILE; got --hdf5-layout atlas-zjets alone$/,
  );
  const unknown = run(['export', '.', '--package', 'never', '--obs', 'nope', '--bins', '0:1:2']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /nope/);
  for (const path of ['never.h5', 'never.parquet', 'never'])
    assert.not.ok(spawnSync('test', ['-e', join(root, path)]).status === 0, `${path} not written`);
});

test.run();
