/**
 * `omnifold export --hepdata` over a matrix of cases, every submission checked against
 * HEPData's schemas and rules (test/helpers/hepdata_schema.ts) and read back by PyYAML
 * (its safe loader on libyaml, as HEPData's validator reads):
 * three weights files (replicas and a systematic; no replica columns; every family with
 * ensemble and background bootstraps) × three normalisations (events, xsec, shape) × two
 * ways of naming the observables (from metadata.observables; --label/--unit with words
 * YAML 1.1 misreads). Each export holds empty bins, the same observable with two binnings,
 * an expression longer than the 64 characters of a table name (and the 128 of a keyword),
 * tiny and huge numbers. Known truth: a shape integrates to 1 over its bins; a cross
 * section is the events table divided by L·width, its errors too.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { runExport } from '../src/cli/export.js';
import { hepdataHistogram } from '../src/publish/hepdata.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { assertClose } from './helpers/close.js';
import { writeFamiliesFixture } from './helpers/families_fixture.js';
import { HEPDATA_SCHEMAS, hepdataSchemasPresent, hepdataSubmissionProblems } from './helpers/hepdata_schema.js';
import { pyyamlDifferences, pyyamlMissing, pyyamlRead } from './helpers/pyyaml.js';
import { fixtureContent, weightsArrowBytes, writeFixture } from './helpers/weights_fixture.js';
import { testDir } from './helpers/temp_dir.js';

const LUMI = 2.5;
const NORMALISATIONS = ['events', `xsec:${LUMI}:fb`, 'shape'] as const;

interface Observable {
  obs: string;
  bins: string;
  /** Expected independent header without --label/--unit. */
  header: { name: string; units?: string };
  /** --label and --unit of the labelled variant, and the header they give. */
  label: string;
  unit: string;
  labelled: { name: string; units?: string };
}

/** The observables of an export on a file whose column is `col` (label and unit as its metadata says). */
function observables(col: string, info: { label?: string; unit?: string }, bins: string[]): Observable[] {
  const known = { name: info.label ?? col, ...(info.unit ? { units: info.unit } : {}) };
  const long = `${col} + ${Array.from({ length: 14 }, (_, k) => `0*${col}*${k}`).join(' + ')}`;
  return [
    // the metadata's label stays with an empty --label
    { obs: col, bins: bins[0], header: known, label: '', unit: 'GeV', labelled: { ...known, units: 'GeV' } },
    // the same observable with other bins, some empty
    { obs: col, bins: bins[1], header: known, label: 'on', unit: 'No', labelled: { name: 'on', units: 'No' } },
    { obs: long, bins: bins[0], header: { name: long }, label: 'a: b #c', unit: '', labelled: { name: 'a: b #c' } },
    // tiny and huge edges, values and errors
    {
      obs: `${col}*1e-9`,
      bins: bins[2],
      header: { name: `${col}*1e-9` },
      label: '1e5',
      unit: '1:30',
      labelled: { name: '1e5', units: '1:30' },
    },
    {
      obs: `${col}*1e30`,
      bins: bins[3],
      header: { name: `${col}*1e30` },
      label: 'null',
      unit: 'yes',
      labelled: { name: 'null', units: 'yes' },
    },
  ];
}

const root = testDir('omnifold-hepdata-matrix-');
const replicas = writeFixture();
{
  // the fixture without its replica columns
  const { columns, metadata } = fixtureContent();
  const keep = (metadata.columns as { name: string; role: string }[]).filter(
    (c) => !['data_bootstrap', 'sim_bootstrap', 'systematic'].includes(c.role),
  );
  const kept = Object.fromEntries(keep.map((c) => [c.name, columns[c.name]]));
  writeFileSync(join(root, 'plain.arrow'), weightsArrowBytes(kept, { ...metadata, columns: keep }));
}
const families = writeFamiliesFixture();
const PT_BINS = ['20:80:6', '0:200:10', '2e-8:8e-8:3', '2e31:8e31:3'];
const FILES = [
  {
    name: 'replicas',
    path: replicas.dir,
    observables: observables('gen_pt', { label: 'Jet p_T', unit: 'GeV' }, PT_BINS),
  },
  {
    name: 'no replicas',
    path: join(root, 'plain.arrow'),
    observables: observables('gen_pt', { label: 'Jet p_T', unit: 'GeV' }, PT_BINS),
  },
  {
    name: 'all families',
    path: families,
    observables: observables('x', {}, ['0,1,2', '0:4:8', '0:2e-9:2', '0:2e30:2']),
  },
];

