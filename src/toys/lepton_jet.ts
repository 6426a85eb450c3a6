/**
 * The embedded default toy, modelled on the H1 lepton-jet imbalance measurement in
 * neutral-current DIS (H1, PRL 128 (2022) 132002): e(27.6 GeV) p(920 GeV) → e' jet X with
 * Q² > 150 GeV², 0.2 < y < 0.7, jet pT > 10 GeV, −1 < η_jet < 2.5 (lab frame, proton
 * direction +z). Eight observables: lepton px, py, pz; jet pT, η, φ; qT/Q; Δφ(lepton, jet).
 *
 * Gen level: Q² from a power law, y ∝ 1/y, the scattered lepton from (Q², y) exactly
 * (pT² = Q²(1−y), E − pz = 2E_e(1−y)); the jet balances the lepton in the transverse plane
 * up to an imbalance qT from intrinsic kT (Gaussian) and, sometimes, harder radiation
 * (exponential); η_jet = ln(pT/(2E_e·y)) plus a spread. Two generator settings differ in
 * the Q² slope, the kT width and the radiation: "sim" and "pseudo-data" (whose gen level is
 * the known truth). Detector: lepton energy resolution 12%/√E ⊕ 1% with small angular
 * smearing; jet pT resolution 50%/√pT ⊕ 3% with a 2% scale offset, η/φ smearing 0.04/0.03;
 * a gen-dependent efficiency (jet-pT turn-on, forward losses). Fakes arise from migrations
 * into the selection. Every draw uses src/toys/detmath.ts, so the toy is bit-identical anywhere.
 */
import { InputError } from '../base/errors.js';
import { asinh, atan2, cos, exp, log, sin, sinh } from './detmath.js';
import { packRows, uniformEdges, type ToyDataset } from './toy.js';
import { ToyRandom } from './toy_random.js';

const E_BEAM = 27.6; // GeV, lepton beam
const PI = 3.141592653589793;

/** One generator setting. */
export interface LeptonJetGenerator {
  /** dσ/dQ² ∝ (Q²)^−q2Power. */
  q2Power: number;
  /** Width (GeV) of each transverse component of the intrinsic kT. */
  kTSigma: number;
  /** Probability of a hard radiation kick, and its mean magnitude (GeV). */
  radiationProbability: number;
  radiationMean: number;
  /** Gaussian spread of the jet η around the Born value. */
  etaSpread: number;
}

/** The simulation's settings (a Rapgap-like generator). */
export const LEPTON_JET_SIM: Readonly<LeptonJetGenerator> = Object.freeze({
  q2Power: 2.0,
  kTSigma: 1.2,
  radiationProbability: 0.25,
  radiationMean: 2.5,
  etaSpread: 0.25,
});
/** The pseudo-data's settings (a Djangoh-like generator with more radiation). */
export const LEPTON_JET_DATA: Readonly<LeptonJetGenerator> = Object.freeze({
  q2Power: 1.85,
  kTSigma: 1.6,
  radiationProbability: 0.35,
  radiationMean: 3.5,
  etaSpread: 0.3,
});

/** Options of {@link leptonJetToy}. */
export interface LeptonJetToyOptions {
  nSim: number;
  nData: number;
  seed: number;
  sim: LeptonJetGenerator;
  data: LeptonJetGenerator;
}

/** Defaults of {@link leptonJetToy}: sized so the default `omnifold unfold` stays short. */
export const LEPTON_JET_TOY_DEFAULTS: Readonly<LeptonJetToyOptions> = Object.freeze({
  nSim: 40_000,
  nData: 40_000,
  seed: 0,
  sim: LEPTON_JET_SIM,
  data: LEPTON_JET_DATA,
});

/** Gen feature names, in order; the reco names carry a `reco_` prefix. */
export const LEPTON_JET_FEATURES = Object.freeze([
  'lep_px',
  'lep_py',
  'lep_pz',
  'jet_pt',
  'jet_eta',
  'jet_phi',
  'qt_over_q',
  'dphi',
]);
const N_FEATURES = LEPTON_JET_FEATURES.length;

function wrapPhi(phi: number): number {
  let p = phi;
  while (p > PI) p -= 2 * PI;
  while (p <= -PI) p += 2 * PI;
  return p;
}

