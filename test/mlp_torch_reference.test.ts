/**
 * Tier C: the engine's MLP forward pass equals PyTorch's for fixed parameters, for every
 * hidden activation (relu, silu, gelu in the tanh form), on two networks (8-16-16-1 and
 * 3-7-1) and 40 events including large |x|. Reference: test/reference/mlp_torch.json,
 * written by make_mlp_torch.py beside it (torch float32 and float64 passes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation } from '../src/kernels/activation.js';
import { TrainedMlp } from '../src/classifiers/mlp/trained.js';
import { mlpForwardF32 } from '../src/kernels/mlp_forward_f32.js';
import { MlpWorkspace, parameterCount } from '../src/kernels/mlp_workspace.js';
import { kernels } from '../src/kernels/wasm.js';
import { loadReference } from './helpers/reference.js';

interface TorchCase {
  activation: Activation;
  logitsF32: number[];
  logitsF64: number[];
  ratioF64: number[];
}
interface TorchNetwork {
  dims: number[];
  /** f32 [nParams], per layer W [d_l × d_{l+1}] row-major then b [d_{l+1}] (asm/mlp_layout.ts) */
  params: number[];
  nEvents: number;
  /** f32 [nEvents × d_0], row-major */
  x: number[];
  cases: TorchCase[];
  /** float64 logits with the exact-erf GELU, which the engine does not compute */
  geluErfLogitsF64: number[];
}
interface MlpTorchReference {
  what: string;
  producedBy: string;
  inputs: { sumW0: number; sumW1: number };
  networks: TorchNetwork[];
}

const REFERENCE = loadReference('mlp_torch') as unknown as MlpTorchReference;

/** Unit roundoff of f32. */
const U = 2 ** -24;
/** max |act'(z)|: ReLU 1, SiLU 1.0998, tanh-GELU 1.1289 (rounded up). */
const LIPSCHITZ: Record<Activation, number> = { relu: 1, silu: 1.13, gelu: 1.13 };
/**
 * Error of one f32 activation relative to |z| (|act(z)| ≤ |z| for all three): ReLU is exact;
 * SiLU and GELU are z·σ(·) with a few-ulp σ (and GELU's inner polynomial u, whose ~3-ulp
 * error enters σ(2u) damped by σ'(2u)·2|u| < 1), so 8 ulps of |z| is a safe ceiling.
 */
const ACT_ULPS: Record<Activation, number> = { relu: 0, silu: 8, gelu: 8 };
/** The hidden activations in f64; GELU in the tanh form, as torch approximate='tanh'. */
const ACT_F64: Record<Activation, (z: number) => number> = {
  relu: (z) => Math.max(z, 0),
  silu: (z) => z / (1 + Math.exp(-z)),
  gelu: (z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z))),
};

/**
 * A plain f64 forward pass of one event over the flat parameters, independent of the
 * engine; returns per layer the pre-activations z and the layer's inputs a.
 */
function forwardF64(
  dims: readonly number[],
  params: ArrayLike<number>,
  activation: Activation,
  x: number[],
): { z: number[][]; a: number[][] } {
  const z: number[][] = [];
  const a: number[][] = [x];
  let off = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const nIn = dims[l];
    const nOut = dims[l + 1];
    const zl = new Array<number>(nOut);
    for (let j = 0; j < nOut; j++) {
      let sum = params[off + nIn * nOut + j];
      for (let k = 0; k < nIn; k++) sum += a[l][k] * params[off + k * nOut + j];
      zl[j] = sum;
    }
    off += (nIn + 1) * nOut;
    z.push(zl);
    if (l + 2 < dims.length) a.push(zl.map(ACT_F64[activation]));
  }
  return { z, a };
}

/** Event i's features as the f32 values the JSON's shortest decimals stand for. */
const eventRow = (net: TorchNetwork, i: number) => net.x.slice(i * net.dims[0], (i + 1) * net.dims[0]).map(Math.fround);

