/**
 * Turns a WebAssembly trap (or another exception) inside a library's async work into an
 * InputError naming the file. A trap (`RuntimeError: unreachable`, a Rust panic in parquet-wasm, for one) raised
 * in a callback the library queues itself escapes every try/catch and would end the
 * process; while a guarded call runs, such a trap rejects that call instead. Any other
 * uncaught exception is left to the process's other handlers, or rethrown as before.
 */
import { InputError } from '../errors.js';

function isWasmTrap(err: unknown): boolean {
  return err instanceof Error && err.constructor.name === 'RuntimeError' && /wasm/.test(err.stack ?? '');
}

/** Runs `work`; a wasm trap during it, thrown or uncaught, becomes `${source}: ${what}; got …`. */
export function guardWasmTraps<T>(source: string, what: string, work: () => Promise<T>): Promise<T> {
  return guardUncaught(source, what, work, isWasmTrap);
}

/**
 * Runs `work`; an uncaught exception that `ours` recognises as coming from it (a library
 * throwing inside a callback it queued) becomes an InputError, as does a thrown wasm trap.
 */
export async function guardUncaught<T>(source: string, what: string, work: () => Promise<T>, ours: (err: unknown) => boolean): Promise<T> {
  const wrap = (err: unknown): InputError => new InputError(`${source}: ${what}; got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])} (the decoder failed: corrupt file?)`, { cause: err });
  let onUncaught: ((err: Error) => void) | undefined;
  const trapped = new Promise<never>((_, reject) => {
    onUncaught = (err: Error) => {
      if (ours(err)) return reject(wrap(err));
      if (process.listenerCount('uncaughtException') <= 1) {
        process.off('uncaughtException', onUncaught as (err: Error) => void);
        process.nextTick(() => {
          throw err;
        });
      }
    };
    process.prependListener('uncaughtException', onUncaught);
  });
  try {
    return await Promise.race([work(), trapped]);
  } catch (err) {
    if (isWasmTrap(err)) throw wrap(err);
    throw err;
  } finally {
    process.off('uncaughtException', onUncaught as (err: Error) => void);
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
