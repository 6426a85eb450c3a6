/**
 * Turns `--syst` arguments into the systematic replicas of src/uncertainty/replicas.ts, reading what
 * they name: an alternative sim file (same columns as the nominal sim, row-aligned), a
 * per-event weight column of the nominal sim, or a reco feature to scale. Files are
 * checked before any is read, and each is recorded (SHA-256) among the run's inputs under
 * the systematic's name.
 */
import {
  checkInputFile,
  InputError,
  readTable,
  readWeights,
  simColumnList,
  simSampleFromTable,
  type SystematicSpec,
} from '../index.js';
import { describeInput, type LoadedInputs } from './unfold_inputs.js';
import type { InputPlan, SystematicArg } from './unfold_plan.js';

function simFiles(plan: InputPlan, arg: SystematicArg): Extract<InputPlan, { kind: 'files' }> {
  if (plan.kind !== 'files') {
    throw new InputError(
      `--syst ${arg.name} must come with --sim input files when it reads a ${arg.kind === 'sample' ? 'file' : 'column'}; got the embedded ${plan.toy} toy`,
    );
  }
  return plan;
}

/** The systematic replicas of a run, in the order given. */
export async function resolveSystematics(
  args: readonly SystematicArg[],
  plan: InputPlan,
  inputs: LoadedInputs,
): Promise<SystematicSpec[]> {
  const out: SystematicSpec[] = [];
  for (const arg of args) {
    if (arg.kind === 'sample' && simFiles(plan, arg)) await checkInputFile(`--syst ${arg.name}`, arg.file);
  }
  for (const arg of args) {
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
      const files = simFiles(plan, arg);
      const columns = {
        gen: files.gen,
        reco: files.reco,
        weight: files.simWeight,
        passGen: files.passGen,
        passReco: files.passReco,
      };
      const table = await readTable(arg.file, { columns: simColumnList(columns) });
      const nSim = inputs.sim.weights.length;
      if (table.nRows !== nSim) {
        throw new InputError(
          `--syst ${arg.name} ${arg.file} must have the nominal sim's ${nSim} events (row-aligned with --sim); got ${table.nRows}`,
        );
      }
      out.push({ name: arg.name, kind: 'sample', sim: simSampleFromTable(table, columns) });
      inputs.files.push(await describeInput(`syst:${arg.name}`, `--syst ${arg.name}`, arg.file));
    }
  }
  return out;
}
