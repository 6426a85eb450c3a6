import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation } from '../../src/kernels/activation.js';
import type { AdamScalars } from '../../src/kernels/adam_step_f32.js';
import { bceLossF32 } from '../../src/kernels/bce_loss_f32.js';
import { denseBackwardF32 } from '../../src/kernels/dense_backward_f32.js';
import { denseForwardF32 } from '../../src/kernels/dense_forward_f32.js';
import { geluBackwardF32 } from '../../src/kernels/gelu_backward_f32.js';
import { geluForwardF32 } from '../../src/kernels/gelu_forward_f32.js';
import { siluBackwardF32 } from '../../src/kernels/silu_backward_f32.js';
import { siluForwardF32 } from '../../src/kernels/silu_forward_f32.js';
import { mlpTrainStepF32 } from '../../src/kernels/mlp_train_step_f32.js';
import { reluBackwardF32 } from '../../src/kernels/relu_backward_f32.js';
import { reluForwardF32 } from '../../src/kernels/relu_forward_f32.js';
import { MlpWorkspace, parameterCount } from '../../src/kernels/mlp_workspace.js';
import { kernels } from '../../src/kernels/wasm.js';
import { layerParams } from '../../src/kernels/reference/mlp_forward_f32.js';
import {
  mlpGradientF32 as referenceGradient,
  mlpTrainStepF32 as reference,
} from '../../src/kernels/reference/mlp_train_step_f32.js';
import { mlpGradientF32, mlpTransposeF32 } from '../../src/kernels/mlp_gradient_f32.js';
import { adamStepF32 as referenceAdam } from '../../src/kernels/reference/adam_step_f32.js';
import { sumBlocksF32 as referenceSum } from '../../src/kernels/reference/sum_blocks_f32.js';
import { BlockedStep, blocksOf } from '../../src/classifiers/mlp/block_step.js';
import { blockRows } from '../../src/classifiers/gang.js';
import { assertBitEqual, assertClose } from '../helpers/close.js';
import { labelsF32, stream, uniformF32, uniformF64 } from './random_inputs.js';
import { wasmLogits } from './mlp_helpers.js';

const adam = (t: number): AdamScalars => ({
  lr: 1e-2,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-7,
  bc1: 1 - 0.9 ** t,
  bc2: 1 - 0.999 ** t,
});

/** Runs `steps` fused wasm steps; returns loss of the first, gradients of the last, final params. */
function wasmSteps(
  params: Float32Array,
  dims: number[],
  activation: Activation,
  x: Float32Array,
  y: Float32Array,
  w: Float64Array,
  nBatch: number,
  steps: number,
  chunkRows?: number,
) {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const ws = new MlpWorkspace(arena, dims, activation, nBatch, true, chunkRows);
    ws.params.set(params);
    ws.x.set(x);
    ws.y.set(y);
    ws.w.set(w);
    const losses: number[] = [];
    for (let t = 1; t <= steps; t++) losses.push(mlpTrainStepF32(ws, nBatch, 1 / nBatch, adam(t)));
    return { losses, grads: ws.grads.slice(), params: ws.params.slice() };
  } finally {
    arena.release(mark);
  }
}

test('tier B: the fused step equals the composition of reference kernels (3 steps)', () => {
  const s = stream('mlp_train_step_f32');
  const nets: [number[], Activation, number][] = [
    [[1, 5, 1], 'relu', 1],
    [[8, 50, 50, 50, 1], 'relu', 129],
    [[8, 20, 20, 1], 'relu', 517],
    [[3, 6, 130, 5, 1], 'relu', 9],
    [[3, 7, 9, 1], 'silu', 5],
    [[24, 13, 1], 'gelu', 4],
  ];
  for (const [dims, activation, nBatch] of nets) {
    const params = uniformF32(s, parameterCount(dims), -0.5, 0.5);
    const x = uniformF32(s, nBatch * dims[0], -2, 2);
    const y = labelsF32(s, nBatch);
    const w = uniformF64(s, nBatch, -0.5, 2);
    const got = wasmSteps(params, dims, activation, x, y, w, nBatch, 3);
    const p = params.slice();
    const m = new Float32Array(p.length);
    const v = new Float32Array(p.length);
    const losses: number[] = [];
    let grads: Float32Array = new Float32Array(0);
    for (let t = 1; t <= 3; t++) {
      const r = reference(p, m, v, dims, activation, x, y, w, nBatch, 1 / nBatch, adam(t));
      losses.push(r.loss);
      grads = r.grads;
    }
    const label = `${activation} ${dims.join('-')} batch ${nBatch}`;
    // exp/log1p ulps in the loss gradient (and the smooth activations) propagate; Adam's
    // normalised step turns tiny gradient differences into ≤ 1e-5·lr parameter differences
    assertClose(`loss ${label}`, losses, got.losses, { rtol: 1e-5, atol: 1e-7 });
    assertClose(`grads ${label}`, got.grads, grads, { rtol: 1e-3, atol: 1e-6 });
    assertClose(`params ${label}`, got.params, p, { rtol: 1e-4, atol: 1e-5 });
  }
});

