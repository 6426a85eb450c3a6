/**
 * Kernel benchmarks (never part of npm test): wasm SIMD kernels vs their scalar reference
 * twins, one thread. Measures this core's ceiling for f32x4 multiplies and adds without
 * FMA (asm/peak_mul_add_f32.ts) and gives each dense rate as a share of it. Prints GFLOP/s
 * for the dense layers at MLP shapes, samples/s for the fused train step (ReLU at three
 * batch sizes, SiLU and GELU at 512), and ns/event for the per-event kernels (histogram
 * fill, likelihood ratio, the smooth activations, the permutations that order a fit's
 * events, the minibatch gather from resident events).
 *
 *   npm run build && node dist/bench/kernels.bench.js [--quick]
 */
import os from 'node:os';
import { Bench } from 'tinybench';
import type { Activation } from '../src/kernels/activation.js';
import type { DenseBackwardF32Export } from '../src/kernels/dense_backward_f32.js';
import type { DenseForwardF32Export } from '../src/kernels/dense_forward_f32.js';
import type { BackwardExport, UnaryExport } from '../src/kernels/elementwise.js';
import type { LikelihoodRatioF32Export } from '../src/kernels/likelihood_ratio_f32.js';
import { mlpTrainStepF32 } from '../src/kernels/mlp_train_step_f32.js';
import { peakMulAddF32, PEAK_FLOP_PER_ROUND } from '../src/kernels/peak_mul_add_f32.js';
import { MlpWorkspace } from '../src/kernels/mlp_workspace.js';
import type { GatherRowsF32Export } from '../src/kernels/gather_rows_f32.js';
import { WasmPermutation } from '../src/kernels/permute_u32.js';
import type { SegmentSumF32Export } from '../src/kernels/segment_sum_f32.js';
import { segmentSumF32 as segmentSumRef } from '../src/kernels/reference/segment_sum_f32.js';
import { kernels } from '../src/kernels/wasm.js';
import { denseBackwardF32 as denseBackwardRef } from '../src/kernels/reference/dense_backward_f32.js';
import { denseForwardF32 as denseForwardRef } from '../src/kernels/reference/dense_forward_f32.js';
import { geluBackwardF32 as geluBackwardRef } from '../src/kernels/reference/gelu_backward_f32.js';
import { geluForwardF32 as geluForwardRef } from '../src/kernels/reference/gelu_forward_f32.js';
import { siluBackwardF32 as siluBackwardRef } from '../src/kernels/reference/silu_backward_f32.js';
import { siluForwardF32 as siluForwardRef } from '../src/kernels/reference/silu_forward_f32.js';
import { gatherRowsF32 as gatherRowsRef } from '../src/kernels/reference/gather_rows_f32.js';
import { histFillF64 as histFillRef } from '../src/kernels/reference/hist_fill_f64.js';
import { distanceCorrF64 as distanceCorrRef } from '../src/kernels/reference/distance_corr_f64.js';
import { distanceCorrF64InWasm } from '../src/kernels/distance_corr_f64.js';
import { likelihoodRatioF32 as likelihoodRatioRef } from '../src/kernels/reference/likelihood_ratio_f32.js';
import { RandomPermutation, RandomStream } from '../src/base/rng.js';

const quick = process.argv.includes('--quick');
const { exports, arena } = kernels();
const rng = new RandomStream({ seed: 1, kind: 'nominal', replica: 0, iteration: 0, step: 'none', member: 0 }, 'toy');

function fillUniform(a: Float32Array | Float64Array, lo = -1, hi = 1): void {
  for (let i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rng.nextDouble();
}

/**
 * Median seconds per call of `fn`, measured by tinybench (the median, not the mean: on a
 * shared machine a few calls slowed by other processes would otherwise dominate).
 */
async function seconds(fn: () => void, minTimeMs = quick ? 60 : 250): Promise<number> {
  const bench = new Bench({ time: minTimeMs, iterations: 2, warmupTime: 20, warmupIterations: 1 });
  bench.add('x', fn);
  await bench.run();
  const r = bench.tasks[0].result as { state: string; latency?: { mean: number; p50?: number } };
  if (r.state !== 'completed' || r.latency === undefined) throw new Error(`benchmark failed: ${r.state}`);
  return (r.latency.p50 ?? r.latency.mean) / 1000;
}

const fmt = (x: number, d = 2) => x.toFixed(d).padStart(8);

/**
 * GFLOP/s of asm/peak_mul_add_f32.ts: f32x4 multiplies and adds in registers, the most the
 * dense kernels' arithmetic can reach on this core without fused multiply-add. The best of
 * 7 runs of about 0.2 s (a shared machine only ever slows a run down).
 */
function measureCeiling(): number {
  const rounds = quick ? 2e6 : 6e6;
  peakMulAddF32(rounds / 10);
  let best = 0;
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    peakMulAddF32(rounds);
    best = Math.max(best, (rounds * PEAK_FLOP_PER_ROUND) / ((performance.now() - t0) / 1e3) / 1e9);
  }
  return best;
}

