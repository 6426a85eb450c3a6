/**
 * A bounds-checked reader of FlatBuffers tables (the encoding of Arrow IPC metadata), for
 * checking untrusted bytes before a library decodes them: every offset, vector length
 * and field is checked against the buffer, and a bad one throws FlatbufferError.
 */

/** Thrown for any offset or length that leaves the buffer. */
export class FlatbufferError extends Error {}

/** A table inside a FlatBuffer: its position and its vtable. */
export class FlatTable {
  private readonly vtable: number;
  private readonly vtableBytes: number;

  constructor(
    private readonly view: DataView,
    readonly pos: number,
  ) {
    check(view, pos, 4, 'table');
    this.vtable = pos - view.getInt32(pos, true);
    check(view, this.vtable, 4, 'vtable');
    this.vtableBytes = view.getUint16(this.vtable, true);
    if (this.vtableBytes < 4 || this.vtableBytes % 2 !== 0)
      throw new FlatbufferError(`vtable of ${this.vtableBytes} bytes at ${this.vtable}`);
    check(view, this.vtable, this.vtableBytes, 'vtable');
  }

  /** The root table of a FlatBuffer occupying `view`. */
  static root(view: DataView): FlatTable {
    check(view, 0, 4, 'root offset');
    return new FlatTable(view, view.getUint32(0, true));
  }

  /** Absolute position of field `index`, or undefined when absent. */
  private field(index: number, width: number): number | undefined {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableBytes) return undefined;
    const offset = this.view.getUint16(this.vtable + slot, true);
    if (offset === 0) return undefined;
    check(this.view, this.pos + offset, width, `field ${index}`);
    return this.pos + offset;
  }

  int(index: number, width: 1 | 2 | 4 | 8, fallback = 0): number {
    const at = this.field(index, width);
    if (at === undefined) return fallback;
    if (width === 1) return this.view.getUint8(at);
    if (width === 2) return this.view.getInt16(at, true);
    if (width === 4) return this.view.getInt32(at, true);
    return int64(this.view, at);
  }

  table(index: number): FlatTable | undefined {
    const at = this.field(index, 4);
    return at === undefined ? undefined : new FlatTable(this.view, at + this.view.getUint32(at, true));
  }

  /** A vector of `elementBytes`-byte elements (structs or offsets): its element positions' start and count. */
  vector(index: number, elementBytes: number): { start: number; length: number } {
    const at = this.field(index, 4);
    if (at === undefined) return { start: 0, length: 0 };
    const vec = at + this.view.getUint32(at, true);
    check(this.view, vec, 4, `vector ${index}`);
    const length = this.view.getUint32(vec, true);
    check(this.view, vec + 4, length * elementBytes, `vector ${index} of ${length} elements`);
    return { start: vec + 4, length };
  }

  /** Tables of a vector of tables. */
  tables(index: number): FlatTable[] {
    const { start, length } = this.vector(index, 4);
    return Array.from(
      { length },
      (_, k) => new FlatTable(this.view, start + 4 * k + this.view.getUint32(start + 4 * k, true)),
    );
  }

  /** A string field as its UTF-8 bytes decoded; '' when absent. */
  string(index: number): string {
    const { start, length } = this.vector(index, 1);
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + start, length));
  }

  /** A signed 64-bit value at an absolute position (struct members). */
  long(at: number): number {
    return int64(this.view, at);
  }
}

function check(view: DataView, at: number, length: number, what: string): void {
  if (!(at >= 0 && length >= 0 && at + length <= view.byteLength))
    throw new FlatbufferError(`${what} at ${at} (+${length}) outside ${view.byteLength} bytes`);
}

function int64(view: DataView, at: number): number {
  const v = view.getBigInt64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
    throw new FlatbufferError(`64-bit value ${v} at ${at}`);
  return Number(v);
}
