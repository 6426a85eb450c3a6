/**
 * Systematics from an alternative generator, by reweighting (docs/algorithm.md,
 * "Alternative-generator systematics"; the recipes of CMS-PAS-SMP-23-008). An alternative
 * sample has its own events, so it cannot stand in for the nominal sim row by row; instead
 * the nominal events are weighted to carry the alternative's modelling, and the result is
 * an ordinary `weight` systematic on the nominal events:
 *
 *   prior      the nominal sim weighted to the alternative at gen level (events passing
 *              gen; fakes keep w0), rescaled to keep Σ w0 over them: the alternative's
 *              spectrum with the nominal migrations.
 *   response   two fits. (a) The alternative weighted to the nominal at gen level, so it
 *              has the nominal spectrum and its own migrations (its fakes scaled by the
 *              same overall factor). (b) The nominal weighted to that sample jointly in
 *              gen and reco, separately for events passing both selections (gen and reco
 *              features), misses (gen) and fakes (reco), each with the absolute ratio, so
 *              the alternative's efficiency and fake rate carry over too. With particle
 *              sets, the joint fit reads each event's gen and reco particles as one set,
 *              each particle marked with its level.
 *
 * The fits' random streams are those of the systematic's replica (kind syst, its index),
 * step `reweight`, iteration slot 1 for the prior fit and (a), 2–4 for (b).
 */
import { InputError } from '../base/errors.js';
import { maskIndices, selectRows, shareableBuffer, type FeatureMatrix, type ParticleSets } from '../base/features.js';
import type { ClassifierSpec } from '../classifiers/registry.js';
import { reweight, type ReweightDiagnostics, type ReweightOptions } from '../algorithm/reweight.js';
import type { MemberRunner, SimSample, UnfoldProgress } from '../algorithm/types.js';
import type { SystematicSpec } from './replicas.js';

/** The two reweighting recipes. */
export const GENERATOR_RECIPES = Object.freeze(['prior', 'response'] as const);
export type GeneratorRecipe = (typeof GENERATOR_RECIPES)[number];

/** A systematic built by a recipe: a `weight` systematic, with the fits' diagnostics by name. */
export interface GeneratorSystematic {
  spec: Extract<SystematicSpec, { kind: 'weight' }>;
  fits: { name: string; diagnostics: ReweightDiagnostics }[];
}

/** Options of the recipes' fits (those of an unfolding) and where their streams sit. */
export interface GeneratorSystematicOptions extends Partial<
  Pick<ReweightOptions, 'classifier' | 'nMembers' | 'ensembleCombine' | 'epsilon' | 'wMax' | 'seed'>
> {
  /** Index of the systematic among the run's systematics: its replica index. */
  index: number;
}

/** What the fits need besides samples and options. */
export interface GeneratorSystematicContext {
  runner?: MemberRunner;
  onProgress?: (progress: UnfoldProgress) => void;
}

function checkAlternative(name: string, nominal: SimSample, alternative: SimSample): void {
  if (alternative.gen.nFeatures !== nominal.gen.nFeatures || alternative.reco.nFeatures !== nominal.reco.nFeatures) {
    throw new InputError(
      `systematic ${name} alternative sample must have the nominal's ${nominal.gen.nFeatures} gen and ${nominal.reco.nFeatures} reco features; got ${alternative.gen.nFeatures} and ${alternative.reco.nFeatures}`,
    );
  }
}

/** The rows of `x` in `rows`, or `x` itself when every row is kept. */
function rowsOf(x: FeatureMatrix, rows: Uint32Array): FeatureMatrix {
  return rows.length === x.nEvents ? x : selectRows(x, rows);
}

function weightsOf(w: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = w[rows[k]];
  return out;
}

/**
 * The gen and reco particles of the given rows as one set per event, each particle's
 * features followed by its level (0 gen, 1 reco): a set function of the union sees both
 * sets, and the level tells them apart. Gen particles first, then reco, each in its order.
 */
