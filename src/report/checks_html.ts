/**
 * The report's "Checks" section: every check recorded in the folder (src/report/checks.ts),
 * with the command line that ran it, its inputs and its result tables; the coverage figure
 * beside the coverage check.
 */
import type { CheckRecord } from './checks.js';
import { type Cell, escapeHtml, num, table } from './html.js';
import { chi2Limit } from './warnings.js';

const TEXT = (text: string): Cell => ({ text, cls: 'text' });

/** Renders the checks; `figuresHtml(kind)` gives the rendered figures of a kind. */
export function checksSection(checks: readonly CheckRecord[], figuresHtml: (kind: 'coverage') => string): string {
  if (checks.length === 0) return '';
  return [
    `<h2 id="checks">Checks</h2>`,
    `<p>Recorded by <span class="mono">omnifold check … --report</span> into this folder's checks/ (one JSON file per check); rerunning a check replaces its record.</p>`,
    ...checks.map((c) => checkBlock(c, figuresHtml)),
  ].join('\n');
}

function checkBlock(c: CheckRecord, figuresHtml: (kind: 'coverage') => string): string {
  const head = [
    `<h3 id="check-${c.check}">check ${c.check}</h3>`,
    `<p>Command: <span class="mono">${escapeHtml(c.command)}</span> · engine ${escapeHtml(c.engine?.name ?? 'omnifold')} ${escapeHtml(c.engine?.version ?? '?')}</p>`,
    inputs(c),
  ];
  if (c.check === 'closure') return [...head, closure(c)].join('\n');
  if (c.check === 'coverage') return [...head, coverage(c), figuresHtml('coverage')].join('\n');
  return [...head, ibu(c)].join('\n');
}

function inputs(c: CheckRecord): string {
  if (c.inputs.length === 0) return c.toy ? `<p>Inputs: the embedded toy ${escapeHtml(c.toy)}.</p>` : '';
  return table(
    [TEXT('role'), TEXT('path'), 'bytes', TEXT('SHA-256')],
    c.inputs.map((i) => [TEXT(i.role), { text: i.path, cls: 'mono' }, i.bytes, { text: i.sha256, cls: 'mono' }]),
  );
}

function closure(c: Extract<CheckRecord, { check: 'closure' }>): string {
  const r = c.result;
  const summary = table(
    [TEXT('observable'), 'χ²', 'ndf', 'χ²/ndf', 'prior χ²', 'prior χ²/ndf'],
    r.rows.map((row) => [
      TEXT(row.name),
      num(row.chi2),
      row.ndf,
      { text: num(row.ndf > 0 ? row.chi2 / row.ndf : NaN), cls: closes(row.chi2, row.ndf) ? 'ok' : 'warn' },
      num(row.priorChi2),
      num(row.ndf > 0 ? row.priorChi2 / row.ndf : NaN),
    ]),
    'check-closure',
  );
  const bins = r.rows.map((row) =>
    [
      `<h4>${escapeHtml(row.name)}</h4>`,
      table(
        ['bin', 'low', 'high', 'truth', 'unfolded', 'prior', 'σ', 'pull (unfolded − truth)/σ'],
        row.truth.map((t, k) => [
          k + 1,
          num(row.edges[k]),
          num(row.edges[k + 1]),
          num(t),
          num(row.unfolded[k]),
          num(row.prior[k]),
          num(row.sigma[k]),
          num(row.sigma[k] > 0 ? (row.unfolded[k] - t) / row.sigma[k] : NaN),
        ]),
      ),
    ].join('\n'),
  );
  return [
    `<p>Closure: ${r.nUnfolding} sim events unfold ${r.nPseudoData} pseudo-data events whose truth is known; χ² to the truth with the covariance from ${escapeHtml(r.covariance)} plus the truth's own statistics, beside the prior's (a closure moves from the prior's χ² to about ndf; χ²/ndf is marked red above 1 + 3·√(2/ndf)).</p>`,
    summary,
    ...bins,
  ].join('\n');
}

/** χ²/ndf within 3σ of 1 for its ndf (the rule of the report's χ² warnings). */
function closes(chi2: number, ndf: number): boolean {
  return ndf > 0 && chi2 / ndf <= chi2Limit(ndf);
}

function coverage(c: Extract<CheckRecord, { check: 'coverage' }>): string {
  const r = c.result;
  const intro = `<p>Coverage: ${r.nToys} toys, ${r.dataBootstraps} data bootstraps each${r.simBootstraps > 0 ? ` and ${r.simBootstraps} sim bootstraps` : ''}, data fraction ${r.dataFraction}; per bin the fraction of toys whose truth lies within the unfolded value ± 1σ (0.68 expected) and the mean pull (unfolded − truth)/σ.</p>`;
  const perObservable = r.rows.map((row) => {
    const mean = row.coverage.reduce((a, b) => a + b, 0) / Math.max(1, row.coverage.length);
    return [
      `<h4>${escapeHtml(row.name)}: mean coverage ${mean.toFixed(2)}</h4>`,
      table(
        ['bin', 'low', 'high', 'truth', 'coverage', 'mean pull'],
        row.coverage.map((cov, k) => [
          k + 1,
          num(row.edges[k]),
          num(row.edges[k + 1]),
          num(row.truth[k]),
          cov.toFixed(2),
          row.meanPull[k].toFixed(2),
        ]),
      ),
    ].join('\n');
  });
  return [intro, ...perObservable].join('\n');
}

function ibu(c: Extract<CheckRecord, { check: 'ibu' }>): string {
  const r = c.result;
  const worst = r.rows.reduce((w, row) => Math.max(w, row.maxRelativeDifference), 0);
  return [
    `<p class="${r.pass ? 'ok' : 'warn'}">Binned OmniFold vs an independent matrix IBU on ${r.nGenCells} gen cells${r.withFakes ? ' and the fake cause' : ''}: ${r.pass ? 'the identity holds' : 'the identity FAILS'}; largest relative difference ${worst.toExponential(2)} (tolerance ${r.tolerance}).</p>`,
    table(
      ['iteration', 'max |relative difference|', TEXT('worst cell')],
      r.rows.map((row) => [
        row.iteration,
        {
          text: row.maxRelativeDifference.toExponential(2),
          cls: row.maxRelativeDifference > r.tolerance ? 'warn' : '',
        },
        TEXT(row.worstCell === r.nGenCells ? 'fakes' : String(row.worstCell)),
      ]),
    ),
  ].join('\n');
}
