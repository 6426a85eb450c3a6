// The weight-column families are written once (src/uncertainty/families.ts); these tests
// check that the places reading the table agree with it and with the documented format.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COLUMN_ROLES } from '../src/publish/validate.js';
import {
  COLUMN_FAMILIES,
  combinationMetadata,
  entersUncertainty,
  familyWithRole,
  FAMILIES,
  isCovarianceFamily,
  REPLICA_FAMILIES,
  weightColumns,
} from '../src/uncertainty/families.js';
import { planReplicas } from '../src/uncertainty/replicas.js';

test('families in column order, replicas and covariance roles', () => {
  assert.equal(
    [...COLUMN_FAMILIES],
    ['nominal', 'ensemble', 'data_bootstrap', 'sim_bootstrap', 'background_bootstrap', 'systematic'],
  );
  assert.equal(
    [...REPLICA_FAMILIES],
    ['nominal', 'data_bootstrap', 'sim_bootstrap', 'background_bootstrap', 'systematic'],
  );
  assert.equal(COLUMN_FAMILIES.filter(isCovarianceFamily), [
    'ensemble',
    'data_bootstrap',
    'sim_bootstrap',
    'background_bootstrap',
    'systematic',
  ]);
  assert.equal(COLUMN_FAMILIES.filter(entersUncertainty), [...COLUMN_FAMILIES]);
  assert.is(familyWithRole('stat'), 'data_bootstrap');
  assert.is(familyWithRole('sim-stat'), 'sim_bootstrap');
  assert.is(familyWithRole('background-stat'), 'background_bootstrap');
  assert.is(familyWithRole('shift'), 'systematic');
  assert.is(familyWithRole('standard-error'), 'ensemble');
});

// Column names and stream kinds of a plan are pinned in test/replicas.test.ts.
test('every planned replica belongs to a replica family', () => {
  const plan = planReplicas({
    dataBootstraps: 2,
    simBootstraps: 1,
    backgroundBootstraps: 1,
    systematics: [{ name: 'jes', kind: 'weight', weights: new Float64Array(0) }],
  });
  assert.equal([...new Set(plan.map((p) => p.family))], [...REPLICA_FAMILIES]);
  for (const p of plan) assert.is(p.kind, FAMILIES[p.family].streamKind, p.name);
});

test('every family is a valid column role and has its combination sentence', () => {
  for (const family of COLUMN_FAMILIES) assert.ok(COLUMN_ROLES.includes(family), family);
  assert.equal(Object.keys(combinationMetadata()), [...COLUMN_FAMILIES, 'total']);
});

test('docs/weights-format.md documents every family with the sentence files store', () => {
  const doc = readFileSync(new URL('../../docs/weights-format.md', import.meta.url), 'utf8');
  for (const [family, sentence] of Object.entries(combinationMetadata())) {
    // A table row that starts with the family's name (Prettier pads the cells).
    assert.ok(new RegExp(`^\\| \`${family}\` +\\|`, 'm').test(doc), `the families table lacks ${family}`);
    assert.ok(doc.includes(sentence), `the stored sentences lack ${family}'s: ${sentence}`);
  }
});

test('weightColumns keeps listed family columns in file order, filtered', () => {
  const listed = [
    { name: 'gen_x', role: 'gen_feature' },
    { name: 'weight', role: 'nominal' },
    { name: 'member_0', role: 'ensemble' },
    { name: 'data_boot_0', role: 'data_bootstrap' },
    { name: 'pass_gen', role: 'mask' },
    { name: 'syst_a', role: 'systematic' },
  ];
  const values = (name: string) => Float64Array.of(name.length);
  assert.equal(
    weightColumns(listed, values).map((c) => [c.name, c.family]),
    [
      ['weight', 'nominal'],
      ['member_0', 'ensemble'],
      ['data_boot_0', 'data_bootstrap'],
      ['syst_a', 'systematic'],
    ],
  );
  assert.equal(
    weightColumns(
      listed,
      values,
      (f) => f !== 'ensemble',
      (name) => name !== 'syst_a',
    ).map((c) => c.name),
    ['weight', 'data_boot_0'],
  );
});

test.run();
