/**
 * Frozen external references (test/reference/<name>.json, each with the make_<name>.py
 * that produced it), read from the repository whether the tests run from test/ or from
 * the compiled dist/test/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Reference {
  what: string;
  producedBy: string;
  date: string;
  inputs: Record<string, unknown>;
  tolerance: { rtol: number; atol: number; why?: string };
  values: number[][];
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`repository root must hold package.json; got none above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The reference `test/reference/<name>.json`. */
export function loadReference(name: string): Reference {
  return JSON.parse(readFileSync(join(repositoryRoot(), 'test', 'reference', `${name}.json`), 'utf8')) as Reference;
}
