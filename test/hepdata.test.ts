import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments, parse } from 'yaml';
import { runExport } from '../src/cli/export.js';
import { hepdataFiles, hepdataHistogram, writeHepdata } from '../src/publish/hepdata.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { assertClose } from './helpers/close.js';
import { FAMILY_COVARIANCES, writeFamiliesFixture } from './helpers/families_fixture.js';
import { hepdataSchemasPresent, hepdataSubmissionProblems, HEPDATA_SCHEMAS } from './helpers/hepdata_schema.js';
import { writeFixture } from './helpers/weights_fixture.js';

const fixture = writeFixture();
const KEYWORD_NAMES = new Set(['reactions', 'observables', 'cmenergies', 'phrases']);

/**
 * The HEPData submission format (hepdata-submission docs, schema 1.x): submission.yaml is a
 * multi-document YAML; table documents need name (≤ 64 characters), description, keywords
 * ({name, values[]}, names from a fixed set) and data_file (unique, present). A data file
 * has independent_variables and dependent_variables, each with header.name and values;
 * independent values are {value} or {low, high}; dependent values have a value and
 * errors with symerror (or asymerror {plus, minus}) and an optional label; every variable
 * has the same number of values.
 */
function schemaProblems(dir: string): string[] {
  const problems: string[] = [];
  const docs = parseAllDocuments(readFileSync(join(dir, 'submission.yaml'), 'utf8')).map(
    (d) => d.toJS() as Record<string, any>,
  );
  const files = new Set<string>();
  for (const [k, doc] of docs.entries()) {
    if (k === 0 && doc.data_file === undefined) {
      if (doc.comment !== undefined && typeof doc.comment !== 'string')
        problems.push('header comment must be a string');
      continue;
    }
    const at = `submission doc ${k}`;
    if (typeof doc.name !== 'string' || doc.name.length === 0 || doc.name.length > 64)
      problems.push(`${at}: name must be a string of 1..64 characters`);
    if (typeof doc.description !== 'string') problems.push(`${at}: description must be a string`);
    if (!Array.isArray(doc.keywords)) problems.push(`${at}: keywords must be an array`);
    else
      for (const kw of doc.keywords)
        if (!KEYWORD_NAMES.has(kw?.name) || !Array.isArray(kw.values))
          problems.push(`${at}: keyword ${JSON.stringify(kw)} invalid`);
    if (typeof doc.data_file !== 'string' || !doc.data_file.endsWith('.yaml'))
      problems.push(`${at}: data_file must be a .yaml name`);
    else if (files.has(doc.data_file)) problems.push(`${at}: data_file ${doc.data_file} repeated`);
    else if (!existsSync(join(dir, doc.data_file))) problems.push(`${at}: data_file ${doc.data_file} missing`);
    else {
      files.add(doc.data_file);
      problems.push(...tableProblems(parse(readFileSync(join(dir, doc.data_file), 'utf8')), doc.data_file));
    }
  }
  for (const f of readdirSync(dir))
    if (f !== 'submission.yaml' && !files.has(f)) problems.push(`${f} is not referenced by submission.yaml`);
  return problems;
}

function tableProblems(t: Record<string, any>, file: string): string[] {
  const problems: string[] = [];
  const lengths: number[] = [];
  if (!Array.isArray(t?.independent_variables) || !Array.isArray(t?.dependent_variables))
    return [`${file}: must have independent_variables and dependent_variables arrays`];
  for (const v of t.independent_variables) {
    if (typeof v?.header?.name !== 'string') problems.push(`${file}: independent header.name missing`);
    if (!Array.isArray(v?.values)) {
      problems.push(`${file}: independent values missing`);
      continue;
    }
    lengths.push(v.values.length);
    for (const x of v.values) {
      const ok =
        typeof x?.value === 'number' ||
        typeof x?.value === 'string' ||
        (typeof x?.low === 'number' && typeof x?.high === 'number' && x.low < x.high);
      if (!ok) problems.push(`${file}: independent value ${JSON.stringify(x)} must be {value} or {low < high}`);
    }
  }
  for (const v of t.dependent_variables) {
    if (typeof v?.header?.name !== 'string') problems.push(`${file}: dependent header.name missing`);
    for (const q of v?.qualifiers ?? [])
      if (typeof q?.name !== 'string' || q.value === undefined)
        problems.push(`${file}: qualifier ${JSON.stringify(q)} invalid`);
    if (!Array.isArray(v?.values)) {
      problems.push(`${file}: dependent values missing`);
      continue;
    }
    lengths.push(v.values.length);
    for (const x of v.values) {
      if (typeof x?.value !== 'number' || !Number.isFinite(x.value))
        problems.push(`${file}: dependent value ${JSON.stringify(x)} must be a finite number`);
      for (const e of x?.errors ?? []) {
        const sym = typeof e?.symerror === 'number' && e.symerror >= 0;
        const asym = typeof e?.asymerror?.plus === 'number' && typeof e?.asymerror?.minus === 'number';
        if (!(sym || asym) || (e.label !== undefined && typeof e.label !== 'string'))
          problems.push(`${file}: error ${JSON.stringify(e)} invalid`);
      }
    }
  }
  if (new Set(lengths).size > 1) problems.push(`${file}: variables must have equal lengths; got ${lengths.join(', ')}`);
  return problems;
}

