/**
 * The layouts `omnifold export` writes for Python users, built from a weights file on any
 * platform (src/cli/export.ts writes them):
 *
 * - the column copies (`--parquet`, `--hdf5`): every column under its own name, with the
 *   weights file's metadata document and each column's role, unit and description;
 * - the ATLAS Z+jets layout (`--hdf5-layout atlas-zjets`, and the publication package's
 *   `events.parquet`): the column names of the ATLAS 24-observable Z+jets release
 *   (arXiv:2405.20041, Zenodo 11507450) — gen features under their own names,
 *   `weights_nominal`, `weights_ensemble_<m>`, `weights_bootstrap_data_<b>`,
 *   `weights_bootstrap_mc_<b>`, `weights_<systematic>` — so readers written for that
 *   release work on these files;
 * - the publication package's `metadata.yaml` ({@link packageMetadata}).
 *
 * docs/weights-format.md lists the mappings.
 */
import { InputError } from '../base/errors.js';
import type { NumericColumn } from '../io/table.js';
import { FAMILIES, isColumnFamily, TOTAL_COMBINATION } from '../uncertainty/families.js';
import { describeColumns, type ColumnDescription } from './column_descriptions.js';
import type { WeightsFile, WeightsMetadata } from './weights_encoding.js';

/** Columns in file order, ready for a writer, with their descriptions. */
export interface ColumnCopy {
  /** Output name → values, in output order. */
  columns: Record<string, NumericColumn>;
  /** One per output column, in output order, under the output name. */
  descriptions: ColumnDescription[];
  /** Output name → the weights file's column name. */
  sources: Map<string, string>;
}

/** The trailing number of a column name such as `data_boot_7`. */
function trailingIndex(name: string): string {
  return /(\d+)$/.exec(name)?.[1] ?? '0';
}

/** The ATLAS Z+jets release's name for a weights-file column of `role`. */
function atlasName(name: string, role: string): string {
  switch (role) {
    case 'nominal':
      return 'weights_nominal';
    case 'iteration':
      return `weights_iteration_${trailingIndex(name)}`;
    case 'ensemble':
      return `weights_ensemble_${trailingIndex(name)}`;
    case 'data_bootstrap':
      return `weights_bootstrap_data_${trailingIndex(name)}`;
    case 'sim_bootstrap':
      return `weights_bootstrap_mc_${trailingIndex(name)}`;
    case 'background_bootstrap':
      return `weights_bootstrap_background_${trailingIndex(name)}`;
    case 'systematic':
      return `weights_${name.replace(/^syst_/, '')}`;
    default:
      return name; // gen features and masks keep their names
  }
}

/**
 * The columns of `file` for a copy: under their own names (`layout` `columns`) or under
 * the ATLAS Z+jets release's names (`atlas-zjets`). Two columns that would get the same
 * name (a gen feature called `weights_nominal`, say) are an error.
 */
export function columnCopy(file: WeightsFile, layout: 'columns' | 'atlas-zjets'): ColumnCopy {
  const columns: Record<string, NumericColumn> = {};
  const descriptions: ColumnDescription[] = [];
  const sources = new Map<string, string>();
  for (const description of describeColumns(file.metadata)) {
    const values = file.columns.get(description.name);
    if (values === undefined) continue;
    const name = layout === 'columns' ? description.name : atlasName(description.name, description.role);
    if (sources.has(name))
      throw new InputError(
        `--hdf5-layout ${layout}: output column names must be unique; got "${name}" for both ${sources.get(name)} and ${description.name}`,
      );
    columns[name] = values;
    descriptions.push({ ...description, name });
    sources.set(name, description.name);
  }
  return { columns, descriptions, sources };
}

/** The attributes each copied column carries: its role (as `family`), unit and description. */
export function columnAttributes(copy: ColumnCopy): Record<string, Record<string, string>> {
  return Object.fromEntries(
    copy.descriptions.map((d) => [
      d.name,
      {
        family: d.role,
        unit: d.unit,
        description: d.description,
        ...(copy.sources.get(d.name) === d.name ? {} : { source_column: copy.sources.get(d.name)! }),
      },
    ]),
  );
}

/** A binning of an observable named on the command line (`--obs`/`--bins`), for the package. */
export interface PackageBinning {
  obs: string;
  edges: ArrayLike<number>;
}

