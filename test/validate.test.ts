import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runValidate } from '../src/cli/validate.js';
import { validateWeightsFile } from '../src/publish/validate.js';
import { fixtureContent, weightsArrowBytes } from './helpers/weights_fixture.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-validate-');
const base = fixtureContent();
let counter = 0;

type Content = ReturnType<typeof fixtureContent>;

/** Writes a variant of the fixture and returns its problems. */
async function problemsOf(
  edit: (c: { columns: Content['columns']; metadata: Record<string, any> }) => void,
  raw?: string,
): Promise<string[]> {
  const columns = { ...base.columns };
  const metadata = structuredClone(base.metadata) as Record<string, any>;
  edit({ columns, metadata });
  const path = join(dir, `case${counter++}.arrow`);
  writeFileSync(path, weightsArrowBytes(columns, raw ?? metadata));
  return (await validateWeightsFile(path)).problems;
}

test('a good file is OK', async () => {
  assert.equal(await problemsOf(() => {}), []);
});

const CASES: [string, (c: { columns: Content['columns']; metadata: Record<string, any> }) => void, RegExp][] = [
  [
    'missing metadata key',
    (c) => delete c.metadata.seed,
    /^metadata\.seed must be an integer in \[0, 2\^32\); got undefined$/,
  ],
  ['wrong format', (c) => (c.metadata.format = 'other'), /^metadata\.format must be "omnifold-weights"; got "other"$/],
  ['unsupported version', (c) => (c.metadata.formatVersion = 9), /^metadata\.formatVersion must be one of 1; got 9$/],
  [
    'bad sha256',
    (c) => (c.metadata.inputs[0].sha256 = 'xyz'),
    /^metadata\.inputs\[0\] must have string role and path, a 64-hex-digit sha256 and integer bytes; got /,
  ],
  [
    'bad family name',
    (c) => (c.metadata.columns[7].role = 'bootstrap'),
    /^metadata\.columns\[7\] \("data_boot_1"\) role must be one of gen_feature, mask, iteration, nominal, ensemble, data_bootstrap, sim_bootstrap, background_bootstrap, systematic; got "bootstrap"$/,
  ],
  [
    'listed column missing',
    (c) => delete c.columns.syst_jes,
    /^column "syst_jes" \(systematic\) must exist in the table; got columns /,
  ],
  [
    'unlisted column',
    (c) => (c.columns.extra = new Float64Array(2000)),
    /^column "extra" must be listed in metadata\.columns; got an unlisted column$/,
  ],
  [
    'wrong dtype',
    (c) => (c.columns.weight = Float32Array.from(c.columns.weight)),
    /^column "weight" \(nominal\) must have dtype f64; got f32$/,
  ],
  [
    'non-finite weight',
    (c) => {
      const w = Float64Array.from(c.columns.data_boot_0);
      w[17] = NaN;
      c.columns.data_boot_0 = w;
    },
    /^column "data_boot_0" \(data_bootstrap\) must be finite; got NaN at row 17$/,
  ],
  [
    'mask not 0/1',
    (c) => {
      const m = Uint8Array.from(c.columns.pass_reco);
      m[3] = 2;
      c.columns.pass_reco = m;
    },
    /^column "pass_reco" \(mask\) must hold only 0 and 1; got 2 at row 3$/,
  ],
  [
    'no nominal',
    (c) => (c.metadata.columns[4].role = 'ensemble'),
    /^metadata\.columns must declare exactly one nominal column, "weight"; got "none"$/,
  ],
  [
    'bad combination key',
    (c) => (c.metadata.combination.bogus = 'x'),
    /^metadata\.combination key "bogus" must be one of nominal, ensemble, data_bootstrap, sim_bootstrap, background_bootstrap, systematic, total; got "bogus"$/,
  ],
  [
    'observables not matching the gen columns',
    (c) => c.metadata.observables.reverse(),
    /^metadata\.observables names must be the gen_feature columns in order \(gen_pt, gen_eta\); got gen_eta, gen_pt$/,
  ],
  [
    'observable unit not a string',
    (c) => (c.metadata.observables[0].unit = 5),
    /^metadata\.observables\[0\] must be an object with string name and optional string label and unit; got /,
  ],
  [
    'bad selection',
    (c) => (c.metadata.selection = 'all'),
    /^metadata\.selection must be an object with optional string gen and reco; got "all"$/,
  ],
  [
    'bad normalisation value',
    (c) => (c.metadata.normalisation.sumWeights = null),
    /^metadata\.normalisation\.sumWeights must be a string or a finite number; got null$/,
  ],
];

for (const [name, edit, message] of CASES) {
  test(`broken file: ${name}`, async () => {
    const problems = await problemsOf(edit);
    assert.ok(
      problems.some((p) => message.test(p)),
      `wanted ${message}; got ${JSON.stringify(problems)}`,
    );
  });
}

test('gen features of fakes may be NaN; of selected events they may not', async () => {
  const fake = base.columns.pass_gen.indexOf(0);
  const sel = base.columns.pass_gen.indexOf(1);
  assert.equal(
    await problemsOf((c) => {
      const x = Float32Array.from(c.columns.gen_pt);
      x[fake] = NaN;
      c.columns.gen_pt = x;
    }),
    [],
  );
  const p = await problemsOf((c) => {
    const x = Float32Array.from(c.columns.gen_pt);
    x[sel] = Infinity;
    c.columns.gen_pt = x;
  });
  assert.equal(p, [`column "gen_pt" (gen_feature) must be finite where pass_gen = 1; got Infinity at row ${sel}`]);
});

test('unreadable metadata and non-Arrow files give one problem each', async () => {
  assert.match(
    (await problemsOf(() => {}, '{not json'))[0],
    /^metadata "omnifold" must be JSON; got unparsable text starting "\{not json"$/,
  );
  const junk = join(dir, 'junk.arrow');
  writeFileSync(junk, 'hello');
  assert.match((await validateWeightsFile(junk)).problems[0], /file must be Arrow IPC/);
  assert.match(
    (await validateWeightsFile(join(dir, 'none.arrow'))).problems[0],
    /none\.arrow must be a readable file; got ENOENT/,
  );
});

test('omnifold validate prints OK or one line per problem; exit 0/1/2', async () => {
  const good = join(dir, 'good.arrow');
  writeFileSync(good, weightsArrowBytes(base.columns, base.metadata));
  const bad = join(dir, 'bad.arrow');
  const meta = structuredClone(base.metadata) as Record<string, any>;
  meta.format = 'x';
  delete meta.nDropped;
  writeFileSync(bad, weightsArrowBytes(base.columns, meta));
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = (s: string) => (out.push(s), true);
  process.stderr.write = (s: string) => (out.push(s), true);
  let codes: number[];
  try {
    codes = [await runValidate([good]), await runValidate([bad]), await runValidate([])];
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
  assert.equal(codes, [0, 1, 2]);
  const lines = out.join('').trimEnd().split('\n');
  assert.match(lines[0], /^OK: .*good\.arrow \(2000 rows, 17 columns, omnifold-weights format 1\)$/);
  assert.equal(
    lines.slice(1, 3).map((l) => l.replace(/^.*bad\.arrow: /, '')),
    [
      'metadata.format must be "omnifold-weights"; got "x"',
      'metadata.nDropped must be a non-negative integer; got undefined',
    ],
  );
  assert.match(lines[3], /^omnifold: validate must be given one weights file; got 0/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
