/**
 * What one engine worker offers (a Web Worker in a browser, a worker thread in Node), on
 * any platform: the coordinator runs whole unfoldings (nominal and replicas, their member
 * fits spread over itself and the other workers), every worker fits single members for
 * the coordinator, and any worker reads weights files and computes histograms.
 * src/engine/engine.ts drives it; src/engine/worker_browser.ts and worker_node.ts expose
 * it on their platform's message ports.
 */
import * as Comlink from 'comlink';
import type { DataSample, MemberResult, SimSample, StepJob, UnfoldProgress } from '../algorithm/types.js';
import { fitMember } from '../algorithm/fit_member.js';
import { InProcessExecutor } from '../execution/in_process_executor.js';
import { initKernels } from '../kernels/wasm.js';
import { hepdataHistogram, type HepdataHistogram, type HistogramRequest } from '../publish/hepdata_submission.js';
import { decodeWeightsFile, type WeightsFile } from '../publish/weights_encoding.js';
import { MemoryReplicaStore } from '../uncertainty/replica_record.js';
import { mergeReplicas, prepareReplicas, type ReplicaOptions } from '../uncertainty/replicas.js';
import { LaneRunner, type FitLane } from './lane_runner.js';

/** The result of {@link EngineWorkerApi.unfold}: the nominal weights and every replica column. */
export interface EngineUnfoldResult {
  /** [nSim] w0·ν of the nominal unfolding after the last iteration. */
  weights: Float64Array;
  /** Every column in plan order: `weight` (nominal), then data/sim/background bootstraps and systematics. */
  columns: { name: string; family: string; values: Float64Array }[];
  /** The nominal unfolding's iteration diagnostics. */
  iterations: import('../algorithm/types.js').IterationDiagnostics[];
  nDropped: number;
  /** Workers that fitted members (this one included). */
  lanes: number;
  /** Whether the event data were shared with the other workers (SharedArrayBuffer) or copied to them. */
  sharing: 'shared' | 'copied' | 'none';
}

/** How a worker reaches another worker's API through a transferred message port. */
export type PortWrapper = (port: unknown) => Comlink.Remote<Pick<EngineWorkerApi, 'fitMember'>>;

/** How a worker exposes its API on a transferred message port. */
export type PortExposer = (api: object, port: unknown) => void;

/**
 * The buffers of `arrays` to transfer rather than copy, each once: those that one array
 * covers whole. A view of part of a larger buffer (a column of a decoded file, say) is
 * copied instead, since transferring would empty every other view of that buffer; shared
 * buffers are shared, never transferred.
 */
export function transferables(arrays: Iterable<ArrayBufferView>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays)
    if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)
      out.add(a.buffer);
  return [...out];
}

/** The API of one engine worker. */
export interface EngineWorkerApi {
  /** Hands the worker the compiled kernels; resolves once they are instantiated. */
  init(module: WebAssembly.Module): Promise<void>;
  /** Coordinator only: the other workers, each reached through one port, and whether to share event data with them. */
  connect(ports: unknown[], shared: boolean): void;
  /** Other workers: serve {@link fitMember} to the coordinator on `port`. */
  serve(port: unknown): void;
  /** Fits member `member` of `job` in this worker. */
  fitMember(job: StepJob, member: number): MemberResult;
  /** Runs the nominal unfolding and the replicas `options` plans, members spread over every worker. */
  unfold(
    sim: SimSample,
    data: DataSample,
    options: ReplicaOptions,
    onProgress?: (progress: UnfoldProgress) => void,
  ): Promise<EngineUnfoldResult>;
  /** Decodes a weights file. */
  readWeights(bytes: Uint8Array): WeightsFile;
  /** The histogram of `request` from a weights file, with every family's uncertainty and the covariance. */
  hist(bytes: Uint8Array, request: HistogramRequest): HepdataHistogram;
}

/** The API object of one worker, on a platform that wraps and exposes ports as given. */
export function engineWorkerApi(wrapPort: PortWrapper, exposePort: PortExposer): EngineWorkerApi {
  let others: FitLane[] = [];
  let shared = false;
  const api: EngineWorkerApi = {
    async init(module) {
      await initKernels(module);
    },
    connect(ports, share) {
      others = ports.map((port) => wrapPort(port));
      shared = share;
    },
    serve(port) {
      exposePort({ fitMember: api.fitMember }, port);
    },
    fitMember(job, member) {
      const result = fitMember(job, member);
      return Comlink.transfer(result, transferables(result.ratios));
    },
    async unfold(sim, data, options, onProgress) {
      const local: FitLane = { fitMember: (job, member) => fitMember(job, member) };
      const runner = new LaneRunner([...others, local], shared);
      const work = prepareReplicas(sim, data, options, false);
      const store = new MemoryReplicaStore();
      const executor = new InProcessExecutor({ runner });
      await executor.run(
        work,
        work.plan.map((_, k) => k),
        { store, onProgress: onProgress === undefined ? undefined : (p) => void onProgress(p) },
      );
      const merged = mergeReplicas(work, store, []);
      const result: EngineUnfoldResult = {
        weights: merged.nominal.weights,
        columns: merged.columns.map((c) => ({ name: c.name, family: c.family, values: c.values })),
        iterations: merged.nominal.iterations,
        nDropped: merged.nominal.nDropped,
        lanes: others.length + 1,
        sharing: others.length === 0 ? 'none' : shared ? 'shared' : 'copied',
      };
      return Comlink.transfer(result, transferables([result.weights, ...result.columns.map((c) => c.values)]));
    },
    readWeights(bytes) {
      const file = decodeWeightsFile(bytes);
      // the decoded columns are views of `bytes`: copy them out so the result owns its memory
      const columns = new Map([...file.columns].map(([name, values]) => [name, values.slice()]));
      return Comlink.transfer({ ...file, columns }, transferables(columns.values()));
    },
    hist(bytes, request) {
      return hepdataHistogram(decodeWeightsFile(bytes), request);
    },
  };
  return api;
}
