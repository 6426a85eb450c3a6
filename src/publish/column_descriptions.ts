/**
 * What each column of a weights file is, in words: the role, unit and description that the
 * Parquet, HDF5 and package copies (`omnifold export`) attach to every column, so that a
 * copy read without this engine still says what its columns hold.
 */
import { FAMILIES, isColumnFamily } from '../uncertainty/families.js';
import type { WeightsMetadata } from './weights_encoding.js';

/** One column of a weights file, described. */
export interface ColumnDescription {
  name: string;
  /** `gen_feature`, `mask`, `iteration`, or the column's family (`nominal`, `data_bootstrap`, …). */
  role: string;
  /** Unit of the values: the observable's for gen features, the weights' for weight columns; '' when none. */
  unit: string;
  description: string;
}

/** The trailing number of a column name such as `data_boot_7` or `weight_iter3`. */
function indexOf(name: string): string {
  return /(\d+)$/.exec(name)?.[1] ?? '?';
}

/** The unit of the weight columns: the normalisation's when it names one, else none (events). */
function weightUnit(metadata: Pick<WeightsMetadata, 'normalisation'>): string {
  const unit = metadata.normalisation?.unit;
  return typeof unit === 'string' && unit !== 'shape only' ? unit : '';
}

/** The sentence for a weight column of `family`. */
function familySentence(family: string, name: string, metadata: Pick<WeightsMetadata, 'ensemble'>): string {
  switch (family) {
    case 'nominal':
      return 'nominal unfolded weight w0*nu after the last iteration, MC weight included, absolute (not normalised to unit area)';
    case 'ensemble':
      return (metadata.ensemble?.runs ?? 1) > 1
        ? `final weight of independent ensemble run ${indexOf(name)}`
        : `weight from ensemble member ${indexOf(name)} alone`;
    case 'data_bootstrap':
      return `stat replica ${indexOf(name)}: the unfolding repeated with the data resampled (Poisson(1) weights)`;
    case 'sim_bootstrap':
      return `sim-stat replica ${indexOf(name)}: the unfolding repeated with the simulation resampled (Poisson(1) weights)`;
    case 'background_bootstrap':
      return `background-stat replica ${indexOf(name)}: the unfolding repeated with the simulated background resampled`;
    case 'systematic':
      return `systematic variation ${name.replace(/^syst_/, '')}: the unfolding repeated with that variation`;
    default:
      return family;
  }
}

/**
 * Every column of a weights file, described from its metadata (`metadata.columns` gives
 * the roles; observables their units; families their meaning and how they combine).
 */
export function describeColumns(
  metadata: Pick<WeightsMetadata, 'columns' | 'observables' | 'selection' | 'normalisation' | 'ensemble'>,
): ColumnDescription[] {
  const units = weightUnit(metadata);
  return metadata.columns.map(({ name, role }) => {
    if (role === 'gen_feature') {
      const observable = metadata.observables?.find((o) => o.name === name);
      const label = observable?.label ? ` (${observable.label})` : '';
      return { name, role, unit: observable?.unit ?? '', description: `gen-level feature ${name}${label}` };
    }
    if (role === 'mask') {
      const level = name === 'pass_reco' ? 'reco' : 'gen';
      const rule = metadata.selection?.[level];
      return {
        name,
        role,
        unit: '',
        description: `1 if the event passes the ${level}-level selection${rule ? ` (${rule})` : ''}, else 0`,
      };
    }
    if (role === 'iteration')
      return { name, role, unit: units, description: `weight w0*nu after iteration ${indexOf(name)}` };
    const combination = isColumnFamily(role) ? FAMILIES[role].combination : '';
    return {
      name,
      role,
      unit: units,
      description: `${familySentence(role, name, metadata)}${combination ? `; ${combination}` : ''}`,
    };
  });
}