test('row chunks: gradients, parameters and the loss do not depend on the chunk size (bit for bit)', () => {
  const s = stream('mlp_train_step_f32 chunks');
  const dims = [5, 12, 9, 1];
  const nBatch = 603;
  const params = uniformF32(s, parameterCount(dims), -0.5, 0.5);
  const x = uniformF32(s, nBatch * dims[0], -2, 2);
  const y = labelsF32(s, nBatch);
  const w = uniformF64(s, nBatch, -0.5, 2);
  for (const activation of ['relu', 'gelu'] as const) {
    const whole = wasmSteps(params, dims, activation, x, y, w, nBatch, 2, nBatch);
    for (const chunk of [1, 4, 5, 256]) {
      const parts = wasmSteps(params, dims, activation, x, y, w, nBatch, 2, chunk);
      assertBitEqual(`grads ${activation} chunk ${chunk}`, parts.grads, whole.grads);
      assertBitEqual(`params ${activation} chunk ${chunk}`, parts.params, whole.params);
      assertBitEqual(
        `loss ${activation} chunk ${chunk}`,
        Float64Array.from(parts.losses),
        Float64Array.from(whole.losses),
      ); // one running sum
    }
  }
});

/**
 * The gradients of one fused step from the standalone wasm kernels: dense layers (tile
 * products, bit-identical to their twins), the activation's forward and backward kernels
 * and the BCE kernel, composed layer by layer.
 */
function composedGradients(
  params: Float32Array,
  dims: number[],
  activation: Activation,
  x: Float32Array,
  y: Float32Array,
  w: Float64Array,
  nBatch: number,
  extra?: Float64Array,
  lossScale = 1 / nBatch,
): Float32Array {
  const forward = { relu: reluForwardF32, silu: siluForwardF32, gelu: geluForwardF32 } as const;
  const backward = { relu: reluBackwardF32, silu: siluBackwardF32, gelu: geluBackwardF32 } as const;
  const L = dims.length - 1;
  const z: Float32Array[] = [];
  const a: Float32Array[] = [];
  let input = x;
  for (let l = 0; l < L; l++) {
    const { w: wl, b } = layerParams(params, dims, l);
    z.push(denseForwardF32(input, wl, b, nBatch, dims[l], dims[l + 1]));
    if (l < L - 1) a.push(forward[activation](z[l]));
    input = a[l];
  }
  let delta = bceLossF32(z[L - 1], y, w, lossScale, 0, extra).grad;
  const want = new Float32Array(params.length);
  for (let l = L - 1; l >= 0; l--) {
    const g = denseBackwardF32(
      l === 0 ? x : a[l - 1],
      layerParams(params, dims, l).w,
      delta,
      nBatch,
      dims[l],
      dims[l + 1],
      l > 0,
    );
    const slot = layerParams(want, dims, l);
    slot.w.set(g.dw);
    slot.b.set(g.db);
    if (l > 0) delta = backward[activation](z[l - 1], g.dx!);
  }
  return want;
}

test('SiLU/GELU: the fused step (σ kept from the forward) equals the wasm kernels composed, bit for bit', () => {
  const s = stream('mlp_train_step_f32 smooth composition');
  for (const activation of ['silu', 'gelu'] as const) {
    for (const [dims, nBatch] of [
      [[5, 12, 9, 1], 37],
      [[8, 50, 50, 1], 300],
    ] as [number[], number][]) {
      const params = uniformF32(s, parameterCount(dims), -0.6, 0.6);
      const x = uniformF32(s, nBatch * dims[0], -3, 3);
      const y = labelsF32(s, nBatch);
      const w = uniformF64(s, nBatch, -0.5, 2);
      const got = wasmSteps(params, dims, activation, x, y, w, nBatch, 1, 128).grads;
      assertBitEqual(
        `grads ${activation} ${dims.join('-')} batch ${nBatch}`,
        got,
        composedGradients(params, dims, activation, x, y, w, nBatch),
      );
    }
  }
});

