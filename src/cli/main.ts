/**
 * `omnifold` command-line entry: dispatches to a subcommand. Owns stdout and stderr.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    const pkg = require('../../../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  process.stderr.write(`omnifold: command must be one of --version; got ${JSON.stringify(argv[0] ?? '')}\n`);
  return 2;
}
