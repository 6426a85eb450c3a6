/**
 * An engine worker as a Web Worker: the API of src/engine/worker_api.ts exposed on the
 * worker's global scope through comlink. Bundled as `engine_worker.js` beside the browser
 * bundle (`npm run build`).
 */
import * as Comlink from 'comlink';
import { engineWorkerApi } from './worker_api.js';

Comlink.expose(
  engineWorkerApi(
    (port) => Comlink.wrap(port as Comlink.Endpoint),
    (api, port) => Comlink.expose(api, port as Comlink.Endpoint),
  ),
);