test('ReLU: the fused step (zero-skipping products after the first layer) equals the dense wasm kernels composed, bit for bit', () => {
  const s = stream('mlp_train_step_f32 relu composition');
  // hidden widths at every column tail of asm/sparse_gemm.ts (N mod 4, N < 32, N mod 32),
  // a 2-wide layer (rows shorter than one f32x4 group; its own backward stays dense),
  // batches from 1 row to several row chunks
  const nets: [number[], number][] = [
    [[5, 4, 4, 1], 7],
    [[3, 5, 7, 1], 37],
    [[4, 8, 12, 1], 1],
    [[2, 31, 33, 1], 300],
    [[6, 32, 36, 1], 130],
    [[5, 37, 40, 1], 64],
    [[8, 65, 100, 1], 129],
    [[3, 6, 130, 5, 1], 9],
    [[3, 2, 9, 6, 1], 11],
    [[8, 50, 50, 50, 1], 257],
  ];
  for (const [dims, nBatch] of nets) {
    for (const pattern of ['mixed', 'dead'] as const) {
      const params = uniformF32(s, parameterCount(dims), -0.6, 0.6);
      const x = uniformF32(s, nBatch * dims[0], -3, 3);
      if (pattern === 'dead') {
        // rows 0 and 2 all zero with the first layer's biases ≤ 0: their first activations are
        // all off (an empty row for the next product); a quarter of each later layer's units
        // dead (a bias of −50 keeps every event off)
        x.fill(0, 0, dims[0]);
        if (nBatch > 2) x.fill(0, 2 * dims[0], 3 * dims[0]);
        const b1 = layerParams(params, dims, 0).b;
        for (let j = 0; j < b1.length; j++) b1[j] = -Math.abs(b1[j]);
        for (let l = 1; l < dims.length - 2; l++) {
          const b = layerParams(params, dims, l).b;
          for (let j = 0; j < b.length; j += 4) b[j] = -50;
        }
      }
      const y = labelsF32(s, nBatch);
      const w = uniformF64(s, nBatch, -0.5, 2);
      const got = wasmSteps(params, dims, 'relu', x, y, w, nBatch, 1).grads; // default row chunks (256)
      assertBitEqual(
        `grads relu ${dims.join('-')} batch ${nBatch} (${pattern})`,
        got,
        composedGradients(params, dims, 'relu', x, y, w, nBatch),
      );
    }
  }
});

test('gradient check: fused-step gradients vs central differences of the weighted loss', () => {
  const s = stream('mlp_train_step_f32 fd');
  const nets: [number[], Activation][] = [
    [[3, 6, 5, 1], 'silu'],
    [[2, 7, 1], 'gelu'],
    [[3, 8, 1], 'relu'],
  ];
  for (const [dims, activation] of nets) {
    const nBatch = 9;
    const params = uniformF32(s, parameterCount(dims), -0.8, 0.8);
    const x = uniformF32(s, nBatch * dims[0], -2, 2);
    const y = labelsF32(s, nBatch);
    const w = uniformF64(s, nBatch, -0.5, 2);
    const { grads } = wasmSteps(params, dims, activation, x, y, w, nBatch, 1); // gradients at `params`
    const loss = (p: Float32Array) => bceLossF32(wasmLogits(p, dims, activation, x, nBatch), y, w).loss / nBatch;
    const h = 1 / 256;
    for (let i = 0; i < params.length; i++) {
      const p = params.slice();
      p[i] = params[i] + h;
      const up = loss(p);
      p[i] = params[i] - h;
      const down = loss(p);
      const fd = (up - down) / (2 * h);
      // f32 forward rounding (~1e-7) over 2h plus h² curvature; ReLU kinks are rare at h = 1/256
      assertClose(`${activation} dL/dθ[${i}]`, grads[i], fd, { rtol: 2e-2, atol: 2e-4 });
    }
  }
});

