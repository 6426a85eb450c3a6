/**
 * The figures of a run, as Vega-Lite specs with a file stem and caption: per observable
 * the result (figure 1) and, with replica columns, the correlation matrix (figure 2); then
 * the per-iteration diagnostics (figure 3); with `--iterations auto`, the criterion D_n per
 * iteration (src/plots/iteration_choice_figure.ts); with a `check coverage` recorded in the
 * folder, the coverage per bin.
 */
import { describeStat } from '../uncertainty/quantities.js';
import { correlationFigure } from '../plots/correlation_figure.js';
import { coverageFigure } from '../plots/coverage_figure.js';
import { diagnosticsFigure } from '../plots/diagnostics_figure.js';
import { iterationChoiceFigure } from '../plots/iteration_choice_figure.js';
import { observableFigure } from '../plots/observable_figure.js';
import type { VegaLiteSpec } from '../plots/render_svg.js';
import type { ObservableResult, RunData } from './run_data.js';
import { iterationChoiceOf } from './run_data.js';

/** What a figure shows. */
export type FigureKind = 'observable' | 'correlation' | 'diagnostics' | 'iterations' | 'coverage';

/** A figure to render. */
export interface FigurePlan {
  /** File stem under plots/ (safe characters only), also the HTML anchor. */
  stem: string;
  kind: FigureKind;
  /** The observable it belongs to, if any. */
  observable?: string;
  caption: string;
  spec: VegaLiteSpec;
}

/** A file-name-safe form of `name`: letters, digits, `_`, `-`, `.`. */
export function safeStem(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_');
  return s === '' ? '_' : s;
}

/** The figures of `run`, in report order. */
export function planFigures(run: RunData): FigurePlan[] {
  const plans: FigurePlan[] = [];
  const nIterations = run.iterations.length;
  const used = new Set(['diagnostics', 'iteration_choice', 'check_coverage']);
  const unique = (s: string) => {
    let out = s;
    for (let k = 2; used.has(out) || used.has(`${out}_correlation`); k++) out = `${s}_${k}`;
    used.add(out);
    used.add(`${out}_correlation`);
    return out;
  };
  for (const o of run.observables) {
    const stem = unique(safeStem(o.info.name));
    plans.push({
      stem,
      kind: 'observable',
      observable: o.info.name,
      caption: observableCaption(o),
      spec: observableFigure(observableInput(o, run, nIterations)),
    });
    if (o.uncertainty) {
      plans.push({
        stem: `${stem}_correlation`,
        kind: 'correlation',
        observable: o.info.name,
        caption: `${o.info.name}: correlation between bins of the unfolded histogram, from the total covariance (${describeReplicas(o)}).`,
        spec: correlationFigure({
          name: o.info.name,
          label: o.info.label,
          unit: o.info.unit,
          edges: o.summary.edges,
          correlation: o.uncertainty.correlation,
          what: 'total',
        }),
      });
    }
  }
  if (run.iterations.length > 0) {
    plans.push({
      stem: 'diagnostics',
      kind: 'diagnostics',
      caption:
        'Per-iteration diagnostics of the nominal unfolding. Dashed red lines: warning thresholds (ESS 10 % of the events, clipped fraction 1 %, χ²/ndf = 1).',
      spec: diagnosticsFigure({ iterations: run.iterations, nEvents: run.nEvents }),
    });
  }
  const choice = iterationChoiceOf(run);
  if (choice !== undefined && choice.values.length > 0) {
    plans.push({
      stem: 'iteration_choice',
      kind: 'iterations',
      caption: `--iterations auto: the criterion D_n (χ²/ndf of the change of each unfolded histogram from iteration n − 1 to n against its variance over ${choice.dataBootstraps} data bootstraps) per observable and the worst one (thick black), which decides; dashed red line: the threshold ${choice.threshold}; dotted line: the chosen iteration ${choice.chosen}${choice.converged ? ', the first with D_n below the threshold' : ' (no iteration reached the threshold: the maximum)'}.`,
      spec: iterationChoiceFigure(choice),
    });
  }
  const coverage = run.checks?.find((c) => c.check === 'coverage');
  if (coverage?.check === 'coverage' && coverage.result.rows.some((r) => r.coverage.length > 0)) {
    plans.push({
      stem: 'check_coverage',
      kind: 'coverage',
      caption: `check coverage: per bin, the fraction of ${coverage.result.nToys} toys whose truth lies within the unfolded value ± 1σ (${coverage.result.dataBootstraps} data bootstraps each); dashed red line: 68.3 %, grey band: ± one binomial standard deviation for ${coverage.result.nToys} toys.`,
      spec: coverageFigure(coverage.result),
    });
  }
  return plans;
}

function observableInput(o: ObservableResult, run: RunData, nIterations: number) {
  const s = o.summary;
  return {
    name: o.info.name,
    label: o.info.label,
    unit: o.info.unit,
    edges: s.edges,
    unfolded: { values: s.unfolded.sumw, errors: o.unfoldedErrors },
    prior: { values: s.prior.sumw, errors: s.prior.sumw2.map(Math.sqrt) },
    truth: s.truth ? { values: s.truth.sumw, errors: s.truth.sumw2.map(Math.sqrt) } : undefined,
    uncertaintyLabel: o.uncertaintyKind === 'total' ? 'total unc.' : 'stat. unc. √Σw²',
    chi2: { unfolded: validChi2(s.unfoldedVsTruth), prior: validChi2(s.priorVsTruth) },
    weightUnit: run.weightUnit,
    header: nIterations > 0 ? `${nIterations} iteration${nIterations === 1 ? '' : 's'}` : undefined,
  };
}

function validChi2(c: { chi2: number | null; ndf: number } | undefined) {
  return c && typeof c.chi2 === 'number' && Number.isFinite(c.chi2) && c.ndf > 0
    ? { chi2: c.chi2, ndf: c.ndf }
    : undefined;
}

function describeReplicas(o: ObservableResult): string {
  const u = o.uncertainty;
  if (!u) return 'no replicas';
  const background =
    u.nBackgroundBootstraps > 0 ? `${u.nBackgroundBootstraps} background bootstraps (part of stat), ` : '';
  const ensemble = u.nEnsemble > 0 ? `, ${u.nEnsemble} ensemble columns (standard error of the nominal)` : '';
  return `${u.nDataBootstraps} data bootstraps, ${u.nSimBootstraps} sim bootstraps, ${background}${u.systematics.length} systematics${ensemble}; ${describeStat(u, 'histogram')}`;
}

function observableCaption(o: ObservableResult): string {
  const errors =
    o.uncertaintyKind === 'total'
      ? `total uncertainty (${describeReplicas(o)})`
      : 'statistical uncertainty √Σw² of the unfolded weights only (no replica columns; it ignores the correlations the training induces)';
  const ratio = o.summary.truth ? 'the truth' : 'the unfolded result';
  return `${o.info.name}: unfolded (points, error bars: ${errors}), prior (sim gen, solid)${o.summary.truth ? ' and truth (dashed)' : ''}; lower panel: ratio to ${ratio}, grey band: the unfolded uncertainty.`;
}
