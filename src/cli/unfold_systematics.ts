/**
 * Turns `--syst` arguments into the systematic replicas of src/uncertainty/replicas.ts, reading what
 * they name: an alternative sim file, a per-event weight column of the nominal sim, or a
 * reco feature to scale. A plain `name=FILE` holds the nominal events through another
 * detector (row-aligned, the same gen values and gen particles: checked); `name=prior:FILE` and
 * `name=response:FILE` hold another generator's events, turned into alternative prior
 * weights of the nominal events by the reweighting recipes
 * (src/uncertainty/generator_systematics.ts). Files are checked before any is read, and
 * each is recorded (SHA-256) among the run's inputs under the systematic's name.
 */
import {
  checkInputFile,
  type FeatureMatrix,
  jaggedColumnList,
  generatorSystematic,
  InputError,
  readTable,
  readWeights,
  type SimSample,
  simColumnList,
  simSampleFromTable,
  type SystematicSpec,
  type InputFileRecord,
  type UnfoldOptions,
  type UnfoldProgress,
} from '../index.js';
import { describeInput, type LoadedInputs } from './unfold_inputs.js';
import type { SystematicArg } from './syst_args.js';
import type { InputPlan } from './unfold_plan.js';

function simFiles(plan: InputPlan, arg: SystematicArg): Extract<InputPlan, { kind: 'files' }> {
  if (plan.kind !== 'files') {
    throw new InputError(
      `--syst ${arg.name} must come with --sim input files when it reads a ${arg.kind === 'sample' || arg.kind === 'alternative' ? 'file' : 'column'}; got the embedded ${plan.toy} toy`,
    );
  }
  return plan;
}

/**
 * Throws an InputError unless `alternative` holds the nominal events with other reco values:
 * the same gen selection and gen values, row by row.
 */
function checkRowAligned(
  arg: Extract<SystematicArg, { kind: 'sample' }>,
  nominal: SimSample,
  alternative: SimSample,
  genNames: string[],
): void {
  const n = nominal.gen.nEvents;
  const nGen = nominal.gen.nFeatures;
  for (let i = 0; i < n; i++) {
    const pass = nominal.passGen[i];
    if (alternative.passGen[i] !== pass) {
      throw new InputError(
        `--syst ${arg.name} ${arg.file} must hold the nominal sim's events through another detector (the same gen selection, row by row); got pass-gen ${alternative.passGen[i]} at row ${i} where the nominal has ${pass}; for another generator use ${arg.name}=prior:FILE or ${arg.name}=response:FILE`,
      );
    }
    if (!pass) continue;
    if (!sameParticles(nominal.gen, alternative.gen, i)) {
      throw new InputError(
        `--syst ${arg.name} ${arg.file} must hold the nominal sim's events through another detector (the same gen particles, row by row); got other gen particles at row ${i}; for another generator use ${arg.name}=prior:FILE or ${arg.name}=response:FILE`,
      );
    }
    for (let f = 0; f < nGen; f++) {
      const a = alternative.gen.values[i * nGen + f];
      const b = nominal.gen.values[i * nGen + f];
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
        throw new InputError(
          `--syst ${arg.name} ${arg.file} must hold the nominal sim's events through another detector (the same gen values, row by row); got ${genNames[f]} = ${a} at row ${i} where the nominal has ${b}; for another generator use ${arg.name}=prior:FILE or ${arg.name}=response:FILE`,
        );
      }
    }
  }
}

/** Whether row `i` holds the same particle set in `a` and `b` (bit for bit; both without particle sets: true). */
function sameParticles(a: FeatureMatrix, b: FeatureMatrix, i: number): boolean {
  const pa = a.particles;
  const pb = b.particles;
  if (pa === undefined || pb === undefined) return pa === pb;
  const n = pa.offsets[i + 1] - pa.offsets[i];
  if (pb.offsets[i + 1] - pb.offsets[i] !== n || pa.nFeatures !== pb.nFeatures) return false;
  const va = pa.values.subarray(pa.offsets[i] * pa.nFeatures, pa.offsets[i + 1] * pa.nFeatures);
  const vb = pb.values.subarray(pb.offsets[i] * pb.nFeatures, pb.offsets[i + 1] * pb.nFeatures);
  return va.every((v, k) => Object.is(v, vb[k]));
}

