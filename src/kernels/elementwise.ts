/**
 * Shared glue of the elementwise kernels (activations and their backward passes, sigmoid,
 * log-sigmoid): copy the inputs into the arena, call the export, copy the output out.
 */
import { checkLength } from './check.js';
import { kernels } from './wasm.js';

/** Raw export of a unary f32 kernel: (zPtr, n, outPtr). */
export type UnaryExport = (zPtr: number, n: number, outPtr: number) => void;
/** Raw export of a backward f32 kernel: (zPtr, dyPtr, n, dzPtr). */
export type BackwardExport = (zPtr: number, dyPtr: number, n: number, dzPtr: number) => void;

/** out[i] = kernel(z[i]); `out64` selects an f64 output. */
export function runUnary(name: string, z: Float32Array, out64 = false): Float32Array | Float64Array {
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const zPtr = arena.allocF32(z.length);
    const outPtr = out64 ? arena.allocF64(z.length) : arena.allocF32(z.length);
    arena.f32(zPtr, z.length).set(z);
    (exports[name] as UnaryExport)(zPtr, z.length, outPtr);
    return out64 ? arena.f64(outPtr, z.length).slice() : arena.f32(outPtr, z.length).slice();
  } finally {
    arena.release(mark);
  }
}

/** dz[i] = dy[i]·act'(z[i]) for the backward kernel `name`. */
export function runBackward(name: string, z: Float32Array, dy: Float32Array): Float32Array {
  checkLength(name, 'dy', dy, z.length, 'the length of z');
  const { exports, arena } = kernels();
  const mark = arena.mark();
  try {
    const zPtr = arena.allocF32(z.length);
    const dyPtr = arena.allocF32(z.length);
    const dzPtr = arena.allocF32(z.length);
    arena.f32(zPtr, z.length).set(z);
    arena.f32(dyPtr, z.length).set(dy);
    (exports[name] as BackwardExport)(zPtr, dyPtr, z.length, dzPtr);
    return arena.f32(dzPtr, z.length).slice();
  } finally {
    arena.release(mark);
  }
}
