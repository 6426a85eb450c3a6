/**
 * The result table `omnifold unfold` prints on stdout: one row per gen observable with
 * its binning, weighted means (prior, unfolded, truth) and shape χ²/ndf against the truth
 * (with the sum of squared weights, and with the bootstrap variance when there are data
 * bootstraps).
 */

import type { RunSummary } from '../index.js';
function mean(sumw: number[], edges: number[]): number {
  let s = 0;
  let sx = 0;
  for (let k = 0; k < sumw.length; k++) {
    s += sumw[k];
    sx += sumw[k] * 0.5 * (edges[k] + edges[k + 1]);
  }
  return s > 0 ? sx / s : NaN;
}

const num = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1000 ? x.toExponential(3) : x.toPrecision(4)) : '-');
const chi = (c: { chi2: number; ndf: number } | undefined) =>
  c === undefined || !Number.isFinite(c.chi2) ? '-' : `${c.chi2.toFixed(1)}/${c.ndf}`;

/** Formats the table; means use bin centres of in-range bins. */
export function formatResultTable(summary: RunSummary): string {
  const hasTruth = summary.features.some((f) => f.truth !== undefined);
  const hasBootstrap = summary.features.some((f) => f.unfoldedVsTruthBootstrap !== undefined);
  const header = [
    'observable',
    'bins',
    'mean prior',
    'mean unfolded',
    ...(hasTruth ? ['mean truth', 'chi2/ndf prior', 'chi2/ndf unfolded'] : []),
    ...(hasBootstrap ? ['chi2/ndf bootstraps'] : []),
  ];
  const rows = summary.features.map((f) => [
    f.feature,
    String(f.edges.length - 1),
    num(mean(f.prior.sumw, f.edges)),
    num(mean(f.unfolded.sumw, f.edges)),
    ...(hasTruth
      ? [num(f.truth ? mean(f.truth.sumw, f.edges) : NaN), chi(f.priorVsTruth), chi(f.unfoldedVsTruth)]
      : []),
    ...(hasBootstrap ? [chi(f.unfoldedVsTruthBootstrap)] : []),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmtRow = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return `${[fmtRow(header), ...rows.map(fmtRow)].join('\n')}\n`;
}
