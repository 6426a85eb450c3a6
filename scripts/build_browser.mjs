// The browser build (`npm run build` runs it after the TypeScript): one ES module bundle of
// the platform-neutral entry, dist/browser/omnifold.js, the Web Worker the engine starts,
// dist/browser/engine_worker.js, and the kernels beside them, dist/browser/omnifold.wasm.
// `createEngine` finds the worker and the kernels beside the bundle by default.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';

const out = 'dist/browser';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { omnifold: 'dist/src/browser.js', engine_worker: 'dist/src/engine/worker_browser.js' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  outdir: out,
  logLevel: 'warning',
});
copyFileSync('build/omnifold.wasm', `${out}/omnifold.wasm`);
const size = (f) => `${(statSync(`${out}/${f}`).size / 1024).toFixed(0)} KiB`;
console.log(
  `browser build: ${out}/omnifold.js ${size('omnifold.js')}, engine_worker.js ${size('engine_worker.js')}, omnifold.wasm ${size('omnifold.wasm')}`,
);
