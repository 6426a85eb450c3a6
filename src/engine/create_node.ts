/**
 * `createEngine` in Node: the engine (src/engine/engine.ts) on worker threads, reached
 * through comlink's Node adapter.
 *
 * @example
 * const engine = await createEngine({ workers: 4 });
 * try {
 *   const result = await engine.unfold(sim, data, { nIterations: 4, dataBootstraps: 10 }, (p) => console.log(p));
 * } finally {
 *   await engine.close();
 * }
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { wasmModule } from '../kernels/wasm.js';
import { Engine, type EngineOptions } from './engine.js';
import { nodeEndpoint } from './adapter_node.js';

/** Starts an engine on `options.workers` worker threads (default 1); `close()` it when done. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const engine = new Engine(
    {
      spawn() {
        const worker = new Worker(new URL('./worker_node.js', import.meta.url));
        return { endpoint: nodeEndpoint(worker), terminate: () => void worker.terminate() };
      },
      channel() {
        const { port1, port2 } = new MessageChannel();
        return [port1, port2];
      },
      module: () => Promise.resolve(wasmModule()),
      canShare: true,
    },
    options,
  );
  await engine.ready();
  return engine;
}
