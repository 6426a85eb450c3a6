import { PoolRunner } from './dist/src/pool.js';
import { RandomStream } from './dist/src/rng.js';
import { performance } from 'node:perf_hooks';
const n = 50000, nf = 8;
function matrix(nEvents, shift, stream) {
  const s = new RandomStream({ seed: 1, kind: 'nominal', replica: stream, iteration: 0, step: 'none', member: 0 }, 'toy');
  const values = new Float32Array(new SharedArrayBuffer(nEvents * nf * 4));
  for (let i = 0; i < values.length; i++) values[i] = (s.nextDouble() + s.nextDouble() + s.nextDouble() - 1.5) * 2 + shift;
  return { values, nEvents, nFeatures: nf };
}
const x0 = matrix(n, 0, 0), x1 = matrix(n, 0.2, 1); const w = new Float64Array(new SharedArrayBuffer(n*8)).fill(1);
const spec = { type: 'mlp', hidden: [32, 32], epochs: 2, batchSize: 256, patience: 0 };
const job = { step:'step1', iteration:1, replica:{kind:'nominal',index:0}, seed:1, classifier: spec, x0, w0:w, x1, w1:w, targets: [x0], clip:{epsilon:1e-6,wMax:100}};
for (const threads of (process.argv[2]||"1,2").split(",").map(Number)) {
const r = new PoolRunner({threads});
await r.fitMembers({...job, targets: []}, threads);
for (let k=0;k<2;k++){ const c0 = process.cpuUsage(); const t0 = performance.now(); const res = await r.fitMembers(job, 8); const c = process.cpuUsage(c0); console.log(threads, ((performance.now()-t0)/1000).toFixed(3), 's wall', ((c.user+c.system)/1e6).toFixed(3), 's cpu', res.map(x=>x.info.epochs).join(',')); }
await r.close();
}
