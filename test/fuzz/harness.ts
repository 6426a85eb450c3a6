/**
 * Runs mutants through the readers in a child process with a time limit and a memory
 * cap, and classifies each outcome.
 *
 * The child (child.ts) is reused from one read to the next and replaced after any read
 * that hung, crashed, went over the memory cap or trapped in wasm, so no read sees a
 * broken library state. Its resident memory is sampled from /proc while a read runs; a
 * read that takes it over the cap is killed and counted as a crash.
 *
 * Allowed outcomes: `clean` (an InputError with a one-line message naming the file, and
 * nothing else on stderr), `equal` (the read gives exactly the original columns: the
 * mutation hit padding or unused bytes) and `data`, undetectable without a checksum: only
 * bytes inside the column values changed and only values differ; or a header edit that
 * leaves a well-formed file agreeing with its size (Mutant.consistent), or that makes the
 * reader return the very stored bytes under another type of the same width; or, for CSV
 * and Arrow streams, which declare no row count, a cut that leaves a prefix of the rows. Everything else is
 * a failure: `garbage` (a read that succeeds with other columns, rows or values), `other`
 * (an exception that is not a clean InputError), `noise` (anything else on stderr),
 * `hang`, `crash`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { endMarker, type ReadReply, type ReadRequest, type SentColumn } from './child.js';
import type { FuzzInput } from './inputs.js';
import type { Mutant } from './mutators.js';

export const OUTCOMES = ['clean', 'equal', 'data', 'garbage', 'other', 'noise', 'hang', 'crash'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const ALLOWED: ReadonlySet<Outcome> = new Set(['clean', 'equal', 'data']);

/** Limits of one read. */
export interface Limits {
  /** Wall-clock limit of one read, ms. */
  timeoutMs: number;
  /** Resident memory cap of the child, MiB. */
  memoryMiB: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({ timeoutMs: 10_000, memoryMiB: 1024 });

/** What one read did. */
export interface ReadResult {
  reply?: ReadReply;
  stderr: string;
  killed?: 'hang' | 'memory';
  exit?: string;
  peakRssKiB: number;
}

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/** Resident memory of process `pid` in KiB (0 when unknown). */
export function rssKiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** A reusable reader child process. */
export class ReaderChild {
  private child: ChildProcess | undefined;
  private nextId = 1;

  constructor(private readonly limits: Limits = DEFAULT_LIMITS) {}

