/**
 * The Python side of `omnifold export`: `--parquet FILE`, `--hdf5 FILE [--hdf5-layout
 * columns|atlas-zjets]` and `--package DIR`. Every copy carries the weights file's
 * metadata (src/publish/python_layouts.ts says what goes where; docs/weights-format.md
 * lists it for users). Destinations are checked before any work and written whole.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkOutputDir,
  checkOutputFile,
  columnAttributes,
  columnCopy,
  InputError,
  type OutputDir,
  type PackageBinning,
  packageMetadata,
  toYaml11,
  type WeightsFile,
  writeFileWhole,
  writeHdf5,
  writePandasHdf5,
  writeParquet,
} from '../index.js';

/** The layouts of `--hdf5-layout`. */
export const HDF5_LAYOUTS = ['columns', 'atlas-zjets'] as const;
type Hdf5Layout = (typeof HDF5_LAYOUTS)[number];

/** The Python-side flags of `export`, as parsed. */
export interface PythonExportFlags {
  parquet?: string;
  hdf5?: string;
  'hdf5-layout'?: string;
  package?: string;
  force?: boolean;
}

/** The checked Python-side destinations of one `export`. */
export interface PythonExportPlan {
  parquet?: string;
  hdf5?: { path: string; layout: Hdf5Layout };
  package?: { path: string; dir: OutputDir };
}

/** The package folder's entries; an earlier package is recognised by them. */
const PACKAGE_ENTRIES = ['events.parquet', 'metadata.yaml'];

/** Checks every Python-side destination before any work; nothing is written. */
export async function checkPythonExport(flags: PythonExportFlags): Promise<PythonExportPlan> {
  const force = flags.force === true;
  const layout = flags['hdf5-layout'] ?? 'columns';
  if (!(HDF5_LAYOUTS as readonly string[]).includes(layout))
    throw new InputError(`--hdf5-layout must be one of ${HDF5_LAYOUTS.join(', ')}; got ${JSON.stringify(layout)}`);
  if (flags['hdf5-layout'] !== undefined && flags.hdf5 === undefined)
    throw new InputError(`--hdf5-layout must come with --hdf5 FILE; got --hdf5-layout ${layout} alone`);
  if (flags.parquet !== undefined) await checkOutputFile(flags.parquet, '--parquet', force);
  if (flags.hdf5 !== undefined) await checkOutputFile(flags.hdf5, '--hdf5', force);
  const packageDir =
    flags.package === undefined
      ? undefined
      : await checkOutputDir(flags.package, {
          subject: '--package',
          command: 'export',
          force,
          writes: PACKAGE_ENTRIES,
          withoutManifest: {
            recognise: (entries) =>
              entries.includes('metadata.yaml') && entries.every((e) => PACKAGE_ENTRIES.includes(e)),
          },
        });
  return {
    ...(flags.parquet === undefined ? {} : { parquet: flags.parquet }),
    ...(flags.hdf5 === undefined ? {} : { hdf5: { path: flags.hdf5, layout: layout as Hdf5Layout } }),
    ...(packageDir === undefined ? {} : { package: { path: flags.package!, dir: packageDir } }),
  };
}

/** Writes a Parquet file of `copy` with the weights file's metadata and each column's. */
async function writeParquetCopy(path: string, file: WeightsFile, layout: Hdf5Layout): Promise<void> {
  const copy = columnCopy(file, layout);
  await writeParquet(path, copy.columns, {
    metadata: { omnifold: JSON.stringify(file.metadata) },
    columnMetadata: columnAttributes(copy),
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes the destinations of `plan` from `file` (read from `sourcePath`); `binnings` are
 * the `--obs`/`--bins` pairs, recorded in the package.
 */
export async function writePythonExport(
  plan: PythonExportPlan,
  file: WeightsFile,
  sourcePath: string,
  binnings: readonly PackageBinning[],
): Promise<void> {
  const shape = `${file.columnNames.length} columns, ${file.nRows} rows`;
  if (plan.parquet !== undefined) {
    await writeFileWhole(plan.parquet, '--parquet', (temp) => writeParquetCopy(temp, file, 'columns'));
    process.stdout.write(`wrote ${plan.parquet} (${shape}; metadata in the key-value metadata "omnifold")\n`);
  }
  if (plan.hdf5 !== undefined) {
    const { path, layout } = plan.hdf5;
    const copy = columnCopy(file, layout);
    const attributes = { omnifold: JSON.stringify(file.metadata), column_order: Object.keys(copy.columns) };
    await writeFileWhole(path, '--hdf5', (temp) =>
      layout === 'columns'
        ? writeHdf5(temp, copy.columns, '/', { attributes, columnAttributes: columnAttributes(copy) })
        : writePandasHdf5(temp, copy.columns, {
            attributes: {
              ...attributes,
              column_descriptions: JSON.stringify(columnAttributes(copy)),
            },
          }),
    );
    process.stdout.write(
      `wrote ${path} (${shape}; ${layout === 'columns' ? 'one dataset per column' : 'pandas.read_hdf(path) opens it, key df'})\n`,
    );
  }
  if (plan.package !== undefined) {
    const sourceSha256 = sha256(await readFile(sourcePath));
    await plan.package.dir.commit(async (dir) => {
      const events = join(dir, 'events.parquet');
      await writeParquetCopy(events, file, 'atlas-zjets');
      const document = packageMetadata(file, {
        copy: columnCopy(file, 'atlas-zjets'),
        eventsFile: 'events.parquet',
        eventsSha256: sha256(await readFile(events)),
        sourceSha256,
        binnings,
      });
      await writeFile(join(dir, 'metadata.yaml'), toYaml11(document));
    });
    process.stdout.write(`wrote package ${plan.package.path}/ (events.parquet, ${shape}; metadata.yaml)\n`);
  }
}
