/**
 * Finished replicas on disk, for resuming an interrupted multi-replica run:
 * `OUT/replicas/<column>.f64rep`, one file per replica, written atomically (a temporary
 * file in the same folder, fsynced, then renamed), so a killed run leaves either the
 * whole file or none.
 *
 * Layout: the 8 bytes `OFREP01\n`, a u32 little-endian header length, the header as UTF-8
 * JSON (padded with spaces to a multiple of 8 bytes from the file start), then the weights
 * as f64 little-endian [nEvents]. The header holds the replica's configuration hash: a
 * stored replica is used only when the hash matches the current run's.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from './errors.js';

const MAGIC = 'OFREP01\n';

/** What is stored next to a replica's weights. */
export interface StoredReplicaHeader {
  name: string;
  family: string;
  /** Hash of everything the replica's weights depend on (see `replicaHash` in replicas.ts). */
  hash: string;
  nEvents: number;
  /** Anything JSON-serialisable (diagnostics). */
  extra?: unknown;
}

/** A replica read back from disk. */
export interface StoredReplica {
  header: StoredReplicaHeader;
  /** [nEvents] */
  weights: Float64Array;
}

/** Incremental SHA-256 over strings, numbers and typed arrays (bytes as stored). */
export class ConfigHash {
  private readonly h = createHash('sha256');

  update(part: string | number | ArrayBufferView): this {
    if (typeof part === 'string') this.h.update(`s${part.length}:${part}`);
    else if (typeof part === 'number') this.h.update(`n${Object.is(part, -0) ? '-0' : String(part)};`);
    else {
      this.h.update(`b${part.byteLength}:`);
      this.h.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
    return this;
  }

  digest(): string {
    return this.h.digest('hex');
  }
}

function fileOf(dir: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InputError(`replica name must match [A-Za-z0-9_.-]+; got ${JSON.stringify(name)}`);
  return join(dir, `${name}.f64rep`);
}

/** Writes a replica atomically under `dir` (created if needed). */
export function writeReplica(dir: string, header: StoredReplicaHeader, weights: Float64Array): void {
  mkdirSync(dir, { recursive: true });
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = MAGIC.length + 4 + json.length;
  const padded = Math.ceil(headerEnd / 8) * 8;
  const head = Buffer.alloc(padded, 0x20);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(padded - MAGIC.length - 4, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  const body = Buffer.alloc(weights.length * 8);
  for (let i = 0; i < weights.length; i++) body.writeDoubleLE(weights[i], i * 8);
  const path = fileOf(dir, header.name);
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Reads the replica `name` under `dir`; undefined when there is no such (complete) file. */
export function readReplica(dir: string, name: string): StoredReplica | undefined {
  const path = fileOf(dir, name);
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new InputError(`${path}: replica file must start with ${JSON.stringify(MAGIC)}; got another format`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(bytes.toString('utf8', start, start + headerLength)) as StoredReplicaHeader;
  const offset = start + headerLength;
  if (bytes.length - offset !== header.nEvents * 8) {
    throw new InputError(`${path}: replica file must hold ${header.nEvents} weights; got ${(bytes.length - offset) / 8}`);
  }
  const weights = new Float64Array(header.nEvents);
  for (let i = 0; i < weights.length; i++) weights[i] = bytes.readDoubleLE(offset + i * 8);
  return { header, weights };
}
