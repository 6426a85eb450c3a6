/**
 * Checks a weights file on disk against its documented schema (the checks themselves, on
 * any platform: src/publish/weights_validation.ts).
 */
import { readFile } from 'node:fs/promises';
import { validateWeightsBytes, type ValidationReport } from './weights_validation.js';

export {
  COLUMN_ROLES,
  SUPPORTED_FORMAT_VERSIONS,
  validateWeightsBytes,
  validateWeightsTable,
} from './weights_validation.js';
export type { ValidationReport } from './weights_validation.js';

/** Reads `path` and checks it; never throws for a bad file (a problem is reported instead). */
export async function validateWeightsFile(path: string): Promise<ValidationReport> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return {
      problems: [
        `${path} must be a readable file; got ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      ],
      nRows: 0,
      nColumns: 0,
    };
  }
  return validateWeightsBytes(bytes, path);
}
