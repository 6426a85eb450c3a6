/**
 * Structural check of Arrow IPC bytes before apache-arrow decodes them. apache-arrow
 * trusts the lengths and offsets it reads: a corrupt one makes it allocate gigabytes,
 * loop for minutes or return values past the real data. Here every message of the file
 * or stream is walked with bounds checks: metadata and body lengths against the file
 * size, the footer's blocks against the messages, each record batch's field nodes
 * against its length, and its buffers against its body and the sizes its columns need.
 */
import { InputError } from '../base/errors.js';
import { FlatbufferError, FlatTable } from './flatbuffer_view.js';

const CONTINUATION = 0xffffffff;
/** Message header types (Message.fbs). */
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;
/** Type union tags (Schema.fbs) of fixed-width types checked here, and their bit widths. */
const TYPE = { Int: 2, FloatingPoint: 3, Bool: 6 } as const;

/** What the schema says about one field: the bits per value (0 when not checked) and its children. */
interface FieldShape {
  bits: number;
  children: FieldShape[];
  /** Name, nullability and type, to compare the footer's schema with the stream's. */
  signature: string;
}

function fieldShape(field: FlatTable): FieldShape {
  const typeTag = field.int(2, 1);
  const type = field.table(3);
  let bits = 0;
  if (typeTag === TYPE.Int && type !== undefined) bits = type.int(0, 4);
  else if (typeTag === TYPE.FloatingPoint && type !== undefined) bits = [16, 32, 64][type.int(0, 2)] ?? 0;
  else if (typeTag === TYPE.Bool) bits = 1;
  if (bits !== 0 && ![1, 8, 16, 32, 64].includes(bits)) throw new FlatbufferError(`a field of ${bits} bits`);
  const dictionary = field.table(4) !== undefined;
  const signed = typeTag === TYPE.Int && type !== undefined ? type.int(1, 1) : 0;
  const signature = JSON.stringify([field.string(0), field.int(1, 1), typeTag, bits, signed, dictionary]);
  return { bits: dictionary ? 0 : bits, children: field.tables(5).map(fieldShape), signature };
}

/** The fields of a Schema table, flattened depth-first as record batches list their nodes. */
function flatFields(schema: FlatTable): FieldShape[] {
  const out: FieldShape[] = [];
  const walk = (f: FieldShape): void => {
    out.push(f);
    f.children.forEach(walk);
  };
  schema.tables(1).map(fieldShape).forEach(walk);
  return out;
}

/** One message: its metadata table and where its body lies. */
interface Message {
  start: number;
  metadataBytes: number;
  headerType: number;
  header: FlatTable | undefined;
  bodyStart: number;
  bodyLength: number;
}

/** Reads the message at `at`; undefined at an end-of-stream marker. */
function readMessage(bytes: Uint8Array, at: number, end: number, fail: (why: string) => never): Message | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + 8 > end) fail(`a message prefix at byte ${at} past the data end ${end}`);
  let prefix = 4;
  let length = view.getUint32(at, true);
  if (length === CONTINUATION) {
    prefix = 8;
    length = view.getUint32(at + 4, true);
  }
  if (length === 0) {
    // end-of-stream: only the end of the data (a file's footer) may follow
    if (at + prefix !== end) fail(`an end-of-stream marker at byte ${at} with ${end - at - prefix} bytes after it`);
    return undefined;
  }
  if (length > end - at - prefix) fail(`message metadata of ${length} bytes at byte ${at}, past the data end ${end}`);
  const meta = new DataView(bytes.buffer, bytes.byteOffset + at + prefix, length);
  const message = FlatTable.root(meta);
  checkVersion(message.int(0, 2), `the message at byte ${at}`, fail);
  const bodyLength = message.int(3, 8);
  const bodyStart = at + prefix + length;
  if (bodyLength < 0 || bodyLength > end - bodyStart)
    fail(`a message body of ${bodyLength} bytes at byte ${bodyStart}, past the data end ${end}`);
  return {
    start: at,
    metadataBytes: prefix + length,
    headerType: message.int(1, 1),
    header: message.table(2),
    bodyStart,
    bodyLength,
  };
}

