import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../src/index.js';

// The public API is exactly this list. Adding or removing an export is a decision: update
// the list in the same commit, and the README/CHANGELOG if users see the change.
const EXPORTS = [
  'BinnedClassifier', 'CLASSIFIER_FLAGS', 'CLASSIFIER_KINDS', 'CLASSIFIER_TYPES',
  'COLUMN_FAMILIES', 'COLUMN_ROLES', 'Expression', 'FAKES_MODES', 'FAMILIES', 'GAUSS_TOY_DEFAULTS',
  'Histogram', 'InProcessExecutor', 'InProcessRunner', 'InputError', 'KernelError',
  'LEPTON_JET_TOY_DEFAULTS', 'LOOP_STEPS', 'MISSES_MODES', 'MLP_DEFAULTS', 'MemoryReplicaStore',
  'MlpClassifier', 'Moments', 'NumericalError', 'OmniFoldError', 'OutputDir', 'PURPOSE',
  'PoolExecutor', 'PoolRunner', 'REPLICA_FAMILIES', 'REPLICA_KIND', 'RandomStream', 'ReplicaRun',
  'STEP', 'SUPPORTED_EXTENSIONS', 'SUPPORTED_FORMAT_VERSIONS', 'UNFOLD_DEFAULTS', 'WorkerError',
  'binnedSums', 'checkEdges', 'checkInputFile', 'checkOutputDir', 'checkOutputFile',
  'checkSystematic', 'choiceFlag', 'classifierKind', 'clipRatio', 'column', 'combineReplicas',
  'computeReplica', 'correlationFigure', 'correlationMatrix', 'createClassifier',
  'dataSampleFromTable', 'decodeWeightsFile', 'describeInputFile', 'describeStat', 'describeValue',
  'diagnosticsFigure', 'diagonalSqrt', 'encodeWeightsFile', 'engineVersion', 'featureMatrix',
  'fitMember', 'fitMemberWith', 'fromColumns', 'gaussToy', 'hepdataFiles', 'hepdataHistogram',
  'histogramUncertainties', 'initKernels', 'integerFlag', 'isRunLocalClassifierFlag',
  'leptonJetToy', 'listFlag', 'maskIndices', 'meanUncertainties', 'mergeMoments', 'mergeReplicas',
  'observableFigure', 'orList', 'parseExpression', 'planReplicas', 'poissonOneWeights',
  'positiveNumberFlag', 'prepareReplicas', 'readArrow', 'readCsv', 'readHdf5', 'readNpy',
  'readNpz', 'readParquet', 'readRoot', 'readTable', 'readWeights', 'readWeightsFile', 'renderSvg',
  'replicaInputs', 'replicaUncertainties', 'resolveThreadCount', 'resolveUnfoldOptions',
  'runReplicas', 'runWarnings', 'simColumnList', 'simSampleFromTable', 'splitObjectPath',
  'summarize', 'summaryJson', 'truthSampleFromTable', 'unfold', 'unfoldReplica', 'validateSamples',
  'validateWeightsBytes', 'validateWeightsFile', 'validateWeightsTable', 'weightColumns',
  'weightedMean', 'withoutRunLocalOptions', 'writeFileWhole', 'writeHdf5', 'writeHepdata',
  'writeNpy', 'writeNpz', 'writeOutputDir', 'writeParquet', 'writePlotsAndReport', 'writeSummary',
  'writeWeightsFile',
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