test("an extra ∂/∂logit per row (a decorrelation penalty's): fused step and block gradients equal the kernels composed with bce_loss_f32's extra, bit for bit", () => {
  const s = stream('mlp_train_step_f32 extra');
  for (const [dims, activation, nBatch] of [
    [[5, 12, 9, 1], 'relu', 300],
    [[3, 7, 1], 'gelu', 37],
  ] as [number[], Activation, number][]) {
    const params = uniformF32(s, parameterCount(dims), -0.6, 0.6);
    const x = uniformF32(s, nBatch * dims[0], -3, 3);
    const y = labelsF32(s, nBatch);
    const w = uniformF64(s, nBatch, -0.5, 2);
    const extra = uniformF64(s, nBatch, -0.01, 0.01);
    const label = `${activation} ${dims.join('-')} batch ${nBatch}`;
    const { arena } = kernels();
    const mark = arena.mark();
    try {
      const ws = new MlpWorkspace(arena, dims, activation, nBatch, true, 128);
      const extraPtr = arena.allocF64(nBatch);
      const slotPtr = arena.allocF32(ws.nParams);
      arena.f64(extraPtr, nBatch).set(extra);
      ws.params.set(params);
      ws.x.set(x);
      ws.y.set(y);
      ws.w.set(w);
      // rows [r0, r1) alone, their extra from row r0 of the buffer
      const [r0, r1] = [7, nBatch - 3];
      mlpTransposeF32(ws);
      const blockLoss = mlpGradientF32(ws, r0, r1 - r0, 1 / nBatch, slotPtr, extraPtr + 8 * r0);
      const n = r1 - r0;
      const xs = x.slice(r0 * dims[0], r1 * dims[0]);
      const [ys, ws0, es] = [y.slice(r0, r1), w.slice(r0, r1), extra.slice(r0, r1)];
      const block = composedGradients(params, dims, activation, xs, ys, ws0, n, es, 1 / nBatch);
      assertBitEqual(`block grads ${label}`, arena.f32(slotPtr, ws.nParams), block);
      const blockTwin = referenceGradient(params, dims, activation, xs, ys, ws0, n, 1 / nBatch, es);
      assertClose(`block loss ${label}`, blockLoss, blockTwin.loss, { rtol: 1e-5, atol: 1e-7 });
      const loss = mlpTrainStepF32(ws, nBatch, 1 / nBatch, adam(1), extraPtr);
      assertBitEqual(
        `fused grads ${label}`,
        ws.grads,
        composedGradients(params, dims, activation, x, y, w, nBatch, extra),
      );
      const plain = referenceGradient(params, dims, activation, x, y, w, nBatch, 1 / nBatch);
      const twin = referenceGradient(params, dims, activation, x, y, w, nBatch, 1 / nBatch, extra);
      assertClose(`twin grads ${label}`, ws.grads, twin.grads, { rtol: 1e-3, atol: 1e-6 });
      // the extra term changes the gradient (it is not silently dropped), not the loss
      assert.ok(
        twin.grads.some((g, i) => Math.abs(g - plain.grads[i]) > 1e-5),
        `${label}: extra changes the gradient`,
      );
      assertClose(`loss ${label}`, loss, twin.loss, { rtol: 1e-5, atol: 1e-7 });
    } finally {
      arena.release(mark);
    }
  }
});

test('errors: batch size out of range', () => {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const ws = new MlpWorkspace(arena, [2, 3, 1], 'relu', 4, true);
    assert.throws(
      () => mlpTrainStepF32(ws, 0, 1, adam(1)),
      /mlp_train_step_f32: nBatch must be an integer in \[1, 4\]; got 0/,
    );
    assert.throws(
      () => mlpTrainStepF32(ws, 5, 1, adam(1)),
      /mlp_train_step_f32: nBatch must be an integer in \[1, 4\]; got 5/,
    );
  } finally {
    arena.release(mark);
  }
});

/** The gradients of rows [r0, r1) alone, from mlp_gradient_f32 into a block of its own (params unchanged). */
function wasmBlockGradient(
  params: Float32Array,
  dims: number[],
  activation: Activation,
  x: Float32Array,
  y: Float32Array,
  w: Float64Array,
  nBatch: number,
  r0: number,
  r1: number,
  lossScale: number,
): { loss: number; grads: Float32Array } {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const ws = new MlpWorkspace(arena, dims, activation, nBatch, true, 7);
    ws.params.set(params);
    ws.x.set(x);
    ws.y.set(y);
    ws.w.set(w);
    const slot = arena.allocF32(ws.nParams);
    mlpTransposeF32(ws);
    const loss = mlpGradientF32(ws, r0, r1 - r0, lossScale, slot);
    return { loss, grads: arena.f32(slot, ws.nParams).slice() };
  } finally {
    arena.release(mark);
  }
}