  private start(): ChildProcess {
    const heapMiB = Math.min(this.limits.memoryMiB, 512);
    this.child = fork(CHILD, [], {
      execArgv: [`--max-old-space-size=${heapMiB}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stdout?.resume();
    return this.child;
  }

  /** Reads `path` in the child; resolves when the reply and its stderr are in, or the child died. */
  read(path: string, columns: string[], jagged?: ReadRequest['jagged']): Promise<ReadResult> {
    const child = this.child ?? this.start();
    const id = this.nextId++;
    const marker = endMarker(id);
    return new Promise((resolve) => {
      let stderr = '';
      let reply: ReadReply | undefined;
      let peak = 0;
      let done = false;
      const finish = (result: Partial<ReadResult>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(sampler);
        child.off('message', onMessage);
        child.stderr?.off('data', onStderr);
        child.off('exit', onExit);
        if (
          result.killed !== undefined ||
          result.exit !== undefined ||
          (reply !== undefined && !reply.ok && reply.wasmTrap)
        )
          this.stop();
        resolve({ stderr, peakRssKiB: Math.max(peak, reply?.maxRssKiB ?? 0), reply, ...result });
      };
      const maybeDone = (): void => {
        if (reply !== undefined && stderr.includes(marker)) {
          stderr = stderr.replace(marker, '');
          finish({});
        }
      };
      const onMessage = (m: ReadReply): void => {
        if (m.id === id) {
          reply = m;
          maybeDone();
        }
      };
      const onStderr = (chunk: Buffer): void => {
        stderr += chunk.toString('utf8');
        maybeDone();
      };
      const onExit = (code: number | null, signal: string | null): void =>
        finish({ exit: signal ?? `exit code ${code}` });
      const sampler = setInterval(() => {
        const rss = rssKiB(child.pid);
        peak = Math.max(peak, rss);
        if (rss > this.limits.memoryMiB * 1024) finish({ killed: 'memory' });
      }, 20);
      const timer = setTimeout(() => finish({ killed: 'hang' }), this.limits.timeoutMs);
      child.on('message', onMessage);
      child.stderr?.on('data', onStderr);
      child.on('exit', onExit);
      child.send({ id, path, columns, ...(jagged === undefined ? {} : { jagged }) } satisfies ReadRequest);
    });
  }

  /** Kills the child (a new one starts on the next read). */
  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}

/** The columns of a successful read, as sent back. */
export interface Columns {
  nRows: number;
  columnNames: string[];
  columns: Record<string, SentColumn>;
}

function sameColumns(a: Columns, b: Columns): boolean {
  return (
    a.nRows === b.nRows &&
    a.columnNames.join('\u0000') === b.columnNames.join('\u0000') &&
    Object.keys(b.columns).every(
      (n) => a.columns[n]?.type === b.columns[n].type && a.columns[n]?.base64 === b.columns[n].base64,
    )
  );
}

function sameShape(a: Columns, b: Columns): boolean {
  return (
    a.nRows === b.nRows &&
    a.columnNames.join('\u0000') === b.columnNames.join('\u0000') &&
    Object.keys(b.columns).every((n) => a.columns[n]?.type === b.columns[n].type)
  );
}

/**
 * The read returned exactly the stored bytes of every column, some under another type of
 * the same width (a header's signedness or dtype edited, the file otherwise consistent).
 */
function isReinterpretation(read: Columns, original: Columns): boolean {
  return (
    read.nRows === original.nRows &&
    read.columnNames.join('\u0000') === original.columnNames.join('\u0000') &&
    Object.keys(original.columns).every((n) => read.columns[n]?.base64 === original.columns[n].base64)
  );
}

/**
 * A cut that leaves a prefix of the rows: whole batches of an Arrow stream (which
 * declares no row count and may end without its end marker), or whole CSV lines and
 * possibly a shortened last number.
 */
function isPrefix(read: Columns, original: Columns, lastRowMayDiffer: boolean): boolean {
  if (read.nRows > original.nRows || read.columnNames.join('\u0000') !== original.columnNames.join('\u0000'))
    return false;
  return Object.keys(original.columns).every((n) => {
    if (read.columns[n].type !== original.columns[n].type) return false;
    const a = Buffer.from(read.columns[n].base64, 'base64');
    const b = Buffer.from(original.columns[n].base64, 'base64');
    const rowBytes = read.nRows === 0 ? 0 : a.length / read.nRows;
    const compared = lastRowMayDiffer ? a.length - rowBytes : a.length;
    return a.subarray(0, compared).equals(b.subarray(0, compared));
  });
}

/** Classifies one read of `mutant` (whose file path is `path`) against the original columns. */
export function classify(
  result: ReadResult,
  mutant: Mutant,
  original: Columns,
  input: FuzzInput,
  file: string,
): Outcome {
  if (result.killed === 'hang') return 'hang';
  if (result.killed === 'memory' || result.exit !== undefined || result.reply === undefined) return 'crash';
  if (result.stderr.trim() !== '') return 'noise';
  const reply = result.reply;
  if (!reply.ok) {
    const oneLine = !reply.message.includes('\n');
    return reply.isInputError && oneLine && reply.message.includes(file) ? 'clean' : 'other';
  }
  if (sameColumns(reply, original)) return 'equal';
  if (mutant.dataOnly && sameShape(reply, original)) return 'data';
  if (mutant.consistent === true || isReinterpretation(reply, original)) return 'data';
  if (
    mutant.truncatedAt !== undefined &&
    (input.format === 'csv' || input.format === 'arrows') &&
    isPrefix(reply, original, input.format === 'csv')
  )
    return 'data';
  return 'garbage';
}

/** Counts of outcomes and the peak RSS over one format's mutants. */
export interface Tally {
  counts: Record<Outcome, number>;
  peakRssKiB: number;
  failures: string[];
}

export function emptyTally(): Tally {
  return {
    counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    peakRssKiB: 0,
    failures: [],
  };
}

/** One line describing a failed mutant: index, mutation and what happened. */
export function describeFailure(index: number, mutant: Mutant, outcome: Outcome, result: ReadResult): string {
  const reply = result.reply;
  let what = result.killed ?? result.exit ?? '';
  if (reply !== undefined && !reply.ok)
    what = `${reply.errorClass}: ${reply.message.split('\n')[0].slice(0, 160)}${reply.message.includes('\n') ? ' [multi-line]' : ''}`;
  if (reply !== undefined && reply.ok) what = `read ${reply.nRows} rows`;
  const noise =
    result.stderr.trim() === '' ? '' : ` stderr: ${JSON.stringify(result.stderr.trim().split('\n')[0].slice(0, 100))}`;
  return `#${index} ${outcome} (${mutant.kind}: ${mutant.description}) → ${what}${noise}`;
}
