/**
 * `omnifold export OUT/ --hepdata DIR --obs EXPR --bins SPEC [--obs EXPR --bins SPEC …]
 *  [--label TEXT] [--unit TEXT] [--normalise events|xsec:LUMI[:UNIT]|shape] [--where EXPR]
 *  [--parquet FILE] [--hdf5 FILE [--hdf5-layout columns|atlas-zjets]] [--package DIR]`
 *
 * A HEPData submission folder with one table per histogram and its covariance; Parquet and
 * HDF5 copies of every column of weights.arrow for Python users, carrying its metadata;
 * and a publication package (events.parquet + metadata.yaml). The folders follow the
 * output-folder rules of `unfold --out`; existing files are replaced only with `--force`
 * (src/io/output_dir.ts, src/io/output_file.ts). The Python side: src/cli/export_python.ts.
 */
import {
  checkOutputDir,
  hepdataHistogram,
  InputError,
  parseExpression,
  parseNormalisation,
  readLinkedWeightsFiles,
  readWeightsFile,
  writeHepdata,
} from '../index.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseBins } from './bins.js';
import { joinDashValues } from './dash_values.js';
import { checkPythonExport, HDF5_LAYOUTS, writePythonExport } from './export_python.js';

const USAGE = `usage: omnifold export OUT_DIR [--hepdata DIR --obs EXPR --bins lo:hi:n|e0,e1,... [--obs … --bins …] [--label TEXT] [--unit TEXT] [--normalise events|xsec:LUMI[:UNIT]|shape] [--where EXPR]] [--parquet FILE] [--hdf5 FILE [--hdf5-layout ${HDF5_LAYOUTS.join('|')}]] [--package DIR [--obs … --bins …]] [--force]`;

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
  'hdf5-layout': { type: 'string' },
  package: { type: 'string' },
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
    if (!values.hepdata && !values.parquet && !values.hdf5 && !values.package)
      throw new InputError(`export must be given --hepdata, --parquet, --hdf5 or --package; got none (${USAGE})`);
    const obs = values.obs ?? [];
    const bins = values.bins ?? [];
    if (values.hepdata && (obs.length === 0 || !(bins.length === obs.length || bins.length === 1))) {
      throw new InputError(
        `--hepdata must come with --obs and one --bins per --obs (or one for all); got ${obs.length} --obs and ${bins.length} --bins`,
      );
    }
    if (obs.length > 0 && !(bins.length === obs.length || bins.length === 1))
      throw new InputError(
        `--obs must each come with a --bins (or one --bins for all); got ${obs.length} --obs and ${bins.length} --bins`,
      );
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
    const python = await checkPythonExport(values);
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
    const binnings = obs.map((o, k) => {
      parseExpression(o, file.columnNames); // an unknown column is an error before anything is written
      return { obs: o, edges: parseBins(bins.length === 1 ? bins[0] : bins[k]) };
    });
    await writePythonExport(python, file, path, binnings);
    return 0;
  } catch (error) {
    const usage = error instanceof InputError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}
