/**
 * The `--iterations auto` figure: the criterion D_n against the iteration n, the worst
 * observable's (black, thick) and, with several observables, each one's (coloured), the threshold as a dashed
 * red line and the chosen iteration as a dotted vertical line (docs/algorithm.md §Iterations
 * chosen from the data). The y axis is logarithmic when the positive values span more than
 * a factor 20 (D_n typically falls by orders of magnitude over the first iterations).
 */
import { InputError } from '../base/errors.js';
import type { IterationChoice } from '../uncertainty/iteration_choice.js';
import type { VegaLiteSpec } from './render_svg.js';
import { type AxisPlan, COLOURS, baseConfig, bottomLegend, frameLayers, positionEncoding } from './style.js';
import { countRange, linearFormat, linearTicks, logTicks } from './ticks.js';

/** What the figure shows: the recorded choice (weights metadata `configuration.iterationChoice`). */
export type IterationChoiceFigureInput = Pick<
  IterationChoice,
  'values' | 'features' | 'threshold' | 'chosen' | 'converged'
>;

/** The series name of the worst observable's D_n. */
export const WORST_SERIES = 'worst (decides)';

/** Builds the Vega-Lite spec of the D_n figure. */
export function iterationChoiceFigure(input: IterationChoiceFigureInput): VegaLiteSpec {
  const nMax = input.values.length;
  if (nMax === 0) throw new InputError('iteration choice figure must hold at least one iteration; got 0');
  // with one observable its D_n is the worst: one line
  const features = input.features.length > 1 ? input.features : [];
  const worst = input.features.length === 1 ? `${input.features[0].feature} (decides)` : WORST_SERIES;
  const points = [
    ...features.flatMap((f) => f.values.map((value, n) => ({ iteration: n + 1, series: f.feature, value }))),
    ...input.values.map((value, n) => ({ iteration: n + 1, series: worst, value })),
  ];
  const finite = points.filter((p) => Number.isFinite(p.value));
  const positive = finite.filter((p) => p.value > 0).map((p) => p.value);
  const lo = Math.min(input.threshold, ...positive);
  const hi = Math.max(input.threshold, ...positive);
  const log = positive.length > 0 && hi / lo > 20;
  let y: AxisPlan;
  if (log) {
    const domain: [number, number] = [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
    if (domain[1] <= domain[0]) domain[1] = domain[0] * 10;
    y = { domain, ticks: logTicks(domain[0], domain[1]), title: 'D_n', labels: true, log: true, format: '~g' };
  } else {
    const domain = countRange([], [...finite.map((p) => p.value), input.threshold], 1.15);
    y = {
      domain,
      ticks: linearTicks(domain[0], domain[1], 5),
      title: 'D_n',
      labels: true,
      format: linearFormat(domain, 5),
    };
  }
  const shown = log ? finite.filter((p) => p.value > 0) : finite;
  const step = Math.max(1, Math.ceil(nMax / 10));
  const major: number[] = [];
  for (let k = 1; k <= nMax; k += step) major.push(k);
  const x: AxisPlan = {
    domain: [0.5, nMax + 0.5],
    ticks: { major, minor: [] },
    title: 'Iteration n',
    labels: true,
    format: 'd',
  };
  const series = [...features.map((f) => f.feature), worst];
  const colours = [...features.map((_, k) => COLOURS.series[k % COLOURS.series.length]), COLOURS.unfolded];
  const chosenLabel = `chosen: ${input.chosen}${input.converged ? '' : ' (not converged)'}`;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: [{ threshold: input.threshold }] },
      mark: { type: 'rule', color: COLOURS.warning, strokeDash: [5, 3], strokeWidth: 1.4 },
      encoding: { y: positionEncoding('threshold', y, 'left') },
    },
    {
      data: { values: [{ chosen: input.chosen }] },
      mark: { type: 'rule', color: '#555555', strokeDash: [2, 2], strokeWidth: 1.4 },
      encoding: { x: positionEncoding('chosen', x, 'bottom') },
    },
    {
      data: { values: shown },
      mark: { type: 'line', point: { filled: true, size: 30 }, clip: true },
      encoding: {
        x: positionEncoding('iteration', x, 'bottom'),
        y: positionEncoding('value', y, 'left'),
        color: {
          field: 'series',
          type: 'nominal',
          scale: { domain: series, range: colours },
          legend: { title: 'Observable' },
        },
        strokeWidth: {
          condition: { test: `datum.series === ${JSON.stringify(worst)}`, value: 2.6 },
          value: 1.3,
        },
      },
    },
    {
      data: { values: [{ chosen: input.chosen, label: chosenLabel }] },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 12 },
      encoding: {
        x: positionEncoding('chosen', x, 'bottom'),
        y: { value: 0 },
        text: { field: 'label' },
      },
    },
    ...frameLayers(x, y),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'OmniFold iterations chosen from the data: D_n per iteration',
    config: {
      ...baseConfig(),
      legend: bottomLegend(2),
    },
    width: 420,
    height: 260,
    title: { text: 'Change per iteration vs its bootstrap noise', fontSize: 13, anchor: 'start', offset: 8 },
    layer: layers,
    resolve: { axis: { x: 'independent', y: 'independent' } },
  };
}
