/**
 * A particle-level toy: jets with constituents, for particle-level unfolding (PFN, Deep
 * Sets) and its comparison with unfolding a few derived observables (MultiFold).
 *
 * Gen level. A jet of pT = 40 GeV + Exp(mean 30 GeV) at η = 0 is built by a simple
 * splitting model: its leading parton emits `n − 1` times, n = 2 + Poisson(μ). Each
 * emission takes the fraction s = sMin·(0.5/sMin)^(u^β) of what is left (u uniform; β = 1
 * is log-uniform in [sMin, 0.5], a larger β gives softer emissions), at an angle θ =
 * θMin·(R/θMin)^(u^γ) from the axis (R = 0.4; a smaller γ gives wider emissions) and a
 * uniform azimuth; what is left at the end is the leading particle, on the axis. Two
 * generator settings differ in the multiplicity (μ), the momentum sharing (β) and the
 * angles (γ): "sim" and "pseudo-data" (whose gen level is the known truth). Both draw s and
 * θ over the same ranges, so the pseudo-data's gen-level density is a finite multiple of
 * the sim's everywhere: every pseudo-data jet is one the sim can make, as reweighting
 * needs. (Ranges that differ, e.g. a smallest angle of 0.005 in one and 0.015 in the
 * other, leave 6 % of the sim's jets inside the pseudo-data's support.)
 *
 * Detector. A particle is seen with probability `efficiency`·(1 − e^(−pT/0.3 GeV)) (0.95;
 * soft ones are lost), its pT smeared by 5 % ⊕ 20 %/√pT and its Δη, Δφ by 0.01; seen particles whose
 * measured pT is below `recoMinPt` (0.5 GeV) are dropped; noise adds Poisson(0.5) soft
 * particles (pT 0.5 GeV + Exp(0.5 GeV)) uniform in the jet's disc. An event passes reco
 * when 2 or more particles are seen.
 *
 * Fiducial phase space. The particle-level record holds the gen particles of pT ≥
 * `genMinPt` (0.5 GeV), as a measurement defines its particle level by the detector's
 * acceptance (e.g. charged particles above 500 MeV): particles the detector cannot see
 * leave no trace at reco, so their number is the prior's whatever the unfolding does.
 * Particles below the threshold still reach the detector; the few whose measured pT
 * crosses it are, like noise, seen particles without a gen partner.
 *
 * Particles carry pT [GeV], Δη and Δφ from the jet axis and the momentum fraction z, sorted
 * by decreasing pT ({@link JETS_PARTICLE_FEATURES}). The
 * event-level features are four observables of the particles, at gen and at reco: the
 * multiplicity, the jet mass, the width Σ pT·ΔR / Σ pT and τ21 = τ2/τ1 with τ1 about the
 * leading particle and τ2 about the two leading ones (a 2-subjettiness-like ratio). Every
 * draw uses src/toys/detmath.ts, so the toy is bit-identical anywhere.
 */
import { InputError } from '../base/errors.js';
import { shareableBuffer, type FeatureMatrix } from '../base/features.js';
import { cos, exp, log, sin, sinh } from './detmath.js';
import { packRows, uniformEdges, type ToyDataset } from './toy.js';
import { ToyRandom } from './toy_random.js';

const PI = 3.141592653589793;
/** Jet radius. */
const R = 0.4;

/** One generator setting of the splitting model. */
export interface JetGenerator {
  /** Mean of the Poisson number of emissions beyond the first (n = 2 + Poisson(μ)). */
  multiplicityMean: number;
  /** Smallest momentum fraction an emission takes. */
  sMin: number;
  /**
   * Shape of the momentum sharing: s = sMin·(0.5/sMin)^(u^β), u uniform: β = 1 is
   * log-uniform in [sMin, 0.5], β above 1 favours soft emissions.
   */
  sharingExponent: number;
  /** Smallest emission angle. */
  thetaMin: number;
  /**
   * Shape of the angles: θ = θMin·(R/θMin)^(u^γ): γ = 1 is log-uniform in [θMin, R], γ
   * below 1 favours wide emissions.
   */
  angleExponent: number;
}

