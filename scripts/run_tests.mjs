#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu in one process and
// prints the closing line `N passed, N failed[, N skipped]` that CI reads.
// Usage: node scripts/run_tests.mjs [pattern]   (pattern: a regex on the test file path)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const dir = 'dist/test';
if (!existsSync(dir)) {
  console.error(`run_tests: ${dir} must exist; got none (run npm run build first)`);
  process.exit(2);
}
// only compiled test files (never their .d.ts), optionally those whose path matches argv[2]
const pattern = process.argv[2] === undefined ? '\\.test\\.js$' : `^(?=.*(?:${process.argv[2]})).*\\.test\\.js$`;
const child = spawn(process.execPath, ['node_modules/uvu/bin.js', dir, pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
child.on('close', (code) => {
  const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
  const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  let failed = total - passed - skipped;
  if (code !== 0 && failed === 0) failed = 1; // a file that crashed before uvu counted it
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
