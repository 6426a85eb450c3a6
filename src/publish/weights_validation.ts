/**
 * Checks a weights file against its documented schema (docs/weights-format.md, format
 * version 1): the `omnifold` metadata's required keys and types, the columns it lists
 * (present, right dtype, right length, finite, masks 0/1) and the family names. Returns
 * every problem found, one message each, rather than stopping at the first.
 *
 * This file checks tables and bytes on any platform; src/publish/validate.ts reads the file.
 */
import { Type, type Field, type Table, type Vector } from 'apache-arrow';
import { describeValue } from '../base/errors.js';
import { decodeArrow } from '../io/arrow_decode.js';
import { COLUMN_FAMILIES, combinationMetadata } from '../uncertainty/families.js';

/** Column roles a weights file may declare. */
export const COLUMN_ROLES: readonly string[] = Object.freeze(['gen_feature', 'mask', 'iteration', ...COLUMN_FAMILIES]);
/** Roles whose columns hold event weights (f64, finite). */
const WEIGHT_ROLES = new Set<string>(['iteration', ...COLUMN_FAMILIES]);
/** Keys `combination` may hold: the families and `total`. */
const COMBINATION_KEYS = new Set(Object.keys(combinationMetadata()));
/** Weights-file format versions this engine reads. */
export const SUPPORTED_FORMAT_VERSIONS = Object.freeze([1]);

/** The outcome of {@link validateWeightsBytes} and `validateWeightsFile` (src/publish/validate.ts). */
export interface ValidationReport {
  /** One message per problem; empty when the file is valid. */
  problems: string[];
  nRows: number;
  nColumns: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/**
 * Checks the bytes of a weights file; never throws for bad bytes (a problem is reported
 * instead). `source` names them in messages, e.g. the file's path.
 */
export function validateWeightsBytes(bytes: Uint8Array, source = 'weights file'): ValidationReport {
  let table: Table;
  try {
    table = decodeArrow(bytes, source);
  } catch (error) {
    return { problems: [(error as Error).message], nRows: 0, nColumns: 0 };
  }
  return { problems: validateWeightsTable(table), nRows: table.numRows, nColumns: table.schema.fields.length };
}

/** Checks a decoded weights table; returns the problems. */
export function validateWeightsTable(table: Table): string[] {
  const problems: string[] = [];
  const json = table.schema.metadata.get('omnifold');
  if (json === undefined)
    return [
      `schema metadata must have the key "omnifold"; got keys ${describeValue([...table.schema.metadata.keys()].join(', ') || 'none')}`,
    ];
  let meta: unknown;
  try {
    meta = JSON.parse(json);
  } catch {
    return [`metadata "omnifold" must be JSON; got unparsable text starting ${describeValue(json.slice(0, 40))}`];
  }
  if (!isObject(meta)) return [`metadata "omnifold" must be a JSON object; got ${describeValue(meta)}`];
  checkHeader(meta, problems);
  const roles = checkColumnList(meta, problems);
  checkObservables(meta, roles, problems);
  checkEnsemble(meta, roles, problems);
  checkLinked(meta, roles, problems);
  checkColumns(table, roles, problems);
  return problems;
}

/** metadata.linked, when present: `{ name, family: 'systematic', file, sha256, bytes }` per linked weights file. */
function checkLinked(meta: Json, roles: Map<string, string>, problems: string[]): void {
  const list = meta.linked;
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    problems.push(`metadata.linked must be an array of linked weights files; got ${describeValue(list)}`);
    return;
  }
  list.forEach((entry: unknown, k) => {
    const e = entry as Json;
    const ok =
      isObject(e) &&
      typeof e.name === 'string' &&
      /^[A-Za-z0-9_.-]+$/.test(e.name) &&
      e.family === 'systematic' &&
      typeof e.file === 'string' &&
      /^[A-Za-z0-9_.-]+$/.test(e.file) &&
      typeof e.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(e.sha256) &&
      Number.isInteger(e.bytes);
    if (!ok)
      problems.push(
        `metadata.linked[${k}] must be { name, family: "systematic", file (a name in the same folder), sha256 (64 hex digits), bytes }; got ${describeValue(entry)}`,
      );
    else if (roles.has(`syst_${e.name as string}`))
      problems.push(
        `metadata.linked[${k}].name must differ from the systematic columns; got "${e.name as string}" twice`,
      );
  });
}

/** metadata.ensemble: required with ensemble columns, then `{ members, runs, combine, standardErrorFactor }`. */
function checkEnsemble(meta: Json, roles: Map<string, string>, problems: string[]): void {
  const columns = [...roles].filter(([, role]) => role === 'ensemble').map(([name]) => name);
  const e = meta.ensemble;
  if (e === undefined) {
    if (columns.length > 0)
      problems.push(
        `metadata.ensemble must be present when the file has ensemble columns (${columns.join(', ')}); got none`,
      );
    return;
  }
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  const ok =
    isObject(e) &&
    positive(e.members) &&
    positive(e.runs) &&
    (e.combine === 'mean' || e.combine === 'median') &&
    typeof e.standardErrorFactor === 'number' &&
    Number.isFinite(e.standardErrorFactor) &&
    e.standardErrorFactor > 0;
  if (!ok)
    problems.push(
      `metadata.ensemble must be an object with positive integer members and runs, combine "mean" or "median" and a finite positive standardErrorFactor; got ${describeValue(e)}`,
    );
}