/** The simulation's settings. */
export const JETS_SIM: Readonly<JetGenerator> = Object.freeze({
  multiplicityMean: 10,
  sMin: 0.02,
  sharingExponent: 1,
  thetaMin: 0.005,
  angleExponent: 1,
});
/**
 * The pseudo-data's settings: more emissions, softer sharing, wider angles, over the same
 * ranges as the sim's, so that every pseudo-data jet is one the sim can make.
 */
export const JETS_DATA: Readonly<JetGenerator> = Object.freeze({
  multiplicityMean: 12,
  sMin: 0.02,
  sharingExponent: 1.15,
  thetaMin: 0.005,
  angleExponent: 0.9,
});

/** Options of {@link jetsToy}. */
export interface JetsToyOptions {
  nSim: number;
  nData: number;
  seed: number;
  sim: JetGenerator;
  data: JetGenerator;
  /** Smallest gen pT [GeV] of a particle in the particle-level record (0: every particle). */
  genMinPt: number;
  /** Seen particles whose measured pT [GeV] is below this are dropped. */
  recoMinPt: number;
  /** The detector's efficiency for hard particles: a particle is seen with probability efficiency·(1 − e^(−pT/0.3 GeV)). */
  efficiency: number;
}

/** Defaults of {@link jetsToy}. */
export const JETS_TOY_DEFAULTS: Readonly<JetsToyOptions> = Object.freeze({
  nSim: 40_000,
  nData: 40_000,
  seed: 0,
  sim: JETS_SIM,
  data: JETS_DATA,
  genMinPt: 0.5,
  recoMinPt: 0.5,
  efficiency: 0.95,
});

/** Event-level gen features (the derived observables), in order; the reco names carry a `reco_` prefix. */
export const JETS_OBSERVABLES = Object.freeze(['multiplicity', 'mass', 'width', 'tau21'] as const);
/**
 * Features of each particle, in order: pT [GeV], Δη and Δφ from the jet axis, and the
 * momentum fraction z = pT / Σ pT over the event's particles at that level (the inputs of
 * Komiske, Metodiev and Thaler's PFN, JHEP 01 (2019) 121, with pT beside z for the scale).
 */
export const JETS_PARTICLE_FEATURES = Object.freeze(['pt', 'deta', 'dphi', 'z'] as const);

/** Particles of one event, as parallel arrays. */
interface Particles {
  pt: number[];
  deta: number[];
  dphi: number[];
}

/** Poisson(mean) by multiplying uniforms (fine for the small means here). */
function poisson(random: ToyRandom, mean: number): number {
  const limit = exp(-mean);
  let k = 0;
  let p = random.uniform();
  while (p > limit) {
    k++;
    p *= random.uniform();
  }
  return k;
}

/** lo·(hi/lo)^(u^shape), u uniform: log-uniform in [lo, hi] for shape 1 (u = 0 gives lo). */
function logShaped(random: ToyRandom, lo: number, hi: number, shape: number): number {
  const u = random.uniform();
  return lo * exp((shape === 1 ? u : exp(shape * log(u))) * log(hi / lo));
}

function generateJet(random: ToyRandom, g: JetGenerator): Particles {
  const jetPt = 40 + random.exponential(30);
  const n = 2 + poisson(random, g.multiplicityMean);
  const out: Particles = { pt: [], deta: [], dphi: [] };
  let left = jetPt;
  for (let k = 1; k < n; k++) {
    const s = logShaped(random, g.sMin, 0.5, g.sharingExponent);
    const theta = logShaped(random, g.thetaMin, R, g.angleExponent);
    const azimuth = 2 * PI * random.uniform();
    out.pt.push(s * left);
    out.deta.push(theta * cos(azimuth));
    out.dphi.push(theta * sin(azimuth));
    left -= s * left;
  }
  out.pt.push(left);
  out.deta.push(0);
  out.dphi.push(0);
  return out;
}

