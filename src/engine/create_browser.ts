/**
 * `createEngine` in a browser: the engine (src/engine/engine.ts) on Web Workers started
 * from `engine_worker.js`, the kernels compiled once here from `omnifold.wasm` (both beside
 * the browser bundle by default). On a cross-origin isolated page (COOP/COEP headers) the
 * workers share the event data through SharedArrayBuffer; elsewhere each job is copied to
 * the worker that fits it, and `engine.sharing` says so. The weights are the same bits
 * either way, and the same as in Node.
 *
 * @example
 * import { createEngine, gaussToy } from 'omnifold/browser';
 * const engine = await createEngine({ workers: navigator.hardwareConcurrency });
 * const toy = gaussToy({ nSim: 20000, nData: 20000 });
 * const result = await engine.unfold(toy.sim, toy.data, { nIterations: 4, dataBootstraps: 10 });
 */
import type * as Comlink from 'comlink';
import { compileKernels, type KernelSource } from '../kernels/wasm.js';
import { Engine, type EngineOptions } from './engine.js';

/** Options of the browser's `createEngine`. */
export interface BrowserEngineOptions extends EngineOptions {
  /** The worker script; default `engine_worker.js` beside this module. */
  workerUrl?: string | URL;
  /** The kernels; default `omnifold.wasm` beside this module. */
  wasm?: KernelSource;
}

interface WebWorkerLike extends Comlink.Endpoint {
  terminate(): void;
}
type WorkerConstructor = new (url: string | URL, options: { type: 'module' }) => WebWorkerLike;
type ChannelConstructor = new () => { port1: unknown; port2: unknown };

/** Starts an engine on `options.workers` Web Workers (default 1); `close()` it when done. */
export async function createEngine(options: BrowserEngineOptions = {}): Promise<Engine> {
  const scope = globalThis as unknown as {
    Worker: WorkerConstructor;
    MessageChannel: ChannelConstructor;
    crossOriginIsolated?: boolean;
  };
  let module: Promise<WebAssembly.Module> | undefined;
  const engine = new Engine(
    {
      spawn() {
        const worker = new scope.Worker(options.workerUrl ?? new URL('./engine_worker.js', import.meta.url), {
          type: 'module',
        });
        return { endpoint: worker, terminate: () => worker.terminate() };
      },
      channel() {
        const { port1, port2 } = new scope.MessageChannel();
        return [port1, port2];
      },
      module: () => (module ??= compileKernels(options.wasm ?? new URL('./omnifold.wasm', import.meta.url))),
      canShare: scope.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined',
    },
    options,
  );
  await engine.ready();
  return engine;
}
