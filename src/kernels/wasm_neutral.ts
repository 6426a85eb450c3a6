/**
 * The platform-neutral edge of the kernels: there is no file system to read
 * `build/omnifold.wasm` from, so the host hands the module over with `initKernels` before
 * the first unfolding. src/kernels/wasm.ts gets this file through the package import
 * `#kernels/wasm-file` on every platform but Node (package.json "imports", condition
 * `default`); Node gets src/kernels/wasm_node.ts.
 */
import { KernelError } from '../base/errors.js';

/** Always throws: without a file system the kernels must be handed over first. */
export function readKernelFile(): Uint8Array {
  throw new KernelError(
    'wasm kernels must be provided before the first unfolding on this platform; got none (await initKernels(source) first, with source the URL, bytes or compiled module of omnifold.wasm)',
  );
}
