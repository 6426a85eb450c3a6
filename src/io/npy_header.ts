/**
 * The `.npy` header (format versions 1.0, 2.0 and 3.0): the magic bytes, a version, a
 * length, then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }`, parsed by a small parser of
 * our own and checked against the file's size before any data is touched.
 */
import { InputError } from '../base/errors.js';

export const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** One element type: its kind (f, i, u, b), width in bytes and byte order. */
export interface ElementType {
  kind: 'f' | 'i' | 'u' | 'b';
  width: number;
  bigEndian: boolean;
  text: string;
}

/** A named field of a structured array, at a byte offset inside each row. */
export interface Field {
  name: string;
  type: ElementType;
  offset: number;
}

/** What the header says. */
export interface NpyHeader {
  fields: Field[] | null; // null: a plain (non-structured) array
  type: ElementType | null; // the element type of a plain array
  itemBytes: number;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

const SUPPORTED_DTYPES = 'float32/64, int8–64, uint8–64 or bool (e.g. <f4, >f8, <i8, |u1, |b1)';

// ---------------------------------------------------------------------------------------
// header: a Python literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (3,), }

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Parses the Python literal subset numpy writes in `.npy` headers. */
function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (): never => {
    throw new SyntaxError(`unexpected ${JSON.stringify(text.slice(pos, pos + 12))} at ${pos}`);
  };
  const skip = (): void => {
    while (pos < text.length && /[\s]/.test(text[pos])) pos++;
  };
  const value = (): PyValue => {
    skip();
    const c = text[pos];
    if (c === '{' || c === '(' || c === '[') return container(c);
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail();
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const word = /^(True|False|None|-?\d+L?)/.exec(text.slice(pos));
    if (word === null) return fail();
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number.parseInt(word[0], 10);
  };
  const container = (open: string): PyValue => {
    const close = open === '{' ? '}' : open === '(' ? ')' : ']';
    pos++;
    const items: PyValue[] = [];
    const dict: { [key: string]: PyValue } = {};
    for (;;) {
      skip();
      if (text[pos] === close) break;
      const item = value();
      skip();
      if (open === '{') {
        if (text[pos] !== ':') fail();
        pos++;
        if (typeof item !== 'string') return fail();
        dict[item] = value();
        skip();
      } else items.push(item);
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail();
    }
    pos++;
    return open === '{' ? dict : items;
  };
  const result = value();
  skip();
  if (pos !== text.length) fail();
  return result;
}

/** Parses a dtype string such as `<f4`; null when unsupported. */
function parseElementType(text: string): ElementType | null {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(text);
  if (m === null) return null;
  const kind = m[2] as ElementType['kind'];
  const width = Number(m[3]);
  const ok = kind === 'f' ? width === 4 || width === 8 : kind === 'b' ? width === 1 : [1, 2, 4, 8].includes(width);
  if (!ok) return null;
  return { kind, width, bigEndian: m[1] === '>' && width > 1, text };
}

/** Width in bytes of padding (`|V4`) fields numpy puts into aligned structured dtypes. */
function voidWidth(text: string): number | null {
  const m = /^[|<>=]?V(\d+)$/.exec(text);
  return m === null ? null : Number(m[1]);
}

export function parseHeader(bytes: Uint8Array, source: string): NpyHeader {
  const bad = (reason: string): never => {
    throw new InputError(`${source}: ${reason}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    bad(
      bytes.length < 10
        ? `file is truncated or not a .npy file; got ${bytes.length} bytes`
        : 'file must start with the .npy magic "\\x93NUMPY"; got other bytes',
    );
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major !== 1 && major !== 2 && major !== 3)
    bad(`.npy format version must be 1.0, 2.0 or 3.0; got ${major}.${bytes[7]}`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) bad(`file is truncated; got ${bytes.length} bytes`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset) bad(`file is truncated; the header needs ${dataOffset} bytes, got ${bytes.length}`);
  const raw = bytes.subarray(8 + lengthBytes, dataOffset);
  if (raw.length === 0 || raw[raw.length - 1] !== 0x0a) {
    bad(
      `.npy header must end with a newline at byte ${dataOffset - 1} (as numpy writes it); got ${raw.length === 0 ? 'an empty header' : `byte 0x${raw[raw.length - 1].toString(16)}`} (header length field wrong?)`,
    );
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw).trim();
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (err) {
    return bad(
      `.npy header must be a Python dict literal; got ${JSON.stringify(text.slice(0, 60))} (${(err as Error).message})`,
    );
  }
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict))
    return bad(`.npy header must be a dict; got ${JSON.stringify(text.slice(0, 60))}`);
  const keys = Object.keys(dict).sort();
  if (keys.join() !== HEADER_KEYS.join()) {
    return bad(
      `.npy header keys must be exactly ${HEADER_KEYS.join(', ')}; got ${keys.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  }
  if (typeof dict.fortran_order !== 'boolean')
    return bad(`.npy header fortran_order must be True or False; got ${JSON.stringify(dict.fortran_order)}`);
  const shape = checkShape(dict.shape, source);
  const { type, fields, itemBytes } = parseDescr(dict.descr, source);
  return { type, fields, itemBytes, fortranOrder: dict.fortran_order, shape, dataOffset };
}

/** The keys every `.npy` header has, no more, no fewer (numpy refuses others too). */
const HEADER_KEYS = ['descr', 'fortran_order', 'shape'];

/** A shape tuple of non-negative safe integers. */
function checkShape(shape: PyValue, source: string): number[] {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(
      `${source}: .npy header shape must be a tuple of non-negative integers; got ${JSON.stringify(shape)}`,
    );
  }
  return shape as number[];
}

function parseDescr(
  descr: PyValue,
  source: string,
): { type: ElementType | null; fields: Field[] | null; itemBytes: number } {
  const unsupported = (got: string): never => {
    throw new InputError(`${source}: dtype must be ${SUPPORTED_DTYPES}; got ${got}`);
  };
  if (typeof descr === 'string') {
    const type = parseElementType(descr) ?? unsupported(JSON.stringify(descr));
    return { type, fields: null, itemBytes: type.width };
  }
  if (!Array.isArray(descr)) return unsupported(JSON.stringify(descr));
  const fields: Field[] = [];
  let offset = 0;
  for (const entry of descr) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string')
      return unsupported(JSON.stringify(descr));
    const [name, typeText] = entry as [string, string];
    const padding = voidWidth(typeText);
    if (padding !== null && name === '') {
      offset += padding;
      continue;
    }
    if (entry.length > 2) unsupported(`field ${JSON.stringify(name)} with sub-array shape ${JSON.stringify(entry[2])}`);
    const type =
      parseElementType(typeText) ?? unsupported(`field ${JSON.stringify(name)} of dtype ${JSON.stringify(typeText)}`);
    fields.push({ name, type, offset });
    offset += type.width;
  }
  return { type: null, fields, itemBytes: offset };
}
