/**
 * ROOT files through jsroot 7.11, an optional dependency imported only when a `.root`
 * file is read. `file.root:tree` picks the tree (a TTree, TNtuple or RNTuple; a path such
 * as `dir/tree` works); without it, the file's only tree is used.
 *
 * Columns are the tree's top-level branches (RNTuple: top-level fields). Only flat
 * branches with one numeric value per entry can be read: float, double, (unsigned) char,
 * short, int, Long64_t and bool (→ Uint8Array 0/1); Long64_t comes as BigInt64Array
 * (jsroot decodes 64-bit integers as doubles, so values beyond 2^53 lose precision).
 * Jagged (`x[n]`), fixed-size array, string and object branches are an InputError there.
 *
 * Variable-length columns (`options.jagged`, read with `table.jagged(name)`): TTree
 * branches of one numeric leaf with a counter (`x[n]`, the counter `n` being another
 * branch, as ROOT writes `float x[n]/F`) or of a fixed size (`x[3]`, every list of that
 * length). float leaves give Float32Array values, double leaves Float64Array, integer and
 * bool leaves Float64Array (Long64_t as jsroot decodes it, through a double). Branches of
 * `std::vector<…>` (TBranchElement) and RNTuple collection fields are not read: jsroot
 * 7.11 reads them but no fixture holds one to test against, so they are an InputError.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../base/errors.js';
import { checkRequested, listNames, makeTable, throttledProgress } from './columns.js';
import { splitObjectPath } from './load.js';
import { captureConsole, guardUncaught } from './library_guard.js';
import { checkBaskets } from './root_baskets.js';
import { JaggedBuilder, uniqueJagged, type ReadJagged } from './jagged.js';
import type { ColumnTable, NumericColumn, ReadOptions } from './table.js';

// jsroot ships no types; its objects are used through a few known members.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped library objects
type JsrootObject = any;

interface Jsroot {
  openFile(path: string): Promise<JsrootObject>;
  TSelector: new () => JsrootObject;
  treeProcess(tree: JsrootObject, selector: JsrootObject, args?: object): Promise<unknown>;
  readHeaderFooter(tuple: JsrootObject): Promise<JsrootObject>;
  rntupleProcess(tuple: JsrootObject, selector: JsrootObject, args?: object): Promise<unknown>;
}

// Specifiers held in variables so TypeScript does not require the optional package.
const JSROOT_MODULES = ['jsroot/io', 'jsroot/tree', 'jsroot/rntuple'];

let jsrootPromise: Promise<Jsroot> | undefined;

/** Imports jsroot's I/O modules, or says how to install the optional dependency. */
function loadJsroot(file: string): Promise<Jsroot> {
  jsrootPromise ??= Promise.all(JSROOT_MODULES.map((m) => import(m))).then(([io, tree, rntuple]) => ({
    openFile: io.openFile,
    TSelector: tree.TSelector,
    treeProcess: tree.treeProcess,
    readHeaderFooter: rntuple.readHeaderFooter,
    rntupleProcess: rntuple.rntupleProcess,
  }));
  return jsrootPromise.catch((err) => {
    jsrootPromise = undefined;
    throw new InputError(
      `${file}: reading ROOT files needs the optional dependency jsroot; got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])} (npm install jsroot@7.11.2)`,
      { cause: err },
    );
  });
}

const TREE_CLASSES = new Set(['TTree', 'TNtuple', 'TNtupleD']);
const RNTUPLE_CLASSES = new Set(['ROOT::RNTuple', 'ROOT::Experimental::RNTuple']);

/** TLeaf class → output typed array (by signedness where it matters). */
const LEAF_TYPES: Record<string, (unsigned: boolean, n: number) => NumericColumn> = {
  TLeafF: (_u, n) => new Float32Array(n),
  TLeafF16: (_u, n) => new Float32Array(n),
  TLeafD: (_u, n) => new Float64Array(n),
  TLeafD32: (_u, n) => new Float64Array(n),
  TLeafB: (u, n) => (u ? new Uint8Array(n) : new Int8Array(n)),
  TLeafS: (u, n) => (u ? new Uint16Array(n) : new Int16Array(n)),
  TLeafI: (u, n) => (u ? new Uint32Array(n) : new Int32Array(n)),
  TLeafL: (_u, n) => new BigInt64Array(n),
  TLeafG: (_u, n) => new BigInt64Array(n),
  TLeafO: (_u, n) => new Uint8Array(n),
};

