/**
 * What an embedded toy provides: a sim sample, pseudo-data, the data's known gen-level
 * truth, suggested histogram binnings for the summary, and toy-specific defaults for the
 * CLI (e.g. fewer epochs, so the default run stays short).
 */
import { shareableBuffer } from '../base/features.js';
import type { MlpOptions } from '../classifiers/mlp/options.js';
import type { PfnOptions } from '../classifiers/pfn/options.js';
import type { TruthSample } from '../io/samples.js';
import type { ObservableInfo, SelectionInfo } from '../publish/weights_encoding.js';
import type { DataSample, SimSample, UnfoldOptions } from '../algorithm/types.js';

/** An embedded toy dataset. */
export interface ToyDataset {
  /** Toy name, as given to `omnifold unfold --toy`. */
  name: string;
  /** One line describing the toy, for the CLI and the output metadata. */
  description: string;
  sim: SimSample;
  data: DataSample;
  /** Gen-level features of the pseudo-data: what a perfect unfolding recovers. */
  truth: TruthSample;
  /** Summary binning per gen feature name: strictly increasing edges. */
  bins: Record<string, number[]>;
  /** MLP settings this toy runs with by default (the CLI flags override them). */
  mlp: Partial<MlpOptions>;
  /** PFN settings of a toy with particle sets (the CLI flags override them). */
  pfn?: Partial<PfnOptions>;
  /** Unfolding settings this toy runs with by default, e.g. its ensemble size (flags override). */
  unfold: Partial<Pick<UnfoldOptions, 'nMembers' | 'nIterations'>>;
  /** Labels and units of the gen features. */
  observables: ObservableInfo[];
  /** The selections behind passGen / passReco, as text. */
  selection: SelectionInfo;
  /** How the toy was made (seed, sizes, generator settings), for the output metadata. */
  settings: Record<string, unknown>;
}

/** Equal-width edges: `nBins` bins on [lo, hi]. */
export function uniformEdges(lo: number, hi: number, nBins: number): number[] {
  return Array.from({ length: nBins + 1 }, (_, k) => (k === nBins ? hi : lo + ((hi - lo) * k) / nBins));
}

/** Packs per-feature columns into an f32 row-major matrix, shareable between threads where the platform allows. */
export function packRows(columns: Float64Array[]): { values: Float32Array; nEvents: number; nFeatures: number } {
  const nFeatures = columns.length;
  const nEvents = columns[0].length;
  // [nEvents × nFeatures], row-major
  const values = new Float32Array(shareableBuffer(nEvents * nFeatures * 4));
  for (let f = 0; f < nFeatures; f++) for (let i = 0; i < nEvents; i++) values[i * nFeatures + f] = columns[f][i];
  return { values, nEvents, nFeatures };
}