async function exportCase(
  file: (typeof FILES)[number],
  normalise: string,
  labelled: boolean,
  dir: string,
): Promise<{ code: number; err: string }> {
  const args = [file.path, '--hepdata', dir, '--normalise', normalise];
  for (const o of file.observables) args.push('--obs', o.obs, '--bins', o.bins);
  if (labelled) for (const o of file.observables) args.push(`--label=${o.label}`, `--unit=${o.unit}`);
  const out = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stdout.write = () => true;
  process.stderr.write = (s: string) => ((err += s), true);
  try {
    return { code: await runExport(args), err };
  } finally {
    process.stdout.write = out;
    process.stderr.write = errWrite;
  }
}

type Table = Record<string, any>;

/** The submission's table documents and their data files, parsed. */
function submission(dir: string): { doc: Table; table: Table }[] {
  const docs = parseAllDocuments(readFileSync(join(dir, 'submission.yaml'), 'utf8')).map((d) => d.toJS() as Table);
  return docs
    .slice(1)
    .map((doc) => ({ doc, table: parseAllDocuments(readFileSync(join(dir, doc.data_file), 'utf8'))[0].toJS() }));
}

const widthsOf = (t: Table) =>
  t.independent_variables[0].values.map((b: { low: number; high: number }) => b.high - b.low) as number[];
const valuesOf = (t: Table) => t.dependent_variables[0].values.map((v: { value: number }) => v.value) as number[];
const statOf = (t: Table) =>
  t.dependent_variables[0].values.map(
    (v: { errors?: { label: string; symerror: number }[] }) => v.errors?.find((e) => e.label === 'stat')?.symerror ?? 0,
  ) as number[];

function close(got: number, want: number, rtol: number, what: string) {
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want) + 1e-300, `${what}: got ${got}, wanted ${want}`);
}

/** The value header a normalisation gives an observable with `header` (label and unit). */
function valueHeader(normalise: string, header: { name: string; units?: string }) {
  if (normalise === 'events') return { name: 'Events' };
  if (normalise === 'shape')
    return { name: `1/sigma d(sigma)/d(${header.name})`, ...(header.units ? { units: `1/${header.units}` } : {}) };
  return { name: `d(sigma)/d(${header.name})`, units: header.units ? `fb/${header.units}` : 'fb' };
}

const squared = (unit: string) => (/^[A-Za-z]+$/.test(unit) ? `${unit}^2` : `(${unit})^2`);

test('every case of the matrix passes the HEPData schemas and rules, and PyYAML reads it as written', async () => {
  const schemas = hepdataSchemasPresent() ? 'present' : 'absent';
  if (schemas === 'absent') console.log(`  (HEPData schemas not found at ${HEPDATA_SCHEMAS}: schema check skipped)`);
  const pyyaml = pyyamlMissing('libyaml');
  if (pyyaml) console.log(`  (PyYAML check skipped: ${pyyaml})`);
  const verdicts: string[] = [];
  const allFiles: string[] = [];
  for (const file of FILES) {
    for (const labelled of [false, true]) {
      const events: Table[] = [];
      for (const normalise of NORMALISATIONS) {
        const what = `${file.name}, ${normalise}, ${labelled ? '--label/--unit' : 'metadata labels'}`;
        const dir = join(root, `${file.name}-${normalise}-${labelled}`.replace(/[^A-Za-z0-9-]/g, '_'));
        const { code, err } = await exportCase(file, normalise, labelled, dir);
        assert.is(code, 0, `${what}: ${err}`);
        const problems = hepdataSubmissionProblems(dir) ?? [];
        const tables = submission(dir);
        verdicts.push(`${what}: ${tables.length} tables, ${problems.length} problems`);
        assert.equal(problems, [], what);
        const names = tables.map((t) => t.doc.name as string);
        assert.is(new Set(names).size, names.length, `${what}: unique names`);
        for (const n of names) assert.ok([...n].length <= 64, `${what}: ${n}`);
        const main = tables.filter((t) => !/covariance/.test(t.doc.data_file));
        assert.is(main.length, file.observables.length, what);
        for (const [k, o] of file.observables.entries()) {
          const { table } = main[k];
          const header = labelled ? o.labelled : o.header;
          assert.equal(table.independent_variables[0].header, header, `${what}: ${o.obs} header`);
          const value = valueHeader(normalise, header);
          assert.equal(table.dependent_variables[0].header, value, `${what}: ${o.obs} value header`);
          const values = valuesOf(table);
          const widths = widthsOf(table);
          if (k === 1) assert.ok(values.includes(0), `${what}: empty bins`);
          if (normalise === 'shape') {
            const area = values.reduce((a, v, b) => a + v * widths[b], 0);
            close(area, 1, 1e-5, `${what}: ${o.obs} area`);
          }
          if (normalise === 'events') events[k] = table;
          if (normalise.startsWith('xsec')) {
            const [ev, evStat, stat] = [valuesOf(events[k]), statOf(events[k]), statOf(table)];
            for (let b = 0; b < values.length; b++) {
              close(values[b], ev[b] / (LUMI * widths[b]), 1e-5, `${what}: ${o.obs} bin ${b} value`);
              close(stat[b], evStat[b] / (LUMI * widths[b]), 1e-5, `${what}: ${o.obs} bin ${b} stat`);
            }
          }
        }
        // covariance tables: the value's unit squared
        for (const t of tables.filter((x) => /covariance/.test(x.doc.data_file))) {
          const k = main.findIndex((m) =>
            t.doc.data_file.startsWith(m.doc.data_file.replace(/\.yaml$/, '_covariance')),
          );
          const units = main[k].table.dependent_variables[0].header.units as string | undefined;
          assert.is(t.table.dependent_variables[0].header.units, units && squared(units), `${what}: covariance units`);
        }
        for (const f of readdirSync(dir)) allFiles.push(join(dir, f));
      }
    }
  }
  if (!pyyaml) {
    const read = pyyamlRead(allFiles, 'libyaml');
    for (const path of allFiles) {
      const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as unknown);
      const got = read.get(path)!;
      assert.is(got.length, docs.length, path);
      for (const [k, d] of docs.entries()) assert.equal(pyyamlDifferences(got[k], d), [], `${path} doc ${k}`);
    }
  }
  if (process.env.HEPDATA_MATRIX_VERDICTS)
    console.log(`\n${verdicts.join('\n')}\nschemas ${schemas}; PyYAML ${pyyaml ?? `read ${allFiles.length} files`}`);
});

