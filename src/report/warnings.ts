/**
 * The checks the report highlights: an effective sample size below 10 % of the events, a
 * clipped fraction above 1 %, binned-classifier cells with a negative summed weight (their
 * events keep the overall normalisation, src/classifiers/binned.ts), and an unfolded result further from the truth (χ²/ndf) than
 * the prior was; (kind `iterations`, added by the CLI) an `--iterations auto` search that
 * never reached its threshold; and (kind `check`) a check recorded in the folder that failed:
 * `check ibu` beyond its tolerance, a `check closure` whose χ²/ndf exceeds the same 3σ limit.
 */
import { DIAGNOSTIC_LIMITS } from '../plots/diagnostics_figure.js';
import type { FeatureSummary } from '../publish/run_summary.js';
import type { RunData } from './run_data.js';
import type { CheckRecord } from './checks.js';

/** One highlighted problem. */
export interface ReportWarning {
  kind: 'ess' | 'clipped' | 'chi2' | 'negative-cells' | 'iterations' | 'check';
  /** Where: `iteration 3, step2`, or the observable's name. */
  where: string;
  message: string;
}

/** What the warnings are computed from: a run's diagnostics and its per-observable summaries. */
export type WarningSource = Pick<RunData, 'iterations' | 'nEvents'> & {
  observables: readonly { info: { name: string }; summary: FeatureSummary }[];
  checks?: readonly CheckRecord[];
};

/** Every warning of a run, in iteration then observable order. */
export function runWarnings(run: WarningSource): ReportWarning[] {
  const out: ReportWarning[] = [];
  for (const d of run.iterations) {
    for (const s of d.steps) {
      const where = `iteration ${d.iteration}, ${s.step}`;
      const n = s.nEvents ?? run.nEvents; // events the step's weights cover (older files: all)
      if (n > 0 && s.ess < DIAGNOSTIC_LIMITS.minEssFraction * n) {
        out.push({
          kind: 'ess',
          where,
          message: `effective sample size ${s.ess.toFixed(0)} is ${percent(s.ess / n)} of its ${n} events (below ${percent(DIAGNOSTIC_LIMITS.minEssFraction)})`,
        });
      }
      if (s.clippedFraction > DIAGNOSTIC_LIMITS.maxClippedFraction) {
        out.push({
          kind: 'clipped',
          where,
          message: `${percent(s.clippedFraction)} of the ratios were clipped (above ${percent(DIAGNOSTIC_LIMITS.maxClippedFraction)})`,
        });
      }
      const negative = Math.max(0, ...(s.members ?? []).map((m) => m.nNegativeCells ?? 0));
      if (negative > 0) {
        out.push({
          kind: 'negative-cells',
          where,
          message: `${negative} binned-classifier cell${negative === 1 ? '' : 's'} had a negative summed weight and got the overall ratio S1/S0 (use wider bins)`,
        });
      }
    }
  }
  for (const o of run.observables) {
    const u = o.summary.unfoldedVsTruth;
    const p = o.summary.priorVsTruth;
    // worse than the prior, and beyond what statistics allow: χ²/ndf > 1 + 3·sqrt(2/ndf)
    if (u && p && u.ndf > 0 && p.ndf > 0 && u.chi2 / u.ndf > p.chi2 / p.ndf && u.chi2 / u.ndf > chi2Limit(u.ndf)) {
      out.push({
        kind: 'chi2',
        where: o.info.name,
        message: `unfolded χ²/ndf vs truth ${ratio(u)} is worse than the prior's ${ratio(p)} and above ${chi2Limit(u.ndf).toFixed(2)} (3σ for ndf ${u.ndf})`,
      });
    }
  }
  for (const c of run.checks ?? []) {
    if (c.check === 'ibu' && !c.result.pass) {
      const worst = c.result.rows.reduce((w, r) => (r.maxRelativeDifference > w.maxRelativeDifference ? r : w));
      out.push({
        kind: 'check',
        where: 'check ibu',
        message: `binned OmniFold differs from matrix IBU by ${worst.maxRelativeDifference.toExponential(2)} at iteration ${worst.iteration}, beyond the tolerance ${c.result.tolerance}`,
      });
    }
    if (c.check === 'closure') {
      for (const r of c.result.rows) {
        if (r.ndf > 0 && r.chi2 / r.ndf > chi2Limit(r.ndf))
          out.push({
            kind: 'check',
            where: `check closure, ${r.name}`,
            message: `χ²/ndf to the known truth ${ratio(r)} is above ${chi2Limit(r.ndf).toFixed(2)} (3σ for ndf ${r.ndf}; the prior's ${ratio({ chi2: r.priorChi2, ndf: r.ndf })})`,
          });
      }
    }
  }
  return out;
}

/** χ²/ndf above this is beyond what statistics allow (3σ for ndf degrees of freedom). */
export function chi2Limit(ndf: number): number {
  return 1 + 3 * Math.sqrt(2 / ndf);
}

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
}

function ratio(c: { chi2: number; ndf: number }): string {
  return `${c.chi2.toFixed(1)}/${c.ndf} = ${(c.chi2 / c.ndf).toFixed(2)}`;
}
