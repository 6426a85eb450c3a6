/**
 * Writes HEPData submission folders (the format, and the tables computed on any platform:
 * src/publish/hepdata_submission.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hepdataFiles, type HepdataHistogram, type HepdataOptions } from './hepdata_submission.js';

export { covarianceTable, hepdataFiles, hepdataHistogram, histogramTable } from './hepdata_submission.js';
export type {
  FamilyCovarianceTable,
  HepdataHistogram,
  HepdataOptions,
  HistogramRequest,
} from './hepdata_submission.js';

/** Writes a submission folder `dir` (created if needed); returns the file names written. */
export async function writeHepdata(
  dir: string,
  histograms: readonly HepdataHistogram[],
  options: HepdataOptions,
): Promise<string[]> {
  const files = hepdataFiles(histograms, options);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return [...files.keys()];
}
