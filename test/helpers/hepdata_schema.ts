/**
 * Checks a HEPData submission folder as HEPData's own validator does: every document of
 * submission.yaml and every table file against the JSON schemas (version 1.1.1) kept in
 * ../shared/fixtures/hepdata/ (not in this repository), plus the rules its validator applies
 * beyond them (../shared/fixtures/hepdata/README.md): unique table names, every file
 * referenced and present, no value whose errors are all zero, equal value counts, and
 * numbers that a YAML 1.1 reader (PyYAML) reads as numbers.
 */
import Ajv from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument, visit } from 'yaml';

/** The schemas folder: shared/ beside the repository root (tests run from dist/test/helpers). */
export const HEPDATA_SCHEMAS = fileURLToPath(
  new URL('../../../../shared/fixtures/hepdata/schemas-1.1.1/', import.meta.url),
);

type Validate = (data: unknown) => string[];

let validators: { info: Validate; submission: Validate; data: Validate } | undefined;

function loadValidators() {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true });
  const read = (name: string) => JSON.parse(readFileSync(join(HEPDATA_SCHEMAS, name), 'utf8')) as object;
  ajv.addSchema(read('additional_resources_schema.json'));
  const compile = (name: string): Validate => {
    const check = ajv.compile(read(name));
    return (data) =>
      check(data) ? [] : (check.errors ?? []).map((e) => `${name}: ${e.dataPath || '(root)'} ${e.message}`);
  };
  validators = {
    info: compile('additional_info_schema.json'),
    submission: compile('submission_schema.json'),
    data: compile('data_schema.json'),
  };
  return validators;
}

/** Whether the schemas are there (a checkout without ../shared has none: the tests say so and skip). */
export function hepdataSchemasPresent(): boolean {
  return existsSync(join(HEPDATA_SCHEMAS, 'data_schema.json'));
}

/** What PyYAML reads as an int or a float, for the numbers this engine writes (no octal, hex or sexagesimal). */
const YAML11_INT = /^[-+]?(0|[1-9][0-9]*)$/;
const YAML11_FLOAT = /^[-+]?[0-9]+\.[0-9]*([eE][-+][0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

/** The plain scalars of `text` that this YAML reader takes as numbers but YAML 1.1 would not. */
function yaml11NumberProblems(text: string, file: string): string[] {
  const problems: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value !== 'number' || node.type !== 'PLAIN') return;
        const source = (node as { source?: string }).source ?? String(node.value);
        if (!YAML11_INT.test(source) && !YAML11_FLOAT.test(source))
          problems.push(`${file}: number ${source} is a string to a YAML 1.1 reader`);
      },
    });
  }
  return problems;
}

/** Rules of HEPData's validator beyond the data schema. */
function tableRules(t: Record<string, any>, file: string): string[] {
  const problems: string[] = [];
  const counts = [...(t.independent_variables ?? []), ...(t.dependent_variables ?? [])].map(
    (v: { values?: unknown[] }) => v.values?.length,
  );
  if (new Set(counts).size > 1) problems.push(`${file}: variables must have equal lengths; got ${counts.join(', ')}`);
  for (const v of t.dependent_variables ?? []) {
    for (const [i, x] of (v.values ?? []).entries()) {
      const errors = (x.errors ?? []) as { symerror?: number; asymerror?: { plus: number; minus: number } }[];
      const zero = (e: (typeof errors)[number]) =>
        e.symerror !== undefined
          ? Number(e.symerror) === 0
          : Number(e.asymerror?.plus) === 0 && Number(e.asymerror?.minus) === 0;
      if (errors.length > 0 && errors.every(zero)) problems.push(`${file}: value ${i} has only zero uncertainties`);
    }
  }
  for (const [what, list] of [
    ['independent', t.independent_variables],
    ['dependent', t.dependent_variables],
  ] as const)
    for (const v of list ?? [])
      for (const x of v.values ?? [])
        for (const [k, y] of Object.entries(x as Record<string, unknown>))
          if (typeof y === 'number' && !Number.isFinite(y)) problems.push(`${file}: ${what} ${k} ${y} is not finite`);
  return problems;
}

/**
 * Every problem HEPData would find with the submission in `dir`; undefined when the schemas
 * are absent.
 */
export function hepdataSubmissionProblems(dir: string): string[] | undefined {
  if (!hepdataSchemasPresent()) return undefined;
  const v = loadValidators();
  const problems: string[] = [];
  const submissionText = readFileSync(join(dir, 'submission.yaml'), 'utf8');
  problems.push(...yaml11NumberProblems(submissionText, 'submission.yaml'));
  const docs = parseAllDocuments(submissionText).map((d) => d.toJS() as Record<string, any>);
  const files = new Set<string>();
  const names = new Set<string>();
  for (const [k, doc] of docs.entries()) {
    if (k === 0 && doc.data_file === undefined) {
      problems.push(...v.info(doc).map((p) => `submission doc 0: ${p}`));
      continue;
    }
    problems.push(...v.submission(doc).map((p) => `submission doc ${k}: ${p}`));
    if (names.has(doc.name)) problems.push(`submission doc ${k}: table name "${doc.name}" repeated`);
    names.add(doc.name);
    const file = doc.data_file as string;
    if (files.has(file)) problems.push(`submission doc ${k}: data_file ${file} repeated`);
    else if (!existsSync(join(dir, file))) problems.push(`submission doc ${k}: data_file ${file} missing`);
    else {
      files.add(file);
      const text = readFileSync(join(dir, file), 'utf8');
      const table = parseDocument(text).toJS() as Record<string, any>;
      problems.push(...v.data(table).map((p) => `${file}: ${p}`));
      problems.push(...tableRules(table, file), ...yaml11NumberProblems(text, file));
    }
  }
  for (const f of readdirSync(dir))
    if (f !== 'submission.yaml' && !files.has(f)) problems.push(`${f} is not referenced by submission.yaml`);
  return problems;
}
