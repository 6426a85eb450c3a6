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
 *
 * This file is platform-neutral. Where the module comes from is decided at the edge:
 * in Node the first kernel call reads `build/omnifold.wasm` (src/kernels/wasm_node.ts,
 * reached through the package import `#kernels/wasm-file`); elsewhere the host calls
 * {@link initKernels} first (src/kernels/wasm_neutral.ts says so if it did not).
 */
import { KernelError } from '../base/errors.js';
import { readKernelFile } from '#kernels/wasm-file';

/** Raw exports of `build/omnifold.wasm`; the list is `asm/index.ts`. */
// The kernel signatures are declared where they are glued (src/kernels/<kernel>.ts).
export type KernelExports = WebAssembly.Exports & {
  memory: WebAssembly.Memory;
  heap_base(): number;
  [kernel: string]: unknown;
};

let compiled: WebAssembly.Module | undefined;
let instance: WasmKernels | undefined;

/** The compiled module, compiled once per thread on first use. */
export function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readKernelFile());
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

/**
 * Where {@link initKernels} takes the kernels (`omnifold.wasm`) from: the compiled module,
 * the file's bytes, a URL to fetch, or a fetch `Response`.
 */
export type KernelSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | Response;

/**
 * Provides this thread's kernels before the first unfolding, on platforms without a file
 * system (browsers, web workers). Compiles and instantiates asynchronously, as browsers
 * require for modules of this size on the main thread. Node needs no call: the first
 * kernel call reads `build/omnifold.wasm`. Once the kernels are in use (or provided), later
 * calls change nothing.
 *
 * @example
 *   import { initKernels, unfold } from 'omnifold/browser';
 *   await initKernels(new URL('omnifold.wasm', import.meta.url));
 *   const result = await unfold(sim, data, options); // as in Node
 */
export async function initKernels(source: KernelSource): Promise<void> {
  if (instance !== undefined) return;
  const module = await compileKernels(source);
  const ready = await WebAssembly.instantiate(module, kernelImports());
  if (instance !== undefined) return;
  compiled = module;
  instance = new WasmKernels(ready);
}

/** Compiles (and checks) the kernels from `source` without instantiating them, e.g. to hand to workers. */
export async function compileKernels(source: KernelSource): Promise<WebAssembly.Module> {
  // tags rather than instanceof: the source may come from another realm (an iframe, a vm context)
  const tag = Object.prototype.toString.call(source);
  if (tag === '[object WebAssembly.Module]') return checkKernelExports(source);
  let bytes: ArrayBuffer | ArrayBufferView;
  if (source instanceof URL || isResponse(source)) {
    bytes = await fetchKernels(source);
  } else if (tag === '[object ArrayBuffer]' || ArrayBuffer.isView(source)) {
    bytes = source as ArrayBuffer | ArrayBufferView;
  } else {
    throw new KernelError(
      `kernel source must be a WebAssembly.Module, bytes, a URL or a Response; got ${typeof source}`,
    );
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new KernelError(
      `kernel source must be the WebAssembly module omnifold.wasm; got bytes that do not compile (${reason})`,
      { cause },
    );
  }
  return checkKernelExports(module);
}

function isResponse(source: unknown): source is Response {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as Response).arrayBuffer === 'function' &&
    'status' in source
  );
}

async function fetchKernels(source: URL | Response): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = source instanceof URL ? await fetch(source) : source;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new KernelError(
      `kernel source ${source instanceof URL ? source.href : source.url} must be fetchable; got ${reason}`,
      { cause },
    );
  }
  if (!response.ok)
    throw new KernelError(
      `kernel source ${response.url || 'response'} must have status 200-299; got ${response.status}`,
    );
  return response.arrayBuffer();
}

/** The exports every kernel build has; a module without them is some other wasm file. */
function checkKernelExports(module: WebAssembly.Module): WebAssembly.Module {
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!names.includes('memory') || !names.includes('heap_base')) {
    throw new KernelError(
      `kernel module must export memory and heap_base like omnifold.wasm; got exports ${names.join(', ') || 'none'}`,
    );
  }
  return module;
}

/** What the kernels import: only `env.abort`, which AssemblyScript calls on a failed assertion. */
function kernelImports(): WebAssembly.Imports {
  return {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new KernelError(`wasm kernel aborted at asm line ${line}:${column}`);
      },
    },
  };
}

const PAGE = 65536;

/** One wasm instance with its memory arena. */
export class WasmKernels {
  readonly exports: KernelExports;
  readonly arena: Arena;

  /** Instantiates `module` synchronously, or wraps an instance made with the kernel imports. */
  constructor(module: WebAssembly.Module | WebAssembly.Instance) {
    const wasm = module instanceof WebAssembly.Instance ? module : new WebAssembly.Instance(module, kernelImports());
    this.exports = wasm.exports as KernelExports;
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

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
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
    if (mark < this.base || mark > this.top)
      throw new KernelError(`arena mark must be in [${this.base}, ${this.top}]; got ${mark}`);
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
