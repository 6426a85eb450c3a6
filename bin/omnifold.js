#!/usr/bin/env node
// The `omnifold` command: runs the compiled CLI (npm run build makes dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
