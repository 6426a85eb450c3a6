/**
 * Fuzzes one format: reads the valid input once (the reference), then `count` seeded
 * mutants (or as many as fit before `deadline`), each through the reader child, and
 * tallies the outcomes. Also prints the per-format table.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  ALLOWED,
  classify,
  describeFailure,
  emptyTally,
  OUTCOMES,
  ReaderChild,
  type Columns,
  type Limits,
  type Tally,
} from './harness.js';
import { columnBytes, locateData, writeMutant, type FuzzInput } from './inputs.js';
import { mutate } from './mutators.js';
import type { NumericColumn } from '../../src/io/table.js';

/** Options of one format's run. */
export interface FuzzOptions {
  seed: number;
  /** Mutants to run (at most). */
  count: number;
  /** Stop starting new mutants after this time (ms since the epoch). */
  deadline?: number;
  limits: Limits;
  /** Folder for the mutant files. */
  dir: string;
  /** Called after each mutant that failed. */
  onFailure?: (line: string) => void;
}

const TYPED: Record<string, new (buffer: ArrayBuffer) => NumericColumn> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigInt64Array,
};

/** A column as sent back by the child, decoded. */
export function decodeColumn(sent: { type: string; base64: string }): NumericColumn {
  const bytes = Buffer.from(sent.base64, 'base64');
  return new TYPED[sent.type](bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Reads the unmutated input; checks it against the known columns; fills in ROOT's data ranges. */
export async function readReference(child: ReaderChild, input: FuzzInput, dir: string): Promise<Columns> {
  const path = writeMutant(dir, input, 0, input.bytes);
  const result = await child.read(path, input.columns);
  const reply = result.reply;
  if (reply === undefined || !reply.ok || result.stderr.trim() !== '') {
    throw new Error(`the valid ${input.format} input must read cleanly; got ${JSON.stringify(reply ?? result)}`);
  }
  for (const [name, values] of Object.entries(input.known ?? {})) {
    const got = Buffer.from(reply.columns[name].base64, 'base64');
    const want = Buffer.from(columnBytes(values, false));
    if (!got.equals(want))
      throw new Error(`the valid ${input.format} input must read back its column ${name} bit for bit`);
  }
  if (input.known === undefined)
    input.dataRanges = locateData(
      input.bytes,
      input.columns.map((n) => decodeColumn(reply.columns[n])),
      input.bigEndian,
    );
  return reply;
}

/** Runs the mutants of one format. */
export async function fuzzFormat(input: FuzzInput, options: FuzzOptions): Promise<Tally & { ran: number }> {
  const dir = `${options.dir}/${input.format}`;
  mkdirSync(dir, { recursive: true });
  const child = new ReaderChild(options.limits);
  const tally = emptyTally();
  let ran = 0;
  try {
    const original = await readReference(child, input, dir);
    for (let index = 1; index <= options.count; index++) {
      if (options.deadline !== undefined && Date.now() > options.deadline) break;
      const mutant = mutate(input, options.seed, index, original.nRows);
      const path = writeMutant(dir, input, index, mutant.bytes);
      const file = path.slice(0, path.length - input.object.length);
      const result = await child.read(path, input.columns);
      const outcome = classify(result, mutant, original, input, file);
      tally.counts[outcome]++;
      tally.peakRssKiB = Math.max(tally.peakRssKiB, result.peakRssKiB);
      if (!ALLOWED.has(outcome)) {
        const line = `${input.format} ${describeFailure(index, mutant, outcome, result)}`
          .replaceAll(dir, '')
          .replaceAll(`/${basename(file)}`, basename(file));
        tally.failures.push(line);
        options.onFailure?.(line);
      }
      await rm(file, { force: true });
      ran++;
    }
  } finally {
    child.stop();
  }
  return { ...tally, ran };
}

const LABELS: Record<(typeof OUTCOMES)[number], string> = {
  clean: 'clean error',
  equal: 'read equal',
  data: 'undetectable (values or consistent header)',
  garbage: 'wrong structure read as data',
  other: 'other exception',
  noise: 'stderr noise',
  hang: 'hang',
  crash: 'crash',
};

/** A peak RSS for the tables, in MiB or GiB. */
export function mib(kib: number): string {
  return kib >= 1024 * 1024 ? `${(kib / 1024 / 1024).toFixed(1)} GiB` : `${Math.round(kib / 1024)} MiB`;
}

/** The outcome table as Markdown: one row per format. */
export function formatTable(rows: Array<{ format: string; tally: Tally & { ran: number } }>): string {
  const head = ['format', 'mutants', ...OUTCOMES.map((o) => LABELS[o]), 'peak RSS'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const { format, tally } of rows)
    lines.push(
      `| ${[format, tally.ran, ...OUTCOMES.map((o) => tally.counts[o]), mib(tally.peakRssKiB)].join(' | ')} |`,
    );
  return lines.join('\n');
}