function unionParticles(sim: SimSample, rows: Uint32Array): ParticleSets {
  const gen = sim.gen.particles;
  const reco = sim.reco.particles;
  if (gen === undefined || reco === undefined || gen.nFeatures !== reco.nFeatures)
    throw new InputError(
      `the response recipe with particles needs gen and reco particle sets of the same features, one set per level; got ${gen?.nFeatures ?? 'none'} gen and ${reco?.nFeatures ?? 'none'} reco particle features`,
    );
  const d = gen.nFeatures;
  const offsets = new Uint32Array(shareableBuffer((rows.length + 1) * 4));
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    offsets[k + 1] = offsets[k] + (gen.offsets[i + 1] - gen.offsets[i]) + (reco.offsets[i + 1] - reco.offsets[i]);
  }
  const values = new Float32Array(shareableBuffer(offsets[rows.length] * (d + 1) * 4));
  let at = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    for (const [p, level] of [
      [gen, 0],
      [reco, 1],
    ] as const) {
      for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++) {
        values.set(p.values.subarray(r * d, r * d + d), at);
        values[at + d] = level;
        at += d + 1;
      }
    }
  }
  return { offsets, values, nFeatures: d + 1 };
}

/**
 * gen and reco features side by side, for the given rows; with particle sets, the union
 * of each event's gen and reco particles ({@link unionParticles}).
 */
function genAndReco(sim: SimSample, rows: Uint32Array): FeatureMatrix {
  const nGen = sim.gen.nFeatures;
  const nReco = sim.reco.nFeatures;
  const nFeatures = nGen + nReco;
  const values = new Float32Array(shareableBuffer(rows.length * nFeatures * 4));
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    values.set(sim.gen.values.subarray(i * nGen, (i + 1) * nGen), k * nFeatures);
    values.set(sim.reco.values.subarray(i * nReco, (i + 1) * nReco), k * nFeatures + nGen);
  }
  const joint: FeatureMatrix = { values, nEvents: rows.length, nFeatures };
  return sim.gen.particles === undefined && sim.reco.particles === undefined
    ? joint
    : { ...joint, particles: unionParticles(sim, rows) };
}

/** The classifier spec for gen and reco side by side: a binned grid gets the edges of both. */
function jointSpec(spec: ClassifierSpec | undefined, nGen: number, nReco: number): ClassifierSpec | undefined {
  if (spec?.type !== 'binned') return spec;
  if (spec.edges.length !== nGen || nGen !== nReco) {
    throw new InputError(
      `classifier.edges must hold one edge list per gen feature (${nGen}), used for reco too, for the response recipe; got ${spec.edges.length}`,
    );
  }
  return { ...spec, edges: [...spec.edges, ...spec.edges] };
}

function sum(w: Float64Array, rows?: Uint32Array): number {
  let s = 0;
  if (rows === undefined) for (let i = 0; i < w.length; i++) s += w[i];
  else for (let k = 0; k < rows.length; k++) s += w[rows[k]];
  return s;
}

/** The event classes of a sim: passing both selections, misses (gen only), fakes (reco only). */
function classes(sim: SimSample) {
  const n = sim.weights.length;
  const both = new Uint8Array(n);
  const miss = new Uint8Array(n);
  const fake = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    both[i] = sim.passGen[i] & sim.passReco[i];
    miss[i] = sim.passGen[i] & (sim.passReco[i] ^ 1);
    fake[i] = (sim.passGen[i] ^ 1) & sim.passReco[i];
  }
  return {
    gen: maskIndices(sim.passGen),
    both: maskIndices(both),
    misses: maskIndices(miss),
    fakes: maskIndices(fake),
  };
}

/**
 * Builds systematic `name` from `alternative` by `recipe`: the nominal sim's alternative
 * prior weights, as a `weight` systematic, with the fits' diagnostics.
 */
