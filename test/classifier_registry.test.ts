/**
 * The classifier registry: one entry per kind, read by unfold()'s option check, the
 * factory, the CLI flags and --help; run-local options left out of stored configurations.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveUnfoldOptions } from '../src/algorithm/options.js';
import { InputError } from '../src/base/errors.js';
import {
  CLASSIFIER_FLAGS,
  CLASSIFIER_KINDS,
  CLASSIFIER_TYPES,
  createClassifier,
  type ClassifierSpec,
  withoutRunLocalOptions,
} from '../src/classifiers/registry.js';
import { UNFOLD_FLAGS, unfoldHelp } from '../src/cli/unfold_args.js';
import { planUnfold, RUN_LOCAL_ARGS } from '../src/cli/unfold_plan.js';
import { MLP_CLASSIFIER } from '../src/classifiers/mlp/kind.js';

test('the kinds, in registry order, name themselves', () => {
  assert.equal([...CLASSIFIER_TYPES], ['mlp', 'binned', 'pfn']);
  for (const kind of CLASSIFIER_KINDS) assert.is(kind.type, CLASSIFIER_TYPES[CLASSIFIER_KINDS.indexOf(kind)]);
});

test('each kind: a checked spec builds a classifier of that kind', () => {
  const specs = {
    mlp: { type: 'mlp', hidden: [4] },
    binned: { type: 'binned', edges: [[0, 1]] },
    pfn: { type: 'pfn', phi: [4, 3], f: [2] },
  };
  for (const kind of CLASSIFIER_KINDS) {
    const spec = kind.check('options.classifier', specs[kind.type]);
    assert.is(createClassifier(spec).spec.type, kind.type);
    assert.is(resolveUnfoldOptions({ classifier: spec }).classifier.type, kind.type);
  }
});

test('unknown kinds and unknown options are refused, naming the path', () => {
  assert.throws(
    () => resolveUnfoldOptions({ classifier: { type: 'tree' } as never }),
    (e: Error) =>
      e instanceof InputError &&
      /^options\.classifier\.type must be one of mlp, binned, pfn; got "tree"$/.test(e.message),
  );
  assert.throws(
    () => resolveUnfoldOptions({ classifier: { type: 'mlp', depth: 3 } as never }),
    (e: Error) => /^options\.classifier must only have the keys type, hidden, .*; got "depth"$/.test(e.message),
  );
  assert.throws(
    () => resolveUnfoldOptions({ classifier: { type: 'binned', edges: [[0, 1]], hidden: [4] } as never }),
    (e: Error) => /^options\.classifier must only have the keys type, edges; got "hidden"$/.test(e.message),
  );
});

test('every classifier flag is an unfold flag with its help line, and names are unique', () => {
  const names = CLASSIFIER_FLAGS.map((flag) => flag.name);
  assert.is(new Set(names).size, names.length, 'flag names are unique across kinds');
  const help = unfoldHelp();
  for (const flag of CLASSIFIER_FLAGS) {
    assert.is(UNFOLD_FLAGS[flag.name]?.help, flag.help, `--${flag.name} help`);
    assert.ok(help.includes(`--${flag.name} X`), `--${flag.name} in --help`);
  }
});

test("flags set the chosen kind's options; every kind's flags are checked", () => {
  const plan = planUnfold({ hidden: '8,8', lr: '0.01', 'resident-mib': '0' });
  assert.is(plan.classifier, 'mlp');
  assert.equal(plan.classifierOptions, { hidden: [8, 8], learningRate: 0.01, residentMiB: 0 });
  assert.equal(planUnfold({ classifier: 'binned', hidden: '8' }).classifierOptions, {});
  const pfn = planUnfold({
    toy: 'jets',
    classifier: 'pfn',
    phi: '8,4',
    f: '6',
    epochs: '3',
    hidden: '8',
    'event-features': 'no',
  });
  assert.equal(pfn.classifierOptions, { phi: [8, 4], f: [6], epochs: 3, eventFeatures: false });
  assert.throws(
    () => planUnfold({ toy: 'jets', classifier: 'pfn', phi: '8,x' }),
    /^--phi must be comma-separated positive integers; got "8,x"$/,
  );
  assert.throws(
    () => planUnfold({ classifier: 'binned', epochs: '0' }),
    /^--epochs must be a positive integer; got "0"$/,
  );
});

test('run-local options: --resident-mib is a run-local flag, residentMiB is not stored', () => {
  assert.ok(RUN_LOCAL_ARGS.includes('resident-mib'));
  assert.not.ok(RUN_LOCAL_ARGS.includes('epochs'));
  const spec = { type: 'mlp' as const, hidden: [4], residentMiB: 0 };
  assert.equal(withoutRunLocalOptions(spec), { type: 'mlp', hidden: [4] });
  const binned = { type: 'binned' as const, edges: [[0, 1]] };
  assert.is(withoutRunLocalOptions(binned), binned);
});

test('--decorrelate COL: its position in --reco or --gen (the same in both), or a 0-based index; --disco-lambda with it', () => {
  const inputs = { genNames: ['pt', 'eta', 'm'], recoNames: ['pt_reco', 'eta', 'm_reco'], bins: {} };
  const spec = (args: Record<string, string>) => {
    const plan = planUnfold(args);
    return MLP_CLASSIFIER.cliSpec(plan.classifierOptions, inputs);
  };
  assert.equal(spec({ decorrelate: 'm_reco', 'disco-lambda': '0.5' }), {
    type: 'mlp',
    decorrelate: 2,
    discoLambda: 0.5,
  });
  assert.is(spec({ decorrelate: 'pt', 'disco-lambda': '0' }).decorrelate, 0);
  assert.is(spec({ decorrelate: 'eta', 'disco-lambda': '1' }).decorrelate, 1);
  assert.is(spec({ decorrelate: '2', 'disco-lambda': '1' }).decorrelate, 2);
  const swapped = { genNames: ['pt', 'eta'], recoNames: ['eta', 'pt'], bins: {} };
  assert.throws(
    () => MLP_CLASSIFIER.cliSpec(planUnfold({ decorrelate: 'eta', 'disco-lambda': '1' }).classifierOptions, swapped),
    /^--decorrelate must name a column at the same position in --gen and --reco \(the lists are parallel\); got "eta" at gen position 1 and reco position 0$/,
  );
  assert.throws(
    () => spec({ decorrelate: 'phi', 'disco-lambda': '1' }),
    /^--decorrelate must be a --gen or --reco column \(pt_reco, eta, m_reco, pt, m\) or a 0-based index below 3; got "phi"$/,
  );
  assert.throws(() => spec({ decorrelate: '3', 'disco-lambda': '1' }), /or a 0-based index below 3; got "3"$/);
  assert.throws(
    () => spec({ decorrelate: 'pt' }),
    /^--decorrelate must come with --disco-lambda λ; got --decorrelate "pt" without it$/,
  );
  assert.throws(
    () => spec({ 'disco-lambda': '2' }),
    /^--disco-lambda must come with --decorrelate COL; got --disco-lambda 2 without it$/,
  );
  for (const bad of ['-1', 'x', '', 'Infinity'])
    assert.throws(
      () => planUnfold({ decorrelate: 'pt', 'disco-lambda': bad }),
      new RegExp(`^--disco-lambda must be a finite number >= 0; got "${bad}"$`),
    );
  assert.throws(
    () => planUnfold({ classifier: 'binned', decorrelate: 'pt', 'disco-lambda': '1' }),
    /^--decorrelate must be used with --classifier mlp or pfn \(classifier binned has no such option\); got --classifier binned$/,
  );
  assert.equal(
    planUnfold({ toy: 'jets', classifier: 'pfn', decorrelate: '2', 'disco-lambda': '1' }).classifierOptions,
    { decorrelate: '2', discoLambda: 1 },
  );
  // stored: both options are in the checked spec (they change the weights)
  assert.equal(resolveUnfoldOptions({ classifier: { type: 'mlp', decorrelate: 1, discoLambda: 0.5 } }).classifier, {
    type: 'mlp',
    gradientBlocks: 8,
    decorrelate: 1,
    discoLambda: 0.5,
  });
});

test('--disco-class pooled|each|0|1: the events of the penalty, only with --decorrelate; stored as given', () => {
  const inputs = { genNames: ['pt', 'eta'], recoNames: ['pt', 'eta'], bins: {} };
  const spec = (args: Record<string, string>) => MLP_CLASSIFIER.cliSpec(planUnfold(args).classifierOptions, inputs);
  const args = { decorrelate: 'eta', 'disco-lambda': '1' };
  assert.is(spec({ ...args, 'disco-class': '0' }).discoClass, 0);
  assert.is(spec({ ...args, 'disco-class': '1' }).discoClass, 1);
  assert.is(spec({ ...args, 'disco-class': 'each' }).discoClass, 'each');
  assert.is(spec({ ...args, 'disco-class': 'pooled' }).discoClass, 'pooled');
  assert.is(spec(args).discoClass, undefined);
  assert.throws(
    () => planUnfold({ ...args, 'disco-class': '2' }),
    /^--disco-class must be one of pooled, each, 0, 1; got "2"$/,
  );
  assert.throws(
    () => spec({ 'disco-class': 'each' }),
    /^--disco-class must come with --decorrelate COL and --disco-lambda λ; got --disco-class "each" without them$/,
  );
  assert.throws(
    () => planUnfold({ classifier: 'binned', 'disco-class': 'each' }),
    /^--disco-class must be used with --classifier mlp or pfn \(classifier binned has no such option\); got --classifier binned$/,
  );
  assert.equal(
    planUnfold({ toy: 'jets', classifier: 'pfn', decorrelate: '2', 'disco-lambda': '1', 'disco-class': '0' })
      .classifierOptions,
    { decorrelate: '2', discoLambda: 1, discoClass: 0 },
  );
  // the spec's check: one of the four values, and only with decorrelate
  const classifier = (c: Record<string, unknown>) =>
    resolveUnfoldOptions({ classifier: c as unknown as ClassifierSpec }).classifier;
  assert.equal(classifier({ type: 'mlp', decorrelate: 1, discoLambda: 0.5, discoClass: 'each' }), {
    type: 'mlp',
    gradientBlocks: 8,
    decorrelate: 1,
    discoLambda: 0.5,
    discoClass: 'each',
  });
  assert.throws(
    () => classifier({ type: 'mlp', decorrelate: 1, discoLambda: 0.5, discoClass: '0' }),
    /discoClass must be one of 'pooled', 'each', 0, 1; got "0"/,
  );
  assert.throws(() => classifier({ type: 'pfn', discoClass: 1 }), /decorrelate must be given with .*discoClass/);
});

test.run();