function checkHeader(meta: Json, problems: string[]): void {
  const need = (ok: boolean, subject: string, rule: string, value: unknown) => {
    if (!ok) problems.push(`${subject} must ${rule}; got ${describeValue(value)}`);
  };
  need(meta.format === 'omnifold-weights', 'metadata.format', 'be "omnifold-weights"', meta.format);
  need(
    SUPPORTED_FORMAT_VERSIONS.includes(meta.formatVersion as number),
    'metadata.formatVersion',
    `be one of ${SUPPORTED_FORMAT_VERSIONS.join(', ')}`,
    meta.formatVersion,
  );
  const engine = meta.engine;
  need(
    isObject(engine) && typeof engine.name === 'string' && typeof engine.version === 'string',
    'metadata.engine',
    'be an object with string name and version',
    engine,
  );
  need(isObject(meta.configuration), 'metadata.configuration', 'be an object', meta.configuration);
  need(
    Number.isInteger(meta.seed) && (meta.seed as number) >= 0 && (meta.seed as number) < 2 ** 32,
    'metadata.seed',
    'be an integer in [0, 2^32)',
    meta.seed,
  );
  need(isNonNegInt(meta.nDropped), 'metadata.nDropped', 'be a non-negative integer', meta.nDropped);
  if (!Array.isArray(meta.inputs)) need(false, 'metadata.inputs', 'be an array', meta.inputs);
  else {
    meta.inputs.forEach((input: unknown, k) => {
      const i = input as Json;
      const ok =
        isObject(i) &&
        typeof i.role === 'string' &&
        typeof i.path === 'string' &&
        typeof i.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(i.sha256) &&
        isNonNegInt(i.bytes);
      need(ok, `metadata.inputs[${k}]`, 'have string role and path, a 64-hex-digit sha256 and integer bytes', input);
    });
  }
  if (!Array.isArray(meta.iterations)) need(false, 'metadata.iterations', 'be an array', meta.iterations);
  else meta.iterations.forEach((it: unknown, k) => checkIteration(it, k, problems));
  if (!isObject(meta.combination)) need(false, 'metadata.combination', 'be an object', meta.combination);
  else {
    for (const [key, value] of Object.entries(meta.combination)) {
      need(
        COMBINATION_KEYS.has(key),
        `metadata.combination key "${key}"`,
        `be one of ${[...COMBINATION_KEYS].join(', ')}`,
        key,
      );
      need(typeof value === 'string', `metadata.combination.${key}`, 'be a string', value);
    }
  }
  if (!isObject(meta.normalisation)) need(false, 'metadata.normalisation', 'be an object', meta.normalisation);
  else {
    for (const [key, value] of Object.entries(meta.normalisation)) {
      need(
        typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)),
        `metadata.normalisation.${key}`,
        'be a string or a finite number',
        value,
      );
    }
  }
}

/** metadata.observables: one `{ name, label?, unit? }` per gen feature column, in order; selection optional. */
function checkObservables(meta: Json, roles: Map<string, string>, problems: string[]): void {
  const genColumns = [...roles].filter(([, role]) => role === 'gen_feature').map(([name]) => name);
  const list = meta.observables;
  if (!Array.isArray(list)) {
    problems.push(`metadata.observables must be an array of { name, label?, unit? }; got ${describeValue(list)}`);
    return;
  }
  list.forEach((o: unknown, k) => {
    const ob = o as Json;
    const ok =
      isObject(ob) &&
      typeof ob.name === 'string' &&
      ['label', 'unit'].every((key) => ob[key] === undefined || typeof ob[key] === 'string');
    if (!ok)
      problems.push(
        `metadata.observables[${k}] must be an object with string name and optional string label and unit; got ${describeValue(o)}`,
      );
  });
  const names = list.map((o: unknown) => (isObject(o as Json) ? (o as Json).name : undefined));
  if (names.join('\u0000') !== genColumns.join('\u0000')) {
    problems.push(
      `metadata.observables names must be the gen_feature columns in order (${genColumns.join(', ')}); got ${names.join(', ')}`,
    );
  }
  const sel = meta.selection;
  if (
    sel !== undefined &&
    !(isObject(sel) && ['gen', 'reco'].every((key) => sel[key] === undefined || typeof sel[key] === 'string'))
  ) {
    problems.push(`metadata.selection must be an object with optional string gen and reco; got ${describeValue(sel)}`);
  }
}

