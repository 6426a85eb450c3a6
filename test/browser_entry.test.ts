/**
 * The platform-neutral entry (src/browser.ts). It bundles for the browser platform with no
 * Node built-in, and the bundle, run where there is no `node:` module, `require`,
 * `process`, `Buffer` or SharedArrayBuffer (a fresh node:vm context holding only a few
 * browser globals, like a page that is not cross-origin isolated), unfolds bit for bit like
 * the Node entry, with the binned and with the MLP classifier, runs a replica plan to the
 * same weight columns and configuration hashes, and validates, summarises and tabulates
 * (HEPData) to the same texts as the Node entry writes to files, and renders a figure to
 * the same SVG.
 *
 * A `node:` import anywhere below src/browser.ts fails the bundle test (esbuild cannot
 * resolve it for the browser platform); a use of a Node global (`process`, `Buffer`,
 * `require`) fails the runs in the context.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build, type BuildResult } from 'esbuild';
import * as node from '../src/index.js';
import { ENGINE_VERSION } from '../src/base/version.js';
import { wasmPath } from '../src/kernels/wasm_node.js';
import { testDir } from './helpers/temp_dir.js';

/** The compiled neutral entry, dist/src/browser.js (the tests run from dist/test/). */
const ENTRY = fileURLToPath(new URL('../src/browser.js', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
  version: string;
};

const TOY = { nSim: 3000, nData: 3000, seed: 11 };
const BINNED: Partial<node.UnfoldOptions> = {
  nIterations: 3,
  seed: 5,
  classifier: { type: 'binned', edges: [[-3, -1.5, -0.5, 0, 0.5, 1.5, 3]] },
};
// a reco-transform systematic too: its scaled copy of the features has no SharedArrayBuffer in the context
const REPLICAS: node.ReplicaOptions = {
  ...BINNED,
  dataBootstraps: 2,
  systematics: [{ name: 'scale', kind: 'reco-transform', feature: 0, scale: 1.01 }],
};
const MLP: Partial<node.UnfoldOptions> = {
  nIterations: 2,
  seed: 5,
  classifier: { type: 'mlp', hidden: [8, 8], epochs: 2, batchSize: 128 },
};

type Bundle = { text: string; result: BuildResult<{ write: false; metafile: true }> };

async function bundle(format: 'esm' | 'iife'): Promise<Bundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'browser',
    format,
    globalName: format === 'iife' ? 'omnifold' : undefined,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { text: result.outputFiles[0].text, result };
}

/** A context with browser globals only: no require, process, Buffer, module or SharedArrayBuffer. */
function browserLikeContext(): vm.Context {
  const context = vm.createContext({ TextEncoder, TextDecoder, URL });
  vm.runInContext('delete globalThis.SharedArrayBuffer; delete globalThis.Atomics;', context);
  return context;
}

let iife: Promise<Bundle> | undefined;
/** The bundle as a script defining the global `omnifold`, built once, on first use. */
const script = async (): Promise<string> => (await (iife ??= bundle('iife'))).text;