/** The ceiling in GFLOP/s, measured once before the tables. */
let ceiling = NaN;
/** A rate in GFLOP/s as a share of the ceiling. */
const share = (gflops: number) => (gflops / ceiling).toFixed(2).padStart(5);

async function denseTable(): Promise<void> {
  const fw = exports.dense_forward_f32 as DenseForwardF32Export;
  const bw = exports.dense_backward_f32 as DenseBackwardF32Export;
  console.log(
    '\n## dense layers, wasm SIMD (f32x4, 4×8 register tiles, overlapped edge tiles) vs scalar twin; GFLOP/s (forward 2·B·nIn·nOut, backward 4·B·nIn·nOut); medians',
  );
  console.log(
    '   batch  nIn nOut |  fwd GF/s share  ns/event |  bwd GF/s share  ns/event | scalar fwd  scalar bwd | speed-up fwd  bwd',
  );
  const batches = quick ? [128, 10000] : [128, 512, 2048, 10000];
  for (const width of [50, 100]) {
    for (const batch of batches) {
      for (const nIn of [1, 8, 24, width]) {
        const mark = arena.mark();
        const xPtr = arena.allocF32(batch * nIn);
        const wPtr = arena.allocF32(nIn * width);
        const bPtr = arena.allocF32(width);
        const yPtr = arena.allocF32(batch * width);
        const dxPtr = arena.allocF32(batch * nIn);
        const dwPtr = arena.allocF32(nIn * width);
        const dbPtr = arena.allocF32(width);
        const sPtr = arena.allocF32(nIn * width);
        const x = arena.f32(xPtr, batch * nIn);
        const w = arena.f32(wPtr, nIn * width);
        const b = arena.f32(bPtr, width);
        fillUniform(x);
        fillUniform(w);
        fillUniform(b);
        fillUniform(arena.f32(yPtr, batch * width));
        const flops = 2 * batch * nIn * width;
        const tf = await seconds(() => fw(xPtr, wPtr, bPtr, yPtr, batch, nIn, width));
        const tb = await seconds(() => bw(xPtr, wPtr, yPtr, batch, nIn, width, dxPtr, dwPtr, dbPtr, sPtr));
        let scalar = '                      ';
        let speedup = '';
        if (nIn === width && (batch <= 2048 || !quick)) {
          const xs = x.slice();
          const ws = w.slice();
          const bs = b.slice();
          const dy = arena.f32(yPtr, batch * width).slice();
          const sf = await seconds(() => denseForwardRef(xs, ws, bs, batch, nIn, width), 100);
          const sb = await seconds(() => denseBackwardRef(xs, ws, dy, batch, nIn, width), 100);
          scalar = `${fmt(flops / sf / 1e9)}    ${fmt((2 * flops) / sb / 1e9)}`;
          speedup = `${fmt(sf / tf, 1)}× ${fmt(sb / tb, 1)}×`;
        }
        console.log(
          `${String(batch).padStart(8)} ${String(nIn).padStart(4)} ${String(width).padStart(4)} | ${fmt(flops / tf / 1e9)} ${share(flops / tf / 1e9)}  ${fmt((tf / batch) * 1e9, 1)} | ${fmt((2 * flops) / tb / 1e9)} ${share((2 * flops) / tb / 1e9)}  ${fmt((tb / batch) * 1e9, 1)} | ${scalar} | ${speedup}`,
        );
        arena.release(mark);
      }
    }
  }
}

