/**
 * CSV reader: a header row of column names, then one event per line, comma-separated.
 * Numbers parse as f64 (`nan`, `inf`, `-inf` accepted; an empty field reads as NaN, as
 * pandas writes missing values); `true`/`false` (any case) read as 1/0 for masks. Quoted
 * fields are unquoted; lines may end in CRLF; blank lines at the end are ignored.
 * Every column is a fresh Float64Array (CSV is text, so nothing is zero-copy).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../base/errors.js';
import {
  checkColumnsPresent,
  type ColumnTable,
  type NumericColumn,
  type ReadOptions,
  type TableReader,
} from './table.js';

/** Reads a whole input file, with one-line errors for a missing, unreadable or empty file. */
export async function readInputFile(path: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: file must exist; got no such file`, { cause: error });
    if (code === 'EISDIR') throw new InputError(`${path}: path must be a file; got a directory`, { cause: error });
    throw new InputError(`${path}: file must be readable; got ${code ?? String(error)}`, { cause: error });
  }
  if (bytes.length === 0) throw new InputError(`${path}: file must not be empty; got 0 bytes`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const SPECIAL: Record<string, number> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  true: 1,
  false: 0,
};

/** Parses one field; NaN for empty; undefined when the token is not a number. */
function parseField(token: string): number | undefined {
  const t = token.trim();
  if (t === '') return NaN;
  const special = SPECIAL[t.toLowerCase()];
  if (special !== undefined) return special;
  // Number() accepts hex, binary and whitespace-only strings; require a decimal form.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Splits one line into fields; handles double-quoted fields with "" escapes. */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k];
    if (quoted) {
      if (c === '"' && line[k + 1] === '"') {
        field += '"';
        k++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Parses CSV text into a {@link ColumnTable}; `source` names the file in errors. */
export function parseCsv(text: string, source: string, columns?: readonly string[]): ColumnTable {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new InputError(`${source}: file must start with a header row; got only blank lines`);
  const header = splitLine(lines[0].replace(/\r$/, '')).map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, k) => {
    if (h === '') throw new InputError(`${source}: header column ${k + 1} must have a name; got an empty one`);
    if (seen.has(h)) throw new InputError(`${source}: header column names must be unique; got "${h}" twice`);
    seen.add(h);
  });
  const wanted = columns === undefined || columns.length === 0 ? header : columns;
  checkColumnsPresent(source, header, wanted);
  const nRows = lines.length - 1;
  const index = wanted.map((name) => header.indexOf(name));
  const out = wanted.map(() => new Float64Array(nRows));
  for (let r = 0; r < nRows; r++) {
    const line = lines[r + 1].replace(/\r$/, '');
    const fields = splitLine(line);
    if (fields.length !== header.length) {
      throw new InputError(
        `${source}: line ${r + 2} must have ${header.length} fields like the header; got ${fields.length}`,
      );
    }
    for (let c = 0; c < index.length; c++) {
      const value = parseField(fields[index[c]]);
      if (value === undefined) {
        throw new InputError(
          `${source}: line ${r + 2}, column "${wanted[c]}" must be a number or true/false; got ${JSON.stringify(fields[index[c]].trim())}`,
        );
      }
      out[c][r] = value;
    }
  }
  const byName = new Map<string, NumericColumn>(wanted.map((name, c) => [name, out[c]]));
  return {
    source,
    nRows,
    columnNames: header,
    column(name: string): NumericColumn {
      checkColumnsPresent(source, header, [name]);
      let col = byName.get(name);
      if (col === undefined) {
        col = parseCsv(lines.join('\n'), source, [name]).column(name);
        byName.set(name, col);
      }
      return col;
    },
  };
}

/** Reads a CSV file (see the module note for the accepted syntax). */
export const readCsv: TableReader = async (path: string, options: ReadOptions): Promise<ColumnTable> => {
  const bytes = await readInputFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InputError(`${path}: file must be UTF-8 text; got bytes that are not (binary or garbled)`, {
      cause: error,
    });
  }
  if (text.includes('\u0000')) throw new InputError(`${path}: file must be text; got NUL bytes (binary or garbled)`);
  const table = parseCsv(text.replace(/^\uFEFF/, ''), path, options.columns);
  options.onProgress?.(1);
  return table;
};