/** RNTuple field type → output typed array. */
const FIELD_TYPES: Record<string, (n: number) => NumericColumn> = {
  float: (n) => new Float32Array(n),
  double: (n) => new Float64Array(n),
  'std::int8_t': (n) => new Int8Array(n),
  'std::uint8_t': (n) => new Uint8Array(n),
  'std::int16_t': (n) => new Int16Array(n),
  'std::uint16_t': (n) => new Uint16Array(n),
  'std::int32_t': (n) => new Int32Array(n),
  'std::uint32_t': (n) => new Uint32Array(n),
  'std::int64_t': (n) => new BigInt64Array(n),
  'std::uint64_t': (n) => new BigInt64Array(n),
  bool: (n) => new Uint8Array(n),
};

/** A requested column: where the selector puts its value, and the output array (or, for a list, its builder). */
interface Target {
  name: string;
  member: string;
  out?: NumericColumn;
  lists?: JaggedBuilder;
}

/** Runs a jsroot selector over `targets`, filling one output row per entry. */
async function fill(
  source: string,
  nRows: number,
  targets: Target[],
  run: (selector: JsrootObject) => Promise<unknown>,
  jsroot: Jsroot,
  onProgress?: (f: number) => void,
): Promise<void> {
  const progress = throttledProgress(onProgress);
  const selector = new jsroot.TSelector();
  let row = 0;
  selector.Process = function process(this: JsrootObject) {
    const values = this.tgtobj;
    for (const t of targets) {
      const v = values[t.member];
      if (t.lists !== undefined) t.lists.push(v);
      else if (t.out instanceof BigInt64Array) t.out[row] = BigInt(Math.trunc(Number(v)));
      else (t.out as NumericColumn)[row] = typeof v === 'boolean' ? Number(v) : v;
    }
    row++;
    if ((row & 0xffff) === 0) progress(row / nRows);
  };
  selector.ShowProgress = (fraction: unknown) => {
    if (typeof fraction === 'number') progress(fraction);
  };
  try {
    await run(selector);
  } catch (err) {
    throw new InputError(
      `${source}: tree data are unreadable (truncated file?); got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])}`,
      { cause: err },
    );
  }
  if (row !== nRows) throw new InputError(`${source}: file is truncated; read ${row} of ${nRows} entries`);
  progress(1);
}

/** Explains why a TTree branch is not a flat numeric column, or returns its leaf. */
function flatLeaf(source: string, branch: JsrootObject): JsrootObject {
  const name = JSON.stringify(branch.fName);
  const leaves = branch.fLeaves?.arr ?? [];
  if (branch._typename !== 'TBranch' || (branch.fBranches?.arr?.length ?? 0) > 0) {
    const cls = branch.fClassName ? ` of class ${branch.fClassName}` : '';
    throw new InputError(
      `${source}: branch ${name} must be a flat numeric branch; got ${branch._typename}${cls} (object, STL or split branches are not read)`,
    );
  }
  if (leaves.length !== 1)
    throw new InputError(
      `${source}: branch ${name} must have one leaf; got ${leaves.length} leaves (${leaves.map((l: JsrootObject) => l.fName).join(', ')})`,
    );
  const leaf = leaves[0];
  if (leaf._typename === 'TLeafC')
    throw new InputError(
      `${source}: branch ${name} must hold numbers; got the string leaf ${leaf.fTitle || leaf.fName} (TLeafC)`,
    );
  if (leaf.fLeafCount)
    throw new InputError(
      `${source}: branch ${name} must be flat (one value per entry); got the jagged leaf ${leaf.fTitle || leaf.fName} (variable length: read it with options.jagged)`,
    );
  if (leaf.fLen > 1)
    throw new InputError(
      `${source}: branch ${name} must be flat (one value per entry); got the fixed-size array leaf ${leaf.fTitle || leaf.fName}`,
    );
  if (!(leaf._typename in LEAF_TYPES)) {
    throw new InputError(
      `${source}: branch ${name} must hold float, double, (unsigned) char/short/int, Long64_t or bool; got ${leaf._typename}`,
    );
  }
  return leaf;
}

