/**
 * `report.html`: one self-contained page (inline CSS, figures as data URIs, no scripts, no
 * network) with the run's configuration, inputs and their SHA-256, the normalisation, the
 * result tables and figures per observable, and the diagnostics with warnings highlighted.
 */
import { diagonalSqrt } from '../uncertainty/covariance.js';
import { describeStat } from '../uncertainty/quantities.js';
import { DIAGNOSTIC_LIMITS } from '../plots/diagnostics_figure.js';
import { type Cell, REPORT_CSS, escapeHtml, figure, num, table } from './html.js';
import type { ObservableResult, RunData } from './run_data.js';
import type { ReportWarning } from './warnings.js';
import { checksSection } from './checks_html.js';
import type { FigureKind } from './figures.js';
import { iterationChoiceOf } from './run_data.js';

/** A rendered figure as the report embeds it. */
export interface ReportFigure {
  stem: string;
  kind: FigureKind;
  observable?: string;
  caption: string;
  svg: string;
  /** Relative paths of the files written for it (e.g. `plots/gen_pt.png`). */
  files: string[];
}

/** Builds the report page. */
export function reportHtml(run: RunData, figures: readonly ReportFigure[], warnings: readonly ReportWarning[]): string {
  const m = run.metadata;
  const sections = [
    `<h1>OmniFold unfolding report</h1>`,
    `<p>Engine ${escapeHtml(m.engine?.name ?? 'omnifold')} ${escapeHtml(m.engine?.version ?? '?')} · weights format ${escapeHtml(String(m.formatVersion))} · seed ${escapeHtml(String(m.seed))} · ${run.nEvents} sim events · ${run.iterations.length} iterations · ${run.summary.nDropped ?? m.nDropped ?? 0} events dropped (failing both selections)</p>`,
    warningsBox(warnings),
    nav(run),
    `<h2 id="results">Results</h2>`,
    ...run.observables.map((o) => observableSection(o, figures, warnings)),
    diagnosticsSection(run, figures),
    checksSection(run.checks ?? [], (kind) => figuresOf(figures, (f) => f.kind === kind)),
    `<h2 id="configuration">Configuration</h2>`,
    table(
      [
        { text: 'key', cls: 'text' },
        { text: 'value', cls: 'text' },
      ],
      flatten(m.configuration ?? {}).map(([k, v]) => [
        { text: k, cls: 'text' },
        { text: v, cls: 'mono' },
      ]),
    ),
    `<h2 id="inputs">Inputs</h2>`,
    table(
      [{ text: 'role', cls: 'text' }, { text: 'path', cls: 'text' }, 'bytes', { text: 'SHA-256', cls: 'text' }],
      (m.inputs ?? []).map((i) => [
        { text: i.role, cls: 'text' },
        { text: i.path, cls: 'mono' },
        i.bytes,
        { text: i.sha256, cls: 'mono' },
      ]),
    ),
    `<h2 id="normalisation">Normalisation</h2>`,
    table(
      [
        { text: 'quantity', cls: 'text' },
        { text: 'value', cls: 'text' },
      ],
      Object.entries(m.normalisation ?? {}).map(([k, v]) => [
        { text: k, cls: 'text' },
        { text: typeof v === 'number' ? num(v) : String(v), cls: 'text' },
      ]),
    ),
    `<h2 id="columns">Columns of weights.arrow</h2>`,
    table(
      [
        { text: 'column', cls: 'text' },
        { text: 'role', cls: 'text' },
      ],
      (m.columns ?? []).map((c) => [
        { text: c.name, cls: 'mono' },
        { text: c.role, cls: 'text' },
      ]),
    ),
    table(
      [
        { text: 'family', cls: 'text' },
        { text: 'how it combines', cls: 'text' },
      ],
      Object.entries(m.combination ?? {}).map(([k, v]) => [
        { text: k, cls: 'text' },
        { text: v, cls: 'text' },
      ]),
    ),
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OmniFold report</title><style>${REPORT_CSS}</style></head>
<body>
${sections.join('\n')}
</body></html>
`;
}

function warningsBox(warnings: readonly ReportWarning[]): string {
  if (warnings.length === 0)
    return `<div class="allgood" id="warnings">No warnings: ESS ≥ ${DIAGNOSTIC_LIMITS.minEssFraction * 100} % of the events and clipped fraction ≤ ${DIAGNOSTIC_LIMITS.maxClippedFraction * 100} % in every step; no unfolded result further from the truth than its prior.</div>`;
  const items = warnings
    .map((w) => `<li class="warn">${escapeHtml(w.where)}: ${escapeHtml(w.message)}</li>`)
    .join('\n');
  return `<div class="warnings" id="warnings"><strong>${warnings.length} warning${warnings.length === 1 ? '' : 's'}</strong><ul>${items}</ul></div>`;
}

function nav(run: RunData): string {
  const links = [
    ...run.observables.map((o) => `<li><a href="#obs-${escapeHtml(o.info.name)}">${escapeHtml(o.info.name)}</a></li>`),
    '<li><a href="#diagnostics">Diagnostics</a></li>',
    ...((run.checks ?? []).length > 0 ? ['<li><a href="#checks">Checks</a></li>'] : []),
    '<li><a href="#configuration">Configuration</a></li>',
    '<li><a href="#inputs">Inputs and checksums</a></li>',
    '<li><a href="#normalisation">Normalisation</a></li>',
    '<li><a href="#columns">Columns</a></li>',
  ];
  return `<nav><ul>${links.join('')}</ul></nav>`;
}

function figuresOf(figures: readonly ReportFigure[], pick: (f: ReportFigure) => boolean): string {
  const chosen = figures.filter(pick);
  return chosen.length
    ? `<div class="figures">${chosen.map((f) => figure(f.stem, f.svg, f.caption, f.files)).join('\n')}</div>`
    : '';
}

function observableSection(
  o: ObservableResult,
  figures: readonly ReportFigure[],
  warnings: readonly ReportWarning[],
): string {
  const s = o.summary;
  const n = s.edges.length - 1;
  const u = o.uncertainty;
  const comp = u
    ? {
        stat: diagonalSqrt(u.stat, n),
        simStat: diagonalSqrt(u.simStat, n),
        syst: diagonalSqrt(u.syst, n),
        ensemble: u.nEnsemble > 0 ? diagonalSqrt(u.ensemble, n) : undefined,
      }
    : undefined;
  const headers: Cell[] = [
    'bin',
    'low',
    'high',
    'prior',
    'unfolded',
    ...(comp
      ? [
          u?.statEstimate === 'sumw2' ? 'stat (√Σw²)' : 'stat',
          'sim-stat',
          'syst',
          ...(comp.ensemble ? ['ensemble'] : []),
          'total',
        ]
      : ['± √Σw²']),
    ...(s.truth ? ['truth', 'unfolded / truth'] : []),
  ];
  const rows: Cell[][] = Array.from({ length: n }, (_, k) => [
    k + 1,
    num(s.edges[k]),
    num(s.edges[k + 1]),
    num(s.prior.sumw[k]),
    num(s.unfolded.sumw[k]),
    ...(comp
      ? [
          num(comp.stat[k]),
          num(comp.simStat[k]),
          num(comp.syst[k]),
          ...(comp.ensemble ? [num(comp.ensemble[k])] : []),
          num(o.unfoldedErrors[k]),
        ]
      : [num(o.unfoldedErrors[k])]),
    ...(s.truth ? [num(s.truth.sumw[k]), num(s.truth.sumw[k] !== 0 ? s.unfolded.sumw[k] / s.truth.sumw[k] : NaN)] : []),
  ]);
  const chi2Warn = warnings.some((w) => w.kind === 'chi2' && w.where === o.info.name);
  const chi2 =
    s.unfoldedVsTruth && s.priorVsTruth
      ? table(
          [{ text: 'shape χ² vs truth', cls: 'text' }, 'χ²', 'ndf', 'χ²/ndf'],
          [
            [
              { text: 'prior', cls: 'text' },
              num(s.priorVsTruth.chi2),
              s.priorVsTruth.ndf,
              num(s.priorVsTruth.chi2 / s.priorVsTruth.ndf),
            ],
            [
              { text: 'unfolded', cls: 'text' },
              num(s.unfoldedVsTruth.chi2),
              s.unfoldedVsTruth.ndf,
              { text: num(s.unfoldedVsTruth.chi2 / s.unfoldedVsTruth.ndf), cls: chi2Warn ? 'warn' : 'ok' },
            ],
            ...(s.unfoldedVsTruthBootstrap
              ? [
                  [
                    {
                      text: `unfolded, bootstrap variance (${s.unfoldedVsTruthBootstrap.dataBootstraps} data${s.unfoldedVsTruthBootstrap.simBootstraps > 0 ? `, ${s.unfoldedVsTruthBootstrap.simBootstraps} sim` : ''})`,
                      cls: 'text',
                    },
                    num(s.unfoldedVsTruthBootstrap.chi2),
                    s.unfoldedVsTruthBootstrap.ndf,
                    num(s.unfoldedVsTruthBootstrap.chi2 / s.unfoldedVsTruthBootstrap.ndf),
                  ],
                ]
              : []),
          ],
        )
      : '';
  const flow = `<p>Outside the bins (unfolded): underflow ${num(s.unfolded.underflow)}, overflow ${num(s.unfolded.overflow)}.</p>`;
  const label = o.info.label
    ? ` (${escapeHtml(o.info.label)}${o.info.unit ? ` [${escapeHtml(o.info.unit)}]` : ''})`
    : o.info.unit
      ? ` [${escapeHtml(o.info.unit)}]`
      : '';
  return [
    `<h3 id="obs-${escapeHtml(o.info.name)}">${escapeHtml(o.info.name)}${label}</h3>`,
    figuresOf(figures, (f) => f.observable === o.info.name),
    table(headers, rows),
    u ? `<p>${escapeHtml(describeStat(u, 'histogram'))}.</p>` : '',
    flow,
    chi2,
  ].join('\n');
}

function diagnosticsSection(run: RunData, figures: readonly ReportFigure[]): string {
  const rows: Cell[][] = [];
  for (const d of run.iterations) {
    for (const s of d.steps) {
      const n = s.nEvents ?? run.nEvents; // events the step's weights cover (older files: all)
      const essFraction = n > 0 ? s.ess / n : NaN;
      const essWarn = essFraction < DIAGNOSTIC_LIMITS.minEssFraction;
      const clipWarn = s.clippedFraction > DIAGNOSTIC_LIMITS.maxClippedFraction;
      rows.push([
        d.iteration,
        { text: s.step, cls: 'text' },
        { text: `${num(s.ess)} (${(100 * essFraction).toFixed(1)} %)`, cls: essWarn ? 'warn' : '' },
        { text: `${(100 * s.clippedFraction).toFixed(3)} %`, cls: clipWarn ? 'warn' : '' },
        num(s.change),
        s.members?.length ?? 0,
      ]);
    }
  }
  const chi2Rows: Cell[][] = run.iterations.flatMap((d) =>
    d.recoChi2.map((c) => [
      d.iteration,
      { text: c.feature, cls: 'text' },
      num(c.chi2),
      c.ndf,
      num(c.ndf > 0 ? c.chi2 / c.ndf : NaN),
    ]),
  );
  return [
    `<h2 id="diagnostics">Diagnostics</h2>`,
    iterationChoiceTable(run, figures),
    figuresOf(figures, (f) => f.kind === 'diagnostics'),
    table(['iteration', { text: 'step', cls: 'text' }, 'ESS (of events)', 'clipped', 'Σ|Δw|/Σ|w|', 'members'], rows),
    chi2Rows.length
      ? `<h3>Folded reco χ² of the pulled sim against data</h3>` +
        table(['iteration', { text: 'reco feature', cls: 'text' }, 'χ²', 'ndf', 'χ²/ndf'], chi2Rows)
      : '',
  ].join('\n');
}

/**
 * With `--iterations auto`: the criterion D_n at every iteration searched, the worst
 * observable's and each one's, the chosen row marked (docs/algorithm.md §Iterations chosen
 * from the data).
 */
function iterationChoiceTable(run: RunData, figures: readonly ReportFigure[]): string {
  const choice = iterationChoiceOf(run);
  if (choice === undefined) return '';
  const rows: Cell[][] = choice.values.map((v, n) => [
    { text: n + 1 === choice.chosen ? `${n + 1} (chosen)` : String(n + 1), cls: n + 1 === choice.chosen ? 'warn' : '' },
    num(v),
    ...choice.features.map((f) => num(f.values[n])),
  ]);
  const outcome = choice.converged
    ? `The first iteration with D<sub>n</sub> &lt; ${num(choice.threshold)} is ${choice.chosen}`
    : `No iteration up to ${choice.maxIterations} reached D<sub>n</sub> &lt; ${num(choice.threshold)}; the run used ${choice.chosen}`;
  return [
    `<h3>Iterations chosen from the data</h3>`,
    `<p>D<sub>n</sub>: the χ²/ndf of the change of each unfolded histogram from iteration n − 1 to n against its variance over ${choice.dataBootstraps} data bootstraps; the worst observable decides. ${outcome}.</p>`,
    figuresOf(figures, (f) => f.kind === 'iterations'),
    table(['iteration', 'D_n (worst)', ...choice.features.map((f) => ({ text: f.feature, cls: 'text' }))], rows),
  ].join('\n');
}

/** Flattens nested configuration into `a.b.c` → value rows (arrays as JSON). */
function flatten(obj: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out.push(...flatten(v as Record<string, unknown>, key));
    else out.push([key, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}
