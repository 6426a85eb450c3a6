/**
 * `omnifold check <check> --report OUT`: records the check's result in an unfolding's output
 * folder, as `OUT/checks/<check>.json` (src/report/checks.ts), and regenerates `OUT/plots/`
 * and `OUT/report.html` so the report gains its "Checks" section.
 *
 * OUT must be a folder `omnifold unfold` wrote (its manifest lists weights.arrow; the file
 * reads as the engine's weights file); this is checked before the check runs. The folder's
 * safe-output rules hold (src/io/output_dir.ts): only entries the engine wrote are replaced
 * (checks/, plots/, report.html), each whole (written into a staging folder, then renamed
 * into place); the other records in checks/ are carried over unchanged; a file in checks/
 * that is not an engine check record is never replaced.
 */
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKS_DIR,
  checkFileName,
  checkOutputDir,
  type CheckName,
  type CheckRecord,
  checkRecordJson,
  engineOutput,
  engineVersion,
  type InputFileRecord,
  InputError,
  type OutputDir,
  parseCheckRecord,
  readWeightsFile,
  shellQuote,
  writePlotsAndReport,
} from '../index.js';

/** The `--report` flag of every check. */
export const REPORT_FLAG = {
  type: 'string',
  help: 'record the result in X/checks/<check>.json and regenerate X/report.html with a Checks section (X: a folder omnifold unfold wrote)',
} as const;

/** A checked `--report` folder, ready to take the record once the check has run. */
export interface CheckReportTarget {
  dir: string;
  check: CheckName;
  out: OutputDir;
  /** Whether the folder's figures include PNGs (kept so). */
  png: boolean;
}

function refuse(dir: string, got: string): InputError {
  return new InputError(
    `--report ${dir} must be an omnifold unfold output folder (its .omnifold-output.json listing weights.arrow); got ${got}`,
  );
}

/**
 * Checks `dir` before the check runs (see the module comment).
 *
 * @throws InputError naming --report, the rule and what was found
 */
export async function prepareCheckReport(dir: string, check: CheckName): Promise<CheckReportTarget> {
  const found = await stat(dir).catch(() => undefined);
  if (found === undefined) throw refuse(dir, 'no such folder');
  if (!found.isDirectory()) throw refuse(dir, 'a file');
  const owned = await engineOutput(dir);
  if (owned === undefined || !owned.entries.includes('weights.arrow')) {
    const entries = (await readdir(dir)).sort();
    throw refuse(
      dir,
      entries.length === 0
        ? 'an empty folder'
        : `a folder not written by omnifold unfold (holding ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`,
    );
  }
  for (const needed of ['weights.arrow', 'summary.json']) {
    if (!owned.entries.includes(needed) || (await stat(join(dir, needed)).catch(() => undefined)) === undefined)
      throw refuse(dir, `one without its ${needed}`);
  }
  try {
    await readWeightsFile(join(dir, 'weights.arrow'));
  } catch (error) {
    throw refuse(dir, `a weights.arrow the engine cannot read (${(error as Error).message.split('\n')[0]})`);
  }
  const out = await checkOutputDir(dir, {
    subject: '--report',
    command: owned.command,
    force: true,
    update: true,
    writes: [CHECKS_DIR, 'plots', 'report.html'],
  });
  // a record of the same check is replaced only when it is one (the folder is the engine's,
  // but a user may have put a file of that name into its checks/)
  const recordPath = join(dir, CHECKS_DIR, checkFileName(check));
  const earlier = await readFile(recordPath, 'utf8').catch(() => undefined);
  if (earlier !== undefined) {
    try {
      parseCheckRecord(earlier, recordPath);
    } catch {
      throw new InputError(
        `--report ${dir} must not hold ${CHECKS_DIR}/${checkFileName(check)} unless the engine wrote it; got a file that is not an omnifold check record (move it away)`,
      );
    }
  }
  const plots = await readdir(join(dir, 'plots')).catch(() => [] as string[]);
  return { dir, check, out, png: plots.some((p) => p.endsWith('.png')) };
}

/** The record's common part: engine, command line, options (without --report), inputs. */
export function recordBase(
  check: CheckName,
  argv: readonly string[],
  options: Record<string, unknown>,
  inputs: { files: InputFileRecord[]; description: Record<string, unknown> },
): Omit<CheckRecord, 'check' | 'result'> {
  const { report: _report, help: _help, ...kept } = options;
  const toy = inputs.description.toy;
  return {
    format: 'omnifold-check',
    formatVersion: 1,
    engine: { name: 'omnifold', version: engineVersion() },
    command: ['omnifold', 'check', check, ...argv].map(shellQuote).join(' '),
    options: kept,
    inputs: inputs.files,
    ...(typeof toy === 'string' ? { toy } : {}),
  };
}

/**
 * Writes `record` into the folder and regenerates its figures and report; the folder's
 * other check records are carried over. Returns the record's path inside the folder.
 */
export async function writeCheckReport(target: CheckReportTarget, record: CheckRecord): Promise<string> {
  await target.out.commit(async (staging) => {
    const checks = join(staging, CHECKS_DIR);
    const earlier = join(target.dir, CHECKS_DIR);
    const mine = checkFileName(target.check);
    const entries = await readdir(earlier).catch(() => [] as string[]);
    for (const entry of entries)
      if (entry !== mine) await cp(join(earlier, entry), join(checks, entry), { recursive: true, errorOnExist: true });
    await mkdir(checks, { recursive: true });
    await writeFile(join(checks, mine), checkRecordJson(record));
    await writePlotsAndReport(staging, { runDir: target.dir, checksDir: checks, png: target.png });
  });
  return `${CHECKS_DIR}/${checkFileName(target.check)}`;
}

/** Says on stderr where the record went (stdout keeps the check's table alone). */
export function reportWritten(dir: string, record: string): void {
  process.stderr.write(`recorded the check in ${join(dir, record)} and regenerated ${join(dir, 'report.html')}\n`);
}
