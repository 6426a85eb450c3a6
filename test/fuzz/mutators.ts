/**
 * Mutations of a valid file: truncation, byte flips, integers overwritten in the
 * structure (outside the column values), known header fields (lengths, counts, offsets)
 * set huge, negative or off by one, and format-aware edits (NPY header text, zip CRC and
 * sizes, CSV header). Every choice comes from a seeded Philox stream, so a (seed, format,
 * index) triple always gives the same mutant.
 */
import { RandomStream } from '../../src/base/rng.js';
import { FORMATS, type FuzzInput } from './inputs.js';

/** One mutant and what was done to it. */
export interface Mutant {
  bytes: Uint8Array;
  /** Short name of the mutation kind, e.g. `truncate`, `flip`, `field`. */
  kind: string;
  /** What exactly changed, to reproduce a failure by eye. */
  description: string;
  /** Every changed byte lies inside the column values (a number changed, nothing else). */
  dataOnly: boolean;
  /**
   * The edit leaves a well-formed file whose header agrees with its size (a dtype of the
   * same width, a permuted shape, the other memory order): readable as other numbers by
   * any reader, so only a checksum could tell.
   */
  consistent?: boolean;
  /** The file was cut at this length (truncations only). */
  truncatedAt?: number;
}

/** The seeded stream of mutant `index` of `format`. */
export function mutantStream(seed: number, format: string, index: number): RandomStream {
  const replica = FORMATS.indexOf(format as (typeof FORMATS)[number]);
  return new RandomStream({ seed, kind: 'nominal', replica, iteration: 0, step: 'none', member: index }, 'toy');
}

const pick = <T>(rng: RandomStream, items: readonly T[]): T => items[rng.nextBelow(items.length)];

function inData(input: FuzzInput, start: number, end: number): boolean {
  return input.dataRanges.some(([a, b]) => start >= a && end <= b);
}

function truncate(input: FuzzInput, rng: RandomStream): Mutant {
  const at = rng.nextBelow(input.bytes.length);
  return {
    bytes: input.bytes.slice(0, at),
    kind: 'truncate',
    description: `truncated to ${at} of ${input.bytes.length} bytes`,
    dataOnly: false,
    truncatedAt: at,
  };
}

function flip(input: FuzzInput, rng: RandomStream): Mutant {
  const bytes = input.bytes.slice();
  const at = rng.nextBelow(bytes.length);
  const mask = rng.nextBelow(2) === 0 ? 1 << rng.nextBelow(8) : 1 + rng.nextBelow(255);
  bytes[at] ^= mask;
  return {
    bytes,
    kind: 'flip',
    description: `byte ${at} xor 0x${mask.toString(16)}`,
    dataOnly: inData(input, at, at + 1),
  };
}

/** Values an integer field is set to: huge, negative, zero, off by one, doubled. */
function corruptValues(original: bigint, width: number): bigint[] {
  const max = (1n << BigInt(8 * width - 1)) - 1n;
  return [max, -1n, -max - 1n, 0n, original + 1n, original - 1n, original * 2n, max / 2n, original + 4096n];
}

function writeInt(bytes: Uint8Array, at: number, width: number, value: bigint, bigEndian: boolean): void {
  const unsigned = BigInt.asUintN(8 * width, value);
  for (let k = 0; k < width; k++) {
    const byte = Number((unsigned >> BigInt(8 * k)) & 0xffn);
    bytes[bigEndian ? at + width - 1 - k : at + k] = byte;
  }
}

function readInt(bytes: Uint8Array, at: number, width: number, bigEndian: boolean): bigint {
  let v = 0n;
  for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[bigEndian ? at + width - 1 - k : at + k]);
  return BigInt.asIntN(8 * width, v);
}

/** Overwrites a 2-, 4- or 8-byte integer at a random place outside the column values. */
function overwriteInt(input: FuzzInput, rng: RandomStream): Mutant {
  const bytes = input.bytes.slice();
  const width = pick(rng, [2, 4, 4, 8]);
  let at = 0;
  for (let tries = 0; tries < 64; tries++) {
    at = rng.nextBelow(Math.max(1, bytes.length - width));
    if (!input.dataRanges.some(([a, b]) => at + width > a && at < b)) break;
  }
  const value = pick(rng, corruptValues(readInt(bytes, at, width, input.bigEndian), width));
  writeInt(bytes, at, width, value, input.bigEndian);
  return {
    bytes,
    kind: 'int',
    description: `int${8 * width} at ${at} set to ${value}`,
    dataOnly: inData(input, at, at + width),
  };
}

