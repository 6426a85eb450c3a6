/**
 * Output folders the engine owns, and only those. The rule: the engine never deletes or
 * overwrites anything it did not write.
 *
 * A folder becomes an omnifold output when the engine writes its manifest,
 * `.omnifold-output.json`, which lists every entry the engine put there. A later run
 * replaces exactly those entries (with `--force`) or continues them (`--resume`); anything
 * else in the folder (a user's notes, the run's own input files) is never touched. The
 * state an interrupted run keeps for `--resume` lives in `.omnifold-resume/`, also listed.
 *
 * The life of an output folder:
 * 1. {@link checkOutputDir}, before any work: the path is not a file; an existing folder
 *    is empty or an earlier omnifold output (refused unless force or resume); nothing the
 *    command will write collides with a file the engine did not write; the folder (or its
 *    nearest existing parent) is writable. It writes nothing.
 * 2. {@link OutputDir.open}, once the inputs are read: creates the folder and writes the
 *    manifest (state `running`). From here a failed run leaves only the engine's entries.
 * 3. {@link OutputDir.commit}: `fill` writes the outputs into a staging folder inside the
 *    output folder; each entry is then renamed into place (atomic per entry), entries of
 *    the earlier output that this run no longer writes are removed, the resume state is
 *    dropped, and the manifest says `complete`.
 */
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { InputError, OmniFoldError } from '../base/errors.js';

/** The manifest's file name. */
export const MANIFEST = '.omnifold-output.json';
/** Where an interrupted run keeps what `--resume` needs (finished replicas). */
export const RESUME_DIR = '.omnifold-resume';
const STAGING_PREFIX = '.omnifold-staging-';
/** What older engine versions wrote, without a manifest (recognised as their outputs). */
const LEGACY_ENTRIES = new Set(['weights.arrow', 'summary.json', 'report.html', 'plots', 'replicas']);

/** `.omnifold-output.json`. */
interface Manifest {
  format: 'omnifold-output';
  formatVersion: 1;
  /** The command that wrote the folder, e.g. `unfold`. */
  command: string;
  state: 'running' | 'complete';
  /** Every entry (file or folder name) the engine wrote in the folder, sorted. */
  entries: string[];
}

/** How a command may treat an existing output. */
export interface OutputDirOptions {
  /** The option that named the folder, for messages (default `--out`). */
  subject?: string;
  /** The command writing it, recorded in the manifest. */
  command: string;
  /** Replace an earlier omnifold output (only the entries the engine wrote). */
  force?: boolean;
  /** Continue an earlier (interrupted) omnifold output. */
  resume?: boolean;
  /**
   * Top-level entries this command will write, checked before any work against entries the
   * engine did not write; undeclared entries are checked when committed.
   */
  writes?: readonly string[];
  /**
   * Update an output rather than replace it (e.g. `plot` rewriting the figures): entries of
   * the earlier output that this command does not write stay. Default false: they go.
   */
  update?: boolean;
  /**
   * Folders that must hold nothing but their content (a HEPData submission is uploaded as
   * it is): no manifest is written, and an earlier output is recognised by `recognise`.
   */
  withoutManifest?: { recognise: (entries: readonly string[]) => boolean };
  /** Input files of the run: none may be an entry this run replaces. */
  inputs?: readonly { option: string; path: string }[];
}

/** An error about the output location: the user's to fix (exit code 2). */
function outputError(subject: string, path: string, rule: string, got: string, hint?: string): InputError {
  return new InputError(`${subject} ${path} ${rule}; got ${got}${hint === undefined ? '' : ` (${hint})`}`);
}

