/**
 * heap_base: first free byte after the module's static data, 16-byte aligned.
 * The JS arena (src/kernels/wasm.ts) owns all memory from here on; kernels never allocate.
 */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
