/**
 * One run of the compiled CLI (`node bin/omnifold.js unfold …`) as a user would start it,
 * with a wall-clock limit and a resident-memory cap, and the judgement of how it ended.
 *
 * Allowed endings: `named`, exit code 2 with exactly one stderr line `omnifold: …` that
 * names the mutant's file, no stack trace, and no output folder; or `unfolded`, exit code
 * 0 with the weights written and nothing on stderr but warnings, when the reader-level
 * outcome of the same file was a read equal to the original or an undetectable value
 * change. Everything else is a failure: `garbage` (a file the reader rejects or misreads,
 * unfolded anyway), `exit` (any other exit code, or exit 0 without the weights),
 * `multiline` (exit 2 with more or other than one `omnifold:` line), `unnamed` (the one
 * line does not name the file), `written` (exit 2 but the output folder exists), `noise`
 * (exit 0 with other lines on stderr), `hang`, `crash` (a signal or the memory cap).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssKiB, type Limits, type Outcome } from './harness.js';

export const CLI_OUTCOMES = [
  'named',
  'unfolded',
  'garbage',
  'exit',
  'multiline',
  'unnamed',
  'written',
  'noise',
  'hang',
  'crash',
] as const;
export type CliOutcome = (typeof CLI_OUTCOMES)[number];
export const CLI_ALLOWED: ReadonlySet<CliOutcome> = new Set(['named', 'unfolded']);

/** Reader-level outcomes after which the CLI may unfold the file. */
const READ_AS_DATA: ReadonlySet<Outcome> = new Set(['equal', 'data']);

/** The command as installed: bin/omnifold.js of this checkout (the fuzzer runs from dist/test/fuzz/). */
export const CLI = fileURLToPath(new URL('../../../bin/omnifold.js', import.meta.url));

/** How one CLI run ended. */
export interface CliResult {
  /** Exit code, or undefined when killed or ended by a signal. */
  code?: number;
  signal?: string;
  killed?: 'hang' | 'memory';
  stderr: string;
  peakRssKiB: number;
}

/** Runs `omnifold ...args` in `cwd`; kills it past the time limit or the memory cap. */
export function runCli(args: string[], limits: Limits, cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    let stderr = '';
    let peak = 0;
    let killed: CliResult['killed'];
    const kill = (why: 'hang' | 'memory'): void => {
      killed ??= why;
      child.kill('SIGKILL');
    };
    const sampler = setInterval(() => {
      const rss = rssKiB(child.pid);
      peak = Math.max(peak, rss);
      if (rss > limits.memoryMiB * 1024) kill('memory');
    }, 20);
    const timer = setTimeout(() => kill('hang'), limits.timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      resolve(
        killed !== undefined
          ? { killed, stderr, peakRssKiB: peak }
          : { code: code ?? undefined, signal: signal ?? undefined, stderr, peakRssKiB: peak },
      );
    });
  });
}

/** Judges a run whose input `file` (a mutant) the reader alone ended in `readerOutcome`; `out` is its --out folder. */
export function judgeCliRun(result: CliResult, file: string, out: string, readerOutcome: Outcome): CliOutcome {
  if (result.killed === 'hang') return 'hang';
  if (result.killed === 'memory' || result.signal !== undefined) return 'crash';
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  if (result.code === 2) {
    if (lines.length !== 1 || !lines[0].startsWith('omnifold: ')) return 'multiline';
    if (!lines[0].includes(basename(file))) return 'unnamed';
    return existsSync(out) ? 'written' : 'named';
  }
  if (result.code !== 0) return 'exit';
  if (!READ_AS_DATA.has(readerOutcome)) return 'garbage';
  if (result.stderr !== '' && !lines.every((l) => l.startsWith('warning: '))) return 'noise';
  return existsSync(join(out, 'weights.arrow')) ? 'unfolded' : 'exit';
}

/** What a run did, for a failure line: exit code or signal and the first stderr line. */
export function describeCliRun(result: CliResult): string {
  const how = result.killed ?? (result.signal !== undefined ? `signal ${result.signal}` : `exit ${result.code}`);
  const lines = result.stderr.trim() === '' ? [] : result.stderr.trim().split('\n');
  const first = lines.length === 0 ? '' : `: ${JSON.stringify(lines[0].slice(0, 200))}`;
  return `${how}${first}${lines.length > 1 ? ` [+${lines.length - 1} more stderr lines]` : ''}`;
}
