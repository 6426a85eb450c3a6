/**
 * `omnifold check <name>`: the checks a physicist runs before trusting a result, each in a
 * module of its own, loaded on demand. Each exits 0 when the check passes and 1 when it fails.
 */
import { InputError } from '../index.js';

/** Checks: module (relative to this file), exported runner, one-line description. */
const CHECKS: Record<string, [string, string, string]> = {
  ibu: [
    './check_ibu.js',
    'runCheckIbu',
    'binned OmniFold vs an independent matrix IBU on your inputs and binning, iteration by iteration',
  ],
  closure: [
    './check_closure.js',
    'runCheckClosure',
    'pseudo-data from your sim with a known truth (odd half, smoothly reweighted) unfolded by the even half: chi2 per observable',
  ],
  coverage: [
    './check_closure.js',
    'runCheckCoverage',
    'toys drawn from your sim, each with data bootstraps: per bin, the fraction whose truth lies within ±1 sigma',
  ],
};

function usage(): string {
  const names = Object.entries(CHECKS).map(([name, [, , about]]) => `  ${name.padEnd(8)}  ${about}`);
  return [
    'usage: omnifold check <check> [options]',
    '',
    'checks:',
    ...names,
    '',
    '  omnifold check <check> --help    options of a check',
    '  omnifold check <check> … --report OUT',
    '                                   also record the result in OUT/checks/ and OUT/report.html',
    '                                   (OUT: a folder omnifold unfold wrote)',
    '',
  ].join('\n');
}

/** Runs `omnifold check argv…`; resolves to the check's exit code. */
export async function runCheck(argv: string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = CHECKS[name];
  if (entry === undefined)
    throw new InputError(
      `check must be one of ${Object.keys(CHECKS).join(', ')}; got ${JSON.stringify(name)} (see omnifold check --help)`,
    );
  const module = (await import(new URL(entry[0], import.meta.url).href)) as Record<string, unknown>;
  return (module[entry[1]] as (argv: string[]) => Promise<number>)(argv.slice(1));
}
