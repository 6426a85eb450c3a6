// The WebAssembly JS API as used by the engine. TypeScript ships these types only with the
// DOM library, which would bring browser globals into Node code; this is the subset used.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
    static exports(module: Module): { name: string; kind: string }[];
    static imports(module: Module): { module: string; name: string; kind: string }[];
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  type ExportValue = ((...args: never[]) => unknown) | Memory | Global | Table;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ExportValue | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  class Global {
    value: unknown;
  }
  class Table {
    readonly length: number;
  }
  function validate(bytes: BufferSource): boolean;
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