/** A file-system error code in words, e.g. `EACCES (permission denied)`. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a path component is a file',
    EEXIST: 'already exists',
    ENOENT: 'no such file or directory',
    EISDIR: 'is a directory',
  };
  return code === undefined
    ? String((error as Error).message ?? error)
    : `${code}${words[code] ? ` (${words[code]})` : ''}`;
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Manifest;
    return m.format === 'omnifold-output' && Array.isArray(m.entries) ? m : undefined;
  } catch {
    return undefined;
  }
}

function listed(entries: readonly string[], limit = 3): string {
  return entries.slice(0, limit).join(', ') + (entries.length > limit ? `, … (${entries.length} entries)` : '');
}

/**
 * What the engine wrote in `dir`: the command that wrote it and the entries listed in its
 * manifest (or, for outputs of older versions without one, the folder's entries when they
 * are all ones those versions wrote); undefined when `dir` is not an omnifold output.
 */
export async function engineOutput(dir: string): Promise<{ command: string; entries: string[] } | undefined> {
  const manifest = await readManifest(dir);
  if (manifest !== undefined) return { command: manifest.command, entries: [...manifest.entries] };
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined || !entries.includes('weights.arrow') || !entries.every((e) => LEGACY_ENTRIES.has(e)))
    return undefined;
  return { command: 'unfold', entries: entries.sort() };
}

/** The nearest existing ancestor of `path` (itself included). */
export async function nearestExisting(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    if ((await stat(p).catch(() => undefined)) !== undefined || dirname(p) === p) return p;
  }
}

/**
 * Checks an output location before any work and returns its handle; writes nothing.
 * Throws an InputError naming the option, the rule and what was found.
 */
export async function checkOutputDir(outDir: string, options: OutputDirOptions): Promise<OutputDir> {
  const subject = options.subject ?? '--out';
  const path = resolve(outDir);
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error));
  if (found instanceof Error)
    throw outputError(subject, outDir, 'must be a folder the engine can use', describeFsError(found));
  let earlier: string[] = [];
  if (found !== undefined) {
    if (!found.isDirectory())
      throw outputError(
        subject,
        outDir,
        'must be a folder',
        'a file',
        'choose another path; files are never replaced by an output folder',
      );
    const entries = (await readdir(path)).sort();
    const manifest = options.withoutManifest === undefined ? await readManifest(path) : undefined;
    const legacy =
      manifest === undefined &&
      (options.withoutManifest === undefined
        ? entries.includes('weights.arrow') && entries.every((e) => LEGACY_ENTRIES.has(e))
        : options.withoutManifest.recognise(entries));
    if (manifest !== undefined) earlier = manifest.entries.filter((e) => entries.includes(e));
    else if (legacy) earlier = entries;
    else if (entries.length > 0) {
      throw outputError(
        subject,
        outDir,
        'must be empty or an earlier omnifold output',
        `a folder holding ${listed(entries)}`,
        'not written by omnifold: choose another folder',
      );
    }
    if ((manifest !== undefined || legacy) && earlier.length > 0 && !options.force && !options.resume) {
      throw outputError(
        subject,
        outDir,
        'must not hold an earlier omnifold output unless --force or --resume is given',
        `one holding ${listed(earlier)}`,
        '--force replaces it; --resume continues an interrupted run',
      );
    }
    const foreign = (options.writes ?? []).filter((w) => entries.includes(w) && !earlier.includes(w));
    if (foreign.length > 0) {
      throw outputError(
        subject,
        outDir,
        `must not hold ${foreign.join(', ')} unless the engine wrote it`,
        `${foreign.join(', ')} not listed in its ${MANIFEST}`,
        'move it away or choose another folder',
      );
    }
  }
  for (const input of options.inputs ?? []) {
    const file = resolve(input.path);
    const owned = [...new Set([...earlier, ...(options.writes ?? []), RESUME_DIR])].map((e) => join(path, e));
    if (owned.some((o) => file === o || file.startsWith(o + sep))) {
      throw new InputError(
        `${input.option} must not be a file this run replaces in ${subject} ${outDir}; got ${input.path}`,
      );
    }
  }
  const probe = await nearestExisting(path);
  try {
    await access(probe, constants.W_OK);
  } catch (error) {
    throw outputError(subject, outDir, 'must be writable', `${describeFsError(error)} at ${probe}`);
  }
  return new OutputDir(path, outDir, subject, options, earlier);
}

