/**
 * Figure 2, one per observable with replica columns: the bin-to-bin correlation matrix of
 * the unfolded histogram as a heatmap over the bin edges (diverging colours, −1 blue,
 * +1 red), with the coefficient written in each cell when there are few bins.
 */
import { InputError } from '../base/errors.js';
import { checkEdges } from '../analysis/histogram.js';
import type { VegaLiteSpec } from './render_svg.js';
import { type AxisPlan, baseConfig, decimalsFor, frameLayers, positionEncoding, textLayer } from './style.js';
import { linearTicks, niceStep } from './ticks.js';

/** What figure 2 shows for one observable. */
export interface CorrelationFigureInput {
  name: string;
  label?: string;
  unit?: string;
  /** [nBins + 1] */
  edges: ArrayLike<number>;
  /** [nBins × nBins], row-major, entries in [−1, 1]. */
  correlation: ArrayLike<number>;
  /** Which covariance, e.g. `total (stat + sim-stat + syst)`. */
  what?: string;
}

const SIZE = 340;
/** Cells get their coefficient printed up to this many bins per axis. */
const MAX_ANNOTATED_BINS = 12;

/** Builds the Vega-Lite spec of figure 2. */
export function correlationFigure(input: CorrelationFigureInput): VegaLiteSpec {
  checkEdges(`${input.name} edges`, input.edges);
  const edges = Array.from(input.edges);
  const n = edges.length - 1;
  if (input.correlation.length !== n * n) {
    throw new InputError(
      `${input.name} correlation must have nBins² = ${n * n} entries; got ${input.correlation.length}`,
    );
  }
  const cells: Record<string, number | string>[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const rho = input.correlation[i * n + j];
      cells.push({
        xlo: edges[i],
        xhi: edges[i + 1],
        ylo: edges[j],
        yhi: edges[j + 1],
        xm: (edges[i] + edges[i + 1]) / 2,
        ym: (edges[j] + edges[j + 1]) / 2,
        rho,
        text: rho.toFixed(2),
      });
    }
  }
  const label = input.label ?? input.name;
  const title = input.unit ? `${label} [${input.unit}]` : label;
  const domain: [number, number] = [edges[0], edges[n]];
  const format = `.${decimalsFor(niceStep(domain[1] - domain[0], 5))}f`;
  const x: AxisPlan = {
    domain,
    ticks: linearTicks(domain[0], domain[1], 5),
    title: `${title} (bin i)`,
    labels: true,
    format,
  };
  const y: AxisPlan = { ...x, title: `${title} (bin j)` };
  const heat = {
    data: { values: cells },
    mark: { type: 'rect', stroke: 'white', strokeWidth: n > 30 ? 0 : 0.5 },
    encoding: {
      x: positionEncoding('xlo', x, 'bottom'),
      x2: { field: 'xhi' },
      y: positionEncoding('ylo', y, 'left'),
      y2: { field: 'yhi' },
      color: {
        field: 'rho',
        type: 'quantitative',
        scale: { scheme: 'redblue', reverse: true, domain: [-1, 1], clamp: true },
        legend: {
          disable: false,
          title: 'Correlation',
          orient: 'right',
          gradientLength: SIZE - 40,
          titleFontSize: 12,
          labelFontSize: 11,
          direction: 'vertical',
        },
      },
    },
  };
  const layers: Record<string, unknown>[] = [heat];
  if (n <= MAX_ANNOTATED_BINS) {
    layers.push({
      data: { values: cells },
      mark: { type: 'text', fontSize: n > 8 ? 8 : 10 },
      encoding: {
        x: positionEncoding('xm', x, 'bottom'),
        y: positionEncoding('ym', y, 'left'),
        text: { field: 'text' },
        color: { condition: { test: 'abs(datum.rho) > 0.6', value: 'white' }, value: 'black' },
      },
    });
  }
  layers.push(textLayer('OmniFold', 0, -12, { bold: true, size: 16, baseline: 'alphabetic' }));
  layers.push(
    textLayer(`correlation, ${input.what ?? 'total'}`, 88, -12, { italic: true, size: 13, baseline: 'alphabetic' }),
  );
  layers.push(...frameLayers(x, y));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${input.name}: bin-to-bin correlation of the unfolded histogram`,
    config: { ...baseConfig(), legend: { disable: false } },
    width: SIZE,
    height: SIZE,
    layer: layers,
    resolve: { axis: { x: 'independent', y: 'independent' } },
  };
}
