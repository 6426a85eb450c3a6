/** Test helper: the wasm network's logits on given parameters and inputs. */
import type { Activation } from '../../src/kernels/activation.js';
import { mlpForwardF32 } from '../../src/kernels/mlp_forward_f32.js';
import { MlpWorkspace } from '../../src/kernels/mlp_workspace.js';
import { kernels } from '../../src/kernels/wasm.js';

/** Runs the wasm network on `x` and returns a copy of its logits. */
export function wasmLogits(
  params: Float32Array,
  dims: number[],
  activation: Activation,
  x: Float32Array,
  nRows: number,
): Float32Array {
  const { arena } = kernels();
  const mark = arena.mark();
  try {
    const ws = new MlpWorkspace(arena, dims, activation, Math.max(nRows, 1), false);
    ws.params.set(params);
    ws.x.set(x);
    const ptr = mlpForwardF32(ws, nRows);
    return arena.f32(ptr, nRows).slice();
  } finally {
    arena.release(mark);
  }
}