/** Lepton and jet → the 8 observables plus (Q², y); writes into `out`. */
function observables(
  lx: number,
  ly: number,
  lz: number,
  jetPt: number,
  jetEta: number,
  jetPhi: number,
  out: Float64Array,
): { q2: number; y: number } {
  const lpt2 = lx * lx + ly * ly;
  const energy = Math.sqrt(lpt2 + lz * lz);
  const y = 1 - (energy - lz) / (2 * E_BEAM);
  const q2 = lpt2 / (1 - y);
  const qx = lx + jetPt * cos(jetPhi);
  const qy = ly + jetPt * sin(jetPhi);
  out[0] = lx;
  out[1] = ly;
  out[2] = lz;
  out[3] = jetPt;
  out[4] = jetEta;
  out[5] = jetPhi;
  out[6] = Math.sqrt(qx * qx + qy * qy) / Math.sqrt(q2);
  out[7] = Math.abs(wrapPhi(jetPhi - atan2(ly, lx)));
  return { q2, y };
}

function inSelection(q2: number, y: number, jetPt: number, jetEta: number): boolean {
  return q2 > 150 && y > 0.2 && y < 0.7 && jetPt > 10 && jetEta > -1 && jetEta < 2.5;
}

/** Reconstruction probability as a function of the gen jet: pT turn-on and forward losses. */
function efficiency(jetPt: number, jetEta: number): number {
  const turnOn = 1 - 0.5 * exp(-(jetPt - 8) / 4);
  const forward = jetEta > 2 ? 0.85 : 1;
  return 0.95 * turnOn * forward;
}

interface Events {
  gen: Float64Array[];
  reco: Float64Array[];
  passGen: Uint8Array;
  passReco: Uint8Array;
}

/** Draws `nEvents` events of one generator setting and passes them through the detector. */
function generate(random: ToyRandom, nEvents: number, g: LeptonJetGenerator): Events {
  const gen = Array.from({ length: N_FEATURES }, () => new Float64Array(nEvents));
  const reco = Array.from({ length: N_FEATURES }, () => new Float64Array(nEvents));
  const passGen = new Uint8Array(nEvents);
  const passReco = new Uint8Array(nEvents);
  const row = new Float64Array(N_FEATURES);
  const uMin = exp(log(10000 / 145) * (1 - g.q2Power)); // no `**`: Math.pow is implementation-defined
  for (let i = 0; i < nEvents;) {
    // generator level: (Q², y) → lepton; jet = −lepton + kT (+ radiation)
    const q2 = 145 * exp(log(random.between(uMin, 1)) / (1 - g.q2Power));
    const y = 0.18 * exp(random.uniform() * log(0.72 / 0.18));
    const lpt = Math.sqrt(q2 * (1 - y));
    const lphi = random.between(-PI, PI);
    const eMinusPz = 2 * E_BEAM * (1 - y);
    const lz = ((lpt * lpt) / eMinusPz - eMinusPz) / 2;
    let kx = random.normal(0, g.kTSigma);
    let ky = random.normal(0, g.kTSigma);
    if (random.uniform() < g.radiationProbability) {
      const kick = random.exponential(g.radiationMean);
      const kphi = random.between(-PI, PI);
      kx += kick * cos(kphi);
      ky += kick * sin(kphi);
    }
    const lx = lpt * cos(lphi);
    const ly = lpt * sin(lphi);
    const jx = -lx + kx;
    const jy = -ly + ky;
    const jetPt = Math.sqrt(jx * jx + jy * jy);
    if (jetPt < 8) continue; // generator-level phase-space cut, well below the 10 GeV selection
    const jetEta = log(jetPt / (2 * E_BEAM * y)) + random.normal(0, g.etaSpread);
    const jetPhi = atan2(jy, jx);
    const truth = observables(lx, ly, lz, jetPt, jetEta, jetPhi, row);
    for (let f = 0; f < N_FEATURES; f++) gen[f][i] = row[f];
    passGen[i] = inSelection(truth.q2, truth.y, jetPt, jetEta) ? 1 : 0;

    // detector level
    const lEnergy = Math.sqrt(lpt * lpt + lz * lz);
    const lScale = 1 + random.normal(0, Math.sqrt(0.0144 / lEnergy + 0.0001));
    const lphiReco = lphi + random.normal(0, 0.002);
    const letaReco = asinh(lz / lpt) + random.normal(0, 0.005);
    const lptReco = lpt * lScale;
    const jSigma = Math.sqrt(0.25 / jetPt + 0.0009);
    const jetPtReco = 0.98 * jetPt * (1 + random.normal(0, jSigma));
    const jetEtaReco = jetEta + random.normal(0, 0.04);
    const jetPhiReco = wrapPhi(jetPhi + random.normal(0, 0.03));
    const detected = random.uniform() < efficiency(jetPt, jetEta);
    const measured = observables(
      lptReco * cos(lphiReco),
      lptReco * sin(lphiReco),
      lptReco * sinh(letaReco),
      jetPtReco,
      jetEtaReco,
      jetPhiReco,
      row,
    );
    for (let f = 0; f < N_FEATURES; f++) reco[f][i] = row[f];
    passReco[i] = detected && inSelection(measured.q2, measured.y, jetPtReco, jetEtaReco) ? 1 : 0;
    i++;
  }
  return { gen, reco, passGen, passReco };
}

