/**
 * Finished replicas on disk, for resuming an interrupted multi-replica run: one file per
 * replica, `<dir>/<column>.f64rep`, in a folder the engine owns (the CLI uses
 * `OUT/.omnifold-resume/`).
 *
 * Layout: the 8 bytes `OFREP02\n`, a u32 little-endian header length, the header as UTF-8
 * JSON (padded with spaces to a multiple of 8 bytes from the file start), then the weights
 * as f64 little-endian [nEvents], then, for a nominal with ensemble columns (header
 * `members` = K), the K member columns, each f64 [nEvents]. The header holds the replica's
 * configuration hash (a stored replica is used only when it matches the current run's)
 * and the SHA-256 of all the f64 bytes, so a truncated, altered or half-written file is
 * recognised and never used.
 *
 * Writes go through a temporary file in the same folder: every byte is written and counted,
 * the file is fsynced and its size checked, and only then renamed to its final name. A
 * killed run or a full disk leaves at most a temporary file, which the next write replaces.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { InputError, OmniFoldError } from '../base/errors.js';
import type { IterationDiagnostics } from '../algorithm/types.js';
import type { RecordExpectation, ReplicaRecord, ReplicaStore } from './replica_record.js';
import { REPLICA_FAMILIES, type ReplicaFamily } from './families.js';

const MAGIC = 'OFREP02\n';
const TEMP_SUFFIX = '.tmp-';

/** What is stored next to a replica's weights. */
export interface StoredReplicaHeader {
  name: string;
  family: ReplicaFamily;
  /** Hash of everything the replica's weights depend on (see `replicaHash` in replicas.ts). */
  hash: string;
  nEvents: number;
  /** Ensemble columns stored after the weights (absent: none). */
  members?: number;
  /** Anything JSON-serialisable (diagnostics). */
  extra?: unknown;
}

/** A replica read back from disk. */
export interface StoredReplica {
  header: StoredReplicaHeader;
  /** [nEvents] */
  weights: Float64Array;
  /** [header.members][nEvents], when the header counts members. */
  members?: Float64Array[];
}

/** What {@link readReplica} found: a usable replica, nothing, or a file that must not be used. */
export type ReplicaLookup =
  { status: 'found'; replica: StoredReplica } | { status: 'absent' } | { status: 'damaged'; reason: string };

/** The path of replica `name` under `dir`. */
export function replicaPath(dir: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new InputError(`replica name must match [A-Za-z0-9_.-]+; got ${JSON.stringify(name)}`);
  return join(dir, `${name}.f64rep`);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of a replica file. */
function encodeReplica(header: StoredReplicaHeader, weights: Float64Array, members: readonly Float64Array[]): Buffer {
  const n = weights.length;
  const body = Buffer.alloc(n * 8 * (1 + members.length));
  [weights, ...members].forEach((column, c) => {
    for (let i = 0; i < n; i++) body.writeDoubleLE(column[i], (c * n + i) * 8);
  });
  const json = Buffer.from(JSON.stringify({ ...header, sha256: sha256(body) }), 'utf8');
  const padded = Math.ceil((MAGIC.length + 4 + json.length) / 8) * 8;
  const head = Buffer.alloc(padded, 0x20);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(padded - MAGIC.length - 4, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  return Buffer.concat([head, body]);
}

/** Writes all of `bytes` to `fd`, counting; throws on a short write. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0)
      throw new OmniFoldError(`write must make progress; got ${n} bytes written at offset ${done} of ${bytes.length}`);
    done += n;
  }
}

/**
 * Writes a replica under `dir` (created if needed): temporary file, every byte counted,
 * fsync, size checked, rename. Throws an OmniFoldError naming the file when the disk
 * refuses (e.g. full); the temporary file is then removed and no replica file appears.
 */
export function writeReplica(
  dir: string,
  header: StoredReplicaHeader,
  weights: Float64Array,
  members: readonly Float64Array[] = [],
): void {
  const path = replicaPath(dir, header.name);
  const temp = `${path}${TEMP_SUFFIX}${process.pid}`;
  if ((header.members ?? 0) !== members.length || members.some((m) => m.length !== weights.length))
    throw new OmniFoldError(
      `replica ${header.name} members must be ${header.members ?? 0} columns of ${weights.length} weights; got ${members.length}`,
    );
  const bytes = encodeReplica(header, weights, members);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const size = statSync(temp).size;
    if (size !== bytes.length) throw new OmniFoldError(`must hold ${bytes.length} bytes; got ${size}`);
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already gone
    }
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === undefined ? (error as Error).message : `${code}${code === 'ENOSPC' ? ' (no space left on device)' : ''}`;
    throw new OmniFoldError(`replica file ${path} must be written whole; got ${why}`, 'E_IO', { cause: error });
  }
}

