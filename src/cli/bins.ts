/**
 * The one bin syntax of the CLI (`unfold --bins`, `hist --bins`, `export --bins`): the
 * platform-neutral parser of src/analysis/bins.ts, shared with the viewer.
 */
export { parseBins } from '../index.js';
