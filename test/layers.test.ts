// The rooms of src/ and the one direction of their dependencies (CONTRIBUTING.md,
// "Layers"): a module may import from its own folder and from folders listed before it.
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * The folders of src/, lowest first. `entry` stands for the entry points at the top of
 * src/ (the public API); the CLI sits on top of it.
 */
const LAYERS = [
  'base',
  'kernels',
  'analysis',
  'classifiers',
  'algorithm',
  'uncertainty',
  'execution',
  'io',
  'publish',
  'toys',
  'plots',
  'report',
  'engine',
  'entry',
  'cli',
];
const ENTRY_POINTS = ['index.ts', 'browser.ts'];

function sources(dir = ''): string[] {
  return readdirSync(posix.join(SRC, dir), { withFileTypes: true }).flatMap((e) => {
    const path = posix.join(dir, e.name);
    return e.isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers a file imports, statically or dynamically. */
function imports(file: string): string[] {
  const text = readFileSync(posix.join(SRC, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
}

function room(path: string): string {
  return path.includes('/') ? path.split('/')[0] : 'entry';
}

const rank = (r: string) => LAYERS.indexOf(r);

test('every folder of src/ is a listed layer and only entry points sit at the top', () => {
  const rooms = new Set(sources().map(room));
  for (const r of rooms) assert.ok(r === 'entry' || LAYERS.includes(r), `src/${r}/ must be listed in LAYERS`);
  const top = sources().filter((p) => !p.includes('/'));
  assert.equal(
    top.filter((p) => !ENTRY_POINTS.includes(p)),
    [],
    'files at the top of src/ must be entry points',
  );
});

test('dependencies between the folders of src/ point one way', () => {
  const wrong: string[] = [];
  for (const file of sources()) {
    for (const spec of imports(file)) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      if (target.startsWith('..')) continue; // outside src/ (the worker file's URL)
      const from = room(file);
      const to = room(target);
      if (from !== to && rank(to) > rank(from))
        wrong.push(`${file} imports ${target} (${from} must not depend on ${to})`);
    }
  }
  assert.equal(wrong, []);
});

test('the CLI uses only the public API (src/index.ts) and its own modules', () => {
  const wrong: string[] = [];
  for (const file of sources().filter((p) => room(p) === 'cli')) {
    for (const spec of imports(file)) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      if (room(target) !== 'cli' && target !== 'index.js') wrong.push(`${file} imports ${target}`);
    }
  }
  assert.equal(wrong, []);
});

test.run();
