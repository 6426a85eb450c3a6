// The numpy recipes of docs/weights-format.md ("Each family's covariance, step by step"),
// run as written on two weights files, give the covariances and correlations that
// `omnifold hist --json` reports. Needs python3 with numpy; says so and skips without.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runHist } from '../src/cli/hist.js';
import { readWeightsFile } from '../src/publish/weights_file.js';
import { writeFamiliesFixture } from './helpers/families_fixture.js';
import { writeFixture } from './helpers/weights_fixture.js';

const DOC = fileURLToPath(new URL('../../docs/weights-format.md', import.meta.url));

/**
 * Runs the doc's numpy blocks (all but the pandas one, which needs pyarrow) with `t` and `meta` taken from a
 * JSON dump of the file, the doc's edges and observable replaced by the case's, and
 * compares every family with `hist --json`. Prints one line per family; exits 1 on a
 * difference above 1e-12 (relative to the family's largest entry).
 */
const CHECK =
  String.raw`
import json, re, sys
import numpy as np
doc, case, hist = sys.argv[1:4]
section = open(doc).read().split("## Each family's covariance", 1)[1]
blocks = [b for b in re.findall(r"` +
  '```python\\n(.*?)```' +
  String.raw`", section, re.S) if "pandas" not in b]
d = json.load(open(case))
class Column:
    def __init__(self, v): self.v = np.array(v, dtype=float)
    def to_numpy(self): return self.v
ns = {"t": {k: Column(v) for k, v in d["columns"].items()}, "meta": d["meta"]}
for b in blocks:
    b = b.replace("edges = np.array([20.0, 30, 40, 50, 60, 70, 80])", "edges = np.array(%r, dtype=float)" % d["edges"])
    exec(b.replace('t["gen_pt"]', 't["%s"]' % d["obs"]), ns)
families = json.load(open(hist))["histogram"]["families"]
want = {"stat": ns["cov_stat"], "simStat": ns["cov_sim_stat"], "backgroundStat": ns["cov_background_stat"],
        "syst": ns["cov_syst"], "ensemble": ns["cov_ensemble"], "total": ns["cov_total"]}
n = len(d["edges"]) - 1
bad = 0
for key, cov in list(want.items()) + [("systematics." + k[5:], c) for k, c in ns["cov_syst_each"].items()]:
    got = families["systematics"].get(key[12:]) if key.startswith("systematics.") else families.get(key)
    if got is None:
        print(key, "absent; recipe all zero:", not np.any(cov))
        bad += bool(np.any(cov))
        continue
    scale = max(np.max(np.abs(cov)), 1e-300)
    dc = np.max(np.abs(np.array(got["covariance"]).reshape(n, n) - cov)) / scale
    dr = np.max(np.abs(np.array(got["correlation"]).reshape(n, n) - ns["correlation"](cov)))
    print("%s: covariance %.1e, correlation %.1e" % (key, dc, dr))
    bad += not (dc <= 1e-12 and dr <= 1e-12)
sys.exit(1 if bad else 0)
`;

function hasNumpy(): boolean {
  return spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
}

async function check(dir: string, obs: string, edges: number[], families: string[]) {
  const file = await readWeightsFile(join(dir, 'weights.arrow'));
  const columns = Object.fromEntries([...file.columns].map(([name, v]) => [name, Array.from(v, Number)]));
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ meta: file.metadata, columns, obs, edges }));
  const quiet = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    const code = await runHist([
      join(dir, 'weights.arrow'),
      '--obs',
      obs,
      '--bins',
      edges.join(','),
      '--json',
      join(dir, 'h.json'),
    ]);
    assert.is(code, 0);
  } finally {
    process.stdout.write = quiet;
  }
  const out = spawnSync('python3', ['-c', CHECK, DOC, join(dir, 'case.json'), join(dir, 'h.json')], {
    encoding: 'utf8',
  });
  assert.is(out.status, 0, `${out.stdout}${out.stderr}`);
  const seen = out.stdout
    .split('\n')
    .filter((l) => / covariance /.test(l))
    .map((l) => l.split(':')[0]);
  assert.equal(seen, families, out.stdout);
}

test('the doc recipes reproduce hist --json on every family', async () => {
  if (!hasNumpy()) return void console.log('  (python3 with numpy not found: doc recipes not run)');
  const small = writeFamiliesFixture();
  const fixture = writeFixture();
  try {
    await check(
      small,
      'x',
      [0, 1, 2, 3],
      ['stat', 'simStat', 'backgroundStat', 'syst', 'ensemble', 'total', 'systematics.a', 'systematics.b'],
    );
    await check(
      fixture.dir,
      'gen_pt',
      [20, 30, 40, 50, 60, 70, 80],
      ['stat', 'simStat', 'syst', 'total', 'systematics.jes'],
    );
  } finally {
    rmSync(small, { recursive: true, force: true });
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('the doc keeps the blocks the recipe check runs', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const name of ['cov_stat', 'cov_sim_stat', 'cov_background_stat', 'cov_syst_each', 'cov_ensemble', 'cov_total'])
    assert.ok(doc.includes(`${name} = `), name);
  assert.ok(doc.includes('edges = np.array([20.0, 30, 40, 50, 60, 70, 80])'));
  assert.ok(doc.includes('standardErrorFactor'));
});

test.run();
