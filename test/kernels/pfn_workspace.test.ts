/**
 * The PFN passes (src/kernels/pfn_workspace.ts: wasm kernels in sequence) against their
 * f64 twin (src/kernels/reference/pfn_gradient_f64.ts), and the twin's gradient against
 * finite differences of its loss.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PfnWorkspace, pfnParameterCount } from '../../src/kernels/pfn_workspace.js';
import { pfnLogitsF64, pfnLossGradientF64, type PfnBatch } from '../../src/kernels/reference/pfn_gradient_f64.js';
import { kernels } from '../../src/kernels/wasm.js';
import { assertBitEqual, assertClose } from '../helpers/close.js';
import { stream, uniformF32 } from './random_inputs.js';
import type { RandomStream } from '../../src/base/rng.js';

function batchOf(s: RandomStream, lengths: readonly number[], nP: number, nF: number): PfnBatch {
  const offsets = new Uint32Array(lengths.length + 1);
  lengths.forEach((n, i) => (offsets[i + 1] = offsets[i] + n));
  const nEvents = lengths.length;
  return {
    particles: uniformF32(s, offsets[nEvents] * nP, -2, 2),
    offsets,
    events: uniformF32(s, nEvents * nF, -2, 2),
    y: Float32Array.from(lengths, (_, i) => i & 1),
    w: Float64Array.from(lengths, (_, i) => 0.5 + ((i * 37) % 11) / 10 - (i === 3 ? 1.2 : 0)),
  };
}

/** Copies `batch` and `params` into a training workspace sized for it. */
function loadBatch(phiDims: number[], fDims: number[], params: Float32Array, batch: PfnBatch): PfnWorkspace {
  const { arena } = kernels();
  const nEvents = batch.offsets.length - 1;
  const nParticles = batch.offsets[nEvents];
  const ws = new PfnWorkspace(arena, phiDims, fDims, nEvents, nParticles, true);
  ws.params().set(params);
  arena.f32(ws.particlesPtr, batch.particles.length).set(batch.particles);
  arena.u32(ws.offsetsPtr, nEvents + 1).set(batch.offsets);
  const latent = phiDims[phiDims.length - 1];
  const nF = fDims[0] - latent;
  const fIn = arena.f32(ws.fInPtr, nEvents * fDims[0]);
  for (let i = 0; i < nEvents; i++)
    for (let j = 0; j < nF; j++) fIn[i * fDims[0] + latent + j] = batch.events[i * nF + j];
  arena.f32(ws.yPtr, nEvents).set(batch.y);
  arena.f64(ws.wPtr, nEvents).set(batch.w);
  return ws;
}

/** The workspace's loss and gradients on `batch` (params given), through the wasm passes. */
function wasmGradient(
  phiDims: number[],
  fDims: number[],
  params: Float32Array,
  batch: PfnBatch,
  lossScale: number,
): { loss: number; grads: Float32Array; logits: Float32Array } {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const ws = loadBatch(phiDims, fDims, params, batch);
    const nEvents = batch.offsets.length - 1;
    const loss = ws.gradient(nEvents, batch.offsets[nEvents], lossScale);
    return { loss, grads: ws.grads().slice(), logits: arena.f32(ws.logitsPtr, nEvents).slice() };
  } finally {
    arena.release(mark);
  }
}

/** Events [e0, e1) of `batch` as a batch of their own (offsets from their first particle). */
function sliceBatch(batch: PfnBatch, e0: number, e1: number, nP: number, nF: number): PfnBatch {
  const p0 = batch.offsets[e0];
  const part = (a: ArrayLike<number>, from: number, to: number) => Array.from(a).slice(from, to);
  return {
    particles: Float32Array.from(part(batch.particles, p0 * nP, batch.offsets[e1] * nP)),
    offsets: Uint32Array.from(part(batch.offsets, e0, e1 + 1), (o) => o - p0),
    events: Float32Array.from(part(batch.events, e0 * nF, e1 * nF)),
    y: Float32Array.from(part(batch.y, e0, e1)),
    w: Float64Array.from(part(batch.w, e0, e1)),
  };
}

const SHAPES: { phi: number[]; f: number[]; nP: number; nF: number }[] = [
  { phi: [5, 4], f: [3], nP: 3, nF: 2 },
  { phi: [1], f: [1], nP: 1, nF: 0 },
  { phi: [9, 17, 6], f: [7, 5], nP: 4, nF: 1 },
  { phi: [20, 16], f: [18], nP: 2, nF: 0 },
];

