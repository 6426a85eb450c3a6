/**
 * A checking reader of zip archives (the container of `.npz`): the end-of-directory
 * record (zip64 too), the central directory and each member's local header are checked
 * against the file size and each other before anything is allocated, and every member
 * read is checked against its CRC-32 and declared size. Members are stored or deflated
 * (deflate through fflate).
 */
import { InputError } from '../base/errors.js';

/** One member of the archive, as its central directory entry describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Where the member's (compressed) bytes start, after its local header. */
  dataStart: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Deflate cannot expand data more than about 1032 : 1. */
const MAX_DEFLATE_RATIO = 1032;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Reads little-endian fields with bounds checks that become InputErrors naming the file. */
class Fields {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(what: string): never {
    throw new InputError(`${this.source}: file is truncated or not a zip archive; got ${JSON.stringify(what)}`);
  }
  need(at: number, n: number, what: string): void {
    if (!(at >= 0 && at + n <= this.bytes.length))
      this.fail(`${what} at byte ${at} past the end of the ${this.bytes.length}-byte file`);
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  u64(at: number): number {
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`a 64-bit size or offset of ${v}`);
    return Number(v);
  }
}

/** Where the central directory is and how many entries it has. */
function findDirectory(f: Fields): { offset: number; size: number; count: number } {
  const n = f.bytes.length;
  let eocd = -1;
  for (let at = n - 22; at >= Math.max(0, n - 22 - 0xffff); at--) {
    if (f.u32(at) === EOCD && at + 22 + f.u16(at + 20) === n) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) f.fail(n < 22 ? `only ${n} bytes` : 'no end-of-central-directory record at its end');
  let count = f.u16(eocd + 10);
  let size = f.u32(eocd + 12);
  let offset = f.u32(eocd + 16);
  let end = eocd;
  if (eocd >= 20 && f.u32(eocd - 20) === EOCD64_LOCATOR) {
    const at = f.u64(eocd - 20 + 8);
    f.need(at, 56, 'the zip64 end-of-directory record');
    if (f.u32(at) !== EOCD64) f.fail(`no zip64 end-of-directory record at byte ${at}`);
    count = f.u64(at + 32);
    size = f.u64(at + 40);
    offset = f.u64(at + 48);
    end = at;
  }
  if (offset + size !== end)
    f.fail(
      `a central directory at bytes ${offset}–${offset + size} that does not end where its end record starts (${end})`,
    );
  if (count * 46 > size) f.fail(`${count} entries in a central directory of ${size} bytes`);
  return { offset, size, count };
}

/** Sizes and offset from a zip64 extra field, for the fields set to 0xFFFFFFFF. */
function zip64Extra(f: Fields, at: number, length: number, entry: ZipEntry): void {
  for (let p = at; p + 4 <= at + length; p += 4 + f.u16(p + 2)) {
    if (f.u16(p) !== 0x0001) continue;
    let q = p + 4;
    const take = (): number => {
      f.need(q, 8, 'a zip64 extra field');
      const v = f.u64(q);
      q += 8;
      return v;
    };
    if (entry.size === 0xffffffff) entry.size = take();
    if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
    if (entry.localOffset === 0xffffffff) entry.localOffset = take();
    return;
  }
}

/** The archive's members, from its central directory (checked, nothing decompressed). */
export function listZip(bytes: Uint8Array, source: string): ZipEntry[] {
  const f = new Fields(bytes, source);
  const dir = findDirectory(f);
  const entries: ZipEntry[] = [];
  let at = dir.offset;
  for (let k = 0; k < dir.count; k++) {
    f.need(at, 46, `central directory entry ${k + 1}`);
    if (f.u32(at) !== CENTRAL) f.fail(`no central directory entry ${k + 1} at byte ${at}`);
    const nameLength = f.u16(at + 28);
    const extraLength = f.u16(at + 30);
    const next = at + 46 + nameLength + extraLength + f.u16(at + 32);
    if (next > dir.offset + dir.size) f.fail(`central directory entry ${k + 1} running past the directory`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const entry: ZipEntry = {
      name,
      method: f.u16(at + 10),
      crc: f.u32(at + 16),
      compressedSize: f.u32(at + 20),
      size: f.u32(at + 24),
      localOffset: f.u32(at + 42),
      dataStart: 0,
    };
    zip64Extra(f, at + 46 + nameLength, extraLength, entry);
    checkLocalHeader(f, entry, dir.offset);
    entries.push(entry);
    at = next;
  }
  if (at !== dir.offset + dir.size) f.fail(`${dir.offset + dir.size - at} stray bytes in the central directory`);
  return entries;
}

/** The local header must match the directory entry, and the member's bytes must lie before the directory. */
function checkLocalHeader(f: Fields, entry: ZipEntry, directoryStart: number): void {
  const member = quoteName(entry.name);
  const at = entry.localOffset;
  f.need(at, 30, `the local header of member ${member}`);
  if (f.u32(at) !== LOCAL) f.fail(`no local header of member ${member} at byte ${at}`);
  const nameLength = f.u16(at + 26);
  const name = new TextDecoder().decode(f.bytes.subarray(at + 30, at + 30 + nameLength));
  if (name !== entry.name) f.fail(`a local header named ${quoteName(name)} for member ${member}`);
  const flags = f.u16(at + 6);
  const localCrc = f.u32(at + 14);
  if ((flags & 8) === 0 && localCrc !== entry.crc)
    f.fail(
      `member ${member} with CRC-32 0x${localCrc.toString(16)} in its local header and 0x${entry.crc.toString(16)} in the directory`,
    );
  const dataStart = at + 30 + nameLength + f.u16(at + 28);
  if (dataStart + entry.compressedSize > directoryStart)
    f.fail(
      `member ${member} of ${entry.compressedSize} bytes at byte ${dataStart}, past the directory at ${directoryStart}`,
    );
  if (entry.method !== 0 && entry.method !== 8)
    f.fail(`member ${member} compressed with method ${entry.method} (only stored and deflate are read)`);
  if (entry.method === 0 && entry.size !== entry.compressedSize)
    f.fail(`stored member ${member} with sizes ${entry.compressedSize} and ${entry.size}`);
  if (entry.method === 8 && entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 64)
    f.fail(`member ${member} claiming ${entry.size} bytes from ${entry.compressedSize} compressed`);
  entry.dataStart = dataStart;
}

/** The bytes of one listed member, decompressed and checked against its size and CRC-32. */
export async function extractZip(bytes: Uint8Array, entry: ZipEntry, source: string): Promise<Uint8Array> {
  const f = new Fields(bytes, source);
  const raw = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  let data = raw;
  if (entry.method === 8) {
    const { inflateSync } = await import('fflate');
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (err) {
      f.fail(`member ${quoteName(entry.name)} whose deflate data do not decompress (${(err as Error).message})`);
    }
  }
  if (data.length !== entry.size)
    f.fail(`member ${quoteName(entry.name)} of ${data.length} bytes where the directory says ${entry.size}`);
  const crc = crc32(data);
  if (crc !== entry.crc)
    f.fail(
      `member ${quoteName(entry.name)} whose CRC-32 is 0x${crc.toString(16)}, not 0x${entry.crc.toString(16)} as recorded`,
    );
  return data;
}

/** A member name in single quotes (the message quotes the whole reason in double quotes). */
function quoteName(name: string): string {
  return `'${name.replace(/[\u0000-\u001f\u007f']/g, '?')}'`;
}
