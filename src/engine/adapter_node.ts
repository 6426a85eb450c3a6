/** comlink's Node adapter (a CommonJS module, whose default import is the function itself), typed. */
import type { MessagePort, Worker } from 'node:worker_threads';
import type * as Comlink from 'comlink';
import adapter from 'comlink/dist/umd/node-adapter.js';

/** What the adapter wraps: a worker_threads Worker or MessagePort. */
export type NodeMessageEndpoint = Worker | MessagePort;

type NodeAdapter = (endpoint: NodeMessageEndpoint) => Comlink.Endpoint;

/** A comlink endpoint over a Node worker or message port. */
export const nodeEndpoint =
  (adapter as unknown as { default?: NodeAdapter }).default ?? (adapter as unknown as NodeAdapter);