test('wasm passes equal the f64 twin to f32 rounding: logits, loss, every gradient (empty events, tails 0..9)', () => {
  const s = stream('pfn_workspace');
  for (const { phi, f, nP, nF } of SHAPES) {
    const phiDims = [nP, ...phi];
    const fDims = [phi[phi.length - 1] + nF, ...f, 1];
    const params = uniformF32(s, pfnParameterCount(phiDims, fDims), -0.6, 0.6);
    for (const lengths of [[0], [3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 0, 0, 4, 1, 7, 2]]) {
      const batch = batchOf(s, lengths, nP, nF);
      const got = wasmGradient(phiDims, fDims, params, batch, 1 / lengths.length);
      const want = pfnLossGradientF64(params, phiDims, fDims, batch, 1 / lengths.length);
      const label = `phi ${phi} f ${f} nP ${nP} nF ${nF} lengths ${lengths}`;
      assertClose(`${label} logits`, got.logits, pfnLogitsF64(params, phiDims, fDims, batch), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      assertClose(`${label} loss`, got.loss, want.loss, { rtol: 1e-5, atol: 1e-6 });
      const scale = want.grads.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
      assertClose(`${label} grads`, got.grads, want.grads, { rtol: 1e-4, atol: 1e-5 * Math.max(scale, 1) });
    }
  }
});

test('an event without particles pools to zeros: its Φ gradients vanish, F still learns from its event features', () => {
  const s = stream('pfn_workspace empty');
  const phiDims = [2, 3];
  const fDims = [3 + 2, 4, 1];
  const params = uniformF32(s, pfnParameterCount(phiDims, fDims), -0.5, 0.5);
  const batch = batchOf(s, [0, 0, 0], 2, 2);
  const got = wasmGradient(phiDims, fDims, params, batch, 1);
  const nPhi = (2 + 1) * 3;
  assert.ok(
    got.grads.subarray(0, nPhi).every((g) => g === 0),
    'Φ gradients are exactly 0',
  );
  assert.ok(
    got.grads.subarray(nPhi).some((g) => g !== 0),
    'F gradients are not all 0',
  );
});

test('the f64 twin: its gradient equals central finite differences of its loss (the whole PFN)', () => {
  const s = stream('pfn finite differences');
  const phiDims = [3, 6, 5];
  const fDims = [5 + 2, 4, 1];
  const params = Float64Array.from(uniformF32(s, pfnParameterCount(phiDims, fDims), -0.7, 0.7));
  const batch = batchOf(s, [2, 0, 5, 1, 3, 7], 3, 2);
  const { grads } = pfnLossGradientF64(params, phiDims, fDims, batch, 0.25);
  const h = 1e-6;
  let checked = 0;
  for (let k = 0; k < params.length; k++) {
    const p = params.slice();
    p[k] += h;
    const up = pfnLossGradientF64(p, phiDims, fDims, batch, 1).loss;
    p[k] -= 2 * h;
    const down = pfnLossGradientF64(p, phiDims, fDims, batch, 1).loss;
    const fd = (0.25 * (up - down)) / (2 * h);
    // a ReLU kink within ±h would break the difference: none at these seeded values
    assert.ok(
      Math.abs(fd - grads[k]) <= 1e-6 + 1e-5 * Math.abs(grads[k]),
      `param ${k}: fd ${fd}, analytic ${grads[k]}`,
    );
    checked++;
  }
  assert.is(checked, params.length);
});

test('deterministic: the same inputs give the same bits', () => {
  const s = stream('pfn determinism');
  const phiDims = [3, 8, 8];
  const fDims = [8 + 1, 5, 1];
  const params = uniformF32(s, pfnParameterCount(phiDims, fDims), -0.5, 0.5);
  const batch = batchOf(s, [4, 0, 9, 2, 6], 3, 1);
  const a = wasmGradient(phiDims, fDims, params, batch, 0.2);
  const b = wasmGradient(phiDims, fDims, params, batch, 0.2);
  assertBitEqual('grads', a.grads, b.grads);
  assert.ok(Object.is(a.loss, b.loss));
});

test('a block of events in place is the same bits as those events alone; the blocks sum to the whole batch', () => {
  const { arena } = kernels();
  for (const { phi, f, nP, nF } of SHAPES) {
    const phiDims = [nP, ...phi];
    const fDims = [phi[phi.length - 1] + nF, ...f, 1];
    const nParams = pfnParameterCount(phiDims, fDims);
    const s = stream(`blocks ${phi}`);
    const params = uniformF32(s, nParams, -0.6, 0.6);
    const lengths = [3, 0, 5, 1, 7, 2, 0, 4, 6, 1, 3];
    const batch = batchOf(s, lengths, nP, nF);
    const whole = wasmGradient(phiDims, fDims, params, batch, 1 / lengths.length);
    const mark = arena.mark();
    try {
      const ws = loadBatch(phiDims, fDims, params, batch);
      const slot = arena.allocF32(nParams);
      const sum = new Float64Array(nParams);
      let loss = 0;
      for (const [e0, e1] of [
        [0, 4],
        [4, 7],
        [7, 11],
      ]) {
        const blockLoss = ws.gradientBlock(e0, e1, 1 / lengths.length, 0, slot);
        const grads = arena.f32(slot, nParams).slice();
        const alone = wasmGradient(phiDims, fDims, params, sliceBatch(batch, e0, e1, nP, nF), 1 / lengths.length);
        assert.is(blockLoss, alone.loss, `phi ${phi}: block [${e0}, ${e1}) loss`);
        assertBitEqual(`phi ${phi}: block [${e0}, ${e1}) gradient`, grads, alone.grads);
        grads.forEach((g, k) => (sum[k] += g));
        loss += blockLoss;
      }
      // the blocks' losses add in another order than the one running sum over the batch
      assertClose(`phi ${phi}: loss`, [loss], [whole.loss], { rtol: 1e-12, atol: 0 });
      assertClose(`phi ${phi}: summed gradient`, sum, whole.grads, { rtol: 1e-4, atol: 1e-6 });
    } finally {
      arena.release(mark);
    }
  }
});

test.run();
