/**
 * Keeps the readers' libraries inside the one-line error rule:
 * - {@link guardUncaught} / {@link guardWasmTraps}: an exception a library throws in a
 *   callback it queued itself (a wasm trap such as parquet-wasm's `RuntimeError:
 *   unreachable`, a TypeError deep in jsroot) escapes every try/catch and would end the
 *   process; while a guarded call runs, it rejects that call as an InputError instead.
 *   Other uncaught exceptions are left to the process as before.
 * - {@link captureConsole}: a library that logs diagnostics on the console (jsroot) is
 *   muted while it runs; the caller gets the lines.
 * - {@link muteStderrSync}: synchronous wasm code that prints on stderr itself
 *   (Emscripten's `Aborted(…)` from HDF5) is muted while it runs.
 */
import { InputError } from '../base/errors.js';

/** Whether `err` is a WebAssembly trap (RuntimeError raised from wasm code). */
export function isWasmTrap(err: unknown): boolean {
  return err instanceof Error && err.constructor.name === 'RuntimeError' && /wasm/.test(err.stack ?? '');
}

/** Runs `work`; a wasm trap during it, thrown or uncaught, becomes `${source}: ${what}; got …`. */
export function guardWasmTraps<T>(source: string, what: string, work: () => Promise<T>): Promise<T> {
  return guardUncaught(source, what, work, isWasmTrap);
}

/** A guarded call waiting for its work: which uncaught exceptions are its, and how to fail it. */
interface Guard {
  ours: (err: unknown) => boolean;
  reject: (err: unknown) => void;
}

const guards = new Set<Guard>();

/**
 * The one uncaughtException listener, present while any guard is: hands an exception to
 * every guard that recognises it (two concurrent reads through the same library cannot be
 * told apart; both fail), and rethrows any other as if the listener were not there.
 */
function dispatch(err: Error): void {
  const matching = [...guards].filter((g) => g.ours(err));
  if (matching.length > 0) {
    matching.forEach((g) => g.reject(err));
    return;
  }
  if (process.listenerCount('uncaughtException') === 1) {
    process.off('uncaughtException', dispatch);
    process.nextTick(() => {
      throw err;
    });
  }
}

/**
 * Runs `work`; an uncaught exception that `ours` recognises as coming from it (a library
 * throwing inside a callback it queued) becomes an InputError, as does a thrown wasm trap.
 */
export async function guardUncaught<T>(
  source: string,
  what: string,
  work: () => Promise<T>,
  ours: (err: unknown) => boolean,
): Promise<T> {
  const wrap = (err: unknown): InputError =>
    new InputError(
      `${source}: ${what}; got ${JSON.stringify(String((err as Error)?.message ?? err).split('\n')[0])} (the decoder failed: corrupt file?)`,
      { cause: err },
    );
  let guard: Guard | undefined;
  const failed = new Promise<never>((_, reject) => {
    guard = { ours, reject: (err) => reject(wrap(err)) };
  });
  if (guards.size === 0) process.prependListener('uncaughtException', dispatch);
  guards.add(guard as Guard);
  try {
    return await Promise.race([work(), failed]);
  } catch (err) {
    if (isWasmTrap(err)) throw wrap(err);
    throw err;
  } finally {
    guards.delete(guard as Guard);
    if (guards.size === 0) process.off('uncaughtException', dispatch);
  }
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
let captureDepth = 0;
let captured: string[] = [];
let saved: Partial<Record<(typeof CONSOLE_METHODS)[number], (...args: unknown[]) => void>> = {};

/**
 * Runs `work` with the console muted and returns what was printed to it: a library that
 * logs its own diagnostics (jsroot does) must not print around the engine's one line.
 * Nested and overlapping calls share one capture; each gets the lines printed meanwhile.
 */
export async function captureConsole<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  if (captureDepth++ === 0) {
    captured = [];
    for (const m of CONSOLE_METHODS) {
      saved[m] = console[m];
      console[m] = (...args: unknown[]) => {
        captured.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
      };
    }
  }
  const start = captured.length;
  try {
    const value = await work();
    return { value, lines: captured.slice(start) };
  } finally {
    if (--captureDepth === 0) {
      for (const m of CONSOLE_METHODS) console[m] = saved[m] as (...args: unknown[]) => void;
      saved = {};
    }
  }
}

/**
 * Runs the synchronous `work` with process.stderr muted, returning what was written:
 * a wasm module's own printing (Emscripten's `Aborted(…)`) must not appear around the
 * engine's one-line error. Safe because nothing else runs until `work` returns, except
 * callbacks `work` makes through {@link unmuted} (progress reports).
 */
export function muteStderrSync<T>(work: () => T): { value: T; lines: string[] } {
  const lines: string[] = [];
  const write = process.stderr.write;
  const muted = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk).trimEnd());
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stderr.write;
  process.stderr.write = muted;
  realWrites.push(write);
  try {
    return { value: work(), lines };
  } finally {
    realWrites.pop();
    process.stderr.write = write;
  }
}

/** The stderr writers that muteStderrSync replaced, innermost last. */
const realWrites: Array<typeof process.stderr.write> = [];

/** Runs `callback` with stderr as it was before the innermost muteStderrSync (for progress output). */
export function unmuted<T>(callback: () => T): T {
  const real = realWrites.at(-1);
  if (real === undefined) return callback();
  const muted = process.stderr.write;
  process.stderr.write = real;
  try {
    return callback();
  } finally {
    process.stderr.write = muted;
  }
}
