/**
 * Error classes. Every message reads `<subject> must <rule>; got <value>`, with an
 * optional `(hint)`: lowercase start, no trailing period, always the received value.
 */

/** Base class of every error the engine throws on purpose. */
export class OmniFoldError extends Error {
  /** Stable machine-readable code, e.g. `E_INPUT`. */
  readonly code: string;
  constructor(message: string, code = 'E_OMNIFOLD', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad options, shapes, files, columns or values supplied by the caller. */
export class InputError extends OmniFoldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'E_INPUT', options);
  }
}

/** A wasm trap or a kernel contract breach (a bug in the glue, never the user's fault). */
export class KernelError extends OmniFoldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'E_KERNEL', options);
  }
}

/** A numerical failure during unfolding: non-finite weights, empty classes. */
export class NumericalError extends OmniFoldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'E_NUMERICAL', options);
  }
}

/** A task on the worker pool failed; the message names the task and its seed. */
export class WorkerError extends OmniFoldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'E_WORKER', options);
  }
}

/** Formats a received value for an error message: short, never multi-line. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
