/**
 * Figure 1, one per observable: the unfolded result (points with total error bars), the
 * prior (sim gen, step line) and, where known, the truth (dashed step line), above a ratio
 * panel (to the truth if known, else to the unfolded result) carrying the uncertainty band.
 */
import { InputError } from '../base/errors.js';
import { checkEdges } from '../analysis/histogram.js';
import type { VegaLiteSpec } from './render_svg.js';
import { type AxisPlan, COLOURS, baseConfig, decimalsFor, frameLayers, positionEncoding, textLayer } from './style.js';
import { countRange, linearFormat, linearTicks, niceStep, ratioRange } from './ticks.js';

/** Per-bin contents and (optional) 1σ errors; both [nBins]. */
export interface BinnedSeries {
  values: ArrayLike<number>;
  errors?: ArrayLike<number>;
}

/** χ² and degrees of freedom of a histogram against the truth. */
export interface Chi2 {
  chi2: number;
  ndf: number;
}

/** What figure 1 shows for one observable. */
export interface ObservableFigureInput {
  /** Column or expression name, e.g. `gen_pt`. */
  name: string;
  /** Axis label without unit, e.g. `Jet pT`; defaults to {@link name}. */
  label?: string;
  /** Unit of the observable, e.g. `GeV`; none for dimensionless observables. */
  unit?: string;
  /** [nBins + 1] bin edges, strictly increasing. */
  edges: ArrayLike<number>;
  /** Unfolded sums of weights; `errors` are the total uncertainty. */
  unfolded: BinnedSeries;
  /** Prior: sim gen with the original weights. */
  prior: BinnedSeries;
  /** Truth, when the data are pseudo-data with a known answer. */
  truth?: BinnedSeries;
  /** Legend text of the error bars and band, e.g. `Total unc.` or `Stat. unc. (Σw²)`. */
  uncertaintyLabel?: string;
  /** χ²/ndf of the unfolded result and of the prior against the truth. */
  chi2?: { unfolded?: Chi2; prior?: Chi2 };
  /** Unit of the event weights, e.g. `pb` (then the y axis is a cross-section); default events. */
  weightUnit?: string;
  /** Text above the top-right corner, e.g. `4 iterations`. */
  header?: string;
  /**
   * What the three series are called, for figures of other results (e.g. a reweighting:
   * reweighted source, source, target); default `Unfolded`, `Prior (sim gen)`, `Truth`, and
   * `unfolded` beside the OmniFold label.
   */
  names?: { result: string; prior: string; truth: string; tag: string };
}

const DEFAULT_NAMES = Object.freeze({ result: 'Unfolded', prior: 'Prior (sim gen)', truth: 'Truth', tag: 'unfolded' });

const WIDTH = 440;
const MAIN_HEIGHT = 300;
const RATIO_HEIGHT = 120;

interface Row {
  lo: number;
  hi: number;
  mid: number;
  [key: string]: number | null;
}