/** Another sim file read with the nominal sim's columns, its particle columns too. */
async function readAlternative(file: string, files: Extract<InputPlan, { kind: 'files' }>) {
  const columns = {
    gen: files.gen,
    reco: files.reco,
    weight: files.simWeight,
    passGen: files.passGen,
    passReco: files.passReco,
    genParticles: files.genParticles,
    recoParticles: files.recoParticles,
  };
  const table = await readTable(file, {
    columns: simColumnList(columns),
    jagged: jaggedColumnList(files.genParticles, files.recoParticles),
  });
  return { table, sim: simSampleFromTable(table, columns) };
}

/**
 * The systematic replicas of a run, in the order given. `options` are the run's unfolding
 * options: the recipes' reweighting fits use its classifier, ensemble, guards and seed.
 */
export async function resolveSystematics(
  args: readonly SystematicArg[],
  plan: InputPlan,
  inputs: LoadedInputs,
  options: Partial<UnfoldOptions>,
  onProgress?: (progress: UnfoldProgress) => void,
): Promise<SystematicSpec[]> {
  const out: SystematicSpec[] = [];
  for (const arg of args) {
    if ((arg.kind === 'sample' || arg.kind === 'alternative') && simFiles(plan, arg))
      await checkInputFile(`--syst ${arg.name}`, arg.file);
  }
  for (const arg of args) {
    // the replica index of this systematic, which keys the recipes' fits too
    const index = out.length;
    if (arg.kind === 'alternative') continue;
    if (arg.kind === 'reco-transform') {
      const feature = inputs.recoNames.indexOf(arg.column);
      if (feature < 0) {
        throw new InputError(
          `--syst ${arg.name}=reco:${arg.column}*${arg.scale} must name a --reco column; got ${JSON.stringify(arg.column)}; reco columns are ${inputs.recoNames.join(', ')}`,
        );
      }
      out.push({ name: arg.name, kind: 'reco-transform', feature, scale: arg.scale });
    } else if (arg.kind === 'weight') {
      const files = simFiles(plan, arg);
      const table = await readTable(files.sim, { columns: [arg.column] });
      out.push({ name: arg.name, kind: 'weight', weights: readWeights(table, arg.column) });
    } else {
      const { table, sim: alternative } = await readAlternative(arg.file, simFiles(plan, arg));
      if (arg.recipe !== undefined) {
        const { classifier, nMembers, ensembleCombine, epsilon, wMax, seed } = options;
        const built = await generatorSystematic(
          arg.recipe,
          arg.name,
          { ...inputs.sim, genNames: inputs.genNames, recoNames: inputs.recoNames },
          alternative,
          { classifier, nMembers, ensembleCombine, epsilon, wMax, seed, index },
          { onProgress },
        );
        out.push(built.spec);
      } else {
        const nSim = inputs.sim.weights.length;
        if (table.nRows !== nSim) {
          throw new InputError(
            `--syst ${arg.name} ${arg.file} must have the nominal sim's ${nSim} events (row-aligned with --sim); got ${table.nRows}; for another generator use ${arg.name}=prior:FILE or ${arg.name}=response:FILE`,
          );
        }
        checkRowAligned(arg, inputs.sim, alternative, inputs.genNames);
        out.push({ name: arg.name, kind: 'sample', sim: alternative });
      }
      inputs.files.push(await describeInput(`syst:${arg.name}`, `--syst ${arg.name}`, arg.file));
    }
  }
  return out;
}

/** An alternative sim sample to unfold the data with (`--syst name=unfold:FILE`). */
export interface AlternativeSample {
  name: string;
  sim: SimSample;
  /** The input record of its file (role `syst:<name>`). */
  input: InputFileRecord;
}

/**
 * The alternative samples of `--syst name=unfold:FILE`, read with the nominal sim's
 * columns (their events need not match the nominal's: each is unfolded on its own).
 */
export async function loadAlternatives(
  args: readonly SystematicArg[],
  plan: InputPlan,
  inputs: LoadedInputs,
): Promise<AlternativeSample[]> {
  const out: AlternativeSample[] = [];
  for (const arg of args) {
    if (arg.kind !== 'alternative') continue;
    const alternative = await readAlternative(arg.file, simFiles(plan, arg));
    const sim = { ...alternative.sim, genNames: inputs.genNames, recoNames: inputs.recoNames };
    const input = await describeInput(`syst:${arg.name}`, `--syst ${arg.name}`, arg.file);
    inputs.files.push(input);
    out.push({ name: arg.name, sim, input });
  }
  return out;
}
