/**
 * Option values that start with a minus sign, for every command: `--bins -1:1:4`,
 * `--seed -1`, `--obs -gen_eta`. node:util parseArgs refuses a value that starts with
 * `-` ("argument is ambiguous") unless it is written `--bins=-1:1:4`; this pre-pass
 * writes it so before parsing. A value option takes the next argument as its value
 * unless that argument is another long option (`--x`) or one of the command's short
 * flags (`-h`), so a forgotten value still gets parseArgs's error. Arguments after a
 * bare `--` are left alone.
 */

/** The parts of a parseArgs option table this pre-pass reads. */
export type OptionTable = Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>;

/**
 * `argv` with every `--name VALUE` whose VALUE starts with `-` joined into
 * `--name=VALUE`, where `name` is a string option of `options`.
 */
export function joinDashValues(argv: readonly string[], options: OptionTable): string[] {
  const takesValue = new Set(
    Object.entries(options)
      .filter(([, o]) => o.type === 'string')
      .map(([name]) => `--${name}`),
  );
  const shortFlags = new Set(Object.values(options).flatMap((o) => (o.short ? [`-${o.short}`] : [])));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const dashValue = next !== undefined && next.startsWith('-') && !next.startsWith('--') && !shortFlags.has(next);
    if (takesValue.has(arg) && dashValue) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
