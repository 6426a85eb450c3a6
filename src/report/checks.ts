/**
 * The checks recorded in an output folder: `omnifold check ibu|closure|coverage --report OUT`
 * writes its result as `OUT/checks/<check>.json` (format `omnifold-check`, below) and the
 * report shows every recorded check in its "Checks" section. A record holds what is needed
 * to judge and to rerun the check: the command line, the options, the inputs with their
 * SHA-256 (or the embedded toy), and the result as the command computed it. No clock time:
 * the same check on the same inputs writes the same bytes.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IbuComparisonRow } from '../analysis/ibu.js';
import { InputError } from '../base/errors.js';
import type { InputFileRecord } from '../publish/weights_file.js';
import type { ClosureResult, CoverageResult } from '../uncertainty/closure.js';

/** The checks that can be recorded, in report order. */
export const CHECK_NAMES = Object.freeze(['ibu', 'closure', 'coverage'] as const);
/** One of {@link CHECK_NAMES}. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** Where the records live inside an output folder. */
export const CHECKS_DIR = 'checks';

/** The file of check `name` inside {@link CHECKS_DIR}. */
export function checkFileName(name: CheckName): string {
  return `${name}.json`;
}

/** `check ibu`'s result: per iteration the largest relative difference of a gen cell. */
export interface IbuCheckResult {
  rows: IbuComparisonRow[];
  tolerance: number;
  pass: boolean;
  /** Cells of the gen grid (under- and overflow included). */
  nGenCells: number;
  /** Whether the fakes' total is compared as one more cell (index nGenCells). */
  withFakes: boolean;
}

interface CheckRecordBase {
  format: 'omnifold-check';
  formatVersion: 1;
  engine: { name: string; version: string };
  /** The command line as given, e.g. `omnifold check closure --toy gauss --report out`. */
  command: string;
  /** The options as parsed (flags and `--config` merged). */
  options: Record<string, unknown>;
  /** The input files, each with its size and SHA-256. */
  inputs: InputFileRecord[];
  /** The embedded toy the check ran on, when no files were given. */
  toy?: string;
}

/** A check's record (`OUT/checks/<check>.json`). */
export type CheckRecord =
  | (CheckRecordBase & { check: 'ibu'; result: IbuCheckResult })
  | (CheckRecordBase & { check: 'closure'; result: ClosureResult })
  | (CheckRecordBase & { check: 'coverage'; result: CoverageResult });

/** The record's JSON text (2-space indented, a final newline). */
export function checkRecordJson(record: CheckRecord): string {
  const { format, formatVersion, check, engine, command, options, inputs, toy, result } = record;
  const ordered = { format, formatVersion, check, engine, command, options, inputs, ...(toy ? { toy } : {}), result };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Parses a record; `where` names it in errors.
 *
 * @throws InputError unless the text is a check record this engine writes
 */
export function parseCheckRecord(text: string, where: string): CheckRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`${where} must be readable JSON; got ${(cause as Error).message}`, { cause });
  }
  const r = parsed as Partial<CheckRecord> | null;
  if (r?.format !== 'omnifold-check' || !CHECK_NAMES.includes(r.check as CheckName) || typeof r.result !== 'object')
    throw new InputError(
      `${where} must be an omnifold check record (format "omnifold-check", check ${CHECK_NAMES.join('|')}); got format ${JSON.stringify(r?.format)}`,
    );
  return r as CheckRecord;
}

/**
 * The records in `dir` (the folder's `checks/`), in {@link CHECK_NAMES} order; none when
 * the folder does not exist.
 *
 * @throws InputError for a `<check>.json` that is not a check record
 */
export async function readChecks(dir: string): Promise<CheckRecord[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const out: CheckRecord[] = [];
  for (const name of CHECK_NAMES) {
    const file = checkFileName(name);
    if (!entries.includes(file)) continue;
    const path = join(dir, file);
    const record = parseCheckRecord(await readFile(path, 'utf8'), path);
    if (record.check !== name) throw new InputError(`${path} must hold the ${name} check; got ${record.check}`);
    out.push(record);
  }
  return out;
}