/** Metadata versions read: V4 (3) and V5 (4); older ones lay out buffers differently. */
function checkVersion(version: number, what: string, fail: (why: string) => never): void {
  if (version !== 3 && version !== 4)
    fail(`${what} with metadata version ${version} (V${version + 1}; only V4 and V5 are read)`);
}

/** A record batch's nodes and buffers must agree with its length, its body and the schema. */
function checkRecordBatch(
  batch: FlatTable,
  bodyLength: number,
  fields: FieldShape[],
  fail: (why: string) => never,
): void {
  const length = batch.int(0, 8);
  if (length < 0) fail(`a record batch of ${length} rows`);
  const nodes = batch.vector(1, 16);
  const buffers = batch.vector(2, 16);
  const compressed = batch.table(3) !== undefined;
  if (nodes.length !== fields.length)
    fail(`a record batch with ${nodes.length} field nodes for ${fields.length} fields`);
  const buffer = (k: number): { offset: number; length: number } => ({
    offset: batch.long(buffers.start + 16 * k),
    length: batch.long(buffers.start + 16 * k + 8),
  });
  let previousEnd = 0;
  for (let k = 0; k < buffers.length; k++) {
    const b = buffer(k);
    if (b.offset < 0 || b.length < 0 || b.offset + b.length > bodyLength)
      fail(`buffer ${k} at ${b.offset} of ${b.length} bytes in a body of ${bodyLength}`);
    // buffers are laid out one after the other; one starting inside another is corrupt
    if (b.length > 0 && b.offset < previousEnd)
      fail(`buffer ${k} at ${b.offset} overlapping the previous one (ending at ${previousEnd})`);
    if (b.length > 0) previousEnd = b.offset + b.length;
  }
  const flat = fields.every((f) => f.children.length === 0);
  let next = 0;
  for (const [j, field] of fields.entries()) {
    const nodeLength = batch.long(nodes.start + 16 * j);
    const nulls = batch.long(nodes.start + 16 * j + 8);
    if (nodeLength < 0 || (flat && nodeLength !== length))
      fail(`field node ${j} of ${nodeLength} values in a batch of ${length} rows`);
    if (nulls < 0 || nulls > nodeLength) fail(`field node ${j} with ${nulls} nulls among ${nodeLength} values`);
    if (field.bits === 0) return; // buffers of other types are not counted here, so stop matching
    if (next + 2 > buffers.length) fail(`${buffers.length} buffers for ${fields.length} fields`);
    const validity = buffer(next);
    const data = buffer(next + 1);
    next += 2;
    if (compressed) continue;
    if (nulls > 0 && validity.length < Math.ceil(nodeLength / 8))
      fail(`a validity buffer of ${validity.length} bytes for ${nodeLength} values`);
    const need = Math.ceil((nodeLength * field.bits) / 8);
    // a writer may count the padding to 64 bytes, never more
    if (data.length < need || data.length > Math.ceil(need / 64) * 64) {
      fail(
        `field ${j}'s data buffer of ${data.length} bytes for ${nodeLength} values of ${field.bits} bits (needs ${need})`,
      );
    }
  }
}

/**
 * Walks the messages from `at` to `end`: one schema (equal to the footer's, for a file),
 * then dictionary and record batches, each checked. Returns where the batches start.
 */