/** Explains why a TTree branch is not a variable-length (or fixed-size array) numeric branch, or returns its leaf. */
function listLeaf(source: string, branch: JsrootObject): JsrootObject {
  const name = JSON.stringify(branch.fName);
  const leaves = branch.fLeaves?.arr ?? [];
  if (branch._typename !== 'TBranch' || (branch.fBranches?.arr?.length ?? 0) > 0) {
    const cls = branch.fClassName ? ` of class ${branch.fClassName}` : '';
    throw new InputError(
      `${source}: variable-length branch ${name} must be a numeric array leaf (x[n] with a counter branch, or x[N]); got ${branch._typename}${cls} (std::vector, object and split branches are not read)`,
    );
  }
  const leaf = leaves[0];
  if (leaves.length !== 1 || leaf._typename === 'TLeafC' || !(leaf._typename in LEAF_TYPES))
    throw new InputError(
      `${source}: variable-length branch ${name} must have one numeric leaf; got ${leaves.map((l: JsrootObject) => `${l.fTitle || l.fName} (${l._typename})`).join(', ') || 'none'}`,
    );
  if (!leaf.fLeafCount && !(leaf.fLen > 1))
    throw new InputError(
      `${source}: variable-length branch ${name} must be an array leaf (x[n] or x[N]); got the flat leaf ${leaf.fTitle || leaf.fName} (read it as a column)`,
    );
  return leaf;
}

async function readTree(
  jsroot: Jsroot,
  file: string,
  source: string,
  tree: JsrootObject,
  options: ReadOptions,
): Promise<ColumnTable> {
  const branches: JsrootObject[] = tree.fBranches?.arr ?? [];
  const names = branches.map((b) => String(b.fName));
  checkRequested(source, options.columns, names);
  const nRows = Number(tree.fEntries);
  const requested = [...new Set(options.columns)];
  if (!Number.isSafeInteger(nRows) || nRows < 0)
    throw new InputError(`${source}: tree must have a non-negative entry count; got ${tree.fEntries} (corrupt file)`);
  for (const name of requested) {
    const entries = Number(branches[names.indexOf(name)].fEntries);
    if (entries !== nRows)
      throw new InputError(
        `${source}: branch ${JSON.stringify(name)} must have the tree's ${nRows} entries; got ${entries} (corrupt file)`,
      );
  }
  const jagged = uniqueJagged(source, options.jagged);
  checkRequested(
    source,
    jagged.map((j) => j.name),
    names,
  );
  const targets: Target[] = requested.map((name, k) => {
    const branch = branches[names.indexOf(name)];
    const leaf = flatLeaf(source, branch);
    return { name, member: `c${k}`, out: LEAF_TYPES[leaf._typename](Boolean(leaf.fIsUnsigned), nRows) };
  });
  const checked = targets.map((t) => branches[names.indexOf(t.name)]);
  const listTargets: Target[] = jagged.map(({ name }, k) => {
    const branch = branches[names.indexOf(name)];
    const entries = Number(branch.fEntries);
    if (entries !== nRows)
      throw new InputError(
        `${source}: branch ${JSON.stringify(name)} must have the tree's ${nRows} entries; got ${entries} (corrupt file)`,
      );
    const leaf = listLeaf(source, branch);
    checked.push(branch);
    const counter = branches.find((b) => (b.fLeaves?.arr ?? []).some((l: JsrootObject) => l === leaf.fLeafCount));
    if (counter !== undefined) checked.push(counter);
    const float32 = leaf._typename === 'TLeafF' || leaf._typename === 'TLeafF16';
    return {
      name,
      member: `j${k}`,
      lists: new JaggedBuilder(source, name, nRows, float32 ? Float32Array : Float64Array),
    };
  });
  targets.push(...listTargets);
  if (targets.length > 0 && nRows > 0) {
    await checkBaskets(file, source, [...new Set(checked)]);
    const run = (selector: JsrootObject) => {
      targets.forEach((t) => selector.addBranch(branches[names.indexOf(t.name)], t.member));
      return jsroot.treeProcess(tree, selector, {});
    };
    await fill(source, nRows, targets, run, jsroot, options.onProgress);
  }
  const flat = targets
    .filter((t) => t.out !== undefined)
    .map((t): [string, NumericColumn] => [t.name, t.out as NumericColumn]);
  const lists = new Map(
    listTargets.map((t): [string, ReadJagged] => [t.name, { column: (t.lists as JaggedBuilder).finish() }]),
  );
  return makeTable(source, nRows, names, new Map(flat), lists);
}

