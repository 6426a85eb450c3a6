/**
 * The bridge between TypeScript and the AssemblyScript kernels in `asm/`.
 *
 * Conventions shared by every kernel glue file in `src/kernels/`:
 * - pointers (`...Ptr`) are byte offsets into the instance's linear memory;
 * - lengths and strides are in elements, never bytes;
 * - f32 for features, parameters and activations; f64 for event weights and sums over
 *   events.
 *
 * The module is compiled once per thread (or handed in already compiled, e.g. from the
 * main thread to a worker) and instantiated lazily. Memory is owned by an {@link Arena}: a
 * bump allocator above the module's static data. Kernels never allocate. Typed-array views
 * must be re-derived after any `memory.grow`, which {@link Arena.f32} and friends do.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KernelError } from '../base/errors.js';

/** Raw exports of `build/omnifold.wasm`; the list is `asm/index.ts`. */
// The kernel signatures are declared where they are glued (src/kernels/<kernel>.ts).
export type KernelExports = WebAssembly.Exports & {
  memory: WebAssembly.Memory;
  heap_base(): number;
  [kernel: string]: unknown;
};

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

let compiled: WebAssembly.Module | undefined;
let instance: WasmKernels | undefined;

/** The compiled module, compiled once per thread on first use. */
export function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(wasmPath()));
  return compiled;
}

/**
 * Hands this thread an already compiled module (workers receive the main thread's
 * module so they skip compilation). Must be called before the first {@link kernels}.
 */
export function useWasmModule(module: WebAssembly.Module): void {
  if (instance !== undefined) return;
  compiled = module;
}

/** The thread's kernel instance, instantiated on first use. */
export function kernels(): WasmKernels {
  instance ??= new WasmKernels(wasmModule());
  return instance;
}

const PAGE = 65536;

/** One wasm instance with its memory arena. */
export class WasmKernels {
  readonly exports: KernelExports;
  readonly arena: Arena;

  constructor(module: WebAssembly.Module) {
    const imports = {
      env: {
        abort(_msg: number, _file: number, line: number, column: number): never {
          throw new KernelError(`wasm kernel aborted at asm line ${line}:${column}`);
        },
      },
    };
    this.exports = new WebAssembly.Instance(module, imports).exports as KernelExports;
    this.arena = new Arena(this.exports.memory, this.exports.heap_base());
  }
}

/**
 * Bump allocator over a wasm memory. `mark()`/`release(mark)` free everything allocated
 * after the mark; allocations are 16-byte aligned (one v128) and zero-filled on request.
 */
export class Arena {
  private top: number;
  readonly base: number;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.base = base;
    this.top = base;
  }

  /** Reserves `bytes` bytes, growing memory if needed; returns the byte offset. */
  alloc(bytes: number): number {
    const ptr = (this.top + 15) & ~15;
    const end = ptr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (cause) {
        throw new KernelError(`wasm memory must grow to ${end} bytes; got a refusal at ${have} bytes`, { cause });
      }
    }
    this.top = end;
    return ptr;
  }

  allocF32(n: number): number {
    return this.alloc(n * 4);
  }

  allocF64(n: number): number {
    return this.alloc(n * 8);
  }

  allocU32(n: number): number {
    return this.alloc(n * 4);
  }

  /** Current top, to pass to {@link release}. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    if (mark < this.base || mark > this.top) throw new KernelError(`arena mark must be in [${this.base}, ${this.top}]; got ${mark}`);
    this.top = mark;
  }

  /** Fresh view (valid until the next grow) of `n` f32 at `ptr`. */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }

  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, n);
  }

  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, n);
  }
}
