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
