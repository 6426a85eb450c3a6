/**
 * Reads YAML files with PyYAML (YAML 1.1), the reader HEPData uses, and compares what it
 * reads with what was meant: with `yaml.safe_load_all` (pure Python), or with the same
 * safe loader on libyaml's parser (`CSafeLoader`, which HEPData's validator prefers, and
 * many times faster). Needs /usr/bin/python3 with the `yaml`
 * module (Debian: python3-yaml); {@link pyyamlMissing} says why when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

/** Each file's documents, every value tagged with the Python type PyYAML gave it. */
const SCRIPT = `
import json, sys, yaml
def t(v):
    if isinstance(v, bool): return ['bool', v]
    if v is None: return ['null', None]
    if isinstance(v, int): return ['int', str(v)]
    if isinstance(v, float): return ['float', repr(v)]
    if isinstance(v, str): return ['str', v]
    if isinstance(v, list): return ['list', [t(x) for x in v]]
    if isinstance(v, dict): return ['map', [[t(k), t(x)] for k, x in v.items()]]
    return [type(v).__name__, repr(v)]
loader = yaml.CSafeLoader if sys.argv[1] == 'c' else yaml.SafeLoader
out = {}
for path in sys.argv[2:]:
    with open(path, 'rb') as f:
        out[path] = [t(d) for d in yaml.load_all(f, Loader=loader)]
print(json.dumps(out))
`;

const missing = new Map<string, string | undefined>();

/** Why PyYAML (with libyaml, when `parser` is `libyaml`) cannot be used here, or undefined when it can. */
export function pyyamlMissing(parser: 'python' | 'libyaml' = 'python'): string | undefined {
  if (!missing.has(parser)) {
    if (!existsSync(PYTHON)) missing.set(parser, `${PYTHON} is absent`);
    else {
      const check = parser === 'libyaml' ? 'import yaml; yaml.CSafeLoader' : 'import yaml';
      const r = spawnSync(PYTHON, ['-c', check], { encoding: 'utf8' });
      missing.set(
        parser,
        r.status === 0
          ? undefined
          : `${PYTHON} has no yaml module${parser === 'libyaml' ? ' built with libyaml' : ''} (apt-get install python3-yaml)`,
      );
    }
  }
  return missing.get(parser);
}

/** A value as PyYAML read it: [Python type, payload]. */
export type Tagged = [string, unknown];

/**
 * PyYAML's reading of each file (all its documents), by path: with `yaml.SafeLoader`
 * (`safe_load_all`), or `yaml.CSafeLoader` when `parser` is `libyaml` (an error where
 * PyYAML was built without libyaml: {@link pyyamlMissing} with `libyaml`).
 */
export function pyyamlRead(paths: readonly string[], parser: 'python' | 'libyaml' = 'python'): Map<string, Tagged[]> {
  const args = ['-c', SCRIPT, parser === 'libyaml' ? 'c' : 'py', ...paths];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`PyYAML failed to read ${paths.join(', ')}: ${r.stderr}`);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, Tagged[]>));
}

/** A Python float's repr as a JavaScript number. */
function pythonFloat(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  if (text === 'nan') return NaN;
  return Number(text);
}

/**
 * Where PyYAML's reading `got` differs from `expected` (what was written): each string must
 * come back a string equal to it, each number a number equal to it (a float, or an int
 * for an integer value), each array and object the same shape.
 */
export function pyyamlDifferences(got: Tagged, expected: unknown, at = ''): string[] {
  const [type, payload] = got;
  const where = at === '' ? '(root)' : at;
  if (typeof expected === 'string')
    return type === 'str' && payload === expected
      ? []
      : [`${where}: wrote the string ${JSON.stringify(expected)}; PyYAML read ${type} ${JSON.stringify(payload)}`];
  if (typeof expected === 'number') {
    const value = type === 'float' ? pythonFloat(payload as string) : type === 'int' ? Number(payload) : undefined;
    const ok =
      value !== undefined &&
      (type === 'float' || Number.isInteger(expected)) &&
      (Object.is(value, expected) || (value === 0 && expected === 0));
    return ok ? [] : [`${where}: wrote the number ${expected}; PyYAML read ${type} ${JSON.stringify(payload)}`];
  }
  if (Array.isArray(expected)) {
    if (type !== 'list' || (payload as Tagged[]).length !== expected.length)
      return [`${where}: wrote an array of ${expected.length}; PyYAML read ${type}`];
    return (payload as Tagged[]).flatMap((g, k) => pyyamlDifferences(g, expected[k], `${at}[${k}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    const entries = Object.entries(expected as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (type !== 'map') return [`${where}: wrote an object; PyYAML read ${type}`];
    const pairs = payload as [Tagged, Tagged][];
    const keys = pairs.map(([k]) => (k[0] === 'str' ? (k[1] as string) : `<${k[0]} ${String(k[1])}>`));
    if (keys.join('\n') !== entries.map(([k]) => k).join('\n'))
      return [`${where}: wrote keys ${entries.map(([k]) => k).join(', ')}; PyYAML read ${keys.join(', ')}`];
    return pairs.flatMap(([, v], k) => pyyamlDifferences(v, entries[k][1], `${at}.${entries[k][0]}`));
  }
  return [`${where}: cannot compare a written ${typeof expected}`];
}