/** A checked output folder (see the module comment for its life). */
export class OutputDir {
  private opened = false;

  constructor(
    /** Absolute path. */
    readonly path: string,
    /** As the user gave it, for messages. */
    readonly given: string,
    private readonly subject: string,
    private readonly options: OutputDirOptions,
    /** Entries of the earlier output found there. */
    private readonly earlier: readonly string[],
  ) {}

  /** The folder holding what `--resume` needs. */
  get resumeDir(): string {
    return join(this.path, RESUME_DIR);
  }

  /** Creates the folder and marks it as this engine's (manifest state `running`). */
  async open(): Promise<void> {
    try {
      await mkdir(this.path, { recursive: true });
      for (const entry of await readdir(this.path)) {
        // leftovers of a run killed while writing (names only the engine uses)
        if (entry.startsWith(STAGING_PREFIX) || entry.startsWith(`${MANIFEST}.tmp-`))
          await rm(join(this.path, entry), { recursive: true, force: true });
      }
      if (!this.options.resume && this.earlier.includes(RESUME_DIR))
        await rm(this.resumeDir, { recursive: true, force: true });
      await this.writeManifest('running', [...new Set([...this.earlier, RESUME_DIR])]);
    } catch (error) {
      if (error instanceof OmniFoldError) throw error;
      throw outputError(this.subject, this.given, 'must be writable', describeFsError(error));
    }
    this.opened = true;
  }

  /**
   * Writes the outputs: `fill` writes them into a staging folder; each is then moved into
   * place. On failure the staging folder is removed and the earlier entries stay.
   */
  async commit(fill: (dir: string) => Promise<void>): Promise<string[]> {
    if (!this.opened) await this.open();
    const staging = await mkdtemp(join(this.path, STAGING_PREFIX));
    let written: string[];
    try {
      await fill(staging);
      written = (await readdir(staging)).sort();
      const present = await readdir(this.path);
      const foreign = written.filter((w) => present.includes(w) && !this.earlier.includes(w));
      if (foreign.length > 0) {
        throw outputError(
          this.subject,
          this.given,
          `must not hold ${foreign.join(', ')} unless the engine wrote it`,
          `${foreign.join(', ')} not listed in its ${MANIFEST}`,
          'nothing was replaced',
        );
      }
      await this.writeManifest('running', [...new Set([...this.earlier, RESUME_DIR, ...written])]);
      for (const entry of written) await this.replace(staging, entry);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      // a file-system refusal (a full disk, say) is named; anything else is the writer's own error
      if ((error as NodeJS.ErrnoException).code === undefined || error instanceof OmniFoldError) throw error;
      throw outputError(
        this.subject,
        this.given,
        'must take the whole output',
        describeFsError(error),
        'entries not yet moved are unchanged',
      );
    }
    await rm(staging, { recursive: true, force: true });
    if (this.options.update) {
      await this.writeManifest('complete', [...new Set([...this.earlier, ...written])]);
      return written;
    }
    await rm(this.resumeDir, { recursive: true, force: true });
    for (const stale of this.earlier.filter((e) => !written.includes(e)))
      await rm(join(this.path, stale), { recursive: true, force: true });
    await this.writeManifest('complete', written);
    return written;
  }

  /** Moves `staging/entry` to `path/entry`; a folder replaces the engine's earlier one. */
  private async replace(staging: string, entry: string): Promise<void> {
    const target = join(this.path, entry);
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isDirectory()) {
      const old = join(staging, `.old-${entry}`);
      await rename(target, old);
      await rename(join(staging, entry), target);
    } else {
      await rename(join(staging, entry), target);
    }
  }

  private async writeManifest(state: Manifest['state'], entries: string[]): Promise<void> {
    if (this.options.withoutManifest !== undefined) return;
    const manifest: Manifest = {
      format: 'omnifold-output',
      formatVersion: 1,
      command: this.options.command,
      state,
      entries: entries.sort(),
    };
    const temp = join(this.path, `${MANIFEST}.tmp-${process.pid}`);
    await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temp, join(this.path, MANIFEST));
  }
}