/**
 * Tolerance, per event: a first-order worst-case bound on the f32 rounding of the whole
 * pass, scaled by the sums of |terms|. Parameters and inputs are exact f32 values (the
 * float64 torch pass is the exact network up to ~1e-15), so the engine's only error is its
 * own f32 arithmetic, in whatever summation order:
 *   dot product of layer l (fan-in n):  γ_{n+1}·s_l,  γ_k = k·u/(1 − k·u),
 *     s_l = |W_l|ᵀ·(|a_{l−1}| + e_{l−1}) + |b_l|  (a: the layer's exact input, a_{−1} = x)
 *   error carried in from below:         |W_l|ᵀ·e_{l−1}
 *   activation:                          e_l = Lip·e_z + ulps·u·(|z_l| + e_z)
 * u = 2^-24; Lip and ulps as above. The bound on the logit is e_z of the last layer
 * (8e-6 … 3e-3 on 8-16-16-1, 4e-7 … 3e-4 on 3-7-1). It assumes every rounding error
 * has the worst sign, so it is loose: observed errors (≤ 1e-5, as torch's own f32 pass)
 * reach 0.6 % of it on 8-16-16-1 and 10 % on 3-7-1. It still rejects a wrong weight
 * layout and the erf form of GELU (|Δ| up to 8e-4), which the last tests check.
 */
function roundingBound(net: TorchNetwork, params: ArrayLike<number>, activation: Activation): Float64Array {
  const { dims, nEvents } = net;
  const L = dims.length - 1;
  const bound = new Float64Array(nEvents);
  for (let i = 0; i < nEvents; i++) {
    const { z, a } = forwardF64(dims, params, activation, eventRow(net, i));
    let e = new Array<number>(dims[0]).fill(0);
    let off = 0;
    for (let l = 0; l < L; l++) {
      const nIn = dims[l];
      const nOut = dims[l + 1];
      const gamma = ((nIn + 1) * U) / (1 - (nIn + 1) * U);
      const ez = new Array<number>(nOut);
      for (let j = 0; j < nOut; j++) {
        let s = Math.abs(params[off + nIn * nOut + j]);
        let carried = 0;
        for (let k = 0; k < nIn; k++) {
          const w = Math.abs(params[off + k * nOut + j]);
          s += w * (Math.abs(a[l][k]) + e[k]);
          carried += w * e[k];
        }
        ez[j] = carried + gamma * s;
      }
      off += (nIn + 1) * nOut;
      if (l < L - 1)
        e = ez.map((v, j) => LIPSCHITZ[activation] * v + ACT_ULPS[activation] * U * (Math.abs(z[l][j]) + v));
      else bound[i] = ez[0];
    }
  }
  return bound;
}

/** The wasm network's logits on the reference events (one forward call). */
function engineLogits(net: TorchNetwork, params: Float32Array, activation: Activation): Float32Array {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const ws = new MlpWorkspace(arena, net.dims, activation, net.nEvents, false);
    ws.params.set(params);
    ws.x.set(net.x);
    const ptr = mlpForwardF32(ws, net.nEvents);
    return arena.f32(ptr, net.nEvents).slice();
  } finally {
    arena.release(mark);
  }
}

/** |got − want| ≤ bound[i] for every event; the message names the first failing event. */
function assertWithin(name: string, got: ArrayLike<number>, want: ArrayLike<number>, bound: ArrayLike<number>): void {
  assert.is(got.length, want.length, `${name}: length`);
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    if (!(diff <= bound[i]))
      assert.unreachable(`${name}[${i}] = ${got[i]}, wanted ${want[i]} (|diff| ${diff}, tolerance ${bound[i]})`);
  }
}

/** Number of events whose |got − want| exceeds bound. */
function countOutside(got: ArrayLike<number>, want: ArrayLike<number>, bound: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= bound[i])) n++;
  return n;
}

const label = (net: TorchNetwork, activation: string) => `${net.dims.join('-')} ${activation}`;

