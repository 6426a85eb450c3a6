/**
 * `omnifold unfold --replicas LIST`: which replicas of the plan a run computes. LIST is
 * comma-separated; each item is a position in the plan's column order (nominal, data
 * bootstraps, sim bootstraps, background bootstraps, systematics; `weight` is 0), a range `a-b` of positions
 * (both included), or a column name such as `data_boot_3` or `syst_jes`. The syntax is
 * checked with the other flags, before any file is read; positions and names once the
 * plan is known.
 */

/** One item of LIST: positions from..to (one position: from = to), or a name. */
import { InputError } from '../index.js';
export type ReplicaListItem = { from: number; to: number } | { name: string };

/** Parses LIST; throws an InputError naming the option, the rule and the value for an empty item or a downward range. */
export function parseReplicaList(text: string): ReplicaListItem[] {
  return text.split(',').map((raw) => {
    const item = raw.trim();
    if (item === '')
      throw new InputError(
        `--replicas must be a comma-separated list of positions (3), ranges (0-9) or replica names; got ${JSON.stringify(text)}`,
      );
    if (/^\d+$/.test(item)) return { from: Number(item), to: Number(item) };
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(item);
    if (range === null) return { name: item };
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (from > to) throw new InputError(`--replicas ranges must read a-b with a <= b; got ${JSON.stringify(item)}`);
    return { from, to };
  });
}

/** The names, shortened to the first three and a count. */
function shortList(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, … (${names.length} replicas)`;
}

/**
 * The positions LIST chooses in `plan` (the replicas in column order), ascending and each
 * once: overlapping items are merged.
 *
 * @throws InputError for a position outside the plan or a name not in it, and as {@link parseReplicaList}
 * @example
 * chooseReplicas('0-2,syst_jes', plan); // [0, 1, 2, 5] for weight, data_boot_0..3, syst_jes
 */
export function chooseReplicas(text: string, plan: readonly { name: string }[]): number[] {
  const names = plan.map((p) => p.name);
  const chosen = new Set<number>();
  for (const item of parseReplicaList(text)) {
    if ('name' in item) {
      const k = names.indexOf(item.name);
      if (k < 0)
        throw new InputError(
          `--replicas names must be replicas of the plan (${shortList(names)}); got ${JSON.stringify(item.name)}`,
        );
      chosen.add(k);
    } else {
      if (item.to >= names.length) {
        const shown = item.from === item.to ? `${item.from}` : `${item.from}-${item.to}`;
        throw new InputError(
          `--replicas positions must be in 0-${names.length - 1} (the plan has ${names.length} replicas: ${shortList(names)}); got ${JSON.stringify(shown)}`,
        );
      }
      for (let k = item.from; k <= item.to; k++) chosen.add(k);
    }
  }
  return [...chosen].sort((a, b) => a - b);
}
