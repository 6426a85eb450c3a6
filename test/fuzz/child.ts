/**
 * The fuzz harness's child process: reads each file it is sent with the public
 * `readTable` and answers with the columns read or the error thrown. Before each answer
 * it writes an end marker to stderr, so the parent can tell which read printed what.
 */
import { InputError } from '../../src/base/errors.js';
import { readTable } from '../../src/io/load.js';

/** A read request from the parent. */
export interface ReadRequest {
  id: number;
  path: string;
  columns: string[];
  /** Variable-length columns to read; each comes back as `NAME[offsets]` and `NAME[values]`. */
  jagged?: { name: string; count?: string }[];
}

/** A column as sent back: its typed-array class and bytes (base64). */
export interface SentColumn {
  type: string;
  base64: string;
}

/** The answer to one request. */
export type ReadReply =
  | {
      id: number;
      ok: true;
      nRows: number;
      columnNames: string[];
      columns: Record<string, SentColumn>;
      maxRssKiB: number;
    }
  | {
      id: number;
      ok: false;
      errorClass: string;
      isInputError: boolean;
      message: string;
      wasmTrap: boolean;
      maxRssKiB: number;
    };

/** The line written to stderr after request `id`. */
export const endMarker = (id: number): string => `\u0001fuzz-end ${id}\n`;

function isWasmTrap(err: unknown): boolean {
  for (let e = err; e !== undefined && e !== null; e = e.cause) {
    if ((e as Error).constructor?.name === 'RuntimeError') return true; // WebAssembly.RuntimeError
    if (!(e instanceof Error)) break;
  }
  return false;
}

async function answer(request: ReadRequest): Promise<ReadReply> {
  const { id } = request;
  try {
    const table = await readTable(request.path, { columns: request.columns, jagged: request.jagged });
    const columns: Record<string, SentColumn> = {};
    const send = (name: string, c: ArrayBufferView): void => {
      columns[name] = {
        type: c.constructor.name,
        base64: Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'),
      };
    };
    for (const name of request.columns) send(name, table.column(name));
    for (const { name, count } of request.jagged ?? []) {
      const list = (table.jagged as NonNullable<typeof table.jagged>)(name, count);
      send(`${name}[offsets]`, list.offsets);
      send(`${name}[values]`, list.values);
    }
    return {
      id,
      ok: true,
      nRows: table.nRows,
      columnNames: [...table.columnNames],
      columns,
      maxRssKiB: process.resourceUsage().maxRSS,
    };
  } catch (err) {
    return {
      id,
      ok: false,
      errorClass: (err as object)?.constructor?.name ?? typeof err,
      isInputError: err instanceof InputError,
      message: String((err as Error)?.message ?? err),
      wasmTrap: isWasmTrap(err),
      maxRssKiB: process.resourceUsage().maxRSS,
    };
  }
}

process.on('message', (request: ReadRequest) => {
  void answer(request).then((reply) => {
    process.stderr.write(endMarker(request.id), () => process.send?.(reply));
  });
});