/** Unsigned LEB128 (Thrift compact varint) of a non-negative value. */
function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

/** Numbers a header is likely to hold: row count, byte lengths of columns, file size, data offsets. */
function structuralNumbers(input: FuzzInput, nRows: number): bigint[] {
  const numbers = new Set<bigint>([BigInt(nRows), BigInt(input.bytes.length)]);
  for (const w of [1, 4, 8]) numbers.add(BigInt(nRows * w));
  for (const [a, b] of input.dataRanges.slice(0, 64)) {
    numbers.add(BigInt(a));
    numbers.add(BigInt(b - a));
  }
  return [...numbers].filter((n) => n > 3n);
}

/** A place where a structural number is stored, found by searching its encodings. */
interface FieldHit {
  at: number;
  width: number;
  encoding: 'le' | 'be' | 'varint';
  value: bigint;
}

/** Every occurrence, outside the column values, of a structural number (LE/BE ints, zigzag varints). */
export function findFields(input: FuzzInput, nRows: number): FieldHit[] {
  const hits: FieldHit[] = [];
  const buf = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  const scan = (needle: number[], encoding: FieldHit['encoding'], value: bigint): void => {
    const pattern = Buffer.from(needle);
    for (let at = buf.indexOf(pattern); at >= 0; at = buf.indexOf(pattern, at + 1)) {
      if (!inData(input, at, at + needle.length)) hits.push({ at, width: needle.length, encoding, value });
    }
  };
  for (const value of structuralNumbers(input, nRows)) {
    for (const width of [4, 8]) {
      if (value >= 1n << BigInt(8 * width - 1)) continue;
      const le = new Uint8Array(width);
      writeInt(le, 0, width, value, false);
      scan([...le], 'le', value);
      scan([...le].reverse(), 'be', value);
    }
    if (input.format === 'parquet') scan(varint(value << 1n), 'varint', value); // zigzag of a positive i64
  }
  return hits;
}

/** Sets a found header field to a corrupt value (varints: the same number of bytes when possible). */
function corruptField(input: FuzzInput, rng: RandomStream, nRows: number): Mutant | undefined {
  const hits = findFields(input, nRows);
  if (hits.length === 0) return undefined;
  const hit = pick(rng, hits);
  const value = pick(rng, corruptValues(hit.value, hit.width));
  const description = `${hit.encoding} field ${hit.value} at ${hit.at} set to ${value}`;
  if (hit.encoding !== 'varint') {
    const bytes = input.bytes.slice();
    writeInt(bytes, hit.at, hit.width, value, hit.encoding === 'be');
    return { bytes, kind: 'field', description, dataOnly: false };
  }
  const zigzag = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  const encoded = varint(zigzag);
  const head = input.bytes.subarray(0, hit.at);
  const tail = input.bytes.subarray(hit.at + hit.width);
  const bytes = new Uint8Array(head.length + encoded.length + tail.length);
  bytes.set(head, 0);
  bytes.set(encoded, head.length);
  bytes.set(tail, head.length + encoded.length);
  return { bytes, kind: 'field', description, dataOnly: false };
}

// ---------------------------------------------------------------------------------------
// format-aware edits