test('mlp_gradient_f32: the whole minibatch gives the fused step gradients bit for bit; a block, those of its rows alone', () => {
  const s = stream('mlp_gradient_f32');
  for (const [dims, activation, nBatch] of [
    [[5, 12, 9, 1], 'relu', 301],
    [[3, 7, 9, 1], 'silu', 37],
    [[4, 6, 1], 'gelu', 41],
  ] as [number[], Activation, number][]) {
    const params = uniformF32(s, parameterCount(dims), -0.5, 0.5);
    const x = uniformF32(s, nBatch * dims[0], -2, 2);
    const y = labelsF32(s, nBatch);
    const w = uniformF64(s, nBatch, -0.5, 2);
    const label = `${activation} ${dims.join('-')}`;
    const whole = wasmBlockGradient(params, dims, activation, x, y, w, nBatch, 0, nBatch, 1 / nBatch);
    const fused = wasmSteps(params, dims, activation, x, y, w, nBatch, 1);
    assertBitEqual(`whole ${label}`, whole.grads, fused.grads);
    assert.is(whole.loss, fused.losses[0], `loss ${label}`);
    const [r0, r1] = [11, 29];
    const block = wasmBlockGradient(params, dims, activation, x, y, w, nBatch, r0, r1, 1 / nBatch);
    const rows = (a: Float32Array | Float64Array, width: number) => a.slice(r0 * width, r1 * width);
    const alone = wasmBlockGradient(
      params,
      dims,
      activation,
      rows(x, dims[0]) as Float32Array,
      rows(y, 1) as Float32Array,
      rows(w, 1) as Float64Array,
      r1 - r0,
      0,
      r1 - r0,
      1 / nBatch,
    );
    assertBitEqual(`block ${label}`, block.grads, alone.grads);
    const twin = referenceGradient(
      params,
      dims,
      activation,
      rows(x, dims[0]) as Float32Array,
      rows(y, 1) as Float32Array,
      rows(w, 1) as Float64Array,
      r1 - r0,
      1 / nBatch,
    );
    assertClose(`block twin ${label}`, block.grads, twin.grads, { rtol: 1e-3, atol: 1e-6 });
  }
});

test('a blocked step: the blocks summed in order, then Adam, whatever the block count; one block is the fused step', () => {
  const s = stream('blocked step');
  const dims = [6, 16, 16, 1];
  const nBatch = 203;
  const params = uniformF32(s, parameterCount(dims), -0.5, 0.5);
  const x = uniformF32(s, nBatch * dims[0], -2, 2);
  const y = labelsF32(s, nBatch);
  const w = uniformF64(s, nBatch, -0.5, 2);
  const fused = wasmSteps(params, dims, 'relu', x, y, w, nBatch, 2);
  const results = new Map<number, Float32Array>();
  for (const blocks of [1, 2, 5, 8]) {
    const { arena } = kernels();
    const mark = arena.mark();
    try {
      const ws = new MlpWorkspace(arena, dims, 'relu', nBatch, true);
      ws.params.set(params);
      ws.x.set(x);
      ws.y.set(y);
      ws.w.set(w);
      const stepper = new BlockedStep(ws, arena, blocks);
      // by hand: each block's gradient from the parameters before the step, the reference
      // sum in block order, the reference Adam (both bit-identical to their kernels)
      const p = params.slice();
      const m = new Float32Array(p.length);
      const v = new Float32Array(p.length);
      for (let t = 1; t <= 2; t++) {
        const nBlocks = blocksOf(nBatch, blocks);
        const parts = new Float32Array(nBlocks * p.length);
        for (let b = 0; b < nBlocks; b++) {
          const [r0, r1] = blockRows(nBatch, nBlocks, b);
          parts.set(wasmBlockGradient(p, dims, 'relu', x, y, w, nBatch, r0, r1, 1 / nBatch).grads, b * p.length);
        }
        referenceAdam(p, referenceSum(parts, nBlocks, p.length), m, v, adam(t));
        stepper.step(nBatch, 1 / nBatch, adam(t));
      }
      assertBitEqual(`${blocks} blocks`, ws.params, p);
      results.set(blocks, ws.params.slice());
    } finally {
      arena.release(mark);
    }
  }
  assertBitEqual('one block = the fused step', results.get(1)!, fused.params);
  assert.ok(
    results.get(8)!.some((v, i) => v !== results.get(1)![i]),
    'the block count is part of the arithmetic (8 blocks differ from 1 in some bit)',
  );
});

test.run();