/** What {@link packageMetadata} needs beside the weights file. */
export interface PackageInputs {
  copy: ColumnCopy;
  /** The events file's name in the package and its SHA-256. */
  eventsFile: string;
  eventsSha256: string;
  /** SHA-256 of the weights file the package was made from. */
  sourceSha256: string;
  binnings?: readonly PackageBinning[];
}

/** How a family's columns are used, in the package's words. */
const FAMILY_TYPES: Record<string, string> = {
  ensemble: 'ensemble',
  data_bootstrap: 'bootstrap',
  sim_bootstrap: 'bootstrap',
  background_bootstrap: 'bootstrap',
  systematic: 'variation',
};

/** The families present in the copy, in column order, with their output columns. */
function families(copy: ColumnCopy, metadata: WeightsMetadata) {
  const byFamily = new Map<string, string[]>();
  for (const d of copy.descriptions) {
    if (!isColumnFamily(d.role) || d.role === 'nominal') continue;
    byFamily.set(d.role, [...(byFamily.get(d.role) ?? []), d.name]);
  }
  return [...byFamily].map(([family, columns]) => ({
    name: family,
    type: FAMILY_TYPES[family] ?? family,
    role: FAMILIES[family as keyof typeof FAMILIES].role,
    combination: FAMILIES[family as keyof typeof FAMILIES].combination,
    ...(family === 'ensemble' ? { standard_error_factor: metadata.ensemble?.standardErrorFactor ?? 1 } : {}),
    columns,
  }));
}

/**
 * The package's `metadata.yaml` document: `observables` (name, units, label, binning,
 * selection), `weights` (nominal, base_mc_weight, nominal_convention, families with type,
 * combination and columns), `normalization`, `publication` (event_count,
 * checksum_sha256) and `provenance` (engine, seed, inputs, the source weights file).
 */
export function packageMetadata(file: WeightsFile, inputs: PackageInputs): Record<string, unknown> {
  const { metadata } = file;
  const nominal = inputs.copy.descriptions.find((d) => d.role === 'nominal');
  if (nominal === undefined) throw new InputError('--package: the weights file must have a nominal weight column');
  const featureNames = new Set(metadata.columns.filter((c) => c.role === 'gen_feature').map((c) => c.name));
  const observables = inputs.copy.descriptions
    .filter((d) => d.role === 'gen_feature')
    .map((d) => {
      const info = metadata.observables?.find((o) => o.name === inputs.copy.sources.get(d.name));
      const binning = inputs.binnings?.find((b) => b.obs === d.name)?.edges;
      return {
        name: d.name,
        units: info?.unit ?? '',
        ...(info?.label ? { label: info.label } : {}),
        binning: binning === undefined ? null : Array.from(binning),
        selection: metadata.selection?.gen ?? null,
      };
    });
  const derived = (inputs.binnings ?? [])
    .filter((b) => !featureNames.has(b.obs))
    .map((b) => ({ expression: b.obs, binning: Array.from(b.edges) }));
  const masks = inputs.copy.descriptions
    .filter((d) => d.role === 'mask')
    .map((d) => ({ column: d.name, description: d.description }));
  return {
    format: 'omnifold-package',
    format_version: 1,
    events: inputs.eventsFile,
    observables,
    ...(derived.length === 0 ? {} : { derived_observables: derived }),
    selections: masks,
    weights: {
      nominal: nominal.name,
      base_mc_weight: null,
      nominal_convention:
        'per-event weight w0*nu after the last iteration: the MC weight w0 is included, in absolute units (the sum over pass_gen estimates the efficiency-corrected data yield); events with pass_gen = 0 are fakes and enter no particle-level distribution',
      units: nominal.unit === '' ? 'events' : nominal.unit,
      families: families(inputs.copy, metadata),
      total: TOTAL_COMBINATION,
    },
    normalization: { ...metadata.normalisation },
    publication: {
      event_count: file.nRows,
      checksum_sha256: inputs.eventsSha256,
    },
    provenance: {
      engine: `${metadata.engine?.name ?? 'omnifold'} ${metadata.engine?.version ?? ''}`.trim(),
      weights_format_version: metadata.formatVersion,
      seed: metadata.seed,
      iterations: metadata.iterations?.length ?? 0,
      source_weights_sha256: inputs.sourceSha256,
      inputs: (metadata.inputs ?? []).map((i) => ({ role: i.role, path: i.path, sha256: i.sha256 })),
    },
  };
}
