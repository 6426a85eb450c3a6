/**
 * Reference twin of the PFN passes of src/kernels/pfn_workspace.ts, in f64 with plain
 * loops: Φ (dense + ReLU on every layer) per particle, sum pooling per event, F (dense +
 * ReLU hidden layers, one logit) on [pooled ‖ event features], the weighted BCE, and its
 * gradient by backpropagation. For the finite-difference check of the whole loss and as
 * the yardstick of the wasm passes (which agree to f32 rounding, not bit for bit).
 * Parameter layout as the workspace's: Φ's layers, then F's, each W [in × out] then b [out].
 */

/** One PFN minibatch: particles [offsets[nEvents] × phiDims[0]], event features [nEvents × nF], labels, weights. */
export interface PfnBatch {
  particles: ArrayLike<number>;
  offsets: ArrayLike<number>;
  events: ArrayLike<number>;
  y: ArrayLike<number>;
  w: ArrayLike<number>;
}

interface Layer {
  w: number;
  b: number;
  nIn: number;
  nOut: number;
}

function layers(phiDims: readonly number[], fDims: readonly number[]): { phi: Layer[]; f: Layer[] } {
  let off = 0;
  const make = (dims: readonly number[]) =>
    dims.slice(1).map((nOut, l) => {
      const nIn = dims[l];
      const layer = { w: off, b: off + nIn * nOut, nIn, nOut };
      off += (nIn + 1) * nOut;
      return layer;
    });
  return { phi: make(phiDims), f: make(fDims) };
}

function dense(p: ArrayLike<number>, L: Layer, x: Float64Array, nRows: number, relu: boolean): Float64Array {
  const y = new Float64Array(nRows * L.nOut);
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < L.nOut; j++) {
      let acc = p[L.b + j];
      for (let k = 0; k < L.nIn; k++) acc += x[i * L.nIn + k] * p[L.w + k * L.nOut + j];
      y[i * L.nOut + j] = relu ? Math.max(acc, 0) : acc;
    }
  }
  return y;
}

/** Adds the gradient of a dense layer given dZ (and writes dX, if asked) for rows of `x`. */
function denseBack(
  p: ArrayLike<number>,
  g: Float64Array,
  L: Layer,
  x: Float64Array,
  dz: Float64Array,
  nRows: number,
): Float64Array {
  const dx = new Float64Array(nRows * L.nIn);
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < L.nOut; j++) {
      const d = dz[i * L.nOut + j];
      g[L.b + j] += d;
      for (let k = 0; k < L.nIn; k++) {
        g[L.w + k * L.nOut + j] += x[i * L.nIn + k] * d;
        dx[i * L.nIn + k] += d * p[L.w + k * L.nOut + j];
      }
    }
  }
  return dx;
}

/** The logits of a batch, in f64. */
export function pfnLogitsF64(
  params: ArrayLike<number>,
  phiDims: readonly number[],
  fDims: readonly number[],
  batch: Omit<PfnBatch, 'y' | 'w'>,
): Float64Array {
  return pass(params, phiDims, fDims, batch).logits;
}

function pass(
  params: ArrayLike<number>,
  phiDims: readonly number[],
  fDims: readonly number[],
  batch: Omit<PfnBatch, 'y' | 'w'>,
) {
  const { phi, f } = layers(phiDims, fDims);
  const nEvents = batch.offsets.length - 1;
  const nP = batch.offsets[nEvents];
  const latent = phiDims[phiDims.length - 1];
  const nF = fDims[0] - latent;
  const phiActs: Float64Array[] = [Float64Array.from({ length: nP * phiDims[0] }, (_, i) => batch.particles[i])];
  for (const L of phi) phiActs.push(dense(params, L, phiActs[phiActs.length - 1], nP, true));
  const top = phiActs[phiActs.length - 1];
  const fIn = new Float64Array(nEvents * fDims[0]);
  for (let i = 0; i < nEvents; i++) {
    for (let p = batch.offsets[i]; p < batch.offsets[i + 1]; p++)
      for (let j = 0; j < latent; j++) fIn[i * fDims[0] + j] += top[p * latent + j];
    for (let j = 0; j < nF; j++) fIn[i * fDims[0] + latent + j] = batch.events[i * nF + j];
  }
  const fActs: Float64Array[] = [fIn];
  f.forEach((L, l) => fActs.push(dense(params, L, fActs[fActs.length - 1], nEvents, l < f.length - 1)));
  return { phi, f, phiActs, fActs, logits: fActs[fActs.length - 1], nEvents, nP, latent };
}

/**
 * loss = Σ_i w_i·(softplus(z_i) − y_i·z_i) and grads = ∂(lossScale·loss)/∂params, in f64.
 */
export function pfnLossGradientF64(
  params: ArrayLike<number>,
  phiDims: readonly number[],
  fDims: readonly number[],
  batch: PfnBatch,
  lossScale: number,
): { loss: number; grads: Float64Array } {
  const { phi, f, phiActs, fActs, logits, nEvents, nP, latent } = pass(params, phiDims, fDims, batch);
  const grads = new Float64Array(params.length);
  let loss = 0;
  let dz: Float64Array = new Float64Array(nEvents);
  for (let i = 0; i < nEvents; i++) {
    const z = logits[i];
    const softplus = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    loss += batch.w[i] * (softplus - batch.y[i] * z);
    dz[i] = lossScale * batch.w[i] * (1 / (1 + Math.exp(-z)) - batch.y[i]);
  }
  for (let l = f.length - 1; l >= 0; l--) {
    const dx = denseBack(params, grads, f[l], fActs[l], dz, nEvents);
    if (l > 0) for (let k = 0; k < dx.length; k++) if (!(fActs[l][k] > 0)) dx[k] = 0;
    dz = dx;
  }
  let dp: Float64Array = new Float64Array(nP * latent);
  const top = phiActs[phiActs.length - 1];
  for (let i = 0; i < nEvents; i++)
    for (let p = batch.offsets[i]; p < batch.offsets[i + 1]; p++)
      for (let j = 0; j < latent; j++) dp[p * latent + j] = top[p * latent + j] > 0 ? dz[i * fDims[0] + j] : 0;
  for (let l = phi.length - 1; l >= 0; l--) {
    const dx = denseBack(params, grads, phi[l], phiActs[l], dp, nP);
    if (l > 0) for (let k = 0; k < dx.length; k++) if (!(phiActs[l][k] > 0)) dx[k] = 0;
    dp = dx;
  }
  return { loss, grads };
}