test('export --hepdata writes a submission that passes the schema check', async () => {
  const dir = join(fixture.dir, 'hepdata');
  const quiet = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  let code: number;
  try {
    code = await runExport([
      fixture.dir,
      '--hepdata',
      dir,
      '--obs',
      'gen_pt',
      '--bins',
      '20:80:6',
      '--obs',
      'abs(gen_eta)',
      '--bins',
      '0,0.5,1,2',
      '--where',
      'gen_pt > 25',
    ]);
  } finally {
    process.stdout.write = quiet;
  }
  assert.is(code, 0);
  assert.equal(readdirSync(dir).sort(), [
    'abs_gen_eta.yaml',
    'abs_gen_eta_covariance.yaml',
    'abs_gen_eta_covariance_sim_stat.yaml',
    'abs_gen_eta_covariance_stat.yaml',
    'abs_gen_eta_covariance_syst_jes.yaml',
    'gen_pt.yaml',
    'gen_pt_covariance.yaml',
    'gen_pt_covariance_sim_stat.yaml',
    'gen_pt_covariance_stat.yaml',
    'gen_pt_covariance_syst_jes.yaml',
    'submission.yaml',
  ]);
  assert.equal(schemaProblems(dir), []);
  assert.equal(schemaCheck(dir), []);
  const table = parse(readFileSync(join(dir, 'gen_pt.yaml'), 'utf8'));
  assert.is(table.independent_variables[0].values.length, 6);
  assert.equal(table.independent_variables[0].values[0], { low: 20, high: 30 });
  assert.equal(
    table.dependent_variables[0].values[0].errors.map((e: { label: string }) => e.label),
    ['stat', 'sys,sim-stat', 'sys,jes'],
  );
  const cov = parse(readFileSync(join(dir, 'gen_pt_covariance.yaml'), 'utf8'));
  assert.is(cov.dependent_variables[0].values.length, 36);
  assert.equal(
    cov.independent_variables.map((v: { values: unknown[] }) => v.values.length),
    [36, 36],
  );
});

/** Problems against HEPData's schemas and rules; [] with a note when ../shared has no schemas. */
function schemaCheck(dir: string): string[] {
  const problems = hepdataSubmissionProblems(dir);
  if (problems === undefined) {
    console.log(`  (HEPData schemas not found at ${HEPDATA_SCHEMAS}: schema check skipped)`);
    return [];
  }
  return problems;
}

