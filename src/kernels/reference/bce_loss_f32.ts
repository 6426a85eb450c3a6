/**
 * Reference twin of asm/bce_loss_f32.ts: the textbook −w·[y log σ(z) + (1−y) log(1−σ(z))],
 * with log σ and log(1−σ) = log σ(−z) from the stable reference log-sigmoid; `extra` is
 * added to each gradient before its rounding to f32.
 */
import { logSigmoid } from './log_sigmoid_f32.js';
import { sigmoid } from './sigmoid_f32.js';

export function bceLossF32(
  z: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
  scale = 1,
  extra?: ArrayLike<number>,
): { loss: number; grad: Float32Array } {
  let loss = 0;
  const grad = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    loss += -w[i] * (y[i] * logSigmoid(z[i]) + (1 - y[i]) * logSigmoid(-z[i]));
    const g = scale * w[i] * (sigmoid(z[i]) - y[i]);
    grad[i] = extra === undefined ? g : g + extra[i];
  }
  return { loss, grad };
}
