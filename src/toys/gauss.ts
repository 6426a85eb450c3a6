/**
 * The 1-D Gaussian toy of the OmniFold paper (arXiv:1911.09107, Fig. 2): gen N(0, 1) in
 * simulation, truth N(0.2, 0.8) in the pseudo-data, Gaussian smearing σ = 0.5, and an
 * optional constant reconstruction efficiency (events failing it become misses).
 */
import { InputError } from '../base/errors.js';
import { packRows, uniformEdges, type ToyDataset } from './toy.js';
import { ToyRandom } from './toy_random.js';

/** Options of {@link gaussToy}. */
export interface GaussToyOptions {
  /** Sim events (default 100 000). */
  nSim: number;
  /** Pseudo-data events generated at gen level (default 100 000). */
  nData: number;
  /** Seed of the toy streams (default 0). */
  seed: number;
  /** Gen mean and width of the simulation (default 0, 1). */
  simMean: number;
  simSigma: number;
  /** Gen mean and width of the truth (default 0.2, 0.8). */
  truthMean: number;
  truthSigma: number;
  /** Detector smearing σ (default 0.5). */
  smearing: number;
  /** Probability that an event is reconstructed (default 1: no misses). */
  efficiency: number;
}

/** Defaults of {@link gaussToy}. */
export const GAUSS_TOY_DEFAULTS: Readonly<GaussToyOptions> = Object.freeze({
  nSim: 100_000,
  nData: 100_000,
  seed: 0,
  simMean: 0,
  simSigma: 1,
  truthMean: 0.2,
  truthSigma: 0.8,
  smearing: 0.5,
  efficiency: 1,
});

interface Drawn {
  gen: Float64Array;
  reco: Float64Array;
  passReco: Uint8Array;
}

function draw(random: ToyRandom, nEvents: number, mean: number, sigma: number, o: GaussToyOptions): Drawn {
  const gen = new Float64Array(nEvents);
  const reco = new Float64Array(nEvents);
  const passReco = new Uint8Array(nEvents);
  for (let i = 0; i < nEvents; i++) {
    gen[i] = random.normal(mean, sigma);
    reco[i] = gen[i] + random.normal(0, o.smearing);
    passReco[i] = o.efficiency >= 1 || random.uniform() < o.efficiency ? 1 : 0;
  }
  return { gen, reco, passReco };
}

/**
 * Generates the Gaussian toy. Streams: sim = toy stream 0, data = toy stream 1 of `seed`.
 * @example
 *   const toy = gaussToy({ nSim: 1000, nData: 1000, seed: 7 });
 *   toy.sim.gen.nEvents  // 1000
 */
export function gaussToy(options: Partial<GaussToyOptions> = {}): ToyDataset {
  const o: GaussToyOptions = { ...GAUSS_TOY_DEFAULTS, ...options };
  for (const key of ['nSim', 'nData'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1)
      throw new InputError(`gauss toy ${key} must be a positive integer; got ${o[key]}`);
  }
  if (!(o.efficiency > 0 && o.efficiency <= 1))
    throw new InputError(`gauss toy efficiency must be in (0, 1]; got ${o.efficiency}`);
  const sim = draw(new ToyRandom(o.seed, 0), o.nSim, o.simMean, o.simSigma, o);
  const data = draw(new ToyRandom(o.seed, 1), o.nData, o.truthMean, o.truthSigma, o);
  const measured = data.reco.filter((_, i) => data.passReco[i] === 1);
  return {
    name: 'gauss',
    description: `1-D Gaussian: sim N(${o.simMean},${o.simSigma}), truth N(${o.truthMean},${o.truthSigma}), smearing ${o.smearing}, efficiency ${o.efficiency}`,
    sim: {
      gen: packRows([sim.gen]),
      reco: packRows([sim.reco]),
      passGen: new Uint8Array(o.nSim).fill(1),
      passReco: sim.passReco,
      weights: new Float64Array(o.nSim).fill(1),
      genNames: ['x'],
      recoNames: ['x_reco'],
    },
    data: { reco: packRows([Float64Array.from(measured)]), weights: new Float64Array(measured.length).fill(1) },
    truth: {
      gen: packRows([data.gen]),
      weights: new Float64Array(o.nData).fill(1),
      passGen: new Uint8Array(o.nData).fill(1),
    },
    bins: { x: uniformEdges(-3, 3, 24) },
    mlp: { epochs: 10, batchSize: 512, patience: 3 },
    unfold: {},
    observables: [{ name: 'x', label: 'x' }],
    selection: {
      gen: 'all events',
      reco: o.efficiency < 1 ? `a random loss with efficiency ${o.efficiency}` : 'all events',
    },
    settings: { toy: 'gauss', ...o },
  };
}