test('export --hepdata: one covariance table per family, equal to the hand computation, and valid', async () => {
  const famDir = writeFamiliesFixture();
  try {
    const dir = join(famDir, 'hepdata');
    const quiet = process.stdout.write.bind(process.stdout);
    process.stdout.write = () => true;
    let code: number;
    try {
      // bin [2, 3) is empty: no errors there (HEPData refuses all-zero errors)
      code = await runExport([famDir, '--hepdata', dir, '--obs', 'x', '--bins', '0,1,2,3']);
    } finally {
      process.stdout.write = quiet;
    }
    assert.is(code, 0);
    assert.equal(readdirSync(dir).sort(), [
      'submission.yaml',
      'x.yaml',
      'x_covariance.yaml',
      'x_covariance_background_stat.yaml',
      'x_covariance_ensemble.yaml',
      'x_covariance_sim_stat.yaml',
      'x_covariance_stat.yaml',
      'x_covariance_syst_a.yaml',
      'x_covariance_syst_b.yaml',
    ]);
    assert.equal(schemaProblems(dir), []);
    assert.equal(schemaCheck(dir), []);
    // each family's table is the 3 × 3 covariance whose first 2 × 2 block is known by hand
    const block = (file: string) => {
      const values = parse(readFileSync(join(dir, file), 'utf8')).dependent_variables[0].values.map(
        (v: { value: number }) => v.value,
      );
      assert.equal(values.slice(6), [0, 0, 0], `${file}: the empty bin has no covariance`);
      assert.equal([values[2], values[5]], [0, 0], file);
      return [values[0], values[1], values[3], values[4]];
    };
    const rounded = { rtol: 5e-6, atol: 0 }; // 6 significant digits
    for (const [file, want] of [
      ['x_covariance_stat.yaml', FAMILY_COVARIANCES.stat],
      ['x_covariance_sim_stat.yaml', FAMILY_COVARIANCES.simStat],
      ['x_covariance_background_stat.yaml', FAMILY_COVARIANCES.backgroundStat],
      ['x_covariance_syst_a.yaml', FAMILY_COVARIANCES.a],
      ['x_covariance_syst_b.yaml', FAMILY_COVARIANCES.b],
      ['x_covariance_ensemble.yaml', FAMILY_COVARIANCES.ensemble],
      ['x_covariance.yaml', FAMILY_COVARIANCES.total],
    ] as const)
      assertClose(file, block(file), want, rounded);
    const headers = readdirSync(dir)
      .filter((f) => f.startsWith('x_covariance'))
      .sort()
      .map((f) => parse(readFileSync(join(dir, f), 'utf8')).dependent_variables[0].header.name);
    assert.equal(headers, [
      'Covariance (total: stat + sim-stat + systematics + ensemble)',
      'Covariance (background-stat, part of stat)',
      'Covariance (ensemble)',
      'Covariance (sim-stat)',
      'Covariance (stat)',
      'Covariance (sys,a)',
      'Covariance (sys,b)',
    ]);
    // the main table itemises the errors; they add in quadrature to the total's diagonal
    const values = parse(readFileSync(join(dir, 'x.yaml'), 'utf8')).dependent_variables[0].values;
    assert.equal(
      values[0].errors.map((e: { label: string }) => e.label),
      ['stat', 'sys,sim-stat', 'sys,a', 'sys,b', 'sys,ensemble'],
    );
    assert.equal(values[1].errors[3], { asymerror: { plus: -0.5, minus: 0.5 }, label: 'sys,b' }, 'signed shift');
    assert.equal(values[2], { value: 0 }, 'an empty bin carries no errors');
    for (const k of [0, 1]) {
      const squares = values[k].errors.reduce(
        (a: number, e: { symerror?: number; asymerror?: { plus: number } }) =>
          a + (e.symerror ?? e.asymerror!.plus) ** 2,
        0,
      );
      assertClose(`bin ${k}: errors in quadrature`, squares, FAMILY_COVARIANCES.total[k * 3], rounded);
    }
    const submission = readFileSync(join(dir, 'submission.yaml'), 'utf8');
    assert.match(submission, /name: x covariance \(background-stat, part of stat\)\n/);
    assert.match(submission, /not added to the total again/);
  } finally {
    rmSync(famDir, { recursive: true, force: true });
  }
});

test('HEPData numbers read as numbers in YAML 1.1; long names fit 64 characters and stay unique', async () => {
  const name = `gen_pt*cos(gen_phi)*${'x'.repeat(70)}`;
  const h = {
    name,
    observable: name,
    edges: [0, 1e-7, 2e-7],
    values: [3e-7, 0],
    stat: [2e-7, 0],
    covariance: { matrix: [4e-14, 1e-21, 1e-21, 0], what: 'total' },
    familyCovariances: [{ key: 'stat', what: 'stat', description: 'd', matrix: [4e-14, 0, 0, 0] }],
    description: 'tiny numbers',
  };
  const files = hepdataFiles([h, h], { comment: 'numbers' });
  const table = files.get(`${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.yaml`)!;
  assert.match(table, /low: 1\.0e-7\n/);
  assert.match(table, /value: 3\.0e-7\n/);
  assert.not.match(table, /[\s:[]-?[0-9]+e[-+]/, 'no exponent without a decimal point');
  const dir = join(fixture.dir, 'hepdata_numbers');
  await writeHepdata(dir, [h, h], { comment: 'numbers' });
  assert.equal(schemaCheck(dir), []);
  const names = parseAllDocuments(files.get('submission.yaml')!)
    .map((d) => d.toJS().name as string | undefined)
    .filter((n) => n !== undefined);
  assert.is(names.length, 6);
  assert.is(new Set(names).size, 6, names.join(' | '));
  for (const n of names) assert.ok([...n].length <= 64, n);
  assert.ok(names[1].endsWith('... covariance'), names[1]);
});

test('narrow bins keep distinct edges: as many digits as they need, 6 when that is enough', () => {
  const h = {
    name: 'narrow',
    observable: 'x',
    edges: [100, 100.0000001, 100.0000002, 101.23456789],
    values: [1, 2, 3],
    stat: [1, 1, 1],
    description: 'narrow bins',
  };
  const table = parse(hepdataFiles([h], { comment: 'edges' }).get('narrow.yaml')!) as {
    independent_variables: { values: { low: number; high: number }[] }[];
  };
  const bins = table.independent_variables[0].values;
  assert.equal(
    bins.map((b) => [b.low, b.high]),
    [
      [100, 100.0000001],
      [100.0000001, 100.0000002],
      [100.0000002, 101.2345679],
    ],
  );
  const wide = parse(
    hepdataFiles([{ ...h, name: 'wide', edges: [0, 1.23456789, 2, 3] }], { comment: 'e' }).get('wide.yaml')!,
  );
  assert.equal(wide.independent_variables[0].values[0].high, 1.23457);
});

test('the schema check finds what HEPData refuses', async () => {
  if (!hepdataSchemasPresent()) return void console.log('  (HEPData schemas absent: skipped)');
  const dir = join(fixture.dir, 'hepdata_bad');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'submission.yaml'),
    'comment: c\n---\nname: t\ndescription: d\nkeywords: [{name: energies, values: [1]}]\ndata_file: t.yaml\n',
  );
  writeFileSync(
    join(dir, 't.yaml'),
    'independent_variables:\n- header: {name: x}\n  values: [{low: 0, high: 1}, {low: 1, high: 2}]\n' +
      'dependent_variables:\n- header: {name: y}\n  values:\n  - {value: 2e-7, errors: [{symerror: 0, label: stat}]}\n' +
      '  - {value: 1, errors: [{symerror: 1, asymerror: {plus: 1, minus: -1}}]}\n',
  );
  writeFileSync(join(dir, 'stray.yaml'), 'a: 1\n');
  const problems = hepdataSubmissionProblems(dir)!.join('\n');
  assert.match(problems, /submission doc 1: submission_schema\.json: .*keywords/);
  assert.match(problems, /t\.yaml: value 0 has only zero uncertainties/);
  assert.match(problems, /t\.yaml: number 2e-7 is a string to a YAML 1\.1 reader/);
  assert.match(problems, /t\.yaml: data_schema\.json: /);
  assert.match(problems, /stray\.yaml is not referenced/);
});