test('HEPData option errors: one line naming the option, the rule and the value', async () => {
  const file = FILES[0];
  const run = async (extra: string[]) => {
    const errWrite = process.stderr.write.bind(process.stderr);
    let err = '';
    process.stderr.write = (s: string) => ((err += s), true);
    try {
      const code = await runExport([file.path, ...extra]);
      return { code, err };
    } finally {
      process.stderr.write = errWrite;
    }
  };
  const dir = join(root, 'errors');
  const two = ['--hepdata', dir, '--obs', 'gen_pt', '--bins', '20:80:6', '--obs', 'gen_eta', '--bins', '-2:2:4'];
  for (const [extra, message] of [
    [
      [...two, '--label', 'a', '--label', 'b', '--label', 'c'],
      /^omnifold: --label must be given once per --obs \(2\) or once for all; got 3\n$/,
    ],
    [
      [...two, '--unit', 'a', '--unit', 'b', '--unit', 'c'],
      /^omnifold: --unit must be given once per --obs \(2\) or once for all; got 3\n$/,
    ],
    [[...two, '--normalise', 'area'], /^omnifold: --normalise must be events, xsec:LUMI\[:UNIT\] .*; got "area"\n$/],
    [
      [...two, '--normalise', 'xsec:-3'],
      /^omnifold: --normalise xsec:LUMI must have LUMI .*; got "-3" in "xsec:-3"\n$/,
    ],
    [['--parquet', join(root, 'e.parquet'), '--normalise', 'shape'], /^omnifold: --normalise must come with --hepdata/],
    [['--parquet', join(root, 'e.parquet'), '--label', 'x'], /^omnifold: --label must come with --hepdata DIR/],
    [
      ['--hepdata', dir, '--obs', 'gen_pt', '--bins', '500:600:2', '--normalise', 'shape'],
      /^omnifold: --normalise shape must have a non-zero sum of weights over the bins of gen_pt to divide by; got 0\n$/,
    ],
  ] as const) {
    const { code, err } = await run([...extra]);
    assert.is(code, 2, err);
    assert.match(err, message);
  }
});

test('xsec needs weights that count events: weights already in pb are refused, naming the unit', async () => {
  const file = await readWeightsFile(join(replicas.dir, 'weights.arrow'));
  file.metadata.normalisation = { ...file.metadata.normalisation, unit: 'pb' };
  const request = { obs: 'gen_pt', edges: [20, 50, 80] };
  assert.throws(
    () => hepdataHistogram(file, { ...request, normalisation: { kind: 'xsec', luminosity: 1, unit: 'pb' } }),
    /^--normalise xsec:LUMI must be applied to weights that count events; got weights in pb \(metadata\.normalisation\.unit\)$/,
  );
  const shape = hepdataHistogram(file, { ...request, normalisation: { kind: 'shape' } });
  assertClose('shape area', shape.values[0] * 30 + shape.values[1] * 30, 1);
});

test.after(() => {
  for (const d of [root, replicas.dir, families]) rmSync(d, { recursive: true, force: true });
});

test.run();