/** Replaces `from` by `to` in the NPY header text, keeping the header length (padding absorbs the change). */
export function editNpyHeader(
  npy: Uint8Array,
  from: string | RegExp,
  to: string,
  keepLength = true,
): Uint8Array | undefined {
  const major = npy[6];
  const lengthBytes = major === 1 ? 2 : 4;
  const view = new DataView(npy.buffer, npy.byteOffset, npy.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  const text = new TextDecoder('latin1').decode(npy.subarray(start, start + headerLength));
  let edited = text.replace(from, to);
  if (edited === text) return undefined;
  if (keepLength) {
    const body = edited.trimEnd();
    if (body.length + 1 > headerLength) return undefined;
    edited = `${body}${' '.repeat(headerLength - body.length - 1)}\n`;
  }
  const encoded = new TextEncoder().encode(edited);
  const out = new Uint8Array(npy.length - headerLength + encoded.length);
  out.set(npy.subarray(0, start), 0);
  out.set(encoded, start);
  out.set(npy.subarray(start + headerLength), start + encoded.length);
  if (!keepLength) new DataView(out.buffer).setUint16(8, encoded.length, true);
  return out;
}

/** NPY header edits: dtype, shape, order key and value; `true` marks a consistent edit (see Mutant). */
const NPY_EDITS: Array<[RegExp, string, boolean?]> = [
  [/fortran_order/, 'fortran_ordr'],
  [/fortran_order/, 'Fortran_order'],
  [/'fortran_order': True/, "'fortran_order': False", true],
  [/'fortran_order': False/, "'fortran_order': True", true],
  [/'descr': '[^']*'/, "'descr': '<f4'"],
  [/'descr': '<f8'/, "'descr': '>f8'", true],
  [/'descr': '<f8'/, "'descr': '<i8'", true],
  [/'descr': '[^']*'/, "'descr': '<c16'"],
  [/'descr': '[^']*'/, "'descr': '<U8'"],
  [/'descr': '[^']*'/, "'descr': '|b1'"],
  [/'descr': '[^']*'/, "'descr': '<f16'"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': ($1, 4)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': ($2, $1)", true],
  [/'shape': \((\d+), (\d+)\)/, "'shape': (199, $2)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': (100, $2)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': (0, $2)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': (-1, $2)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': (4611686018427387904, $2)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': ($1,)"],
  [/'shape': \((\d+), (\d+)\)/, "'shape': ($1, $2, 1)"],
  [/'shape': \((\d+),\)/, "'shape': (4611686018427387904,)"],
  [/'shape': \((\d+),\)/, "'shape': (-5,)"],
  [/'shape': \((\d+),\)/, "'shape': (199,)"],
  [/'shape': \((\d+),\)/, "'shape': (201,)"],
  [/'shape': \((\d+),\)/, "'shape': ($1, 1)"],
  [/'shape': \((\d+),\)/, "'shape': ()"],
  [/'descr'/, "'dtype'"],
  [/, 'shape'/, ", 'shape': (1,), 'shape'"],
];

/** The edit replaced a plain dtype by another numeric one of the same width (`<i4` → `<f4`). */
function sameDescrWidth(before: Uint8Array, after: Uint8Array): boolean {
  const width = (npy: Uint8Array): string | undefined =>
    /'descr': '[<>|=]?[fiub](\d+)'/.exec(new TextDecoder('latin1').decode(npy.subarray(0, 128)))?.[1];
  const a = width(before);
  return (
    a !== undefined &&
    a === width(after) &&
    new TextDecoder('latin1').decode(before.subarray(0, 128)) !==
      new TextDecoder('latin1').decode(after.subarray(0, 128))
  );
}

/** An NPY-level mutation of npy bytes: a header edit, or the header length field off by one or huge. */
function mutateNpyBytes(
  npy: Uint8Array,
  rng: RandomStream,
): { bytes: Uint8Array; description: string; consistent?: boolean } | undefined {
  const choice = rng.nextBelow(NPY_EDITS.length + 4);
  if (choice < NPY_EDITS.length) {
    const [from, to, consistent] = NPY_EDITS[choice];
    const bytes = editNpyHeader(npy, from, to);
    if (bytes === undefined) return undefined;
    return {
      bytes,
      description: `header ${from} → ${JSON.stringify(to)}`,
      consistent: consistent === true || sameDescrWidth(npy, bytes),
    };
  }
  const bytes = npy.slice();
  const view = new DataView(bytes.buffer);
  const length = view.getUint16(8, true);
  const value = [length + 1, length - 1, 0xffff, 0][choice - NPY_EDITS.length];
  view.setUint16(8, value, true);
  return { bytes, description: `header length ${length} set to ${value}` };
}

/** CRC-32 (IEEE) of `bytes`, as zip stores it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A stored (uncompressed) zip member: where its local header, name and data are. */
interface ZipMember {
  local: number;
  central: number;
  dataStart: number;
  size: number;
}

/** The members of a zip archive written by fflate (stored members, no data descriptors). */
export function zipMembers(zip: Uint8Array): ZipMember[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const count = view.getUint16(eocd + 10, true);
  let central = view.getUint32(eocd + 16, true);
  const members: ZipMember[] = [];
  for (let k = 0; k < count; k++) {
    const local = view.getUint32(central + 42, true);
    const size = view.getUint32(central + 20, true);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    members.push({ local, central, dataStart, size });
    central +=
      46 + view.getUint16(central + 28, true) + view.getUint16(central + 30, true) + view.getUint16(central + 32, true);
  }
  return members;
}

/** Zip-level mutations of an NPZ: CRC, sizes, offsets, names; or an NPY edit inside a member with its CRC fixed. */
function mutateNpz(input: FuzzInput, rng: RandomStream): Mutant | undefined {
  const members = zipMembers(input.bytes);
  const member = pick(rng, members);
  const bytes = input.bytes.slice();
  const view = new DataView(bytes.buffer);
  const choice = rng.nextBelow(8);
  if (choice === 0) {
    const inner = mutateNpyBytes(input.bytes.subarray(member.dataStart, member.dataStart + member.size), rng);
    if (inner === undefined || inner.bytes.length !== member.size) return undefined;
    bytes.set(inner.bytes, member.dataStart);
    const crc = crc32(inner.bytes);
    view.setUint32(member.local + 14, crc, true);
    view.setUint32(member.central + 16, crc, true);
    return {
      bytes,
      kind: 'npz-npy',
      description: `member at ${member.local}: ${inner.description} (CRC fixed)`,
      dataOnly: false,
      consistent: inner.consistent,
    };
  }
  const fields: Array<[string, number, number]> = [
    ['local CRC', member.local + 14, 4],
    ['central CRC', member.central + 16, 4],
    ['local sizes', member.local + 18, 4],
    ['central uncompressed size', member.central + 24, 4],
    ['central local-header offset', member.central + 42, 4],
    ['local name length', member.local + 26, 2],
    ['end-of-directory offset', bytes.length - 22 + 16, 4],
  ];
  const [name, at, width] = fields[choice - 1];
  const old = width === 4 ? view.getUint32(at, true) : view.getUint16(at, true);
  const value = name.includes('CRC')
    ? (old ^ (1 << rng.nextBelow(32))) >>> 0
    : pick(
        rng,
        [old + 1, old - 1, 0xffff, 0xffffffff, 0, old * 2].map((v) => v & (width === 4 ? 0xffffffff : 0xffff)),
      );
  if (width === 4) view.setUint32(at, value >>> 0, true);
  else view.setUint16(at, value, true);
  return {
    bytes,
    kind: 'zip',
    description: `${name} of member at ${member.local}: ${old} → ${value >>> 0}`,
    dataOnly: false,
  };
}

/** CSV header and layout edits. */
const CSV_EDITS: Array<[RegExp, string]> = [
  [/^([^,\n]*),/, '$1,$1,'],
  [/^[^,\n]*/, ''],
  [/^([^\n]*)\n/, '$1,\n'],
  [/^([^\n]*)\n/, '"$1\n'],
  [/\n([^\n]*)\n/, '\n$1,1\n'],
  [/\n/, '\r\r\n'],
];

function mutateCsv(input: FuzzInput, rng: RandomStream): Mutant | undefined {
  const text = new TextDecoder().decode(input.bytes);
  const [from, to] = pick(rng, CSV_EDITS);
  const edited = text.replace(from, to);
  if (edited === text) return undefined;
  return {
    bytes: new TextEncoder().encode(edited),
    kind: 'csv',
    description: `${from} → ${JSON.stringify(to)}`,
    dataOnly: false,
  };
}

/** One mutant: the kind is drawn first, then its parameters. */
export function mutate(input: FuzzInput, seed: number, index: number, nRows: number): Mutant {
  const rng = mutantStream(seed, input.format, index);
  for (;;) {
    const kind = rng.nextBelow(5);
    let m: Mutant | undefined;
    if (kind === 0) m = truncate(input, rng);
    else if (kind === 1) m = flip(input, rng);
    else if (kind === 2) m = overwriteInt(input, rng);
    else if (kind === 3) m = corruptField(input, rng, nRows);
    else if (input.format === 'npy') {
      const edit = mutateNpyBytes(input.bytes, rng);
      m =
        edit === undefined
          ? undefined
          : {
              bytes: edit.bytes,
              kind: 'npy',
              description: edit.description,
              dataOnly: false,
              consistent: edit.consistent,
            };
    } else if (input.format === 'npz') m = mutateNpz(input, rng);
    else if (input.format === 'csv') m = mutateCsv(input, rng);
    else m = corruptField(input, rng, nRows);
    if (m !== undefined) return { ...m, dataOnly: m.dataOnly || changesOnlyData(input, m.bytes) };
  }
}

/** The mutant has the original's length and every byte that differs lies inside the column values. */
function changesOnlyData(input: FuzzInput, bytes: Uint8Array): boolean {
  if (bytes.length !== input.bytes.length) return false;
  let changed = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === input.bytes[i]) continue;
    if (!inData(input, i, i + 1)) return false;
    changed = true;
  }
  return changed;
}
