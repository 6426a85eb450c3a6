/**
 * `omnifold apply OUT --sim FILE [--out DIR]`: the unfolded weights of other events of the
 * same generator (held-out events, a larger sample), from the trained models that
 * `omnifold unfold --save-models` saved in OUT/models/ (library: `applyModels`).
 *
 * OUT/weights.arrow says which models belong to the run (the manifest's SHA-256) and which
 * columns its sim had; the manifest gives every model file's SHA-256. The new sample is
 * read with those columns (flags override) and weighted as the loop weighted the training
 * sim: applied to that sim itself, `weight` comes out bit for bit. Writes DIR/weights.arrow
 * (`configuration.command` is `apply`) and DIR/summary.json, through the output-folder
 * rules of every command.
 */
import {
  applyModels,
  checkInputFile,
  checkOutputDir,
  describeInputFile,
  InputError,
  readModels,
  readTable,
  readWeightsFile,
  simColumnList,
  jaggedColumnList,
  type ParticleColumns,
  simSampleFromTable,
  splitObjectPath,
  summarize,
  truthSampleFromTable,
  type TruthSample,
  type WeightsMetadata,
  writeSummary,
  writeWeightsFile,
} from '../index.js';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinDashValues } from './dash_values.js';
import { formatResultTable } from './table.js';
import { parseBins } from './unfold_plan.js';

type FlagType = 'string' | 'boolean';

