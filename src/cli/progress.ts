/**
 * The progress display of a run on stderr (state in src/cli/run_progress.ts):
 * - on a terminal (`sink.isTTY`), one live bar redrawn in place: the fraction done,
 *   replicas done and total, each running replica's iteration and step, elapsed time and
 *   an estimate of the time left;
 * - otherwise (CI logs, pipes), plain lines: the same status (up to 8 running replicas
 *   named, the bar shows what fits) at most once every `statusIntervalMs` (5 s), plus one
 *   line per finished replica;
 * - in both, one line per finished iteration of the nominal unfolding and every
 *   `message`; nothing at all with `--quiet`.
 * The clock and the periodic tick are injected, so tests drive the printer with a fake
 * clock; by default a tick every second (terminal) or every status interval (plain)
 * keeps the display moving while the worker threads are busy and no event arrives.
 */
import type { ReplicaProgress } from '../index.js';
import { formatDuration, RunProgress } from './run_progress.js';

/** Where progress goes: stderr in the CLI; anything with `write` in tests. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; the live bar is cut to fit. */
  columns?: number;
}

/** A progress printer: `onProgress` for `runReplicas()`, `message` for other lines, `end` to finish. */
export interface ProgressPrinter {
  onProgress: (progress: ReplicaProgress) => void;
  message: (line: string) => void;
  end: () => void;
}

/** Clock and pacing of a printer; all optional. */
export interface ProgressOptions {
  /** Milliseconds from any fixed origin (default `performance.now`). */
  now?: () => number;
  /** Plain output: least time between two status lines (default 5000 ms). */
  statusIntervalMs?: number;
  /** Terminal: least time between two redraws of the bar (default 100 ms). */
  redrawIntervalMs?: number;
  /** Calls `tick` every `ms` until the returned stop is called (default an unref'd setInterval). */
  every?: (tick: () => void, ms: number) => () => void;
}

const CLEAR = '\r\u001b[2K';
const BAR_WIDTH = 20;

function everyDefault(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** `[########------------]  40%` */
function bar(fraction: number): string {
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/** Builds the printer for `nIterations` iterations per replica. */
export function progressPrinter(
  sink: ProgressSink,
  nIterations: number,
  quiet: boolean,
  options: ProgressOptions = {},
): ProgressPrinter {
  if (quiet) return { onProgress: () => {}, message: () => {}, end: () => {} };
  const now = options.now ?? (() => performance.now());
  const run = new RunProgress(nIterations, now());
  return sink.isTTY === true ? terminalPrinter(sink, run, now, options) : plainPrinter(sink, run, now, options);
}

function terminalPrinter(
  sink: ProgressSink,
  run: RunProgress,
  now: () => number,
  options: ProgressOptions,
): ProgressPrinter {
  const redrawMs = options.redrawIntervalMs ?? 100;
  let shown = false; // the bar is on screen
  let lastDraw = -Infinity;
  let stop: (() => void) | undefined;
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < redrawMs) return;
    const width = Math.max(20, (sink.columns ?? 100) - 1); // never wrap: \r must return to the bar's start
    sink.write(`${CLEAR}${`${bar(run.fraction())} ${run.status(t)}`.slice(0, width)}`);
    shown = true;
    lastDraw = t;
  };
  /** A line of its own above the bar; the bar comes back under it when `redraw`. */
  const line = (text: string, redraw: boolean) => {
    sink.write(`${shown ? CLEAR : ''}${text}\n`);
    shown = false;
    if (redraw) draw(true);
  };
  return {
    onProgress(p) {
      stop ??= (options.every ?? everyDefault)(() => draw(true), 1000);
      const text = run.update(p, now());
      if (text !== undefined) line(text, true);
      else draw(false);
    },
    message: (text) => line(text, shown),
    end() {
      stop?.();
      if (shown) sink.write(CLEAR);
      shown = false;
      if (run.total > 1 && run.done === run.total) sink.write(`${finalLine(run, now())}\n`);
    },
  };
}

function plainPrinter(
  sink: ProgressSink,
  run: RunProgress,
  now: () => number,
  options: ProgressOptions,
): ProgressPrinter {
  const intervalMs = options.statusIntervalMs ?? 5000;
  let lastStatus = run.startedAt;
  let stop: (() => void) | undefined;
  const status = () => {
    const t = now();
    if (t - lastStatus < intervalMs) return;
    sink.write(`progress: ${run.status(t, 8)}\n`);
    lastStatus = t;
  };
  return {
    onProgress(p) {
      stop ??= (options.every ?? everyDefault)(status, intervalMs);
      const text = run.update(p, now());
      if (text !== undefined) sink.write(`${text}\n`);
      else status();
    },
    message: (text) => sink.write(`${text}\n`),
    end() {
      stop?.();
      if (run.total > 1 && run.done === run.total) sink.write(`${finalLine(run, now())}\n`);
    },
  };
}

function finalLine(run: RunProgress, t: number): string {
  return `all ${run.total} replicas done in ${formatDuration(t - run.startedAt)}${run.resumed > 0 ? ` (${run.resumed} resumed)` : ''}`;
}
