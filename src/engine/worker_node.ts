/**
 * An engine worker as a Node worker thread: the API of src/engine/worker_api.ts exposed on
 * the thread's parent port through comlink's Node adapter.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { nodeEndpoint } from './adapter_node.js';
import { engineWorkerApi } from './worker_api.js';

if (parentPort !== null) {
  const api = engineWorkerApi(
    (port) => Comlink.wrap(nodeEndpoint(port as MessagePort)),
    (served, port) => Comlink.expose(served, nodeEndpoint(port as MessagePort)),
  );
  Comlink.expose(api, nodeEndpoint(parentPort));
}