async function trainStepTable(): Promise<void> {
  console.log('\n## fused train step (forward + BCE + backward + Adam, one wasm call), 8 inputs');
  // GFLOP/s counts the dense products (6·Σ d_l·d_{l+1} per event): with ReLU the layers after
  // the first skip their input's zeros (asm/sparse_gemm.ts), so this is a dense-equivalent rate
  console.log('  network  activation   batch |  samples/s   ns/event   GFLOP/s (dense-equivalent)  share');
  const rows: [number, Activation, number][] = [];
  for (const width of [50, 100]) for (const batch of [128, 512, 10000]) rows.push([width, 'relu', batch]);
  for (const width of [50, 100])
    for (const activation of ['silu', 'gelu'] as const) rows.push([width, activation, 512]);
  for (const [width, activation, batch] of rows) {
    const dims = [8, width, width, width, 1];
    let flopsPerEvent = 0;
    for (let l = 0; l + 1 < dims.length; l++) flopsPerEvent += 6 * dims[l] * dims[l + 1];
    {
      const mark = arena.mark();
      const ws = new MlpWorkspace(arena, dims, activation, batch, true);
      fillUniform(ws.params, -0.2, 0.2);
      fillUniform(ws.x);
      for (let i = 0; i < batch; i++) ws.y[i] = i & 1;
      ws.w.fill(1);
      let t = 0;
      const adam = { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-7, bc1: 1, bc2: 1 };
      const s = await seconds(() => {
        t++;
        adam.bc1 = 1 - 0.9 ** Math.min(t, 1000);
        adam.bc2 = 1 - 0.999 ** Math.min(t, 1000);
        mlpTrainStepF32(ws, batch, 1 / batch, adam);
      });
      console.log(
        `  3×${String(width).padEnd(4)}  ${activation.padEnd(10)} ${String(batch).padStart(7)} | ${fmt(batch / s / 1e3, 0)}k  ${fmt((s / batch) * 1e9, 1)}  ${fmt((flopsPerEvent * batch) / s / 1e9)}                    ${share((flopsPerEvent * batch) / s / 1e9)}`,
      );
      arena.release(mark);
    }
  }
}

async function perEventTable(): Promise<void> {
  console.log('\n## per-event kernels, wasm vs scalar twin');
  console.log('  kernel                  n |   wasm ops/s  ns/event | twin ops/s  ns/event');
  for (const n of [1000, 100000]) {
    const mark = arena.mark();
    const edges = new Float64Array(51).map((_, k) => -3 + (6 * k) / 50);
    const xPtr = arena.allocF64(n);
    const wPtr = arena.allocF64(n);
    const ePtr = arena.allocF64(51);
    const sPtr = arena.allocF64(52);
    const s2Ptr = arena.allocF64(52);
    const zPtr = arena.allocF32(n);
    const rPtr = arena.allocF64(n);
    const x = arena.f64(xPtr, n);
    const w = arena.f64(wPtr, n);
    fillUniform(x, -4, 4);
    fillUniform(w, -1, 2);
    arena.f64(ePtr, 51).set(edges);
    const z = arena.f32(zPtr, n);
    fillUniform(z, -10, 10);
    const xs = x.slice();
    const ws = w.slice();
    const zs = z.slice();
    const fill = exports.hist_fill_f64 as (...a: number[]) => number;
    const ratio = exports.likelihood_ratio_f32 as LikelihoodRatioF32Export;
    const sumw = new Float64Array(52);
    const sumw2 = new Float64Array(52);
    // the smooth activations on z in [−10, 10], in place on a copy (forward) or with dy = z (backward)
    const aPtr = arena.allocF32(n);
    const unary = (name: string) => exports[name] as UnaryExport;
    const back = (name: string) => exports[name] as BackwardExport;
    const nVal = n >> 2;
    const split = new RandomPermutation(
      n + nVal,
      new RandomStream({ seed: 2, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 }, 'split'),
    );
    const epoch = new RandomPermutation(
      n,
      new RandomStream({ seed: 2, kind: 'nominal', replica: 0, iteration: 1, step: 'step1', member: 0 }, 'shuffle'),
    );
    const orderSplit = new WasmPermutation(arena, split);
    const orderEpoch = new WasmPermutation(arena, epoch);
    const idxPtr = arena.allocU32(n);
    const idx = new Uint32Array(n);
    // a minibatch gather from resident events (8 features), in the permuted order above
    const nAll = n + nVal;
    const featPtr = arena.allocF32(nAll * 8);
    const weightPtr = arena.allocF64(nAll);
    const gxPtr = arena.allocF32(n * 8);
    const gyPtr = arena.allocF32(n);
    const gwPtr = arena.allocF64(n);
    fillUniform(arena.f32(featPtr, nAll * 8));
    fillUniform(arena.f64(weightPtr, nAll));
    orderEpoch.images(0, n, 0, idxPtr);
    orderSplit.images(idxPtr, n, nVal, idxPtr);
    const feats = arena.f32(featPtr, nAll * 8).slice();
    const weights = arena.f64(weightPtr, nAll).slice();
    const gatherIdx = arena.u32(idxPtr, n).slice();
    const gather = exports.gather_rows_f32 as GatherRowsF32Export;
    // PFN sum pooling: n particles of 16 latent features in events of 1..59 particles
    const segOffsets = [0];
    while (segOffsets[segOffsets.length - 1] < n)
      segOffsets.push(Math.min(n, segOffsets[segOffsets.length - 1] + 1 + (rng.nextUint32() % 59)));
    const nSeg = segOffsets.length - 1;
    const segXPtr = arena.allocF32(n * 16);
    const segOffPtr = arena.allocU32(nSeg + 1);
    const segOutPtr = arena.allocF32(nSeg * 16);
    fillUniform(arena.f32(segXPtr, n * 16));
    arena.u32(segOffPtr, nSeg + 1).set(segOffsets);
    const segX = arena.f32(segXPtr, n * 16).slice();
    const segOff = Uint32Array.from(segOffsets);
    const segmentSum = exports.segment_sum_f32 as SegmentSumF32Export;
    const rows: [string, () => void, () => void][] = [
      [
        'gather_rows_f32 (8 f)',
        () => gather(featPtr, 8, weightPtr, nAll >> 1, idxPtr, n, gxPtr, gyPtr, gwPtr),
        () => gatherRowsRef(feats, 8, weights, nAll >> 1, gatherIdx),
      ],
      [
        'segment_sum_f32 (16 w)',
        () => segmentSum(segXPtr, segOffPtr, nSeg, 16, segOutPtr, 16),
        () => segmentSumRef(segX, segOff, 16),
      ],
      [
        'hist_fill_f64 (50 bins)',
        () => fill(xPtr, wPtr, n, ePtr, 50, sPtr, s2Ptr),
        () => histFillRef(xs, ws, edges, sumw, sumw2),
      ],
      [
        'likelihood_ratio_f32',
        () => ratio(zPtr, n, 1e-6, 100, 1, rPtr),
        () => likelihoodRatioRef(zs, { epsilon: 1e-6, wMax: 100 }, 1),
      ],
      ['silu_forward_f32', () => unary('silu_forward_f32')(zPtr, n, aPtr), () => siluForwardRef(zs)],
      ['silu_backward_f32', () => back('silu_backward_f32')(zPtr, zPtr, n, aPtr), () => siluBackwardRef(zs, zs)],
      ['gelu_forward_f32', () => unary('gelu_forward_f32')(zPtr, n, aPtr), () => geluForwardRef(zs)],
      ['gelu_backward_f32', () => back('gelu_backward_f32')(zPtr, zPtr, n, aPtr), () => geluBackwardRef(zs, zs)],
      // a fit's training order: two composed permutations per event, as EventOrder draws it
      [
        'permute_u32 (2 composed)',
        () => {
          orderEpoch.images(0, n, 0, idxPtr);
          orderSplit.images(idxPtr, n, nVal, idxPtr);
        },
        () => {
          for (let r = 0; r < n; r++) idx[r] = split.at(nVal + epoch.at(r));
        },
      ],
    ];
    for (const [name, wasm, twin] of rows) {
      const a = await seconds(wasm, 100);
      const b = await seconds(twin, 100);
      console.log(
        `  ${name.padEnd(24)}${String(n).padStart(7)} | ${fmt(1 / a, 0)}  ${fmt((a / n) * 1e9)} | ${fmt(1 / b, 0)}  ${fmt((b / n) * 1e9)}`,
      );
    }
    arena.release(mark);
  }
}

