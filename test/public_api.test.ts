import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../src/index.js';

// The public API is exactly this list. Adding or removing an export is a decision: update
// the list in the same commit, and the README/CHANGELOG if users see the change.
const EXPORTS = [
  'BinnedClassifier', 'COLUMN_ROLES', 'Expression', 'GAUSS_TOY_DEFAULTS', 'Histogram',
  'InProcessExecutor', 'InProcessRunner', 'InputError', 'KernelError', 'LEPTON_JET_TOY_DEFAULTS',
  'MLP_DEFAULTS', 'MlpClassifier', 'Moments', 'NumericalError', 'OmniFoldError', 'PURPOSE',
  'PoolExecutor', 'PoolRunner', 'REPLICA_KIND', 'RandomStream', 'ReplicaRun', 'STEP',
  'SUPPORTED_EXTENSIONS', 'SUPPORTED_FORMAT_VERSIONS', 'UNFOLD_DEFAULTS', 'WorkerError',
  'binnedSums', 'checkEdges', 'checkSystematic', 'clipRatio', 'column', 'combineRatios',
  'combineReplicas', 'computeReplica', 'correlationMatrix', 'createClassifier',
  'dataSampleFromTable', 'diagonalSqrt', 'featureMatrix', 'fitMember', 'fitMemberWith',
  'fromColumns', 'gaussToy', 'hepdataFiles', 'hepdataHistogram', 'leptonJetToy', 'maskIndices',
  'mergeMoments', 'parseExpression', 'philox4x32', 'planReplicas', 'poissonOneWeights',
  'prepareReplicas', 'readArrow', 'readCsv', 'readHdf5', 'readNpy', 'readNpz', 'readParquet',
  'readRoot', 'readTable', 'readWeightsFile', 'replicaInputs', 'replicaUncertainties',
  'resolveThreadCount', 'resolveUnfoldOptions', 'runReplicas', 'selectRows',
  'simSampleFromTable', 'splitObjectPath', 'streamKey', 'summarize', 'truthSampleFromTable',
  'unfold', 'unfoldReplica', 'validateSamples', 'validateWeightsFile', 'validateWeightsTable',
  'weightedMean', 'writeHdf5', 'writeHepdata', 'writeNpy', 'writeNpz', 'writeOutputDir',
  'writeParquet', 'writePlotsAndReport', 'writeSummary', 'writeWeightsFile',
];

test('src/index.ts exports exactly the public API (sorted names)', () => {
  assert.equal(Object.keys(api).sort(), EXPORTS);
});

test('importing the public API prints nothing', async () => {
  const { spawnSync } = await import('node:child_process');
  const script = "import('./dist/src/index.js').then(() => {})";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, '');
});

test.run();
