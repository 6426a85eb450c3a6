/**
 * The look of every figure, in the manner physicists know from mplhep: black frame, ticks
 * pointing inward on all four sides (major and minor), axis titles at the far end of their
 * axis, no grid, a frameless legend inside the plot, a bold label above the top-left corner.
 */
import type { Ticks } from './ticks.js';

/** Font stack: DejaVu Sans is shipped (dejavu-fonts-ttf) and loaded for PNGs. */
export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Colours: the CMS-recommended 6-colour palette (colour-blind safe). */
export const COLOURS = Object.freeze({
  unfolded: '#000000',
  prior: '#5790fc',
  truth: '#e42536',
  band: '#9c9ca1',
  // Petroff's 10-colour sequence (CMS style): distinct for up to 10 series, e.g. 8 observables
  series: [
    '#3f90da',
    '#ffa90e',
    '#bd1f01',
    '#94a4a2',
    '#832db6',
    '#a96b59',
    '#e76300',
    '#b9ac70',
    '#717581',
    '#92dadd',
  ],
  warning: '#e42536',
});

const MAJOR_TICK = 7;
const MINOR_TICK = 3.5;

/** Top-level Vega-Lite config shared by every figure. */
/** A legend below the plot, four entries to a row (lines drawn `symbolStrokeWidth` wide when given). */
export function bottomLegend(symbolStrokeWidth?: number): Record<string, unknown> {
  return {
    disable: false,
    orient: 'bottom',
    direction: 'horizontal',
    columns: 4,
    labelFontSize: 11,
    titleFontSize: 11,
    ...(symbolStrokeWidth !== undefined ? { symbolStrokeWidth } : {}),
  };
}

export function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    background: 'white',
    padding: 8,
    view: { stroke: 'black', strokeWidth: 1.2, fill: null },
    axis: {
      domain: false,
      grid: false,
      tickColor: 'black',
      tickWidth: 1.1,
      labelColor: 'black',
      labelFontSize: 12,
      titleColor: 'black',
      titleFontSize: 14,
      titleFontWeight: 'normal',
      labelFlush: false,
      labelOverlap: true,
    },
    legend: { disable: true },
    title: { font: FONT, fontSize: 14, anchor: 'start', color: 'black' },
    text: { font: FONT, color: 'black' },
  };
}

/** One positional axis: scale domain, ticks, title, whether labels show, log or linear. */
export interface AxisPlan {
  domain: [number, number];
  ticks: Ticks;
  title: string | null;
  labels: boolean;
  log?: boolean;
  /** Label format (d3-format), e.g. '.2~f'; default '~g'. */
  format?: string;
}

type Orient = 'bottom' | 'left' | 'top' | 'right';

function axis(plan: AxisPlan, orient: Orient, minor: boolean, labelled: boolean): Record<string, unknown> {
  const size = minor ? MINOR_TICK : MAJOR_TICK;
  const showLabels = labelled && !minor && plan.labels;
  return {
    orient,
    values: minor ? plan.ticks.minor : plan.ticks.major,
    ticks: true,
    tickSize: -size,
    labels: showLabels,
    labelPadding: MAJOR_TICK + 4,
    format: plan.format ?? '~g',
    title: labelled && !minor ? plan.title : null,
    titleAnchor: 'end',
    titlePadding: 6,
    zindex: 1,
  };
}

/** Scale of one channel: explicit domain, never niced, so mirrored axes line up. */
export function scale(plan: AxisPlan): Record<string, unknown> {
  return plan.log
    ? { type: 'log', domain: plan.domain, nice: false }
    : { type: 'linear', domain: plan.domain, nice: false, zero: false };
}

/** x/y encoding of a field with the labelled (bottom/left) major axis of the panel. */
export function positionEncoding(field: string, plan: AxisPlan, orient: 'bottom' | 'left'): Record<string, unknown> {
  return { field, type: 'quantitative', scale: scale(plan), axis: axis(plan, orient, false, true) };
}

/**
 * Invisible layers that only carry extra axes: minor ticks on the labelled sides and
 * major + minor ticks mirrored on the top and right. Use with
 * `resolve: { axis: { x: 'independent', y: 'independent' } }`.
 */
export function frameLayers(x: AxisPlan, y: AxisPlan): Record<string, unknown>[] {
  const corner = { values: [{ frameX: x.domain[0], frameY: y.domain[0] }] };
  const layer = (xo: Record<string, unknown>, yo: Record<string, unknown>) => ({
    data: corner,
    mark: { type: 'point', opacity: 0 },
    encoding: {
      x: { field: 'frameX', type: 'quantitative', scale: scale(x), axis: xo },
      y: { field: 'frameY', type: 'quantitative', scale: scale(y), axis: yo },
    },
  });
  return [
    layer(axis(x, 'bottom', true, true), axis(y, 'left', true, true)),
    layer(axis(x, 'top', false, false), axis(y, 'right', false, false)),
    layer(axis(x, 'top', true, false), axis(y, 'right', true, false)),
  ];
}

/** Text at a pixel position of a panel (for labels and legends). */
export function textLayer(
  text: string,
  px: number,
  py: number,
  options: {
    align?: 'left' | 'right' | 'center';
    size?: number;
    bold?: boolean;
    italic?: boolean;
    colour?: string;
    baseline?: string;
  } = {},
): Record<string, unknown> {
  return {
    data: { values: [{}] },
    mark: {
      type: 'text',
      text,
      x: px,
      y: py,
      align: options.align ?? 'left',
      baseline: options.baseline ?? 'middle',
      fontSize: options.size ?? 12,
      fontWeight: options.bold ? 'bold' : 'normal',
      fontStyle: options.italic ? 'italic' : 'normal',
      color: options.colour ?? 'black',
      font: FONT,
    },
    encoding: {},
  };
}

/** Decimal places that show `step` (e.g. 0.25 → 2), for tick-label formats. */
export function decimalsFor(step: number): number {
  if (!(step > 0)) return 0;
  for (let d = 0; d < 8; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 8;
}