/** Parses replica file bytes; a string says why they must not be used. */
function decodeReplica(bytes: Buffer): StoredReplica | string {
  if (bytes.length < MAGIC.length + 4) return `${bytes.length} bytes, shorter than a header`;
  if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return 'another format or version (magic bytes differ)';
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (headerLength > bytes.length - start) return `a header of ${headerLength} bytes in a file of ${bytes.length}`;
  let header: StoredReplicaHeader & { sha256?: unknown };
  try {
    header = JSON.parse(bytes.toString('utf8', start, start + headerLength)) as StoredReplicaHeader & {
      sha256?: unknown;
    };
  } catch {
    return 'a header that is not JSON';
  }
  if (
    header === null ||
    typeof header !== 'object' ||
    !Number.isInteger(header.nEvents) ||
    typeof header.hash !== 'string' ||
    typeof header.sha256 !== 'string'
  ) {
    return 'a header without nEvents, hash and sha256';
  }
  if (!(REPLICA_FAMILIES as readonly unknown[]).includes(header.family)) {
    return `a header whose family must be one of ${REPLICA_FAMILIES.join(', ')}; got ${JSON.stringify(header.family) ?? 'none'}`;
  }
  const nMembers = header.members ?? 0;
  if (!Number.isInteger(nMembers) || nMembers < 0) return 'a header whose members is not a non-negative integer';
  const offset = start + headerLength;
  const nColumns = 1 + nMembers;
  if (bytes.length - offset !== header.nEvents * 8 * nColumns)
    return `${bytes.length - offset} weight bytes where ${nMembers > 0 ? `${nColumns} columns of ` : ''}${header.nEvents} weights need ${header.nEvents * 8 * nColumns}`;
  const body = bytes.subarray(offset);
  if (sha256(body) !== header.sha256) return 'weights whose SHA-256 differs from the one stored with them';
  const columns = Array.from({ length: nColumns }, (_, c) => {
    const column = new Float64Array(header.nEvents);
    for (let i = 0; i < column.length; i++) column[i] = body.readDoubleLE((c * header.nEvents + i) * 8);
    return column;
  });
  const { sha256: _checksum, ...rest } = header;
  const [weights, ...members] = columns;
  return { header: rest, weights, ...(nMembers > 0 ? { members } : {}) };
}

/** Looks up replica `name` under `dir`: found (checksum verified), absent, or damaged (with the reason). */
export function readReplica(dir: string, name: string): ReplicaLookup {
  const path = replicaPath(dir, name);
  if (!existsSync(path)) return { status: 'absent' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return {
      status: 'damaged',
      reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  const decoded = decodeReplica(bytes);
  if (typeof decoded === 'string') return { status: 'damaged', reason: decoded };
  if (decoded.header.name !== name)
    return { status: 'damaged', reason: `the replica ${JSON.stringify(decoded.header.name)} under this name` };
  return { status: 'found', replica: decoded };
}

/**
 * Removes temporary files that a killed run left under `dir` (they are never read): all
 * of them, or with `names` only those of these replicas (a batch task's own, while other
 * tasks may be writing theirs into the same folder).
 */
export function removeStaleTemporaries(dir: string, names?: readonly string[]): void {
  if (!existsSync(dir)) return;
  const owned = names === undefined ? undefined : new Set(names);
  for (const entry of readdirSync(dir)) {
    const match = /^(.*)\.f64rep\.tmp-\d+$/.exec(entry);
    if (match !== null && (owned === undefined || owned.has(match[1]))) unlinkSync(join(dir, entry));
  }
}

/**
 * The replicas of a run in a folder (`OUT/.omnifold-resume/` for the CLI): each record
 * written is a `<name>.f64rep` file, and is also kept in memory for the merge, so a replica
 * computed in this process merges with exactly the values it was computed with.
 */
export class FolderReplicaStore implements ReplicaStore {
  private readonly kept = new Map<string, ReplicaRecord>();

  /**
   * @param dir the folder (created on the first write; the engine owns it)
   * @param onNotice told why a stored replica cannot be used (damaged, or from another
   *   configuration); it is then recomputed
   */
  constructor(
    readonly dir: string,
    private readonly onNotice?: (name: string, message: string) => void,
  ) {}

  write(record: ReplicaRecord): void {
    const extra = { iterations: record.iterations, nDropped: record.nDropped };
    const members = record.members ?? [];
    writeReplica(
      this.dir,
      {
        name: record.name,
        family: record.family,
        hash: record.hash,
        nEvents: record.weights.length,
        ...(members.length > 0 ? { members: members.length } : {}),
        extra,
      },
      record.weights,
      members,
    );
    this.kept.set(record.name, record);
  }

  read(name: string, expected: RecordExpectation): ReplicaRecord | undefined {
    const kept = this.kept.get(name);
    if (kept !== undefined && kept.hash === expected.hash && kept.weights.length === expected.nEvents) return kept;
    const stored = this.usable(name, expected);
    if (stored === undefined) return undefined;
    const extra = (stored.header.extra ?? {}) as { iterations?: IterationDiagnostics[]; nDropped?: number };
    const record: ReplicaRecord = {
      name,
      family: stored.header.family,
      hash: stored.header.hash,
      weights: stored.weights,
      ...(stored.members ? { members: stored.members } : {}),
      iterations: extra.iterations ?? [],
      nDropped: extra.nDropped ?? 0,
    };
    this.kept.set(name, record);
    return record;
  }

  /** The stored replica `name` when it can be used; otherwise undefined, with a notice saying why. */
  private usable(name: string, expected: RecordExpectation): StoredReplica | undefined {
    const lookup = readReplica(this.dir, name);
    if (lookup.status === 'absent') return undefined;
    const notice = (why: string) => this.onNotice?.(name, `stored replica ${name} ${why}; recomputing it`);
    if (lookup.status === 'damaged') return void notice(`is damaged (${lookup.reason})`);
    const { header, weights } = lookup.replica;
    if (header.hash !== expected.hash) return void notice('was made with another configuration or other inputs');
    if (weights.length !== expected.nEvents)
      return void notice(`holds ${weights.length} weights, not ${expected.nEvents}`);
    return lookup.replica;
  }
}