/** The DisCo penalty's kernel at minibatch sizes (O(n²): per step, not per event), wasm vs the twin. */
async function distanceCorrTable(): Promise<void> {
  console.log('\n## distance_corr_f64 (value and gradient), wasm vs twin');
  console.log('  n     |   wasm ms/call | twin ms/call');
  for (const n of [256, 1024]) {
    const mark = arena.mark();
    const fPtr = arena.allocF64(n);
    const vPtr = arena.allocF64(n);
    const wPtr = arena.allocF64(n);
    const scratchPtr = arena.allocF64(3 * n);
    const gradPtr = arena.allocF64(n);
    fillUniform(arena.f64(fPtr, n), 0, 1);
    fillUniform(arena.f64(vPtr, n), -3, 3);
    fillUniform(arena.f64(wPtr, n), 0.5, 1.5);
    const [f, v, w] = [arena.f64(fPtr, n).slice(), arena.f64(vPtr, n).slice(), arena.f64(wPtr, n).slice()];
    const a = await seconds(() => distanceCorrF64InWasm(fPtr, vPtr, wPtr, n, scratchPtr, gradPtr), 100);
    const b = await seconds(() => distanceCorrRef(f, v, w), 100);
    console.log(`  ${String(n).padEnd(5)} | ${fmt(a * 1e3, 3)}       | ${fmt(b * 1e3, 3)}`);
    arena.release(mark);
  }
}

console.log(
  `# kernels.bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} hardware threads (benchmarks use 1), load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
ceiling = measureCeiling();
console.log(
  `\n## ceiling: ${ceiling.toFixed(1)} GFLOP/s per core (f32x4 multiply and add chains in registers, no FMA: ` +
    'asm/peak_mul_add_f32.ts); "share" below is a rate over it',
);
await denseTable();
await trainStepTable();
await perEventTable();
await distanceCorrTable();
