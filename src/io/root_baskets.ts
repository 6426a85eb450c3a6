/**
 * Checks the baskets of ROOT TTree branches against the file before their values are
 * trusted: each basket's key must lie inside the file and agree with the branch's record
 * of its size, and zlib-compressed blocks must decompress to their declared size with a
 * matching Adler-32 (jsroot's own inflate does not check it, so a corrupt basket would
 * read as other numbers). Blocks of other algorithms (LZ4, ZSTD, LZMA) are only checked
 * for their sizes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { InputError } from '../base/errors.js';

// jsroot ships no types; a branch is used through a few known members.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped library objects
type JsrootBranch = any;

/** The size of a compression block header: algorithm (2), method (1), sizes (3 + 3). */
const BLOCK_HEADER = 9;

function u24(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
}

/** Checks the compressed blocks of one basket payload; they must produce `objectBytes`. */
function checkBlocks(payload: Uint8Array, objectBytes: number, fail: (why: string) => never): void {
  let at = 0;
  let produced = 0;
  while (produced < objectBytes) {
    if (at + BLOCK_HEADER > payload.length) fail(`compressed blocks ending after ${produced} of ${objectBytes} bytes`);
    const algorithm = String.fromCharCode(payload[at], payload[at + 1]);
    const compressed = u24(payload, at + 3);
    const size = u24(payload, at + 6);
    if (at + BLOCK_HEADER + compressed > payload.length)
      fail(`a ${algorithm} block of ${compressed} bytes past the basket's end`);
    if (algorithm === 'ZL') {
      let out: Uint8Array;
      try {
        out = inflateSync(payload.subarray(at + BLOCK_HEADER, at + BLOCK_HEADER + compressed));
      } catch (err) {
        return fail(`a zlib block that does not decompress (${(err as Error).message})`);
      }
      if (out.length !== size) fail(`a zlib block of ${out.length} bytes declared as ${size}`);
    }
    produced += size;
    at += BLOCK_HEADER + compressed;
  }
  if (produced !== objectBytes) fail(`compressed blocks of ${produced} bytes for a basket of ${objectBytes}`);
}

/** Checks one basket's key and payload at `seek` (`bytes` long, as the branch records). */
async function checkBasket(
  handle: FileHandle,
  fileBytes: number,
  seek: number,
  bytes: number,
  fail: (why: string) => never,
): Promise<void> {
  if (!(Number.isSafeInteger(seek) && seek > 0 && bytes > 0 && seek + bytes <= fileBytes))
    fail(`a basket of ${bytes} bytes at byte ${seek} of a ${fileBytes}-byte file`);
  const basket = new Uint8Array(bytes);
  await handle.read(basket, 0, bytes, seek);
  const view = new DataView(basket.buffer);
  if (bytes < 18) fail(`a basket of ${bytes} bytes at byte ${seek}`);
  const keyBytes = view.getInt32(0);
  const objectBytes = view.getInt32(6);
  const keyLength = view.getInt16(14);
  if (keyBytes !== bytes || keyLength <= 0 || keyLength > bytes || objectBytes < 0) {
    fail(
      `a basket key at byte ${seek} (${keyBytes} bytes, key length ${keyLength}) that disagrees with its branch (${bytes} bytes)`,
    );
  }
  if (objectBytes > bytes - keyLength) checkBlocks(basket.subarray(keyLength), objectBytes, fail);
}

/** Checks every written basket of `branches` in `file`. */
export async function checkBaskets(file: string, source: string, branches: JsrootBranch[]): Promise<void> {
  const fail = (why: string): never => {
    throw new InputError(`${source}: branch data must be intact; got ${why} (truncated or corrupt file)`);
  };
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    for (const branch of branches) {
      const n = Number(branch.fWriteBasket ?? 0);
      for (let b = 0; b < n; b++) {
        await checkBasket(handle, size, Number(branch.fBasketSeek?.[b]), Number(branch.fBasketBytes?.[b]), (why) =>
          fail(`in branch ${JSON.stringify(String(branch.fName))}, ${why}`),
        );
      }
    }
  } finally {
    await handle.close();
  }
}
