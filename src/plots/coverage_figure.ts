/**
 * The `check coverage` figure: per observable and bin, the fraction of toys whose truth lies
 * within the unfolded value ± 1σ, against the bin number; the expected 68.3 % as a dashed
 * line, with a grey band of ± one binomial standard deviation for the number of toys.
 */
import { InputError } from '../base/errors.js';
import type { VegaLiteSpec } from './render_svg.js';
import { type AxisPlan, COLOURS, baseConfig, bottomLegend, frameLayers, positionEncoding } from './style.js';
import { linearTicks } from './ticks.js';

/** The coverage a Gaussian ±1σ interval has. */
export const ONE_SIGMA_COVERAGE = 0.6827;

/** What the figure shows. */
export interface CoverageFigureInput {
  nToys: number;
  rows: readonly { name: string; coverage: readonly number[] }[];
}

/** Builds the Vega-Lite spec of the coverage figure. */
export function coverageFigure(input: CoverageFigureInput): VegaLiteSpec {
  const nBins = Math.max(0, ...input.rows.map((r) => r.coverage.length));
  if (nBins === 0 || !(input.nToys > 0))
    throw new InputError(`coverage figure must hold at least one bin and one toy; got ${nBins} bins`);
  const points = input.rows.flatMap((r) => r.coverage.map((value, k) => ({ bin: k + 1, series: r.name, value })));
  const step = Math.max(1, Math.ceil(nBins / 10));
  const major: number[] = [];
  for (let k = 1; k <= nBins; k += step) major.push(k);
  const x: AxisPlan = {
    domain: [0.5, nBins + 0.5],
    ticks: { major, minor: [] },
    title: 'Bin',
    labels: true,
    format: 'd',
  };
  const y: AxisPlan = {
    domain: [0, 1.05],
    ticks: linearTicks(0, 1, 5),
    title: 'Coverage (fraction of toys)',
    labels: true,
    format: '.1f',
  };
  const spread = Math.sqrt((ONE_SIGMA_COVERAGE * (1 - ONE_SIGMA_COVERAGE)) / input.nToys);
  const layers: Record<string, unknown>[] = [
    {
      data: {
        values: [
          { lo: ONE_SIGMA_COVERAGE - spread, hi: Math.min(1, ONE_SIGMA_COVERAGE + spread), x0: 0.5, x1: nBins + 0.5 },
        ],
      },
      mark: { type: 'rect', color: COLOURS.band, opacity: 0.35 },
      encoding: {
        x: positionEncoding('x0', x, 'bottom'),
        x2: { field: 'x1' },
        y: positionEncoding('lo', y, 'left'),
        y2: { field: 'hi' },
      },
    },
    {
      data: { values: [{ expected: ONE_SIGMA_COVERAGE }] },
      mark: { type: 'rule', color: COLOURS.warning, strokeDash: [5, 3], strokeWidth: 1.4 },
      encoding: { y: positionEncoding('expected', y, 'left') },
    },
    {
      data: { values: points },
      mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 1.4, clip: true },
      encoding: {
        x: positionEncoding('bin', x, 'bottom'),
        y: positionEncoding('value', y, 'left'),
        color: {
          field: 'series',
          type: 'nominal',
          scale: { domain: input.rows.map((r) => r.name), range: COLOURS.series },
          legend: { title: 'Observable' },
        },
      },
    },
    ...frameLayers(x, y),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'OmniFold check coverage: per-bin coverage',
    config: {
      ...baseConfig(),
      legend: bottomLegend(),
    },
    width: 420,
    height: 240,
    title: { text: `Coverage of ±1σ over ${input.nToys} toys`, fontSize: 13, anchor: 'start', offset: 8 },
    layer: layers,
    resolve: { axis: { x: 'independent', y: 'independent' } },
  };
}