/** Every flag of `omnifold apply`, with its help. */
export const APPLY_FLAGS: Readonly<Record<string, { type: FlagType; help: string; short?: string }>> = Object.freeze({
  sim: { type: 'string', help: 'the events to weight (FILE or FILE:OBJECT), of the generator the unfolding used' },
  out: { type: 'string', help: 'output directory (default ./omnifold-apply)' },
  gen: { type: 'string', help: "gen feature columns, comma-separated (default: the unfolding's)" },
  reco: { type: 'string', help: "reco feature columns, comma-separated (default: the unfolding's)" },
  'sim-weight': { type: 'string', help: "prior weight column (default: the unfolding's --sim-weight, else all 1)" },
  'pass-gen': {
    type: 'string',
    help: "gen-selection mask column (default: the unfolding's --pass-gen, else all pass)",
  },
  'pass-reco': {
    type: 'string',
    help: "reco-selection mask column (default: the unfolding's --pass-reco, else all pass)",
  },
  truth: { type: 'string', help: 'gen-level truth file (gen columns) for the χ² in the summary' },
  'truth-weight': { type: 'string', help: 'truth event weight column (default: all 1)' },
  bins: {
    type: 'string',
    help: "summary binning per gen column, 'col=lo:hi:n' or 'col=e0,e1,…' (default: the unfolding's summary)",
  },
  force: { type: 'boolean', help: 'replace an earlier omnifold output in --out (only what the engine wrote there)' },
  quiet: { type: 'boolean', help: 'no progress on stderr (errors still print)' },
  debug: { type: 'boolean', help: 'print the stack with an error' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
});

/** Arguments that never change a weight: left out of the stored configuration. */
const RUN_LOCAL = ['out', 'force', 'quiet', 'debug', 'help'];

/** The `omnifold apply --help` text. */
export function applyHelp(): string {
  const lines = Object.entries(APPLY_FLAGS).map(([name, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' X' : ''}`;
    return `  ${flag.padEnd(24)} ${f.help}`;
  });
  return [
    'usage: omnifold apply OUT --sim FILE [--out DIR] [options]',
    '',
    'Weights other events of the same generator (held-out events, a larger sample) with the',
    'trained models that omnifold unfold --save-models saved in OUT/models/, as the unfolding',
    'weighted its own sim (applied to that sim, weight comes out bit for bit). Every model',
    'file is checked against its SHA-256. Writes DIR/weights.arrow and DIR/summary.json.',
    '',
    ...lines,
    '',
  ].join('\n');
}

type Args = Record<string, string | boolean | undefined>;

function parse(argv: string[]): { args: Args; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(APPLY_FLAGS).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}) }]),
  );
  try {
    const parsed = parseArgs({
      args: joinDashValues(argv, APPLY_FLAGS),
      options,
      strict: true,
      allowPositionals: true,
    });
    return { args: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1]?.split(' ')[0] ?? '?';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new InputError(`apply options must be known flags (see omnifold apply --help); got ${flag}`);
    throw new InputError(`apply arguments must parse; got ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The sim columns the unfolding read, as its weights file records them (none for a toy). */
interface RecordedColumns {
  gen?: string[];
  reco?: string[];
  simWeight?: string;
  passGen?: string;
  passReco?: string;
  /** The particle columns of a particle-level run (--gen-particles, --reco-particles, …). */
  genParticles?: ParticleColumns;
  recoParticles?: ParticleColumns;
}

function recordedColumns(metadata: WeightsMetadata): RecordedColumns {
  const input = metadata.configuration.input as { files?: RecordedColumns } | undefined;
  return input?.files ?? {};
}

/** The training run's summary edges per gen feature, when OUT/summary.json is there. */
async function summaryEdges(outDir: string): Promise<Record<string, number[]>> {
  const text = await readFile(join(outDir, 'summary.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    const summary = JSON.parse(text) as { features?: { feature: string; edges: number[] }[] };
    return Object.fromEntries((summary.features ?? []).map((f) => [f.feature, f.edges]));
  } catch {
    return {}; // the summary is a convenience here: without it the edges come from the data
  }
}

/** Runs `omnifold apply OUT argv…`; resolves to the exit code (errors propagate to main). */
export async function runApply(argv: string[]): Promise<number> {
  const started = Date.now();
  const { args, positionals } = parse(argv);
  if (args.help === true) {
    process.stdout.write(applyHelp());
    return 0;
  }
  if (positionals.length !== 1)
    throw new InputError(
      `apply must be given one unfolding output folder (OUT of omnifold unfold --save-models); got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  const str = (key: string) => (typeof args[key] === 'string' ? args[key] : undefined);
  const unfolded = positionals[0];
  const simPath = str('sim');
  if (simPath === undefined) throw new InputError('--sim must be given; got none (see omnifold apply --help)');
  if (str('truth-weight') !== undefined && str('truth') === undefined)
    throw new InputError('--truth-weight must come with --truth; got no --truth');
  const outDir = str('out') ?? 'omnifold-apply';
  if (resolve(outDir) === resolve(unfolded))
    throw new InputError(`--out must not be the unfolding's folder ${unfolded}; got ${outDir}`);
  const bins = str('bins') === undefined ? {} : parseBins(str('bins') as string);
  const log = (text: string) => {
    if (args.quiet !== true) process.stderr.write(`${text}\n`);
  };
  const weightsPath = join(unfolded, 'weights.arrow');
  const out = await checkOutputDir(outDir, {
    command: 'apply',
    force: args.force === true,
    writes: ['weights.arrow', 'summary.json'],
    inputs: [
      { option: '--sim', path: splitObjectPath(simPath).file },
      { option: 'OUT', path: weightsPath },
      ...(str('truth') === undefined ? [] : [{ option: '--truth', path: splitObjectPath(str('truth')!).file }]),
    ],
  });
  await checkInputFile('OUT', weightsPath);
  const training = (await readWeightsFile(weightsPath)).metadata;
  if (training.models === undefined)
    throw new InputError(
      `${weightsPath} must record saved models (run omnifold unfold with --save-models); got a run without them`,
    );
  const record = training.models;
  const { models } = readModels(join(unfolded, 'models'), record.sha256);
  const recorded = recordedColumns(training);
  const listed = (key: string, fallback: string[]) =>
    str(key)
      ?.split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '') ?? fallback;
  const columns = {
    gen: listed('gen', recorded.gen ?? models.genNames),
    reco: listed('reco', recorded.reco ?? models.recoNames),
    weight: str('sim-weight') ?? recorded.simWeight,
    passGen: str('pass-gen') ?? recorded.passGen,
    passReco: str('pass-reco') ?? recorded.passReco,
    genParticles: recorded.genParticles,
    recoParticles: recorded.recoParticles,
  };
  for (const [level, names, trained] of [
    ['gen', columns.gen, models.genNames],
    ['reco', columns.reco, models.recoNames],
  ] as const) {
    if (names.length !== trained.length)
      throw new InputError(
        `--${level} must name the ${trained.length} ${level} columns the models were trained on (${trained.join(', ')}); got ${names.join(',')}`,
      );
  }
  await checkInputFile('--sim', simPath);
  if (str('truth') !== undefined) await checkInputFile('--truth', str('truth')!);
  const jagged = jaggedColumnList(columns.genParticles, columns.recoParticles);
  const sim = simSampleFromTable(await readTable(simPath, { columns: simColumnList(columns), jagged }), columns);
  log(`applying the models of ${unfolded} to ${sim.weights.length} events of ${simPath}`);
  const result = applyModels(models, sim);
  let truth: TruthSample | undefined;
  const files = [await describeInputFile('sim', simPath)];
  if (str('truth') !== undefined) {
    const truthWeight = str('truth-weight');
    const table = await readTable(str('truth')!, {
      columns: truthWeight === undefined ? columns.gen : [...columns.gen, truthWeight],
    });
    const passGen =
      columns.passGen !== undefined && table.columnNames.includes(columns.passGen) ? columns.passGen : undefined;
    truth = truthSampleFromTable(table, { gen: columns.gen, weight: truthWeight, passGen });
    files.push(await describeInputFile('truth', str('truth')!));
  }
  const modelsManifest = join(unfolded, 'models', 'models.json');
  files.push({ role: 'models', path: modelsManifest, sha256: record.sha256, bytes: record.bytes });
  const summary = summarize({
    ...sim,
    genNames: columns.gen,
    priorWeights: sim.weights,
    weights: result.weights,
    truth,
    bins: { ...(await summaryEdges(unfolded)), ...bins },
    iterations: [],
    nDropped: result.nDropped,
  });
  await out.open();
  await out.commit(async (dir) => {
    await writeWeightsFile(join(dir, 'weights.arrow'), {
      genNames: columns.gen,
      gen: sim.gen,
      passGen: sim.passGen,
      passReco: sim.passReco,
      priorWeights: sim.weights,
      dataWeightSum: Number(training.normalisation.sumDataWeights),
      result: { weights: result.weights, iterations: [], nDropped: result.nDropped, options: models.options },
      configuration: {
        command: 'apply',
        arguments: Object.fromEntries(
          Object.entries(args).filter(([key, value]) => value !== undefined && !RUN_LOCAL.includes(key)),
        ),
        unfolding: unfolded,
        columns,
        options: models.options,
        models: { path: modelsManifest, sha256: record.sha256 },
      },
      inputs: files,
      observables: columns.gen.map((name) => ({ ...training.observables.find((o) => o.name === name), name })),
      ...(training.selection === undefined ? {} : { selection: training.selection }),
      normalisationDescription:
        "weight = w0 * push, the push weights of the unfolding's saved models applied to these events; absolute: the sum over pass_gen estimates the unfolding's data yield times (sum of w0 here) / (sum of w0 of its sim)",
    });
    await writeSummary(join(dir, 'summary.json'), {
      ...summary,
      run: { out: outDir, unfolding: unfolded, wallSeconds: Math.round((Date.now() - started) / 100) / 10 },
    });
  });
  log(`wrote ${join(outDir, 'weights.arrow')}, ${join(outDir, 'summary.json')}`);
  process.stdout.write(formatResultTable(summary));
  return 0;
}
