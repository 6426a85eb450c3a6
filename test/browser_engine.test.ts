// The engine in headless Chromium (Debian's, through Playwright): the browser bundle from
// `npm run build` (dist/browser/) served on 127.0.0.1, createEngine on Web Workers, the
// binned classifier and an MLP ensemble with data bootstraps. Every weight column has the
// bits of the same run in Node, on a cross-origin isolated page (COOP/COEP: the workers
// share the event data) and on a plain one (they get copies), and the engine says which.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  computeReplica,
  gaussToy,
  mergeReplicas,
  MemoryReplicaStore,
  prepareReplicas,
  type ReplicaOptions,
} from '../src/index.js';

const BUNDLE = join(process.cwd(), 'dist', 'browser');
const TOY = { nSim: 3000, nData: 3000, seed: 21 };
const RUNS: Record<string, ReplicaOptions> = {
  binned: {
    nIterations: 3,
    seed: 2,
    classifier: { type: 'binned', edges: [[-3, -1.5, -0.5, 0, 0.5, 1.5, 3]] },
    dataBootstraps: 3,
  },
  mlp: {
    nIterations: 2,
    seed: 6,
    nMembers: 2,
    classifier: { type: 'mlp', hidden: [8, 8], epochs: 2, batchSize: 128 },
    dataBootstraps: 2,
  },
};

const PAGE = '<!doctype html><meta charset="utf-8"><title>omnifold engine</title><p>engine test</p>';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Serves the bundle under /isolated/ (with COOP/COEP) and /plain/ (without), on 127.0.0.1. */
async function serve(): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    const [, mode, file] = /^\/(isolated|plain)\/([\w.]+)$/.exec(request.url ?? '') ?? [];
    const body =
      file === 'index.html'
        ? PAGE
        : file && existsSync(join(BUNDLE, file))
          ? readFileSync(join(BUNDLE, file))
          : undefined;
    if (mode === undefined || body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[/\.\w+$/.exec(file)![0]] ?? 'application/octet-stream',
      ...(mode === 'isolated'
        ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
        : {}),
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Every column of the run in Node, by name → SHA-256. */
async function inNode(options: ReplicaOptions): Promise<Record<string, string>> {
  const toy = gaussToy(TOY);
  const work = prepareReplicas(toy.sim, toy.data, options, false);
  const store = new MemoryReplicaStore();
  for (let k = 0; k < work.plan.length; k++) store.write(await computeReplica(work, k));
  const hash = (v: Float64Array) =>
    createHash('sha256')
      .update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
      .digest('hex');
  return Object.fromEntries(mergeReplicas(work, store, []).columns.map((c) => [c.name, hash(c.values)]));
}

test('Chromium: every column has the bits of Node, shared on an isolated page, copied on a plain one', async () => {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: the browser engine check needs ${CHROMIUM} (apt-get install -y chromium)`);
    return;
  }
  assert.ok(existsSync(join(BUNDLE, 'omnifold.js')), 'npm run build writes dist/browser/omnifold.js');
  const expected = Object.fromEntries(
    await Promise.all(Object.entries(RUNS).map(async ([k, o]) => [k, await inNode(o)])),
  );
  const { server, base } = await serve();
  const browser = await launchChromium();
  try {
    for (const mode of ['isolated', 'plain'] as const) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/${mode}/index.html`);
      const seen = await page.evaluate(
        async ({ runs, toy }) => {
          const page = globalThis as unknown as { location: URL; crossOriginIsolated: boolean };
          const o = await import(new URL('omnifold.js', page.location.href).href);
          const hex = async (v: Float64Array) =>
            Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', v)), (b) =>
              b.toString(16).padStart(2, '0'),
            ).join('');
          const out: Record<string, unknown> = { isolated: page.crossOriginIsolated };
          const engine = await o.createEngine({ workers: 2 });
          try {
            for (const [name, options] of Object.entries(runs)) {
              const t = o.gaussToy(toy);
              let progress = 0;
              const result = await engine.unfold(t.sim, t.data, options, () => progress++);
              const hashes: Record<string, string> = {};
              for (const c of result.columns) hashes[c.name] = await hex(c.values);
              out[name] = { hashes, sharing: result.sharing, progress: progress > 0 };
            }
          } finally {
            await engine.close();
          }
          return out;
        },
        { runs: RUNS, toy: TOY },
      );
      assert.equal(errors, [], `${mode}: no page error`);
      assert.is(seen.isolated, mode === 'isolated');
      for (const name of Object.keys(RUNS)) {
        const run = seen[name] as { hashes: Record<string, string>; sharing: string; progress: boolean };
        assert.equal(run.hashes, expected[name], `${mode} ${name}: the bits of Node`);
        assert.is(run.sharing, mode === 'isolated' ? 'shared' : 'copied', `${mode} ${name}`);
        assert.ok(run.progress, 'progress reached the page');
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
});

test.run();