async function readRNTuple(
  jsroot: Jsroot,
  source: string,
  tuple: JsrootObject,
  options: ReadOptions,
): Promise<ColumnTable> {
  let builder: JsrootObject;
  try {
    builder = await jsroot.readHeaderFooter(tuple);
  } catch (err) {
    throw new InputError(
      `${source}: RNTuple header is unreadable; got ${JSON.stringify(String((err as Error).message ?? err))}`,
      { cause: err },
    );
  }
  const fields: JsrootObject[] = (builder?.fieldDescriptors ?? []).filter(
    (f: JsrootObject, i: number) => f.parentFieldId === i,
  );
  const names = fields.map((f) => String(f.fieldName));
  checkRequested(source, options.columns, names);
  const nRows = (builder?.clusterSummaries ?? []).reduce((n: number, c: JsrootObject) => n + Number(c.numEntries), 0);
  const jagged = uniqueJagged(source, options.jagged);
  checkRequested(
    source,
    jagged.map((j) => j.name),
    names,
  );
  for (const { name } of jagged) {
    throw new InputError(
      `${source}: variable-length column ${JSON.stringify(name)} must be a TTree array branch (x[n]); got an RNTuple field of type ${String(fields[names.indexOf(name)].typeName)} (RNTuple collections are not read)`,
    );
  }
  const requested = [...new Set(options.columns)];
  const targets: Target[] = requested.map((name, k) => {
    const type = String(fields[names.indexOf(name)].typeName);
    const make = FIELD_TYPES[type];
    if (make === undefined) {
      const jagged = /^(std::vector|ROOT::RVec|std::array)</.test(type) ? ' (jagged or array fields are not read)' : '';
      throw new InputError(
        `${source}: field ${JSON.stringify(name)} must be a flat numeric field (float, double, std::(u)int8–64_t, bool); got ${type}${jagged}`,
      );
    }
    return { name, member: `c${k}`, out: make(nRows) };
  });
  if (targets.length > 0 && nRows > 0) {
    const run = (selector: JsrootObject) => {
      targets.forEach((t) => selector.addBranch(t.name, t.member));
      return jsroot.rntupleProcess(tuple, selector, {});
    };
    await fill(source, nRows, targets, run, jsroot, options.onProgress);
  }
  return makeTable(source, nRows, names, new Map(targets.map((t) => [t.name, t.out as NumericColumn])), new Map());
}

/** The key of the tree to read: the named one, or the file's only tree. */
function pickTree(file: string, keys: JsrootObject[], object: string | undefined): { name: string; className: string } {
  const described = listNames([...new Set(keys.map((k) => `${k.fName} (${k.fClassName})`))]);
  const isTree = (k: JsrootObject) => TREE_CLASSES.has(k.fClassName) || RNTUPLE_CLASSES.has(k.fClassName);
  if (object === undefined) {
    const trees = [...new Map(keys.filter(isTree).map((k) => [k.fName, k])).values()];
    if (trees.length !== 1) {
      throw new InputError(
        `${file}: file must hold exactly one tree, or name one as ${file}:TREE; got ${trees.length === 0 ? 'none' : trees.length} among ${described}`,
      );
    }
    return { name: trees[0].fName, className: trees[0].fClassName };
  }
  const key = keys.find((k) => k.fName === object);
  if (key === undefined && !object.includes('/'))
    throw new InputError(`${file}: tree ${JSON.stringify(object)} not found; the file holds ${described}`);
  if (key !== undefined && !isTree(key)) {
    throw new InputError(`${file}: ${JSON.stringify(object)} must be a TTree or RNTuple; got ${key.fClassName}`);
  }
  return { name: object, className: key?.fClassName ?? '' };
}

