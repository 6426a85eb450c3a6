/**
 * The HEPData YAML as PyYAML (YAML 1.1, HEPData's reader) reads it: strings that YAML 1.1
 * would take for booleans, numbers, dates or null come back as the strings written, and
 * tiny, huge and negative numbers as the numbers written. Skips with a line when
 * /usr/bin/python3 with the yaml module is absent.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { histogramTable, writeHepdata, type HepdataHistogram } from '../src/publish/hepdata.js';
import { doubleQuotedYaml, isPlainYamlText, toYaml11 } from '../src/publish/yaml11.js';
import { pyyamlDifferences, pyyamlMissing, pyyamlRead, type Tagged } from './helpers/pyyaml.js';
import { testDir } from './helpers/temp_dir.js';

/** Strings a YAML 1.1 reader would take for something else if they stood plain. */
const TRICKY = [
  'on',
  'No',
  'yes',
  'OFF',
  'y',
  'N',
  'TRUE',
  'null',
  'Null',
  '~',
  '',
  '1e5',
  '2e-7',
  '0x10',
  '0o17',
  '017',
  '0b101',
  '1_000',
  '1:30',
  '-1:30:00',
  '.inf',
  '-.Inf',
  '.NaN',
  '+12',
  '3.',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '- x',
  '-',
  'a: b',
  'a:b',
  '#c',
  'x #c',
  'a,b: c',
  ' lead',
  'trail ',
  'two  spaces',
  '? q',
  '&anchor',
  '*alias',
  '!tag',
  '%directive',
  '@at',
  '`tick',
  '|',
  '>',
  '[1, 2]',
  '{a: 1}',
  "'single'",
  '"double"',
  'back\\slash',
  '=',
  '<<',
  'line\nbreak',
  'tab\there',
  'nel\u0085sep',
  'ls\u2028ps\u2029',
  'del\u007f',
  'bom\ufeff',
  'Jet φ [GeV] → ∞ 😀',
  'lone \ud800 surrogate',
];

/** Numbers JavaScript writes in forms YAML 1.1 might misread. */
const NUMBERS = [
  -3e-7, 1e300, -1e300, 5e-324, 2e-7, 1e21, 1.5e-7, 123456789012, -0.5, 0, 7, 1e-6, 1.7976931348623157e308,
];

const skip = pyyamlMissing();
const dir = testDir('omnifold-yaml11-');

test('a string stands plain only when no YAML 1.1 reader could take it for anything else', () => {
  for (const s of TRICKY) assert.not.ok(isPlainYamlText(s), s);
  for (const s of [
    'Events',
    'gen_pt',
    'Unfolding',
    'N (unfolded events per bin)',
    'sigma/GeV',
    'a-b',
    'e5',
    'p_T (GeV)',
  ])
    assert.ok(isPlainYamlText(s), s);
  assert.is(doubleQuotedYaml('a"b\\c\n\u2028\ud800'), '"a\\"b\\\\c\\n\\u2028\ufffd"');
  assert.is(doubleQuotedYaml('😀'), '"😀"', 'a surrogate pair stays one character');
});

test('PyYAML (pure Python and on libyaml) reads back every tricky string and number that toYaml11 wrote', () => {
  if (skip) return void console.log(`  (PyYAML check skipped: ${skip})`);
  const value = {
    strings: TRICKY,
    numbers: NUMBERS,
    keyed: Object.fromEntries(TRICKY.filter((s) => s !== '').map((s, k) => [s, NUMBERS[k % NUMBERS.length]])),
    nested: [
      { name: 'on', value: -3e-7 },
      { name: '1:30', values: [{ low: 5e-324, high: 1e300 }] },
    ],
  };
  const file = join(dir, 'value.yaml');
  writeFileSync(file, toYaml11(value));
  // a lone surrogate is no character: it comes back as U+FFFD
  const expected = JSON.parse(JSON.stringify(value).replace(/\\ud800/g, '\\ufffd')) as typeof value;
  assert.ok(JSON.stringify(expected).includes('lone \ufffd surrogate'));
  const [doc] = pyyamlRead([file]).get(file)!;
  assert.equal(pyyamlDifferences(doc, expected), []);
  if (pyyamlMissing('libyaml')) return void console.log(`  (libyaml check skipped: ${pyyamlMissing('libyaml')})`);
  const [viaLibyaml] = pyyamlRead([file], 'libyaml').get(file)!;
  assert.equal(pyyamlDifferences(viaLibyaml, expected), [], 'the same through libyaml');
});

