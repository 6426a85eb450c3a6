/**
 * The engine behind a message port: `createEngine({ workers })` starts workers (Web Workers
 * in a browser, worker threads in Node: src/engine/create_browser.ts, create_node.ts) and
 * returns an {@link Engine} whose calls run there, through comlink. One worker coordinates
 * each unfolding; the member fits of the nominal unfolding and of every replica are spread
 * over all workers (src/engine/lane_runner.ts). The weights are the same bits as an
 * unfolding in this thread, for any number of workers, with the event data shared
 * (SharedArrayBuffer) or copied.
 *
 * Typed arrays handed to a call are transferred, not copied: the caller's arrays are
 * detached afterwards (pass copies to keep them). Results are transferred back.
 */
import * as Comlink from 'comlink';
import type { DataSample, SimSample, UnfoldProgress } from '../algorithm/types.js';
import { InputError, OmniFoldError } from '../base/errors.js';
import type { HepdataHistogram, HistogramRequest } from '../publish/hepdata_submission.js';
import type { WeightsFile } from '../publish/weights_encoding.js';
import type { ReplicaOptions } from '../uncertainty/replicas.js';
import { transferables, type EngineUnfoldResult, type EngineWorkerApi } from './worker_api.js';

export type { EngineUnfoldResult } from './worker_api.js';

/** What a platform provides to run the engine in workers. */
export interface EngineHost {
  /** Starts one worker: the endpoint comlink talks to, and how to stop it. */
  spawn(): { endpoint: Comlink.Endpoint; terminate(): void };
  /** Two connected message ports, to be transferred to two workers. */
  channel(): [unknown, unknown];
  /** The compiled kernels, handed to every worker. */
  module(): Promise<WebAssembly.Module>;
  /** Whether workers can share memory (Node: always; a browser: when cross-origin isolated). */
  canShare: boolean;
}

/** Options of `createEngine`. */
export interface EngineOptions {
  /** Workers fitting members at once (the coordinator is one of them); default 1. */
  workers?: number;
}

/** Options of one engine call. */
export interface EngineCallOptions {
  /** Aborting it stops the call: the workers are stopped (and started afresh by the next call). */
  signal?: AbortSignal;
}

/** What comlink's transfer takes (the DOM's Transferable[]). */
type Transfers = Parameters<typeof Comlink.transfer>[1];

interface Started {
  coordinator: Comlink.Remote<EngineWorkerApi>;
  stops: (() => void)[];
}

/** Every typed array inside `value` (samples: features, weights, masks), at any depth. */
function viewsIn(value: unknown, out: ArrayBufferView[] = [], depth = 0): ArrayBufferView[] {
  if (ArrayBuffer.isView(value)) out.push(value);
  else if (value !== null && typeof value === 'object' && depth < 6)
    for (const v of Object.values(value)) viewsIn(v, out, depth + 1);
  return out;
}

/** The engine running in workers; see the module comment. */
export class Engine {
  /** Workers fitting members at once. */
  readonly workers: number;
  /**
   * How the workers see the event data: `shared` (SharedArrayBuffer, no copies), `copied`
   * (each job posted to another worker is copied: the page is not cross-origin isolated),
   * or `none` (one worker: nothing is posted).
   */
  readonly sharing: 'shared' | 'copied' | 'none';
  private started: Promise<Started> | undefined;
  private closed = false;

  constructor(
    private readonly host: EngineHost,
    options: EngineOptions = {},
  ) {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1)
      throw new InputError(`workers must be a positive integer; got ${String(options.workers)}`);
    this.workers = workers;
    this.sharing = workers === 1 ? 'none' : host.canShare ? 'shared' : 'copied';
  }

  /**
   * Unfolds `data` with `sim` in the workers: the nominal unfolding and the replicas that
   * `options` plans (data/sim bootstraps, systematics), as `unfold` and `prepareReplicas`
   * do in this thread, to the same bits. `onProgress` is called here as the run goes.
   */
  async unfold(
    sim: SimSample,
    data: DataSample,
    options: ReplicaOptions = {},
    onProgress?: (progress: UnfoldProgress) => void,
    call: EngineCallOptions = {},
  ): Promise<EngineUnfoldResult> {
    const progress = onProgress === undefined ? undefined : Comlink.proxy(onProgress);
    return this.call(call, (s) =>
      s.coordinator.unfold(Comlink.transfer(sim, transferables(viewsIn([sim, data]))), data, options, progress),
    );
  }

  /** Decodes a weights file's bytes (transferred) in a worker. */
  async readWeights(bytes: Uint8Array, call: EngineCallOptions = {}): Promise<WeightsFile> {
    return this.call(call, (s) => s.coordinator.readWeights(Comlink.transfer(bytes, transferables([bytes]))));
  }

  /** The histogram of `request` from a weights file's bytes, with every family's uncertainty, in a worker. */
  async hist(bytes: Uint8Array, request: HistogramRequest, call: EngineCallOptions = {}): Promise<HepdataHistogram> {
    return this.call(call, (s) => s.coordinator.hist(Comlink.transfer(bytes, transferables([bytes])), request));
  }

  /** Resolves once the workers are started and hold the kernels (calls start them anyway). */
  async ready(): Promise<void> {
    if (this.closed) throw new OmniFoldError('engine is closed: create a new one');
    await this.start();
  }

  /** Stops every worker; the engine takes no further calls. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  private async call<T>(call: EngineCallOptions, run: (started: Started) => Promise<T>): Promise<T> {
    if (this.closed) throw new OmniFoldError('engine is closed: create a new one');
    const { signal } = call;
    signal?.throwIfAborted();
    const started = await this.start();
    if (signal === undefined) return run(started);
    return new Promise<T>((resolve, reject) => {
      const abort = () => {
        void this.stop();
        reject(signal.reason ?? new OmniFoldError('engine call cancelled'));
      };
      signal.addEventListener('abort', abort, { once: true });
      run(started)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', abort));
    });
  }

  private start(): Promise<Started> {
    this.started ??= (async () => {
      const stops: (() => void)[] = [];
      try {
        const module = await this.host.module();
        const workers = Array.from({ length: this.workers }, () => {
          const { endpoint, terminate } = this.host.spawn();
          stops.push(terminate);
          return Comlink.wrap<EngineWorkerApi>(endpoint);
        });
        await Promise.all(workers.map((w) => w.init(module)));
        const [coordinator, ...others] = workers;
        const ports: unknown[] = [];
        for (const other of others) {
          const [near, far] = this.host.channel();
          await other.serve(Comlink.transfer(far, [far] as Transfers));
          ports.push(near);
        }
        if (ports.length > 0)
          await coordinator.connect(Comlink.transfer(ports, ports as Transfers), this.sharing === 'shared');
        return { coordinator, stops };
      } catch (error) {
        for (const stop of stops) stop();
        this.started = undefined;
        throw error;
      }
    })();
    return this.started;
  }

  private async stop(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    if (started === undefined) return;
    const { stops } = await started.catch(() => ({ stops: [] as (() => void)[] }));
    for (const stop of stops) stop();
  }
}