/**
 * Checks the ROOT file header (magic `root`, fEND) so that missing, foreign and truncated
 * files fail here with one line, before jsroot (which logs such failures) sees them.
 */
async function checkHeader(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new InputError(`${file}: file must be readable; got ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  try {
    const { size } = await handle.stat();
    const header = new Uint8Array(20);
    const { bytesRead } = await handle.read(header, 0, 20, 0);
    const view = new DataView(header.buffer);
    if (bytesRead < 20 || String.fromCharCode(...header.subarray(0, 4)) !== 'root') {
      throw new InputError(
        `${file}: file must start with the ROOT magic "root"; got ${bytesRead < 4 ? `${bytesRead} bytes` : JSON.stringify(String.fromCharCode(...header.subarray(0, 4)))}`,
      );
    }
    // fVersion ≥ 1000000 marks 64-bit seek pointers; fEND follows fBEGIN (big-endian)
    const end = view.getInt32(4) >= 1000000 ? Number(view.getBigInt64(12)) : view.getInt32(12);
    if (size < end)
      throw new InputError(`${file}: file is truncated; the header says it has ${end} bytes, got ${size}`);
  } finally {
    await handle.close();
  }
}

/**
 * Reads flat numeric branches of a ROOT TTree (or fields of an RNTuple).
 * @example const t = await readRoot('Zmumu.root:events', { columns: ['M'] }); t.column('M')  // Float64Array(2304)
 */
export async function readRoot(path: string, options: ReadOptions): Promise<ColumnTable> {
  const { file, object } = splitObjectPath(path);
  await checkHeader(file);
  const jsroot = await loadJsroot(file);
  const fromJsroot = (err: unknown): boolean => /jsroot/.test(String((err as Error)?.stack ?? ''));
  const { value, lines } = await captureConsole(() =>
    guardUncaught(file, 'file must decode', () => readRootWith(jsroot, file, object, options), fromJsroot),
  );
  if (lines.length > 0)
    throw new InputError(
      `${file}: file must decode without errors; got jsroot's ${JSON.stringify(lines[0].split('\n')[0].slice(0, 200))} (truncated or corrupt file?)`,
    );
  return value;
}

/** Opens the file and reads the picked tree (jsroot's console output is captured by the caller). */
async function readRootWith(
  jsroot: Jsroot,
  file: string,
  object: string | undefined,
  options: ReadOptions,
): Promise<ColumnTable> {
  let rootFile: JsrootObject;
  try {
    rootFile = await jsroot.openFile(resolve(file));
  } catch (err) {
    throw new InputError(
      `${file}: file is truncated or not a ROOT file; got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])}`,
      { cause: err },
    );
  }
  const picked = pickTree(file, rootFile.fKeys ?? [], object);
  const source = `${file}:${picked.name}`;
  let tree: JsrootObject;
  try {
    tree = await rootFile.readObject(picked.name);
  } catch (err) {
    throw new InputError(
      `${source}: tree must be readable (truncated file?); got ${JSON.stringify(String((err as Error).message ?? err).split('\n')[0])}`,
      { cause: err },
    );
  }
  if (tree === null || tree === undefined)
    throw new InputError(`${file}: tree ${JSON.stringify(picked.name)} not found`);
  const typename = String(tree._typename ?? picked.className);
  if (RNTUPLE_CLASSES.has(typename) || RNTUPLE_CLASSES.has(picked.className))
    return readRNTuple(jsroot, source, tree, options);
  if (!TREE_CLASSES.has(typename))
    throw new InputError(`${file}: ${JSON.stringify(picked.name)} must be a TTree or RNTuple; got ${typename}`);
  try {
    return await readTree(jsroot, file, source, tree, options);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `${source}: tree must be readable; got ${JSON.stringify(String((err as Error)?.message ?? err).split('\n')[0])} (truncated or corrupt file?)`,
      { cause: err },
    );
  }
}