/** Builds the Vega-Lite spec of figure 1. */
export function observableFigure(input: ObservableFigureInput): VegaLiteSpec {
  checkEdges(`${input.name} edges`, input.edges);
  const names = input.names ?? DEFAULT_NAMES;
  const edges = Array.from(input.edges);
  const nBins = edges.length - 1;
  for (const [what, s] of [
    ['unfolded', input.unfolded],
    ['prior', input.prior],
    ['truth', input.truth],
  ] as const) {
    if (s === undefined) continue;
    if (s.values.length !== nBins || (s.errors !== undefined && s.errors.length !== nBins)) {
      throw new InputError(
        `${input.name} ${what} must have ${nBins} values and errors like the bins; got ${s.values.length} and ${s.errors?.length ?? 'none'}`,
      );
    }
  }
  const widths = edges.slice(1).map((e, k) => e - edges[k]);
  const uniform = widths.every((w) => Math.abs(w - widths[0]) <= 1e-9 * Math.abs(widths[0]));
  const per = (k: number) => (uniform ? 1 : widths[k]);
  const series = (s: BinnedSeries | undefined, k: number) => (s === undefined ? null : s.values[k] / per(k));
  const errorOf = (s: BinnedSeries | undefined, k: number) => (s?.errors === undefined ? 0 : s.errors[k] / per(k));

  const reference = input.truth ?? input.unfolded;
  const rows: Row[] = edges.slice(0, nBins).map((lo, k) => {
    const hi = edges[k + 1];
    const u = series(input.unfolded, k) as number;
    const du = errorOf(input.unfolded, k);
    const ref = series(reference, k) as number;
    const ratio = (v: number | null) => (v === null || !(ref !== 0) ? null : finite(v / ref));
    return {
      lo,
      hi,
      mid: (lo + hi) / 2,
      unfolded: finite(u),
      unfoldedLo: finite(u - du),
      unfoldedHi: finite(u + du),
      ratioUnfolded: ratio(u),
      ratioLo: ratio(u - du),
      ratioHi: ratio(u + du),
    };
  });

  const xTicks = linearTicks(edges[0], edges[nBins], 6);
  const xFormat = `.${decimalsFor(niceStep(edges[nBins] - edges[0], 6))}f`;
  const lows = rows.map((r) => r.unfoldedLo as number);
  const highs = [
    ...rows.map((r) => r.unfoldedHi as number),
    ...stepValues(input.prior, per),
    ...stepValues(input.truth, per),
  ];
  const yDomain = countRange(lows, highs, 1.45);
  const yMain: AxisPlan = {
    domain: yDomain,
    ticks: linearTicks(yDomain[0], yDomain[1], 5),
    title: yTitle(input, uniform, widths[0]),
    labels: true,
    format: linearFormat(yDomain, 5),
  };
  const xMain: AxisPlan = { domain: [edges[0], edges[nBins]], ticks: xTicks, title: null, labels: false };

  const ratioValues = rows.flatMap((r) => [r.ratioLo, r.ratioHi]).filter((v): v is number => v !== null);
  for (const s of [input.prior]) {
    for (let k = 0; k < nBins; k++) {
      const ref = series(reference, k) as number;
      if (ref !== 0) ratioValues.push((series(s, k) as number) / ref);
    }
  }
  const rDomain = ratioRange(ratioValues);
  const yRatio: AxisPlan = {
    domain: rDomain,
    ticks: linearTicks(rDomain[0], rDomain[1], 4),
    title: `Ratio to ${(input.truth ? names.truth : names.result).toLowerCase()}`,
    labels: true,
    format: `.${Math.max(1, decimalsFor(niceStep(rDomain[1] - rDomain[0], 4)))}f`,
  };
  const xRatio: AxisPlan = { ...xMain, title: xTitle(input), labels: true, format: xFormat };

  const mainLayers: Record<string, unknown>[] = [
    stepLine(edges, input.prior, per, null, COLOURS.prior, undefined, xMain, yMain, 'prior'),
    ...(input.truth ? [stepLine(edges, input.truth, per, null, COLOURS.truth, [7, 4], xMain, yMain, 'truth')] : []),
    errorBars(rows, 'unfoldedLo', 'unfoldedHi', xMain, yMain),
    points(rows, 'unfolded', xMain, yMain),
    ...legendLayers(input),
    ...labelLayers(input),
    ...frameLayers(xMain, yMain),
  ];
  const refSeries = input.truth ?? input.unfolded;
  const ratioLayers: Record<string, unknown>[] = [
    band(rows, xRatio, yRatio),
    referenceLine(input.truth ? COLOURS.truth : '#000000', input.truth ? [7, 4] : [2, 2], xRatio, yRatio),
    stepLine(edges, input.prior, per, refSeries, COLOURS.prior, undefined, xRatio, yRatio, 'prior-ratio'),
    ...(input.truth
      ? [errorBars(rows, 'ratioLo', 'ratioHi', xRatio, yRatio), points(rows, 'ratioUnfolded', xRatio, yRatio)]
      : []),
    ...frameLayers(xRatio, yRatio),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${input.name}: unfolded vs prior${input.truth ? ' vs truth' : ''}`,
    config: baseConfig(),
    spacing: 6,
    vconcat: [
      { width: WIDTH, height: MAIN_HEIGHT, layer: mainLayers, resolve: independentAxes() },
      { width: WIDTH, height: RATIO_HEIGHT, layer: ratioLayers, resolve: independentAxes() },
    ],
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function independentAxes() {
  return { axis: { x: 'independent', y: 'independent' } };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function stepValues(s: BinnedSeries | undefined, per: (k: number) => number): number[] {
  if (s === undefined) return [];
  return Array.from(s.values, (v, k) => v / per(k));
}

function xTitle(input: ObservableFigureInput): string {
  const label = input.label ?? input.name;
  return input.unit ? `${label} [${input.unit}]` : label;
}

function yTitle(input: ObservableFigureInput, uniform: boolean, width: number): string {
  const label = input.label ?? input.name;
  const q = input.weightUnit ? 'σ' : 'N';
  if (uniform) {
    const w = Number(width.toPrecision(3));
    const per = input.unit ? `${w} ${input.unit}` : 'bin';
    return input.weightUnit ? `σ / ${per} [${input.weightUnit}]` : `Events / ${per}`;
  }
  const num = input.weightUnit ?? '';
  const unit = input.unit ? `${num || '1'}/${input.unit}` : num;
  return unit ? `d${q}/d${label} [${unit}]` : `d${q}/d${label}`;
}

/** A histogram outline: steps over the bins, edges dropping to the axis at both ends. */
function stepLine(
  edges: number[],
  s: BinnedSeries,
  per: (k: number) => number,
  ratioTo: BinnedSeries | null,
  colour: string,
  dash: number[] | undefined,
  x: AxisPlan,
  y: AxisPlan,
  id: string,
): Record<string, unknown> {
  const n = edges.length - 1;
  const value = (k: number) => {
    const v = s.values[k] / per(k);
    if (ratioTo === null) return finite(v);
    const r = ratioTo.values[k] / per(k);
    return r !== 0 ? finite(v / r) : null;
  };
  const values: { x: number; y: number | null }[] = [];
  if (ratioTo === null) values.push({ x: edges[0], y: 0 });
  for (let k = 0; k < n; k++) values.push({ x: edges[k], y: value(k) });
  values.push({ x: edges[n], y: value(n - 1) });
  if (ratioTo === null) values.push({ x: edges[n], y: 0 });
  return {
    name: `step_${id.replace(/[^a-z]/g, '_')}`,
    data: { values },
    mark: {
      type: 'line',
      interpolate: 'step-after',
      stroke: colour,
      strokeWidth: 1.8,
      clip: true,
      ...(dash ? { strokeDash: dash } : {}),
    },
    encoding: { x: positionEncoding('x', x, 'bottom'), y: positionEncoding('y', y, 'left') },
  };
}

function errorBars(rows: Row[], loField: string, hiField: string, x: AxisPlan, y: AxisPlan): Record<string, unknown> {
  return {
    data: { values: rows },
    mark: { type: 'rule', color: COLOURS.unfolded, strokeWidth: 1.4, clip: true },
    encoding: {
      x: positionEncoding('mid', x, 'bottom'),
      y: positionEncoding(loField, y, 'left'),
      y2: { field: hiField },
    },
  };
}

function points(rows: Row[], field: string, x: AxisPlan, y: AxisPlan): Record<string, unknown> {
  return {
    data: { values: rows },
    mark: { type: 'point', shape: 'circle', filled: true, size: 36, color: COLOURS.unfolded, opacity: 1, clip: true },
    encoding: { x: positionEncoding('mid', x, 'bottom'), y: positionEncoding(field, y, 'left') },
  };
}

function band(rows: Row[], x: AxisPlan, y: AxisPlan): Record<string, unknown> {
  return {
    data: { values: rows },
    mark: { type: 'rect', color: COLOURS.band, opacity: 0.45, clip: true },
    encoding: {
      x: positionEncoding('lo', x, 'bottom'),
      x2: { field: 'hi' },
      y: positionEncoding('ratioLo', y, 'left'),
      y2: { field: 'ratioHi' },
    },
  };
}

function referenceLine(colour: string, dash: number[], x: AxisPlan, y: AxisPlan): Record<string, unknown> {
  return {
    data: { values: [{ one: 1 }] },
    mark: { type: 'rule', color: colour, strokeWidth: 1.2, strokeDash: dash },
    encoding: { y: positionEncoding('one', y, 'left') },
  };
}

/** The legend, drawn in pixels inside the top-right corner of the main panel. */
function legendLayers(input: ObservableFigureInput): Record<string, unknown>[] {
  const names = input.names ?? DEFAULT_NAMES;
  const entries: { text: string; kind: 'point' | 'line' | 'dash' | 'box'; colour: string }[] = [
    { text: `${names.result} (${input.uncertaintyLabel ?? 'total unc.'})`, kind: 'point', colour: COLOURS.unfolded },
    ...(input.truth ? [{ text: names.truth, kind: 'dash' as const, colour: COLOURS.truth }] : []),
    { text: names.prior, kind: 'line', colour: COLOURS.prior },
    { text: `${capitalise(input.uncertaintyLabel ?? 'total unc.')} (ratio)`, kind: 'box', colour: COLOURS.band },
  ];
  const maxChars = Math.max(...entries.map((e) => e.text.length));
  const left = WIDTH - 14 - 34 - maxChars * 7;
  const layers: Record<string, unknown>[] = [];
  entries.forEach((e, k) => {
    const y = 18 + 20 * k;
    if (e.kind === 'point') {
      layers.push(
        pixelMark({ type: 'rule', color: e.colour, strokeWidth: 1.4 }, { x: left + 12, y: y - 7, y2: y + 7 }),
      );
      layers.push(
        pixelMark(
          { type: 'point', shape: 'circle', filled: true, size: 36, color: e.colour, opacity: 1 },
          { x: left + 12, y },
        ),
      );
    } else if (e.kind === 'box') {
      layers.push(
        pixelMark({ type: 'rect', color: e.colour, opacity: 0.45 }, { x: left, x2: left + 24, y: y - 6, y2: y + 6 }),
      );
    } else {
      const dash = e.kind === 'dash' ? { strokeDash: [7, 4] } : {};
      layers.push(
        pixelMark({ type: 'rule', color: e.colour, strokeWidth: 1.8, ...dash }, { x: left, x2: left + 24, y }),
      );
    }
    layers.push(textLayer(e.text, left + 32, y, { size: 12 }));
  });
  return layers;
}

/** A mark placed in pixels of the panel (x/x2/y/y2 as fixed values). */
function pixelMark(mark: Record<string, unknown>, at: Record<string, number>): Record<string, unknown> {
  const encoding: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(at)) encoding[k] = { value: v };
  return { data: { values: [{}] }, mark, encoding };
}

/** Bold "OmniFold" above the top-left corner, the header top-right, χ²/ndf inside top-left. */
function labelLayers(input: ObservableFigureInput): Record<string, unknown>[] {
  const names = input.names ?? DEFAULT_NAMES;
  const layers = [
    textLayer('OmniFold', 0, -12, { bold: true, size: 16, baseline: 'alphabetic' }),
    textLayer(names.tag, 88, -12, { italic: true, size: 14, baseline: 'alphabetic' }),
  ];
  if (input.header)
    layers.push(textLayer(input.header, WIDTH, -12, { align: 'right', size: 13, baseline: 'alphabetic' }));
  const c = input.chi2;
  const fmt = (x: Chi2) => `${x.chi2.toFixed(1)}/${x.ndf}`;
  const lines: string[] = [];
  const truth = names.truth.toLowerCase();
  if (c?.unfolded) lines.push(`${names.result} vs ${truth}: χ²/ndf = ${fmt(c.unfolded)}`);
  if (c?.prior) lines.push(`${names.prior.replace(/ \(.*\)$/, '')} vs ${truth}: χ²/ndf = ${fmt(c.prior)}`);
  lines.forEach((t, k) => layers.push(textLayer(t, 12, 18 + 18 * k, { size: 11 })));
  return layers;
}