function detector(random: ToyRandom, gen: Particles, o: JetsToyOptions): Particles {
  const out: Particles = { pt: [], deta: [], dphi: [] };
  for (let k = 0; k < gen.pt.length; k++) {
    const pt = gen.pt[k];
    const seen = random.uniform() < o.efficiency * (1 - exp(-pt / 0.3));
    const resolution = Math.sqrt(0.05 * 0.05 + 0.04 / pt);
    const ptReco = pt * (1 + random.normal(0, resolution));
    const deta = gen.deta[k] + random.normal(0, 0.01);
    const dphi = gen.dphi[k] + random.normal(0, 0.01);
    if (!seen || ptReco < o.recoMinPt) continue;
    out.pt.push(ptReco);
    out.deta.push(deta);
    out.dphi.push(dphi);
  }
  const nNoise = poisson(random, 0.5);
  for (let k = 0; k < nNoise; k++) {
    const r = R * Math.sqrt(random.uniform());
    const azimuth = 2 * PI * random.uniform();
    out.pt.push(0.5 + random.exponential(0.5));
    out.deta.push(r * cos(azimuth));
    out.dphi.push(r * sin(azimuth));
  }
  return out;
}

/** The particles sorted by decreasing pT (ties keep their order). */
function byPt(p: Particles): Particles {
  const order = p.pt.map((_, k) => k).sort((a, b) => p.pt[b] - p.pt[a] || a - b);
  return { pt: order.map((k) => p.pt[k]), deta: order.map((k) => p.deta[k]), dphi: order.map((k) => p.dphi[k]) };
}

/**
 * The four observables of a pT-sorted particle set: multiplicity, mass (massless
 * constituents at η = Δη, φ = Δφ), width and τ21 (0 with fewer than two particles).
 */
export function jetObservables(p: Particles): [number, number, number, number] {
  const n = p.pt.length;
  let e = 0;
  let px = 0;
  let py = 0;
  let pz = 0;
  let sumPt = 0;
  let width = 0;
  for (let k = 0; k < n; k++) {
    const sh = sinh(p.deta[k]);
    e += p.pt[k] * Math.sqrt(1 + sh * sh);
    px += p.pt[k] * cos(p.dphi[k]);
    py += p.pt[k] * sin(p.dphi[k]);
    pz += p.pt[k] * sh;
    sumPt += p.pt[k];
    width += p.pt[k] * Math.sqrt(p.deta[k] * p.deta[k] + p.dphi[k] * p.dphi[k]);
  }
  const mass = Math.sqrt(Math.max(0, e * e - px * px - py * py - pz * pz));
  if (n < 2) return [n, mass, sumPt > 0 ? width / sumPt : 0, 0];
  const dr = (k: number, a: number) => {
    const de = p.deta[k] - p.deta[a];
    const dp = p.dphi[k] - p.dphi[a];
    return Math.sqrt(de * de + dp * dp);
  };
  let tau1 = 0;
  let tau2 = 0;
  for (let k = 0; k < n; k++) {
    tau1 += p.pt[k] * dr(k, 0);
    tau2 += p.pt[k] * Math.min(dr(k, 0), dr(k, 1));
  }
  return [n, mass, width / sumPt, tau1 > 0 ? tau2 / tau1 : 0];
}

interface Generated {
  gen: Particles[];
  reco: Particles[];
  passReco: Uint8Array;
}

/** The particles with pT of at least `minPt`, in order. */
function above(p: Particles, minPt: number): Particles {
  const keep = p.pt.map((pt, k) => (pt >= minPt ? k : -1)).filter((k) => k >= 0);
  return { pt: keep.map((k) => p.pt[k]), deta: keep.map((k) => p.deta[k]), dphi: keep.map((k) => p.dphi[k]) };
}

function generate(random: ToyRandom, nEvents: number, g: JetGenerator, o: JetsToyOptions): Generated {
  const gen: Particles[] = [];
  const reco: Particles[] = [];
  const passReco = new Uint8Array(nEvents);
  for (let i = 0; i < nEvents; i++) {
    const truth = generateJet(random, g);
    const seen = byPt(detector(random, truth, o));
    gen.push(byPt(above(truth, o.genMinPt)));
    reco.push(seen);
    passReco[i] = seen.pt.length >= 2 ? 1 : 0;
  }
  return { gen, reco, passReco };
}

