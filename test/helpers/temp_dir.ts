/**
 * Temporary folders for tests: each is made under the system's temporary folder and removed,
 * with everything in it, when the test process exits, whether the tests passed or failed.
 * Set OMNIFOLD_KEEP_TEST_DIRS=1 to keep them (their paths are then printed on exit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

function removeAll(): void {
  if (process.env.OMNIFOLD_KEEP_TEST_DIRS === '1') {
    for (const dir of made) console.error(`kept ${dir}`);
    return;
  }
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}

/** A new empty folder `<tmp>/<prefix>XXXXXX`, removed when the process exits. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.length === 0) process.on('exit', removeAll);
  made.push(dir);
  return dir;
}