/** Indices of events with mask = 1. */
function selected(mask: Uint8Array): number[] {
  const rows: number[] = [];
  mask.forEach((m, i) => m && rows.push(i));
  return rows;
}

/**
 * Generates the lepton-jet toy: sim from {@link LEPTON_JET_SIM} (toy stream 0 of `seed`),
 * pseudo-data from {@link LEPTON_JET_DATA} (stream 1). The data sample keeps the events
 * passing reco; the truth holds every generated data event with its passGen mask.
 * @example
 *   const toy = leptonJetToy({ nSim: 1000, nData: 1000 });
 *   toy.sim.genNames  // ['lep_px', 'lep_py', 'lep_pz', 'jet_pt', 'jet_eta', 'jet_phi', 'qt_over_q', 'dphi']
 */
export function leptonJetToy(options: Partial<LeptonJetToyOptions> = {}): ToyDataset {
  const o: LeptonJetToyOptions = { ...LEPTON_JET_TOY_DEFAULTS, ...options };
  for (const key of ['nSim', 'nData'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1)
      throw new InputError(`lepton-jet toy ${key} must be a positive integer; got ${o[key]}`);
  }
  const sim = generate(new ToyRandom(o.seed, 0), o.nSim, o.sim);
  const data = generate(new ToyRandom(o.seed, 1), o.nData, o.data);
  const rows = selected(data.passReco);
  const recoNames = LEPTON_JET_FEATURES.map((n) => `reco_${n}`);
  return {
    name: 'lepton-jet',
    description: 'H1-like lepton-jet imbalance in DIS (8 observables), two generator settings as sim and pseudo-data',
    sim: {
      gen: packRows(sim.gen),
      reco: packRows(sim.reco),
      passGen: sim.passGen,
      passReco: sim.passReco,
      weights: new Float64Array(o.nSim).fill(1),
      genNames: [...LEPTON_JET_FEATURES],
      recoNames,
    },
    data: {
      reco: packRows(data.reco.map((c) => Float64Array.from(rows, (i) => c[i]))),
      weights: new Float64Array(rows.length).fill(1),
    },
    truth: { gen: packRows(data.gen), weights: new Float64Array(o.nData).fill(1), passGen: data.passGen },
    bins: {
      lep_px: uniformEdges(-50, 50, 20),
      lep_py: uniformEdges(-50, 50, 20),
      lep_pz: uniformEdges(-22, 38, 20),
      jet_pt: uniformEdges(10, 60, 20),
      jet_eta: uniformEdges(-1, 2, 12),
      jet_phi: uniformEdges(-PI, PI, 12),
      qt_over_q: uniformEdges(0, 0.6, 15),
      dphi: uniformEdges(2.5, PI, 16),
    },
    mlp: { epochs: 20, batchSize: 512, patience: 5 },
    unfold: { nMembers: 4 },
    observables: [
      { name: 'lep_px', label: 'Lepton p_x', unit: 'GeV' },
      { name: 'lep_py', label: 'Lepton p_y', unit: 'GeV' },
      { name: 'lep_pz', label: 'Lepton p_z', unit: 'GeV' },
      { name: 'jet_pt', label: 'Jet p_T', unit: 'GeV' },
      { name: 'jet_eta', label: 'Jet η' },
      { name: 'jet_phi', label: 'Jet φ', unit: 'rad' },
      { name: 'qt_over_q', label: 'q_T / Q' },
      { name: 'dphi', label: 'Δφ(lepton, jet)', unit: 'rad' },
    ],
    selection: {
      gen: 'Q² > 150 GeV², 0.2 < y < 0.7, jet p_T > 10 GeV, -1 < η_jet < 2.5 (lab frame)',
      reco: 'the same cuts on reconstructed quantities, times the detector efficiency',
    },
    settings: { toy: 'lepton-jet', ...o },
  };
}