/** Histograms whose names, expressions, labels, units, selections and systematics are tricky words. */
function trickyHistograms(): HepdataHistogram[] {
  const words = ['on', 'No', 'yes', '1e5', '0x10', '1:30', 'null', '- x', 'a: b', '#c'];
  return words.map((w, k) => ({
    name: w,
    observable: `${w}`,
    label: w,
    unit: words[(k + 1) % words.length],
    where: words[(k + 2) % words.length],
    edges: [-1e300, -3e-7, 5e-324, 1, 1e300],
    values: [-3e-7, 1e300, 5e-324, 0],
    stat: [1e-300, 1e300, 5e-324, 0],
    syst: [2e-7, 0, 1e21, 0],
    simStat: [2e-7, 0, 1e21, 0],
    systematics: [{ name: words[(k + 3) % words.length], delta: [-3e-7, 1e300, -5e-324, 0] }],
    covariance: { matrix: Array.from({ length: 16 }, (_, j) => NUMBERS[j % NUMBERS.length]), what: w },
    familyCovariances: [{ key: w, what: w, description: `${w}: #c`, matrix: Array.from({ length: 16 }, () => -3e-7) }],
    weightUnit: w,
    description: `${w} - x: a: b #c`,
  }));
}

test('PyYAML reads a submission with tricky names and numbers exactly as written', async () => {
  if (skip) return void console.log(`  (PyYAML check skipped: ${skip})`);
  const histograms = trickyHistograms();
  const out = join(dir, 'submission');
  await writeHepdata(out, histograms, { comment: 'yes', phrases: ['on', '1e5', 'a: b'] });
  const paths = readdirSync(out).map((f) => join(out, f));
  const read = pyyamlRead(paths);
  const submission = read.get(join(out, 'submission.yaml'))!;
  const js = (t: Tagged): unknown => {
    const [type, payload] = t;
    if (type === 'list') return (payload as Tagged[]).map(js);
    if (type === 'map') return Object.fromEntries((payload as [Tagged, Tagged][]).map(([k, v]) => [js(k), js(v)]));
    if (type === 'float' || type === 'int') return Number(payload);
    return payload;
  };
  const docs = submission.map(js) as Record<string, any>[];
  assert.is(docs[0].comment, 'yes');
  // one main table per histogram, then its covariance and its family's covariance
  for (const [k, h] of histograms.entries()) {
    const doc = docs[1 + 3 * k];
    assert.equal(pyyamlDifferences(submission[1 + 3 * k], doc), []);
    assert.is(doc.name, h.name);
    assert.is(doc.description, h.description);
    assert.equal(doc.keywords[0], { name: 'observables', values: [h.observable] });
    assert.equal(doc.keywords[1].values, ['Unfolding', 'OmniFold', 'on', '1e5', 'a: b']);
    const table = read.get(join(out, doc.data_file))![0];
    assert.equal(pyyamlDifferences(table, histogramTable(h)), [], `${h.name}: ${doc.data_file}`);
    const t = js(table) as Record<string, any>;
    assert.equal(t.independent_variables[0].header, { name: h.label, units: h.unit });
    assert.equal(t.dependent_variables[0].qualifiers[1], { name: 'Selection', value: h.where });
    assert.equal(
      t.dependent_variables[0].values.map((v: { value: number }) => v.value),
      [-3e-7, 1e300, 5e-324, 0],
    );
  }
});

test.run();
