// Stored replicas: a file is used only when it is whole and its weights match the SHA-256
// stored with them; every other state is told apart with its reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readReplica,
  removeStaleTemporaries,
  replicaPath,
  writeReplica,
  type StoredReplicaHeader,
} from '../src/uncertainty/replica_store.js';
import { testDir } from './helpers/temp_dir.js';

const dir = testDir('omnifold-replica-store-');
const weights = Float64Array.from([1.5, -0.25, 0, Number.MAX_VALUE, 5e-324]);
const header: StoredReplicaHeader = {
  name: 'data_boot_0',
  family: 'data_bootstrap',
  hash: 'abc',
  nEvents: weights.length,
  extra: { nDropped: 2 },
};

function damaged(name: string, mutate: (bytes: Buffer) => Buffer | string): string {
  writeReplica(dir, { ...header, name }, weights);
  const path = replicaPath(dir, name);
  writeFileSync(path, mutate(readFileSync(path)));
  const lookup = readReplica(dir, name);
  assert.is(lookup.status, 'damaged');
  return (lookup as { reason: string }).reason;
}

test('a written replica reads back whole, bit for bit, with its header', () => {
  writeReplica(dir, header, weights);
  const lookup = readReplica(dir, 'data_boot_0');
  assert.is(lookup.status, 'found');
  const { replica } = lookup as Extract<typeof lookup, { status: 'found' }>;
  assert.equal(replica.header, header);
  assert.equal(Array.from(replica.weights), Array.from(weights));
  assert.equal(readdirSync(dir), ['data_boot_0.f64rep'], 'no temporary file left');
});

test('absent, and every kind of damage, each with its reason', () => {
  assert.equal(readReplica(dir, 'nothing_here'), { status: 'absent' });
  assert.is(
    damaged('flip', (b) => ((b[b.length - 8] ^= 1), b)),
    'weights whose SHA-256 differs from the one stored with them',
  );
  assert.match(
    damaged('short', (b) => b.subarray(0, b.length - 8)),
    /^32 weight bytes where 5 weights need 40$/,
  );
  assert.is(
    damaged('empty', () => ''),
    '0 bytes, shorter than a header',
  );
  assert.is(
    damaged('magic', (b) => ((b[0] = 0x41), b)),
    'another format or version (magic bytes differ)',
  );
  assert.match(
    damaged('header-length', (b) => (b.writeUInt32LE(1e9, 8), b)),
    /^a header of 1000000000 bytes in a file of \d+$/,
  );
  assert.is(
    damaged('header-json', (b) => ((b[12] = 0x7d), b)),
    'a header that is not JSON',
  );
});

test('a header naming no replica family is damaged', () => {
  writeReplica(dir, { ...header, name: 'odd_family', family: 'ensemble' as StoredReplicaHeader['family'] }, weights);
  assert.equal(readReplica(dir, 'odd_family'), {
    status: 'damaged',
    reason:
      'a header whose family must be one of nominal, data_bootstrap, sim_bootstrap, background_bootstrap, systematic; got "ensemble"',
  });
  const { family: _family, ...noFamily } = header;
  writeReplica(dir, { ...noFamily, name: 'no_family' } as StoredReplicaHeader, weights);
  assert.equal(readReplica(dir, 'no_family'), {
    status: 'damaged',
    reason:
      'a header whose family must be one of nominal, data_bootstrap, sim_bootstrap, background_bootstrap, systematic; got none',
  });
});

test('a file stored under another replica name is not that replica', () => {
  writeReplica(dir, { ...header, name: 'sim_boot_1' }, weights);
  writeFileSync(replicaPath(dir, 'sim_boot_2'), readFileSync(replicaPath(dir, 'sim_boot_1')));
  assert.equal(readReplica(dir, 'sim_boot_2'), {
    status: 'damaged',
    reason: 'the replica "sim_boot_1" under this name',
  });
});

test('temporary files of a killed write are removed, finished replicas kept', () => {
  const d = testDir('omnifold-replica-tmp-');
  writeReplica(d, header, weights);
  writeFileSync(join(d, 'weight.f64rep.tmp-4242'), 'half');
  writeFileSync(join(d, 'notes.txt'), "not ours to judge, but this folder is the engine's");
  removeStaleTemporaries(d);
  assert.equal(readdirSync(d).sort(), ['data_boot_0.f64rep', 'notes.txt']);
});

test('replica names are checked', () => {
  assert.throws(() => replicaPath(dir, '../escape'), /^replica name must match \[A-Za-z0-9_.-\]\+; got "..\/escape"$/);
});

test.run();
