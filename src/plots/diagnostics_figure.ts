/**
 * Figure 3: per-iteration diagnostics as four small line plots: effective sample size,
 * clipped fraction, relative weight change (per step) and the folded reco χ²/ndf (per reco
 * feature), with the warning thresholds of the report drawn as dashed red lines.
 */
import { InputError } from '../base/errors.js';
import type { IterationDiagnostics } from '../algorithm/types.js';
import type { VegaLiteSpec } from './render_svg.js';
import { type AxisPlan, COLOURS, baseConfig, bottomLegend, frameLayers, positionEncoding } from './style.js';
import { countRange, linearFormat, linearTicks, logTicks } from './ticks.js';

/** Warning thresholds shared by this figure and the report. */
export const DIAGNOSTIC_LIMITS = Object.freeze({
  /** ESS below this fraction of the events is flagged. */
  minEssFraction: 0.1,
  /** A clipped fraction above this is flagged. */
  maxClippedFraction: 0.01,
});

/** What figure 3 shows. */
export interface DiagnosticsFigureInput {
  iterations: readonly IterationDiagnostics[];
  /** Sim events: the ESS is shown as a percentage of it when given. */
  nEvents?: number;
}

const PANEL_WIDTH = 250;
const PANEL_HEIGHT = 170;

interface Point {
  iteration: number;
  series: string;
  value: number;
}

/** Builds the Vega-Lite spec of figure 3. */
export function diagnosticsFigure(input: DiagnosticsFigureInput): VegaLiteSpec {
  const its = input.iterations;
  if (its.length === 0) throw new InputError('diagnostics must hold at least one iteration; got 0');
  const nIterations = Math.max(...its.map((d) => d.iteration));
  const perStep = (f: (s: IterationDiagnostics['steps'][number]) => number): Point[] =>
    its.flatMap((d) => d.steps.map((s) => ({ iteration: d.iteration, series: s.step, value: f(s) })));
  const n = input.nEvents;
  // ESS as a percentage of the events the step's weights cover (older files: of all events)
  const ess = perStep((s) => {
    const covered = s.nEvents ?? n;
    return covered ? (100 * s.ess) / covered : s.ess;
  });
  const clipped = perStep((s) => 100 * s.clippedFraction);
  const change = perStep((s) => s.change).filter((p) => p.value > 0 && Number.isFinite(p.value));
  const chi2 = its.flatMap((d) =>
    d.recoChi2.map((c) => ({ iteration: d.iteration, series: c.feature, value: c.ndf > 0 ? c.chi2 / c.ndf : NaN })),
  );
  const panels = [
    panel(
      n ? 'ESS / events [%]' : 'ESS [events]',
      'Effective sample size',
      ess,
      nIterations,
      null,
      n ? 100 * DIAGNOSTIC_LIMITS.minEssFraction : undefined,
      false,
    ),
    panel(
      'Clipped fraction [%]',
      'Clipped ratios',
      clipped,
      nIterations,
      null,
      100 * DIAGNOSTIC_LIMITS.maxClippedFraction,
      false,
    ),
    panel('Σ|Δw| / Σ|w|', 'Weight change', change, nIterations, 'Step', undefined, true),
    panel(
      'χ² / ndf',
      'Folded reco χ²/ndf vs data',
      chi2.filter((p) => Number.isFinite(p.value)),
      nIterations,
      'Reco feature',
      1,
      false,
    ),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'OmniFold per-iteration diagnostics',
    config: {
      ...baseConfig(),
      legend: bottomLegend(2),
    },
    columns: 2,
    spacing: { row: 30, column: 40 },
    concat: panels,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
}

function panel(
  yTitle: string,
  title: string,
  points: Point[],
  nIterations: number,
  legendTitle: string | null,
  limit: number | undefined,
  log: boolean,
): Record<string, unknown> {
  const xDomain: [number, number] = nIterations > 1 ? [0.5, nIterations + 0.5] : [0.5, 1.5];
  const step = Math.max(1, Math.ceil(nIterations / 8));
  const major: number[] = [];
  for (let k = 1; k <= nIterations; k += step) major.push(k);
  const x: AxisPlan = { domain: xDomain, ticks: { major, minor: [] }, title: 'Iteration', labels: true, format: 'd' };
  const values = points.map((p) => p.value);
  if (limit !== undefined) values.push(limit);
  let y: AxisPlan;
  if (log && values.length > 0) {
    const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
    const domain: [number, number] = [lo, hi > lo ? hi : lo * 10];
    y = { domain, ticks: logTicks(domain[0], domain[1]), title: yTitle, labels: true, log: true, format: '~g' };
  } else {
    const domain = countRange([], values.length > 0 ? values : [1], 1.15);
    y = {
      domain,
      ticks: linearTicks(domain[0], domain[1], 4),
      title: yTitle,
      labels: true,
      format: linearFormat(domain, 4),
    };
  }
  const layers: Record<string, unknown>[] = [];
  if (limit !== undefined) {
    layers.push({
      data: { values: [{ limit }] },
      mark: { type: 'rule', color: COLOURS.warning, strokeDash: [5, 3], strokeWidth: 1.2 },
      encoding: { y: positionEncoding('limit', y, 'left') },
    });
  }
  layers.push({
    data: { values: points },
    mark: { type: 'line', point: { filled: true, size: 30 }, strokeWidth: 1.6, clip: true },
    encoding: {
      x: positionEncoding('iteration', x, 'bottom'),
      y: positionEncoding('value', y, 'left'),
      color: {
        field: 'series',
        type: 'nominal',
        scale: { range: COLOURS.series },
        legend: legendTitle === null ? null : { title: legendTitle },
      },
    },
  });
  layers.push(...frameLayers(x, y));
  return {
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    title: { text: title, fontSize: 13, anchor: 'start', offset: 8 },
    layer: layers,
    resolve: { axis: { x: 'independent', y: 'independent' } },
  };
}
