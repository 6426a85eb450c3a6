/**
 * The replicas of a batch plan on disk (docs/cluster.md): one `<name>.f64rep` file per
 * replica in the plan's `replicas/` folder (the format and the atomic write of
 * src/uncertainty/replica_store.ts: a temporary file, fsync, rename, with the SHA-256 of
 * the weights). Each record also carries the plan hash, so a replica is used only by the
 * plan it was computed for, and only with its own configuration hash and checksum.
 *
 * Every task writes only its own replicas, so tasks running at once on many nodes never
 * write the same file, and nothing here removes another task's temporary files.
 */
import type { IterationDiagnostics } from '../algorithm/types.js';
import type { RecordExpectation, ReplicaRecord, ReplicaStore } from '../uncertainty/replica_record.js';
import { readReplica, type StoredReplica, writeReplica } from '../uncertainty/replica_store.js';

/** What is stored with a plan's replica besides its weights. */
interface PlanExtra {
  planHash?: unknown;
  iterations?: IterationDiagnostics[];
  nDropped?: number;
}

/** Whether a replica of a plan is stored and usable, and if not, why. */
export type PlanReplicaState =
  | { name: string; status: 'done' }
  | { name: string; status: 'missing' }
  /** A file that must not be used: damaged, or from another plan or configuration. */
  | { name: string; status: 'unusable'; reason: string };

/**
 * The state of replica `name` of the plan with hash `planHash` in `dir`: its checksum
 * verified and its plan hash compared; with `expected`, its configuration hash and event
 * count too (those need the inputs loaded).
 */
export function planReplicaState(
  dir: string,
  name: string,
  planHash: string,
  expected?: RecordExpectation,
): PlanReplicaState {
  return inspect(dir, name, planHash, expected).state;
}

/** The state of a stored replica, and the replica itself when it is usable. */
function inspect(
  dir: string,
  name: string,
  planHash: string,
  expected?: RecordExpectation,
): { state: PlanReplicaState; replica?: StoredReplica } {
  const lookup = readReplica(dir, name);
  if (lookup.status === 'absent') return { state: { name, status: 'missing' } };
  const unusable = (reason: string) => ({ state: { name, status: 'unusable', reason } as const });
  if (lookup.status === 'damaged') return unusable(`damaged: ${lookup.reason}`);
  const { header, weights } = lookup.replica;
  if ((header.extra as PlanExtra | undefined)?.planHash !== planHash)
    return unusable('made for another plan (its plan hash differs)');
  if (expected !== undefined && header.hash !== expected.hash)
    return unusable('made with other inputs or options (its configuration hash differs)');
  if (expected !== undefined && weights.length !== expected.nEvents)
    return unusable(`holding ${weights.length} weights, not ${expected.nEvents}`);
  return { state: { name, status: 'done' }, replica: lookup.replica };
}

/**
 * A plan's replica folder as a {@link ReplicaStore}: records written with the plan hash,
 * read back only when plan hash, configuration hash, event count and checksum all match.
 */
export class PlanReplicaStore implements ReplicaStore {
  private readonly kept = new Map<string, ReplicaRecord>();

  /**
   * @param dir the plan's `replicas/` folder
   * @param planHash the plan's hash (plan.json `planHash`)
   * @param onNotice told why a stored replica cannot be used
   */
  constructor(
    readonly dir: string,
    readonly planHash: string,
    private readonly onNotice?: (name: string, message: string) => void,
  ) {}

  write(record: ReplicaRecord): void {
    const extra: PlanExtra = { planHash: this.planHash, iterations: record.iterations, nDropped: record.nDropped };
    writeReplica(
      this.dir,
      { name: record.name, family: record.family, hash: record.hash, nEvents: record.weights.length, extra },
      record.weights,
    );
    this.kept.set(record.name, record);
  }

  read(name: string, expected: RecordExpectation): ReplicaRecord | undefined {
    const kept = this.kept.get(name);
    if (kept !== undefined && kept.hash === expected.hash && kept.weights.length === expected.nEvents) return kept;
    const { state, replica } = inspect(this.dir, name, this.planHash, expected);
    if (state.status === 'unusable') this.onNotice?.(name, `stored replica ${name} is ${state.reason}`);
    if (replica === undefined) return undefined;
    const { header, weights } = replica;
    const extra = (header.extra ?? {}) as PlanExtra;
    const record: ReplicaRecord = {
      name,
      family: header.family,
      hash: header.hash,
      weights,
      iterations: extra.iterations ?? [],
      nDropped: extra.nDropped ?? 0,
    };
    this.kept.set(name, record);
    return record;
  }
}
