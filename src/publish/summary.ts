/**
 * Writes `summary.json` (what it holds, and how it is computed on any platform:
 * src/publish/run_summary.ts).
 */
import { writeFile } from 'node:fs/promises';
import { summaryJson, type RunSummary } from './run_summary.js';

export { autoEdges, shapeChi2, summarize, summaryJson } from './run_summary.js';
export type { Chi2, FeatureSummary, HistogramSums, RunSummary, SummaryInput } from './run_summary.js';

/** Writes the summary as indented JSON (NaN becomes null). */
export async function writeSummary(path: string, summary: RunSummary): Promise<void> {
  await writeFile(path, summaryJson(summary));
}