function walkMessages(
  bytes: Uint8Array,
  at: number,
  end: number,
  footerFields: FieldShape[] | undefined,
  fail: (why: string) => never,
): { starts: number[]; fields: FieldShape[] } {
  let fields: FieldShape[] | undefined;
  const starts: number[] = [];
  while (at < end) {
    const message = readMessage(bytes, at, end, fail);
    if (message === undefined) break;
    if (message.header === undefined) fail(`a message without header at byte ${at}`);
    if (message.headerType === HEADER.Schema) {
      if (fields !== undefined) fail(`a second schema message at byte ${at}`);
      fields = flatFields(message.header);
      const signature = (f: FieldShape[]): string => f.map((x) => x.signature).join();
      if (footerFields !== undefined && signature(fields) !== signature(footerFields))
        fail(`a schema at byte ${at} that differs from the footer's`);
    } else if ((fields ?? footerFields) === undefined) {
      fail(`a message at byte ${at} before the schema`);
    } else if (message.headerType === HEADER.RecordBatch) {
      // a file's stream part may omit the schema (apache-arrow's writer does): the footer's then holds
      checkRecordBatch(message.header, message.bodyLength, (fields ?? footerFields) as FieldShape[], fail);
      starts.push(at);
    } else if (message.headerType === HEADER.DictionaryBatch) {
      starts.push(at);
    } else fail(`a message of type ${message.headerType} at byte ${at}`);
    at = message.bodyStart + message.bodyLength;
  }
  fields ??= footerFields;
  if (fields === undefined) fail('no schema message');
  return { starts, fields };
}

/** The footer of an IPC file: its schema and the start of each block it lists. */
function readFooter(
  bytes: Uint8Array,
  fail: (why: string) => never,
): {
  footerStart: number;
  fields: FieldShape[];
  blocks: Array<{ offset: number; metaDataLength: number; bodyLength: number }>;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  if (n < 18) fail(`only ${n} bytes`);
  const footerLength = view.getInt32(n - 10, true);
  const footerStart = n - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) fail(`a footer of ${footerLength} bytes in a ${n}-byte file`);
  const footerView = new DataView(bytes.buffer, bytes.byteOffset + footerStart, footerLength);
  const footer = FlatTable.root(footerView);
  checkVersion(footer.int(0, 2), 'the footer', fail);
  const schema = footer.table(1);
  if (schema === undefined) fail('a footer without schema');
  const blocks = [2, 3].flatMap((index) => {
    const v = footer.vector(index, 24);
    return Array.from({ length: v.length }, (_, k) => ({
      offset: footer.long(v.start + 24 * k),
      metaDataLength: footerView.getInt32(v.start + 24 * k + 8, true),
      bodyLength: footer.long(v.start + 24 * k + 16),
    }));
  });
  return { footerStart, fields: flatFields(schema), blocks };
}

/** Throws a one-line InputError naming `source` unless the IPC `bytes` hang together. */
export function checkArrowIpc(bytes: Uint8Array, format: 'file' | 'stream', source: string): void {
  const fail = (why: string): never => {
    throw new InputError(
      `${source}: file must be a complete Arrow IPC ${format}; got a truncated or garbled one (${why})`,
    );
  };
  try {
    if (format === 'stream') {
      walkMessages(bytes, 0, bytes.length, undefined, fail);
      return;
    }
    const footer = readFooter(bytes, fail);
    const { starts } = walkMessages(bytes, 8, footer.footerStart, footer.fields, fail);
    const listed = footer.blocks.map((b) => b.offset).sort((x, y) => x - y);
    if (listed.join() !== starts.join())
      fail(
        `a footer listing ${listed.length} batches where the file holds ${starts.length}${listed.length === starts.length ? ' at other places' : ''}`,
      );
    for (const block of footer.blocks) {
      const message = readMessage(bytes, block.offset, footer.footerStart, fail) as Message;
      if (message.metadataBytes !== block.metaDataLength || message.bodyLength !== block.bodyLength) {
        fail(
          `a footer block (metadata ${block.metaDataLength}, body ${block.bodyLength} bytes) that disagrees with its message (${message.metadataBytes}, ${message.bodyLength})`,
        );
      }
    }
  } catch (err) {
    if (err instanceof FlatbufferError) fail(`metadata with ${err.message}`);
    throw err;
  }
}
