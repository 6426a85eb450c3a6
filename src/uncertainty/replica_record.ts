/**
 * A finished replica and the store that keeps it. An executor (src/execution/executor.ts)
 * writes one record per replica it runs; the merge and `--resume` read them back. The
 * store on disk is src/uncertainty/replica_store.ts; this file needs no platform.
 */
import type { IterationDiagnostics, UnfoldResult } from '../algorithm/types.js';
import type { ReplicaFamily } from './families.js';

/** One finished replica: its weight column and what is kept with it. */
export interface ReplicaRecord {
  /** Column name: `weight`, `data_boot_<b>`, `sim_boot_<b>`, `background_boot_<b>`, `syst_<name>`. */
  name: string;
  family: ReplicaFamily;
  /** Hash of everything its weights depend on (`replicaHash`); '' where records are not stored. */
  hash: string;
  /** [nSim] unfolded weights w0·ν. */
  weights: Float64Array;
  /**
   * [nMembers or ensembleRuns][nSim]: the nominal's ensemble columns (`saveMembers`,
   * `UnfoldResult.memberWeights`); absent for every other replica.
   */
  members?: Float64Array[];
  iterations: IterationDiagnostics[];
  nDropped: number;
  /**
   * The whole unfolding (push, pull, weightsPerIteration), where it ran in this process;
   * absent for a record read back from disk.
   */
  result?: UnfoldResult;
}

/** What a stored record must match to be used. */
export interface RecordExpectation {
  hash: string;
  nEvents: number;
}

/** Where executors put finished replicas, and where the merge and `--resume` find them. */
export interface ReplicaStore {
  /** Keeps a finished replica (a persistent store writes it whole or not at all). */
  write(record: ReplicaRecord): void;
  /**
   * The record of replica `name` if one matches `expected`; undefined when there is none
   * or it cannot be used (a persistent store says why through its notices).
   */
  read(name: string, expected: RecordExpectation): ReplicaRecord | undefined;
}

/** A store in memory, for runs that keep nothing for `--resume`. */
export class MemoryReplicaStore implements ReplicaStore {
  private readonly records = new Map<string, ReplicaRecord>();

  write(record: ReplicaRecord): void {
    this.records.set(record.name, record);
  }

  read(name: string, expected: RecordExpectation): ReplicaRecord | undefined {
    const record = this.records.get(name);
    return record !== undefined && record.hash === expected.hash && record.weights.length === expected.nEvents
      ? record
      : undefined;
  }
}
