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
    const loss = ws.gradient(nEvents, nParticles, lossScale);
    return { loss, grads: ws.grads().slice(), logits: arena.f32(ws.logitsPtr, nEvents).slice() };
  } finally {
    arena.release(mark);
  }
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

test.run();
