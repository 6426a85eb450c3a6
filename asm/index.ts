/** The wasm export list: every kernel is re-exported here, nothing else. */
export { heap_base } from './heap_base';
