/**
 * `omnifold plot OUT/ [--no-png] [--scale S]`: regenerates OUT/plots/*.svg, *.png and
 * OUT/report.html from OUT/weights.arrow and OUT/summary.json.
 */
import { checkOutputDir, InputError, writePlotsAndReport } from '../index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';

const USAGE =
  'usage: omnifold plot OUT_DIR [--no-png] [--scale S]   (reads OUT_DIR/weights.arrow and OUT_DIR/summary.json)';

const OPTIONS = {
  'no-png': { type: 'boolean' },
  scale: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const;

/** Runs `omnifold plot` with `argv` (after the subcommand); resolves to the exit code. */
export async function runPlot(argv: string[]): Promise<number> {
  let outDir: string;
  let png = true;
  let scale: number | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: joinDashValues(argv, OPTIONS),
      allowPositionals: true,
      options: OPTIONS,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1)
      throw new Error(`plot must be given one output directory; got ${positionals.length} (${USAGE})`);
    outDir = positionals[0];
    png = !values['no-png'];
    if (values.scale !== undefined) {
      scale = Number(values.scale);
      if (!(scale > 0 && scale <= 8))
        throw new Error(`--scale must be a number in (0, 8]; got ${JSON.stringify(values.scale)}`);
    }
  } catch (error) {
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  try {
    for (const needed of ['weights.arrow', 'summary.json']) {
      if (!existsSync(join(outDir, needed)))
        throw new InputError(`plot folder ${outDir} must hold ${needed} (an omnifold output); got none`);
    }
    // only the figures and the report are replaced, and only where the engine wrote them
    const out = await checkOutputDir(outDir, {
      subject: 'plot folder',
      command: 'plot',
      force: true,
      update: true,
      writes: ['plots', 'report.html'],
    });
    let result: Awaited<ReturnType<typeof writePlotsAndReport>> | undefined;
    await out.commit(async (staging) => {
      result = await writePlotsAndReport(staging, { png, pngScale: scale, runDir: outDir });
    });
    if (result === undefined) throw new Error('plot must write its figures; got none');
    const nFigures = result.files.filter((f) => f.endsWith('.svg')).length;
    process.stdout.write(`wrote ${nFigures} figures under ${outDir}/plots and ${outDir}/report.html\n`);
    for (const w of result.warnings) process.stdout.write(`warning: ${w.where}: ${w.message}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    if (argv.includes('--debug') && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return error instanceof InputError ? 2 : 1;
  }
}