test('reference: provenance, shapes and the activations covered', () => {
  assert.match(REFERENCE.producedBy, /make_mlp_torch\.py \(torch \d/);
  for (const net of REFERENCE.networks) {
    assert.is(net.params.length, parameterCount(net.dims), `${net.dims.join('-')} params`);
    assert.is(net.x.length, net.nEvents * net.dims[0], `${net.dims.join('-')} x`);
    assert.equal(net.cases.map((c) => c.activation).sort(), ['gelu', 'relu', 'silu']);
    for (const c of net.cases)
      for (const k of ['logitsF32', 'logitsF64', 'ratioF64'] as const) assert.is(c[k].length, net.nEvents);
  }
});

for (const net of REFERENCE.networks) {
  for (const c of net.cases) {
    test(`logits ${label(net, c.activation)}: engine equals torch float64 within the f32 rounding bound`, () => {
      const params = Float32Array.from(net.params);
      const bound = roundingBound(net, params, c.activation);
      const got = engineLogits(net, params, c.activation);
      assertWithin(`logits ${label(net, c.activation)} vs torch float64`, got, c.logitsF64, bound);
      // torch's own f32 pass obeys the same bound, so the two f32 passes differ by at most twice it
      assertWithin(
        `logits ${label(net, c.activation)} vs torch float32`,
        got,
        c.logitsF32,
        bound.map((b) => 2 * b),
      );
    });

    test(`ratio ${label(net, c.activation)}: TrainedMlp.ratio equals exp(logit)·S1/S0 (identity standardisation, clip not biting)`, () => {
      const { dims } = net;
      const { sumW0, sumW1 } = REFERENCE.inputs;
      const info = { epochs: 0, bestEpoch: 0, validationLoss: NaN, sumW0, sumW1 };
      const standardiser = { mean: new Float64Array(dims[0]), scale: new Float64Array(dims[0]).fill(1) };
      const model = new TrainedMlp(info, dims, c.activation, Float32Array.from(net.params), standardiser);
      // ε = 0 and wMax = 1e300: neither guard can bite on these logits (|logit| < 200)
      const { ratio, nClipped } = model.ratio(
        { values: Float32Array.from(net.x), nEvents: net.nEvents, nFeatures: dims[0] },
        { epsilon: 0, wMax: 1e300 },
      );
      assert.is(nClipped, 0, `ratio ${label(net, c.activation)}: nClipped`);
      // ratio = exp(z)·S1/S0: a logit error δ gives a relative ratio error expm1(δ); 1e-14 covers the f64 exp and divisions
      const logitBound = roundingBound(net, Float32Array.from(net.params), c.activation);
      const bound = c.ratioF64.map((r, i) => (Math.expm1(logitBound[i]) + 1e-14) * r);
      assertWithin(`ratio ${label(net, c.activation)} vs torch float64`, ratio, c.ratioF64, bound);
    });
  }
}

test('reference layout: a plain f64 forward pass over the JSON parameters reproduces torch float64', () => {
  // independent of the engine: checks that the file's W is [fanIn × fanOut] row-major, then b
  for (const net of REFERENCE.networks) {
    const params = Float32Array.from(net.params); // the f32 values the JSON's shortest decimals stand for
    for (const c of net.cases) {
      const want = Array.from(
        { length: net.nEvents },
        (_, i) => forwardF64(net.dims, params, c.activation, eventRow(net, i)).z.at(-1)![0],
      );
      // f64 sums of ≤ 17 terms of size ≤ ~1e3: ~1e-13 absolute; tanh/exp of JS vs libm a few ulps
      assertWithin(
        `f64 logits ${label(net, c.activation)}`,
        want,
        c.logitsF64,
        c.logitsF64.map((v) => 1e-12 * Math.max(1, Math.abs(v))),
      );
    }
  }
});

test('the bound discriminates: the exact-erf GELU (torch approximate="none") lies outside it', () => {
  // the engine's GELU is the tanh form; the erf form differs by up to ~8e-4 in these logits
  for (const net of REFERENCE.networks) {
    const params = Float32Array.from(net.params);
    const got = engineLogits(net, params, 'gelu');
    const outside = countOutside(got, net.geluErfLogitsF64, roundingBound(net, params, 'gelu'));
    assert.ok(
      outside > 0,
      `${net.dims.join('-')}: the erf-GELU logits must fall outside the bound somewhere; got 0 events outside`,
    );
  }
});

test('the bound discriminates: the first weight matrix read transposed (torch weight order) lies outside it', () => {
  for (const net of REFERENCE.networks) {
    const [nIn, nOut] = net.dims;
    const params = Float32Array.from(net.params);
    const transposed = params.slice();
    for (let k = 0; k < nIn; k++) for (let j = 0; j < nOut; j++) transposed[j * nIn + k] = params[k * nOut + j];
    for (const c of net.cases) {
      const got = engineLogits(net, transposed, c.activation);
      const outside = countOutside(got, c.logitsF64, roundingBound(net, params, c.activation));
      assert.ok(
        outside > net.nEvents / 2,
        `${label(net, c.activation)}: most events must fall outside with W_0 transposed; got ${outside} of ${net.nEvents}`,
      );
    }
  }
});

test.run();
