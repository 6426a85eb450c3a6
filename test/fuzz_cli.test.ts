/**
 * Corrupt files through the command line: a fixed seeded set of mutants of every format
 * goes through `omnifold unfold` (bin/omnifold.js) as --sim or --data, and each run must
 * end in exit code 2 with one stderr line `omnifold: …` naming the file and nothing
 * written, or unfold a file the reader read right (the long run is
 * `npm run fuzz -- --cli`). Also pins how a run is judged, and a value too large for
 * single precision.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzFormatCli } from './fuzz/cli_fuzz.js';
import { judgeCliRun, runCli, type CliResult } from './fuzz/cli_run.js';
import { DEFAULT_FORMATS, makeInput } from './fuzz/inputs.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-fuzz-cli-test-');
/** Mutants per format (the long run is `npm run fuzz -- --cli`). */
const MUTANTS_PER_FORMAT = 5;
/** Generous limits: two busy cores. */
const LIMITS = { timeoutMs: 20_000, memoryMiB: 1024 };

test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const format of DEFAULT_FORMATS) {
  test(`fuzz ${format} through the CLI: ${MUTANTS_PER_FORMAT} seeded mutants end in a one-line named error or a right unfolding`, async () => {
    const input = await makeInput(format, dir);
    if (typeof input === 'string') {
      console.log(`  skipped fuzz ${format} through the CLI: ${input}`);
      return;
    }
    const tally = await fuzzFormatCli(input, { seed: 7, count: MUTANTS_PER_FORMAT, limits: LIMITS, dir });
    assert.is(tally.ran, MUTANTS_PER_FORMAT);
    assert.ok(tally.runs > MUTANTS_PER_FORMAT, 'some mutants must also run as --data');
    assert.equal(tally.failures, [], `${format}: every CLI run must end in an allowed outcome`);
    assert.ok(
      tally.counts.named > 0,
      `${format}: some mutants must be rejected (a fuzzer that finds nothing is broken)`,
    );
  });
}

test('judging a run: only one named line with nothing written, or an unfolding of a file read right, is allowed', () => {
  const out = join(dir, 'judged-out');
  const run = (code: number, stderr: string): CliResult => ({ code, stderr, peakRssKiB: 0 });
  const named =
    'omnifold: /tmp/x/m3.npy: data must fill the file exactly; got 8 bytes after the 1600 the header promises\n';
  assert.is(judgeCliRun(run(2, named), '/tmp/x/m3.npy', out, 'clean'), 'named');
  assert.is(judgeCliRun(run(2, named), '/tmp/x/m4.npy', out, 'clean'), 'unnamed');
  assert.is(
    judgeCliRun(run(2, `${named}    at readNpy (npy_io.js:1:1)\n`), '/tmp/x/m3.npy', out, 'clean'),
    'multiline',
  );
  assert.is(judgeCliRun(run(2, `HDF5-DIAG: error\n${named}`), '/tmp/x/m3.npy', out, 'clean'), 'multiline');
  assert.is(judgeCliRun(run(1, 'omnifold: m3.npy: boom\n'), '/tmp/x/m3.npy', out, 'clean'), 'exit');
  assert.is(judgeCliRun({ signal: 'SIGABRT', stderr: '', peakRssKiB: 0 }, '/tmp/x/m3.npy', out, 'clean'), 'crash');
  assert.is(judgeCliRun({ killed: 'hang', stderr: '', peakRssKiB: 0 }, '/tmp/x/m3.npy', out, 'clean'), 'hang');
  assert.is(judgeCliRun(run(0, ''), '/tmp/x/m3.npy', out, 'clean'), 'garbage');
  assert.is(judgeCliRun(run(0, ''), '/tmp/x/m3.npy', out, 'garbage'), 'garbage');
  assert.is(judgeCliRun(run(0, ''), '/tmp/x/m3.npy', out, 'equal'), 'exit', 'exit 0 must leave the weights');
  mkdirSync(out);
  assert.is(judgeCliRun(run(2, named), '/tmp/x/m3.npy', out, 'clean'), 'written');
  writeFileSync(join(out, 'weights.arrow'), '');
  assert.is(judgeCliRun(run(0, ''), '/tmp/x/m3.npy', out, 'data'), 'unfolded');
  assert.is(judgeCliRun(run(0, 'warning: gen_x: 3 events clipped\n'), '/tmp/x/m3.npy', out, 'equal'), 'unfolded');
  assert.is(judgeCliRun(run(0, 'R__unzip: error\n'), '/tmp/x/m3.npy', out, 'equal'), 'noise');
});

test('a feature value too large for single precision is a one-line error naming file, column and row', async () => {
  // a flipped exponent bit in a float64 column reads as a finite number that f32 cannot hold
  writeFileSync(join(dir, 'huge.csv'), 'x,y\n1,2\n2,3\n1e39,4\n');
  writeFileSync(join(dir, 'fine.csv'), 'x,y\n1,2\n2,3\n3,4\n');
  for (const [sim, data, column] of [
    ['huge.csv', 'fine.csv', 'x'],
    ['fine.csv', 'huge.csv', 'x'],
  ]) {
    const out = join(dir, 'huge-out');
    const args = [
      'unfold',
      '--sim',
      sim,
      '--data',
      data,
      '--gen',
      'y,x',
      '--reco',
      'y,x',
      '--classifier',
      'binned',
      '--bins=x=0:4:2;y=0:5:2',
      '--iterations',
      '1',
      '--quiet',
      '--no-plots',
      '--out',
      out,
    ];
    const result = await runCli(args, LIMITS, dir);
    assert.is(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^omnifold: huge\\.csv: column "${column}" must be within ±3\\.4028234663852886e\\+38 \\(single precision\\) on selected events; got 1e\\+39 at row 2\\n$`,
      ),
    );
    assert.not.ok(existsSync(out), 'nothing may be written');
  }
});

test.run();