test('the neutral entry bundles for the browser platform with no Node built-in', async () => {
  const { text, result } = await bundle('esm');
  assert.equal(result.errors, []);
  const builtin = text.match(/.{0,60}(?:["']node:[a-z_/]+["']|\brequire\(\s*["'][a-z_/:]+["']\s*\)).{0,60}/);
  assert.is(builtin, null, `the bundle must not load a Node built-in; got ${builtin?.[0]}`);
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((path) => path.endsWith('kernels/wasm_neutral.js')),
    `the bundle must take the neutral wasm edge; got inputs ${inputs.filter((p) => p.includes('kernels/wasm')).join(', ')}`,
  );
  assert.not.ok(
    inputs.some((path) => path.endsWith('kernels/wasm_node.js')),
    'the bundle must not hold the Node wasm edge',
  );
  assert.ok(
    inputs.some((path) => path.endsWith('base/sha256_neutral.js')),
    'the bundle must take the neutral SHA-256 edge',
  );
  assert.not.ok(
    inputs.some((path) => path.endsWith('base/sha256_node.js')),
    'the bundle must not hold the Node SHA-256 edge',
  );
});

// The neutral API is exactly this list; the Node entry (src/index.ts) exports each name as the same object.
const EXPORTS = [
  'BinnedClassifier',
  'CLASSIFIER_FLAGS',
  'CLASSIFIER_KINDS',
  'CLASSIFIER_TYPES',
  'COLOURS',
  'COLUMN_FAMILIES',
  'COLUMN_ROLES',
  'Engine',
  'Expression',
  'FAKES_MODES',
  'FAMILIES',
  'GAUSS_TOY_DEFAULTS',
  'GENERATOR_RECIPES',
  'Histogram',
  'ITERATION_SEARCH_DEFAULTS',
  'InProcessExecutor',
  'InProcessRunner',
  'InputError',
  'JETS_DATA',
  'JETS_OBSERVABLES',
  'JETS_PARTICLE_FEATURES',
  'JETS_SIM',
  'JETS_TOY_DEFAULTS',
  'KernelError',
  'LEGACY_GRADIENT_BLOCKS',
  'LEPTON_JET_TOY_DEFAULTS',
  'LOOP_STEPS',
  'MEDIAN_STANDARD_ERROR_FACTOR',
  'MIN_DATA_BOOTSTRAPS',
  'MISSES_MODES',
  'MLP_DEFAULTS',
  'MODELS_FORMAT_VERSION',
  'MemoryReplicaStore',
  'MlpClassifier',
  'Moments',
  'NumericalError',
  'OmniFoldError',
  'PFN_DEFAULTS',
  'PURPOSE',
  'PfnClassifier',
  'REPLICA_FAMILIES',
  'REPLICA_KIND',
  'REWEIGHT_DEFAULTS',
  'REWEIGHT_NORMALISATIONS',
  'RandomStream',
  'STEP',
  'STEP2_REFERENCES',
  'SUPPORTED_FORMAT_VERSIONS',
  'TOTAL_COMBINATION',
  'UNFOLD_DEFAULTS',
  'WorkerError',
  'applyModels',
  'autoEdges',
  'backgroundSampleFromTable',
  'binnedSums',
  'checkEdges',
  'checkIterationSearch',
  'checkParticleColumns',
  'checkSystematic',
  'choiceFlag',
  'chooseIterations',
  'classifierKind',
  'clipRatio',
  'closureTest',
  'column',
  'columnAttributes',
  'columnCopy',
  'combineReplicas',
  'compareWithIbu',
  'computeReplica',
  'concatBackgrounds',
  'concatRows',
  'correlationFigure',
  'correlationMatrix',
  'coverageScan',
  'createClassifier',
  'createEngine',
  'dataSampleFromTable',
  'decodeModels',
  'decodeWeightsFile',
  'defaultTilt',
  'describeColumns',
  'describeNormalisation',
  'describeStat',
  'describeValue',
  'diagnosticsFigure',
  'diagonalSqrt',
  'encodeModels',
  'encodeWeightsFile',
  'ensembleColumnName',
  'ensembleFactorOf',
  'ensembleStandardErrorFactor',
  'familyTerms',
  'featureMatrix',
  'fitMember',
  'fitMemberWith',
  'fromColumns',
  'gaussToy',
  'genCellTotals',
  'generatorSystematic',
  'gridCells',
  'gridSize',
  'hasGradientBlocks',
  'hepdataFiles',
  'hepdataHistogram',
  'histJson',
  'histQuery',
  'histSource',
  'histogramJson',
  'histogramUncertainties',
  'initKernels',
  'integerFlag',
  'isRunLocalClassifierFlag',
  'iterationHistograms',
  'jaggedColumnList',
  'jetObservables',
  'jetsToy',
  'leptonJetToy',
  'listFlag',
  'maskIndices',
  'matrixIbu',
  'meanUncertainties',
  'mergeMoments',
  'mergeReplicas',
  'momentQuery',
  'normalisationText',
  'normaliseHistogram',
  'normaliseSumw2',
  'normalisedHistogramUncertainties',
  'observableFigure',
  'orList',
  'packageMetadata',
  'parseBins',
  'parseExpression',
  'parseNormalisation',
  'particleCount',
  'planReplicas',
  'poissonOneWeights',
  'positiveNumberFlag',
  'prepareReplicas',
  'readJagged',
  'readParticles',
  'readWeights',
  'renderSvg',
  'replicaInputs',
  'replicaUncertainties',
  'replicaUnfoldOptions',
  'resolveReweightOptions',
  'resolveUnfoldOptions',
  'restoreModel',
  'reweight',
  'searchIterations',
  'selectParticles',
  'selectRows',
  'simColumnList',
  'simSampleFromTable',
  'splitHalves',
  'storedBeforeBlocks',
  'summarize',
  'summaryJson',
  'toYaml11',
  'truthSampleFromTable',
  'uncertaintyRows',
  'unfold',
  'unfoldReplica',
  'validateSamples',
  'validateWeightsBytes',
  'validateWeightsTable',
  'weightColumns',
  'weightedMean',
  'withoutRunLocalOptions',
];

test('src/browser.ts exports exactly the neutral API, the same objects as the Node entry', async () => {
  const browser = (await import('../src/browser.js')) as Record<string, unknown>;
  assert.equal(Object.keys(browser).sort(), EXPORTS);
  const nodeApi = node as Record<string, unknown>;
  // createEngine starts Web Workers here and worker threads in Node: the one name that differs
  const differing = EXPORTS.filter((name) => browser[name] !== nodeApi[name]);
  assert.equal(differing, ['createEngine'], 'names the Node entry must export as the same object');
});

test('the engine version written by the neutral encoder is the package version', () => {
  assert.is(ENGINE_VERSION, PACKAGE.version);
});

test('in a browser-like context the kernels must be provided, and only the real module is taken', async () => {
  const context = browserLikeContext();
  vm.runInContext(await script(), context);
  assert.is(
    vm.runInContext(
      '[typeof require, typeof process, typeof Buffer, typeof module, typeof SharedArrayBuffer].join()',
      context,
    ),
    'undefined,undefined,undefined,undefined,undefined',
  );
  const messages = (await vm.runInContext(
    `(async () => {
      const o = omnifold;
      const toy = o.gaussToy({ nSim: 10, nData: 10 });
      const reasons = [];
      for (const attempt of [
        () => o.unfold(toy.sim, toy.data, { classifier: { type: 'binned', edges: [[-1, 0, 1]] } }),
        () => o.initKernels(new Uint8Array([1, 2, 3, 4])),
        () => o.initKernels(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), // an empty module: no exports
      ]) {
        try { await attempt(); reasons.push('no error'); } catch (error) { reasons.push(error.name + ': ' + error.message); }
      }
      return reasons;
    })()`,
    context,
  )) as string[];
  assert.match(
    messages[0],
    /^KernelError: wasm kernels must be provided before the first unfolding on this platform; got none \(await initKernels/,
  );
  assert.match(
    messages[1],
    /^KernelError: kernel source must be the WebAssembly module omnifold.wasm; got bytes that do not compile/,
  );
  assert.is(
    messages[2],
    'KernelError: kernel module must export memory and heap_base like omnifold.wasm; got exports none',
  );
});

test('the bundle unfolds with binned and MLP classifiers bit for bit like the Node entry, and encodes the same weights file', async () => {
  const context = browserLikeContext();
  vm.runInContext(await script(), context);
  // compiled here, in another realm than the context's: initKernels takes it all the same
  const wasm = new WebAssembly.Module(readFileSync(wasmPath()));
  const run = vm.runInContext(
    `(async (wasm) => {
      const o = omnifold;
      await o.initKernels(wasm);
      const toy = o.gaussToy(${JSON.stringify(TOY)});
      const binned = await o.unfold(toy.sim, toy.data, ${JSON.stringify(BINNED)});
      const mlp = await o.unfold(toy.sim, toy.data, ${JSON.stringify(MLP)});
      const file = o.encodeWeightsFile({
        genNames: ['x'], gen: toy.sim.gen, passGen: toy.sim.passGen, passReco: toy.sim.passReco,
        priorWeights: toy.sim.weights, dataWeightSum: ${TOY.nData}, result: binned,
        configuration: { toy: 'gauss' }, inputs: [],
      });
      return { binned: Array.from(binned.weights), mlp: Array.from(mlp.weights), file: Array.from(file) };
    })`,
    context,
  ) as (wasm: WebAssembly.Module) => Promise<{ binned: number[]; mlp: number[]; file: number[] }>;
  const browser = await run(wasm);

  const toy = node.gaussToy(TOY);
  const binned = await node.unfold(toy.sim, toy.data, BINNED);
  const mlp = await node.unfold(toy.sim, toy.data, MLP);
  assertSameBits('binned weights', browser.binned, binned.weights);
  assertSameBits('MLP weights', browser.mlp, mlp.weights);

  const dir = testDir('omnifold-browser-');
  try {
    const path = join(dir, 'weights.arrow');
    await node.writeWeightsFile(path, {
      genNames: ['x'],
      gen: toy.sim.gen,
      passGen: toy.sim.passGen,
      passReco: toy.sim.passReco,
      priorWeights: toy.sim.weights,
      dataWeightSum: TOY.nData,
      result: binned,
      configuration: { toy: 'gauss' },
      inputs: [],
    });
    assertSameBits('weights file bytes', browser.file, readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What the bundle computes in the context from a replica plan: columns, hashes and the published texts. */
interface PublishedInContext {
  hashes: string[];
  columns: { name: string; family: string; values: number[] }[];
  problems: string[];
  summary: string;
  hepdata: [string, string][];
}

const EDGES = [-3, -1, 0, 1, 3];
let published: Promise<PublishedInContext> | undefined;

/** The replica plan run, merged and published in a browser-like context, once, on first use. */
async function publishInContext(): Promise<PublishedInContext> {
  const context = browserLikeContext();
  vm.runInContext(await script(), context);
  const run = vm.runInContext(
    `(async (wasm) => {
      const o = omnifold;
      await o.initKernels(wasm);
      const toy = o.gaussToy(${JSON.stringify(TOY)});
      const work = o.prepareReplicas(toy.sim, toy.data, ${JSON.stringify(REPLICAS)}, true);
      const store = new o.MemoryReplicaStore();
      for (let k = 0; k < work.plan.length; k++) store.write(await o.computeReplica(work, k));
      const merged = o.mergeReplicas(work, store, []);
      const nominal = merged.nominal;
      const bytes = o.encodeWeightsFile({
        genNames: ['x'], gen: toy.sim.gen, passGen: toy.sim.passGen, passReco: toy.sim.passReco,
        priorWeights: toy.sim.weights, dataWeightSum: ${TOY.nData}, result: nominal,
        replicas: merged.columns.slice(1), configuration: { toy: 'gauss' }, inputs: [],
      });
      const summary = o.summarize({
        genNames: ['x'], gen: toy.sim.gen, passGen: toy.sim.passGen, priorWeights: toy.sim.weights, weights: nominal.weights,
        truth: toy.truth, bins: { x: ${JSON.stringify(EDGES)} }, iterations: nominal.iterations, nDropped: nominal.nDropped,
      });
      const histogram = o.hepdataHistogram(o.decodeWeightsFile(bytes), { obs: 'x', edges: ${JSON.stringify(EDGES)} });
      return {
        hashes: work.hashes,
        columns: merged.columns.map((c) => ({ name: c.name, family: c.family, values: Array.from(c.values) })),
        problems: o.validateWeightsBytes(bytes).problems,
        summary: o.summaryJson(summary),
        hepdata: [...o.hepdataFiles([histogram], { comment: 'browser' })],
      };
    })`,
    context,
  ) as (wasm: WebAssembly.Module) => Promise<PublishedInContext>;
  return run(new WebAssembly.Module(readFileSync(wasmPath())));
}

test('the bundle plans, runs and merges replicas (nominal, 2 data bootstraps, a systematic) bit for bit like the Node entry, with the same hashes', async () => {
  const browser = await (published ??= publishInContext());
  // Array.from: the context's arrays belong to its realm, and deep equality wants this one's
  const toy = node.gaussToy(TOY);
  assert.equal(
    Array.from(browser.hashes),
    node.prepareReplicas(toy.sim, toy.data, REPLICAS, true).hashes,
    'configuration hashes',
  );
  const wanted = (await node.runReplicas(toy.sim, toy.data, REPLICAS)).columns;
  assert.equal(
    Array.from(browser.columns, (c) => `${c.name}:${c.family}`),
    ['weight:nominal', 'data_boot_0:data_bootstrap', 'data_boot_1:data_bootstrap', 'syst_scale:systematic'],
  );
  assert.equal(
    Array.from(browser.columns, (c) => c.name),
    wanted.map((c) => c.name),
  );
  for (const [k, column] of browser.columns.entries())
    assertSameBits(`replica ${column.name}`, column.values, wanted[k].values);
});

test('the bundle validates the weights file, and writes the summary and HEPData texts, like the Node entry writes the files', async () => {
  const browser = await (published ??= publishInContext());
  const toy = node.gaussToy(TOY);
  const run = await node.runReplicas(toy.sim, toy.data, REPLICAS);
  const dir = testDir('omnifold-browser-publish-');
  try {
    const weightsPath = join(dir, 'weights.arrow');
    await node.writeWeightsFile(weightsPath, {
      genNames: ['x'],
      gen: toy.sim.gen,
      passGen: toy.sim.passGen,
      passReco: toy.sim.passReco,
      priorWeights: toy.sim.weights,
      dataWeightSum: TOY.nData,
      result: run.nominal,
      replicas: run.columns.slice(1),
      configuration: { toy: 'gauss' },
      inputs: [],
    });
    assert.equal(Array.from(browser.problems), (await node.validateWeightsFile(weightsPath)).problems);
    assert.equal(Array.from(browser.problems), [], 'the weights file made in the context is valid');

    const summary = node.summarize({
      genNames: ['x'],
      gen: toy.sim.gen,
      passGen: toy.sim.passGen,
      priorWeights: toy.sim.weights,
      weights: run.nominal.weights,
      truth: toy.truth,
      bins: { x: EDGES },
      iterations: run.nominal.iterations,
      nDropped: run.nominal.nDropped,
    });
    await node.writeSummary(join(dir, 'summary.json'), summary);
    assert.is(browser.summary, readFileSync(join(dir, 'summary.json'), 'utf8'), 'summary.json text');

    const histogram = node.hepdataHistogram(await node.readWeightsFile(weightsPath), { obs: 'x', edges: EDGES });
    const names = await node.writeHepdata(join(dir, 'hepdata'), [histogram], { comment: 'browser' });
    assert.equal(
      Array.from(browser.hepdata, ([name]) => name),
      names,
    );
    assert.ok(
      names.includes('x_covariance.yaml'),
      `the replicas give a covariance table; got files ${names.join(', ')}`,
    );
    for (const [name, text] of browser.hepdata)
      assert.is(text, readFileSync(join(dir, 'hepdata', name), 'utf8'), `HEPData ${name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle renders a figure to the SVG text Node renders', async () => {
  // structuredClone: a browser global that vega-lite uses
  const context = vm.createContext({ TextEncoder, TextDecoder, URL, structuredClone });
  vm.runInContext('delete globalThis.SharedArrayBuffer; delete globalThis.Atomics;', context);
  vm.runInContext(await script(), context);
  const figure = {
    name: 'x',
    label: 'x',
    edges: [0, 1, 2, 3],
    unfolded: { values: [10, 40, 25], errors: [2, 4, 3] },
    prior: { values: [20, 35, 20] },
    truth: { values: [11, 38, 27] },
    chi2: { unfolded: { chi2: 1.2, ndf: 2 }, prior: { chi2: 9.5, ndf: 2 } },
  };
  const svg = (await vm.runInContext(
    `omnifold.renderSvg(omnifold.observableFigure(${JSON.stringify(figure)}))`,
    context,
  )) as string;
  const { renderSvg } = await import('../src/plots/render.js');
  const { observableFigure } = await import('../src/plots/observable_figure.js');
  assert.ok(svg.startsWith('<svg'), `an SVG document; got ${svg.slice(0, 40)}`);
  assert.is(svg, await renderSvg(observableFigure(figure)));
});

/** Every value identical (Object.is: -0 and 0 differ), naming the first difference. */
function assertSameBits(what: string, received: readonly number[], wanted: ArrayLike<number>): void {
  assert.is(received.length, wanted.length, `${what}: length`);
  const first = received.findIndex((value, i) => !Object.is(value, wanted[i]));
  assert.is(first, -1, `${what}: first difference at index ${first}: got ${received[first]}, wanted ${wanted[first]}`);
}

test.run();