test('values, stat and covariance agree with a direct fill of the fixture', async () => {
  const file = await readWeightsFile(join(fixture.dir, 'weights.arrow'));
  const h = hepdataHistogram(file, { obs: 'gen_pt', edges: [20, 50, 80] });
  const pt = fixture.columns.gen_pt;
  const w = fixture.columns.weight;
  const pass = fixture.columns.pass_gen;
  const want = [0, 0];
  for (let i = 0; i < pt.length; i++) if (pass[i] && pt[i] >= 20 && pt[i] < 80) want[pt[i] < 50 ? 0 : 1] += w[i];
  // summation order is the same (event order), so equality is exact
  assert.equal(Array.from(h.values), want);
  const cov = Array.from(h.covariance!.matrix);
  assert.ok(Math.abs(cov[0] - (h.stat[0] ** 2 + h.syst![0] ** 2)) <= 1e-9 * cov[0], 'diagonal = stat² + syst²');
  assert.ok(Math.abs(cov[1] - cov[2]) <= 1e-12 * Math.abs(cov[1]), 'symmetric');
});

test('without replicas: stat is √Σw², no syst, no covariance table; errors name their subject', async () => {
  const file = await readWeightsFile(join(fixture.dir, 'weights.arrow'));
  file.metadata.columns = file.metadata.columns.filter(
    (c) => !['data_bootstrap', 'sim_bootstrap', 'systematic'].includes(c.role),
  );
  const h = hepdataHistogram(file, { obs: 'gen_eta', edges: [-2, 0, 2] });
  assert.is(h.covariance, undefined);
  assert.is(h.syst, undefined);
  assert.match(h.description, /No replica columns/);
  const files = hepdataFiles([h], { comment: 'test' });
  assert.equal([...files.keys()], ['submission.yaml', 'gen_eta.yaml']);
  assert.throws(() => hepdataHistogram(file, { obs: 'gen_nope', edges: [0, 1] }), /gen_nope/);
  assert.throws(
    () => hepdataFiles([{ ...h, stat: [1] }], { comment: '' }),
    /hepdata gen_eta stat must have 2 entries like the bins; got 1/,
  );
});

test('export usage errors exit 2 with one line', async () => {
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (s: string) => (err.push(s), true);
  let codes: number[];
  try {
    codes = [await runExport([fixture.dir]), await runExport([fixture.dir, '--hepdata', join(fixture.dir, 'x')])];
  } finally {
    process.stderr.write = write;
  }
  assert.equal(codes, [2, 2]);
  assert.match(err[0], /^omnifold: export must be given --hepdata, --parquet, --hdf5 or --package; got none/);
  assert.match(
    err[1],
    /^omnifold: --hepdata must come with --obs and one --bins per --obs \(or one for all\); got 0 --obs and 0 --bins/,
  );
});

test.after(() => rmSync(fixture.dir, { recursive: true, force: true }));

test.run();
