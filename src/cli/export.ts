/**
 * `omnifold export OUT/ --hepdata DIR --obs EXPR --bins SPEC [--obs EXPR --bins SPEC …]
 *  [--label TEXT] [--unit TEXT] [--normalise events|xsec:LUMI[:UNIT]|shape] [--where EXPR]
 *  [--parquet FILE] [--hdf5 FILE]`
 *
 * A HEPData submission folder with one table per histogram and its covariance, and/or
 * Parquet and HDF5 copies of every column of weights.arrow for Python users (the metadata
 * goes beside each copy as `<FILE>.metadata.json`, since those writers take no metadata).
 * The HEPData folder follows the output-folder rules of `unfold --out`; existing files are
 * replaced only with `--force` (src/io/output_dir.ts, src/io/output_file.ts).
 */
import {
  checkOutputDir,
  checkOutputFile,
  hepdataHistogram,
  InputError,
  type NumericColumn,
  parseNormalisation,
  readLinkedWeightsFiles,
  readWeightsFile,
  writeFileWhole,
  writeHdf5,
  writeHepdata,
  writeParquet,
} from '../index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseBins } from './bins.js';
import { joinDashValues } from './dash_values.js';

const USAGE =
  'usage: omnifold export OUT_DIR [--hepdata DIR --obs EXPR --bins lo:hi:n|e0,e1,... [--obs … --bins …] [--label TEXT] [--unit TEXT] [--normalise events|xsec:LUMI[:UNIT]|shape] [--where EXPR]] [--parquet FILE] [--hdf5 FILE] [--force]';

const OPTIONS = {
  hepdata: { type: 'string' },
  obs: { type: 'string', multiple: true },
  bins: { type: 'string', multiple: true },
  where: { type: 'string' },
  label: { type: 'string', multiple: true },
  unit: { type: 'string', multiple: true },
  normalise: { type: 'string' },
  parquet: { type: 'string' },
  hdf5: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The values of an option given once per --obs or once for all, one per observable;
 * undefined when not given.
 */
function perObservable(option: string, given: string[] | undefined, nObs: number): string[] | undefined {
  if (given === undefined) return undefined;
  if (given.length !== 1 && given.length !== nObs)
    throw new InputError(`${option} must be given once per --obs (${nObs}) or once for all; got ${given.length}`);
  return Array.from({ length: nObs }, (_, k) => given[given.length === 1 ? 0 : k]);
}

/** A folder holding a HEPData submission as this command writes it: submission.yaml and YAML tables. */
function isHepdataSubmission(entries: readonly string[]): boolean {
  return entries.includes('submission.yaml') && entries.every((e) => e.endsWith('.yaml'));
}

/** Runs `omnifold export` with `argv` (after the subcommand); resolves to the exit code. */
export async function runExport(argv: string[]): Promise<number> {
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
      throw new InputError(`export must be given one output directory; got ${positionals.length} (${USAGE})`);
    if (!values.hepdata && !values.parquet && !values.hdf5)
      throw new InputError(`export must be given --hepdata, --parquet or --hdf5; got none (${USAGE})`);
    const obs = values.obs ?? [];
    const bins = values.bins ?? [];
    if (values.hepdata && (obs.length === 0 || !(bins.length === obs.length || bins.length === 1))) {
      throw new InputError(
        `--hepdata must come with --obs and one --bins per --obs (or one for all); got ${obs.length} --obs and ${bins.length} --bins`,
      );
    }
    const hepdataOnly = (['label', 'unit', 'normalise'] as const).filter((o) => values[o] !== undefined);
    if (!values.hepdata && hepdataOnly.length > 0)
      throw new InputError(`--${hepdataOnly[0]} must come with --hepdata DIR; got no --hepdata`);
    const labels = perObservable('--label', values.label, obs.length);
    const units = perObservable('--unit', values.unit, obs.length);
    const normalisation = values.normalise === undefined ? undefined : parseNormalisation(values.normalise);
    const path = positionals[0].endsWith('.arrow') ? positionals[0] : join(positionals[0], 'weights.arrow');
    // every destination is checked before any work; nothing the engine did not write is replaced
    const force = values.force === true;
    const hepdataDir = values.hepdata
      ? await checkOutputDir(values.hepdata, {
          subject: '--hepdata',
          command: 'export',
          force,
          writes: ['submission.yaml'],
          withoutManifest: { recognise: isHepdataSubmission },
        })
      : undefined;
    for (const [option, target] of [
      ['--parquet', values.parquet],
      ['--hdf5', values.hdf5],
    ] as const) {
      if (target === undefined) continue;
      await checkOutputFile(target, option, force);
      await checkOutputFile(`${target}.metadata.json`, option, force);
    }
    const file = await readWeightsFile(path);
    if (values.hepdata && hepdataDir !== undefined) {
      const linked = await readLinkedWeightsFiles(path, file);
      const histograms = obs.map((o, k) =>
        hepdataHistogram(
          file,
          {
            obs: o,
            edges: parseBins(bins.length === 1 ? bins[0] : bins[k]),
            where: values.where,
            ...(labels ? { label: labels[k] } : {}),
            ...(units ? { unit: units[k] } : {}),
            ...(normalisation ? { normalisation } : {}),
          },
          linked,
        ),
      );
      const comment = `OmniFold unbinned unfolding (arXiv:1911.09107), ${file.metadata.engine?.name ?? 'omnifold'} ${file.metadata.engine?.version ?? ''}; weights file format ${file.metadata.formatVersion}; seed ${file.metadata.seed}.`;
      let written: string[] = [];
      await hepdataDir.commit(async (dir) => {
        written = await writeHepdata(dir, histograms, { comment });
      });
      process.stdout.write(`wrote HEPData submission ${values.hepdata}/ (${written.join(', ')})\n`);
      if (histograms.some((h) => !h.covariance))
        process.stdout.write('note: no replica columns: errors are sqrt(sum w^2), no covariance table\n');
      else if (histograms.some((h) => h.statEstimate === 'sumw2'))
        process.stdout.write(
          'note: no data bootstraps: stat errors are sqrt(sum w^2) of the nominal weights (diagonal in the covariance)\n',
        );
    }
    const columns = Object.fromEntries(file.columnNames.map((n) => [n, file.columns.get(n)!])) as Record<
      string,
      NumericColumn
    >;
    const metadataJson = `${JSON.stringify(file.metadata, null, 1)}\n`;
    if (values.parquet) {
      await writeFileWhole(values.parquet, '--parquet', (temp) => writeParquet(temp, columns));
      await writeFileWhole(`${values.parquet}.metadata.json`, '--parquet', (temp) => writeFile(temp, metadataJson));
      process.stdout.write(
        `wrote ${values.parquet} (${file.columnNames.length} columns, ${file.nRows} rows) and ${values.parquet}.metadata.json\n`,
      );
    }
    if (values.hdf5) {
      await writeFileWhole(values.hdf5, '--hdf5', (temp) => writeHdf5(temp, columns));
      await writeFileWhole(`${values.hdf5}.metadata.json`, '--hdf5', (temp) => writeFile(temp, metadataJson));
      process.stdout.write(
        `wrote ${values.hdf5} (${file.columnNames.length} columns, ${file.nRows} rows) and ${values.hdf5}.metadata.json\n`,
      );
    }
    return 0;
  } catch (error) {
    const usage = error instanceof InputError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}
