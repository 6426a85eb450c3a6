/**
 * The Node edge of the kernels: finds `build/omnifold.wasm` in the package and reads it, so
 * the first kernel call in Node needs no set-up (the CLI, the tests, `unfold` from the Node
 * entry). src/kernels/wasm.ts reaches this file through the package import
 * `#kernels/wasm-file` (package.json "imports", condition `node`); every other platform
 * gets src/kernels/wasm_neutral.ts there instead, and hands the module over with
 * `initKernels`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KernelError } from '../base/errors.js';

const WASM_CANDIDATES = [
  // from src/kernels/ (run through tsx) and from dist/src/kernels/ (compiled)
  new URL('../../build/omnifold.wasm', import.meta.url),
  new URL('../../../build/omnifold.wasm', import.meta.url),
];

/** Absolute path of the compiled kernels; throws with the build command if missing. */
export function wasmPath(): string {
  for (const url of WASM_CANDIDATES) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new KernelError(
    `build/omnifold.wasm must exist; got no file at ${WASM_CANDIDATES.map((u) => fileURLToPath(u)).join(' or ')} (run npm run build:asm)`,
  );
}

/** The bytes of the compiled kernels, read synchronously. */
export function readKernelFile(): Uint8Array {
  return readFileSync(wasmPath());
}