function checkIteration(it: unknown, k: number, problems: string[]): void {
  const where = `metadata.iterations[${k}]`;
  if (!isObject(it) || !Number.isInteger(it.iteration) || !Array.isArray(it.steps) || !Array.isArray(it.recoChi2)) {
    problems.push(
      `${where} must be an object with integer iteration and arrays steps and recoChi2; got ${describeValue(it)}`,
    );
    return;
  }
  it.steps.forEach((s: unknown, j) => {
    const stepRecord = s as Json;
    const ok =
      isObject(stepRecord) &&
      typeof stepRecord.step === 'string' &&
      typeof stepRecord.clippedFraction === 'number' &&
      typeof stepRecord.ess === 'number' &&
      typeof stepRecord.change === 'number';
    if (!ok)
      problems.push(
        `${where}.steps[${j}] must have string step and numeric clippedFraction, ess and change; got ${describeValue(s)}`,
      );
  });
}

/** Checks metadata.columns; returns name → role for the well-formed entries. */
function checkColumnList(meta: Json, problems: string[]): Map<string, string> {
  const roles = new Map<string, string>();
  if (!Array.isArray(meta.columns)) {
    problems.push(`metadata.columns must be an array of { name, role }; got ${describeValue(meta.columns)}`);
    return roles;
  }
  meta.columns.forEach((c: unknown, k) => {
    const col = c as Json;
    if (!isObject(col) || typeof col.name !== 'string' || typeof col.role !== 'string') {
      problems.push(`metadata.columns[${k}] must be an object with string name and role; got ${describeValue(c)}`);
      return;
    }
    if (!COLUMN_ROLES.includes(col.role)) {
      problems.push(
        `metadata.columns[${k}] ("${col.name}") role must be one of ${COLUMN_ROLES.join(', ')}; got ${describeValue(col.role)}`,
      );
      return;
    }
    if (roles.has(col.name)) problems.push(`metadata.columns names must be unique; got "${col.name}" twice`);
    roles.set(col.name, col.role);
  });
  const nominal = [...roles].filter(([, r]) => r === 'nominal').map(([n]) => n);
  if (nominal.length !== 1 || nominal[0] !== 'weight')
    problems.push(
      `metadata.columns must declare exactly one nominal column, "weight"; got ${describeValue(nominal.join(', ') || 'none')}`,
    );
  for (const mask of ['pass_gen', 'pass_reco'])
    if (roles.get(mask) !== 'mask')
      problems.push(
        `metadata.columns must declare "${mask}" with role mask; got ${describeValue(roles.get(mask) ?? 'none')}`,
      );
  return roles;
}

function dtypeOf(field: Field): string {
  const t = field.type as { typeId: Type; precision?: number; bitWidth?: number; isSigned?: boolean };
  if (t.typeId === Type.Float) return ['f16', 'f32', 'f64'][t.precision ?? 2];
  if (t.typeId === Type.Int) return `${t.isSigned ? 'i' : 'u'}${t.bitWidth}`;
  if (t.typeId === Type.Bool) return 'bool';
  return String(field.type);
}

function checkColumns(table: Table, roles: Map<string, string>, problems: string[]): void {
  const fields = new Map(table.schema.fields.map((f) => [f.name, f]));
  for (const name of fields.keys())
    if (!roles.has(name)) problems.push(`column "${name}" must be listed in metadata.columns; got an unlisted column`);
  const passGen = fields.has('pass_gen') ? (table.getChild('pass_gen') as Vector).toArray() : undefined;
  for (const [name, role] of roles) {
    const field = fields.get(name);
    if (field === undefined) {
      problems.push(`column "${name}" (${role}) must exist in the table; got columns ${[...fields.keys()].join(', ')}`);
      continue;
    }
    const vector = table.getChild(name) as Vector;
    if (vector.length !== table.numRows)
      problems.push(`column "${name}" must have ${table.numRows} rows; got ${vector.length}`);
    if (vector.nullCount > 0) problems.push(`column "${name}" must have no nulls; got ${vector.nullCount}`);
    const dtype = dtypeOf(field);
    const wanted = role === 'mask' ? ['u8', 'bool'] : role === 'gen_feature' ? ['f32', 'f64'] : ['f64'];
    if (!wanted.includes(dtype)) {
      problems.push(`column "${name}" (${role}) must have dtype ${wanted.join(' or ')}; got ${dtype}`);
      continue;
    }
    const values = vector.toArray() as ArrayLike<number | boolean>;
    if (role === 'mask') {
      const bad = indexOf(values, (v) => v !== 0 && v !== 1 && v !== true && v !== false);
      if (bad >= 0)
        problems.push(
          `column "${name}" (mask) must hold only 0 and 1; got ${describeValue(values[bad])} at row ${bad}`,
        );
      continue;
    }
    // gen features of fakes (pass_gen = 0) carry no value and may be NaN
    const skip = role === 'gen_feature' && passGen !== undefined ? (i: number) => !passGen[i] : () => false;
    const bad = indexOf(values, (v, i) => !skip(i) && !Number.isFinite(v as number));
    if (bad >= 0) {
      const scope = WEIGHT_ROLES.has(role) ? '' : ' where pass_gen = 1';
      problems.push(
        `column "${name}" (${role}) must be finite${scope}; got ${describeValue(values[bad])} at row ${bad}`,
      );
    }
  }
}

function indexOf<T>(values: ArrayLike<T>, bad: (v: T, i: number) => boolean): number {
  for (let i = 0; i < values.length; i++) if (bad(values[i], i)) return i;
  return -1;
}