/** The events' observables and particle sets as one feature matrix. */
function pack(events: readonly Particles[]): FeatureMatrix {
  const columns = JETS_OBSERVABLES.map(() => new Float64Array(events.length));
  const offsets = new Uint32Array(shareableBuffer((events.length + 1) * 4));
  events.forEach((p, i) => {
    jetObservables(p).forEach((v, f) => (columns[f][i] = v));
    offsets[i + 1] = offsets[i] + p.pt.length;
  });
  const d = JETS_PARTICLE_FEATURES.length;
  const values = new Float32Array(shareableBuffer(offsets[events.length] * d * 4));
  events.forEach((p, i) => {
    const sumPt = p.pt.reduce((a, v) => a + v, 0);
    for (let k = 0; k < p.pt.length; k++) {
      values[(offsets[i] + k) * d] = p.pt[k];
      values[(offsets[i] + k) * d + 1] = p.deta[k];
      values[(offsets[i] + k) * d + 2] = p.dphi[k];
      values[(offsets[i] + k) * d + 3] = p.pt[k] / sumPt;
    }
  });
  return { ...packRows(columns), particles: { offsets, values, nFeatures: d } };
}

/**
 * Generates the jets toy: sim from {@link JETS_SIM} (toy stream 0 of `seed`), pseudo-data
 * from {@link JETS_DATA} (stream 1). Every event passes gen (a jet of 40 GeV or more has a
 * particle above any threshold up to 1.3 GeV); events with fewer than two seen particles
 * fail reco (misses), and the data keeps the events passing reco.
 * @example
 *   const toy = jetsToy({ nSim: 1000, nData: 1000 });
 *   toy.sim.gen.particles?.nFeatures  // 4: pt, deta, dphi, z
 */
export function jetsToy(options: Partial<JetsToyOptions> = {}): ToyDataset {
  const o: JetsToyOptions = { ...JETS_TOY_DEFAULTS, ...options };
  for (const key of ['nSim', 'nData'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1)
      throw new InputError(`jets toy ${key} must be a positive integer; got ${o[key]}`);
  }
  for (const key of ['genMinPt', 'recoMinPt', 'efficiency'] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) throw new InputError(`jets toy ${key} must be in [0, 1]; got ${o[key]}`);
  }
  const sim = generate(new ToyRandom(o.seed, 0), o.nSim, o.sim, o);
  const data = generate(new ToyRandom(o.seed, 1), o.nData, o.data, o);
  const measured = data.reco.filter((_, i) => data.passReco[i] === 1);
  return {
    name: 'jets',
    description: `jets with constituents: multiplicity 2 + Poisson(${o.sim.multiplicityMean}), sharing exponent ${o.sim.sharingExponent}, angle exponent ${o.sim.angleExponent} in sim; 2 + Poisson(${o.data.multiplicityMean}), ${o.data.sharingExponent}, ${o.data.angleExponent} in the pseudo-data; a detector that smears, drops and adds particles; particles of pT ≥ ${o.genMinPt} GeV at gen, ≥ ${o.recoMinPt} GeV at reco`,
    sim: {
      gen: pack(sim.gen),
      reco: pack(sim.reco),
      passGen: new Uint8Array(o.nSim).fill(1),
      passReco: sim.passReco,
      weights: new Float64Array(o.nSim).fill(1),
      genNames: [...JETS_OBSERVABLES],
      recoNames: JETS_OBSERVABLES.map((n) => `reco_${n}`),
    },
    data: { reco: pack(measured), weights: new Float64Array(measured.length).fill(1) },
    truth: {
      gen: pack(data.gen),
      weights: new Float64Array(o.nData).fill(1),
      passGen: new Uint8Array(o.nData).fill(1),
    },
    bins: {
      multiplicity: uniformEdges(1.5, 31.5, 15),
      mass: uniformEdges(0, 40, 20),
      width: uniformEdges(0, 0.2, 20),
      tau21: uniformEdges(0, 1, 20),
    },
    mlp: { epochs: 20, batchSize: 512, patience: 5 },
    pfn: { phi: [64, 64, 64], f: [64, 64], epochs: 20, batchSize: 256, patience: 5, eventFeatures: false },
    unfold: { nMembers: 1 },
    observables: [
      { name: 'multiplicity', label: 'Constituent multiplicity' },
      { name: 'mass', label: 'Jet mass', unit: 'GeV' },
      { name: 'width', label: 'Jet width' },
      { name: 'tau21', label: 'τ21' },
    ],
    selection: { gen: 'all jets', reco: 'at least two particles seen' },
    settings: { toy: 'jets', ...o, particleFeatures: [...JETS_PARTICLE_FEATURES] },
  };
}