export async function generatorSystematic(
  recipe: GeneratorRecipe,
  name: string,
  nominal: SimSample,
  alternative: SimSample,
  options: GeneratorSystematicOptions,
  context: GeneratorSystematicContext = {},
): Promise<GeneratorSystematic> {
  checkAlternative(name, nominal, alternative);
  const { index, ...fit } = options;
  const keyed = (iteration: number, normalisation: ReweightOptions['normalisation']): Partial<ReweightOptions> => ({
    ...fit,
    normalisation,
    replica: { kind: 'syst', index },
    iteration,
  });
  const genNames = nominal.genNames ?? [];
  const recoNames = nominal.recoNames ?? [];
  const nom = classes(nominal);
  const alt = classes(alternative);
  if (nom.gen.length === 0 || alt.gen.length === 0) {
    throw new InputError(
      `systematic ${name} needs events passing gen in the nominal and the alternative sample; got ${nom.gen.length} and ${alt.gen.length}`,
    );
  }
  const fits: GeneratorSystematic['fits'] = [];
  const weights = Float64Array.from(nominal.weights);

  if (recipe === 'prior') {
    const result = await reweight(
      { x: rowsOf(nominal.gen, nom.gen), weights: weightsOf(nominal.weights, nom.gen) },
      { x: rowsOf(alternative.gen, alt.gen), weights: weightsOf(alternative.weights, alt.gen) },
      keyed(1, 'source'),
      { ...context, names: genNames },
    );
    nom.gen.forEach((i, k) => (weights[i] = result.weights[k]));
    fits.push({ name: 'nominal to alternative (gen)', diagnostics: result.diagnostics });
    return { spec: { name, kind: 'weight', weights }, fits };
  }

  // (a) the alternative with the nominal gen spectrum
  const toNominal = await reweight(
    { x: rowsOf(alternative.gen, alt.gen), weights: weightsOf(alternative.weights, alt.gen) },
    { x: rowsOf(nominal.gen, nom.gen), weights: weightsOf(nominal.weights, nom.gen) },
    keyed(1, 'target'),
    { ...context, names: genNames },
  );
  fits.push({ name: 'alternative to nominal (gen)', diagnostics: toNominal.diagnostics });
  const altWeights = Float64Array.from(alternative.weights);
  alt.gen.forEach((i, k) => (altWeights[i] = toNominal.weights[k]));
  const scale = sum(nominal.weights, nom.gen) / sum(alternative.weights, alt.gen);
  for (const i of alt.fakes) altWeights[i] *= scale;
  const tuned: SimSample = { ...alternative, weights: altWeights };

  // (b) the nominal to that sample, class by class, jointly in gen and reco
  const jointClassifier = jointSpec(fit.classifier, nominal.gen.nFeatures, nominal.reco.nFeatures);
  const parts = [
    { what: 'both', slot: 2, features: (s: SimSample, rows: Uint32Array) => genAndReco(s, rows) },
    { what: 'misses', slot: 3, features: (s: SimSample, rows: Uint32Array) => rowsOf(s.gen, rows) },
    { what: 'fakes', slot: 4, features: (s: SimSample, rows: Uint32Array) => rowsOf(s.reco, rows) },
  ] as const;
  for (const part of parts) {
    const nomRows = nom[part.what];
    const altRows = alt[part.what];
    if (nomRows.length === 0) continue;
    if (altRows.length === 0 || !(sum(altWeights, altRows) > 0)) {
      // the alternative has no such events: the nominal ones get no weight
      for (const i of nomRows) weights[i] = 0;
      continue;
    }
    const names = part.what === 'both' ? [...genNames, ...recoNames] : part.what === 'misses' ? genNames : recoNames;
    const result = await reweight(
      { x: part.features(nominal, nomRows), weights: weightsOf(nominal.weights, nomRows) },
      { x: part.features(tuned, altRows), weights: weightsOf(altWeights, altRows) },
      { ...keyed(part.slot, 'target'), ...(part.what === 'both' ? { classifier: jointClassifier } : {}) },
      { ...context, names },
    );
    nomRows.forEach((i, k) => (weights[i] = result.weights[k]));
    fits.push({ name: `nominal to tuned alternative (${part.what})`, diagnostics: result.diagnostics });
  }
  return { spec: { name, kind: 'weight', weights }, fits };
}
