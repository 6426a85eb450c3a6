/**
 * {@link writePlotsAndReport}: reads an output directory (weights.arrow + summary.json, and
 * the checks recorded in its checks/), renders every figure to `plots/<stem>.svg` and
 * `plots/<stem>.png`, and writes the self-contained `report.html`. Used by
 * `omnifold plot OUT/`, at the end of `unfold`, and by `omnifold check … --report OUT`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSvg, svgToPng } from '../plots/render.js';
import { CHECKS_DIR, readChecks } from './checks.js';
import { planFigures } from './figures.js';
import { type ReportFigure, reportHtml } from './report_html.js';
import { readRunData } from './run_data.js';
import { type ReportWarning, runWarnings } from './warnings.js';

/** Options of {@link writePlotsAndReport}. */
export interface PlotOptions {
  /** Also write PNGs (resvg, DejaVu Sans); default true. */
  png?: boolean;
  /** PNG pixels per SVG unit; default 2. */
  pngScale?: number;
  /** Where weights.arrow and summary.json are read (default: `outDir` itself). */
  runDir?: string;
  /** Where the check records are read (default: `checks/` of the run folder; none if absent). */
  checksDir?: string;
  /** Called after each figure is written, with its stem and how many there are. */
  onProgress?: (event: { figure: string; index: number; nFigures: number }) => void;
}

/** What {@link writePlotsAndReport} wrote. */
export interface PlotResult {
  /** Paths relative to the output directory: plots/*.svg, plots/*.png, report.html. */
  files: string[];
  warnings: ReportWarning[];
}

/**
 * Writes `outDir/plots/*.{svg,png}` and `outDir/report.html` from `outDir/weights.arrow` and
 * `outDir/summary.json`. Deterministic: the same inputs give the same bytes.
 *
 * @example
 * const { files, warnings } = await writePlotsAndReport('out');
 * // files: ['plots/gen_pt.svg', 'plots/gen_pt.png', …, 'report.html']
 */
export async function writePlotsAndReport(outDir: string, options: PlotOptions = {}): Promise<PlotResult> {
  const runDir = options.runDir ?? outDir;
  const checks = await readChecks(options.checksDir ?? join(runDir, CHECKS_DIR));
  const run = { ...(await readRunData(runDir)), ...(checks.length > 0 ? { checks } : {}) };
  const plans = planFigures(run);
  await mkdir(join(outDir, 'plots'), { recursive: true });
  const files: string[] = [];
  const figures: ReportFigure[] = [];
  for (const [index, plan] of plans.entries()) {
    const svg = await renderSvg(plan.spec);
    const written = [`plots/${plan.stem}.svg`];
    await writeFile(join(outDir, written[0]), svg);
    if (options.png !== false) {
      written.push(`plots/${plan.stem}.png`);
      await writeFile(join(outDir, written[1]), await svgToPng(svg, { scale: options.pngScale }));
    }
    files.push(...written);
    figures.push({
      stem: plan.stem,
      kind: plan.kind,
      observable: plan.observable,
      caption: plan.caption,
      svg,
      files: written,
    });
    options.onProgress?.({ figure: plan.stem, index, nFigures: plans.length });
  }
  const warnings = runWarnings(run);
  await writeFile(join(outDir, 'report.html'), reportHtml(run, figures, warnings));
  files.push('report.html');
  return { files, warnings };
}
