/**
 * Loads what a run plan names: the embedded toy, or sim/data(/truth, background) files
 * read through readTable and turned into samples (the background files, concatenated in
 * order, go beside the data); records each input file's SHA-256 for the metadata.
 * Every file is checked before any is read; a path may name an object inside its file
 * (`sim.root:events`): the file is what is checked and hashed, the full path is recorded.
 * Samples without events, or without any event passing a selection, are an error naming
 * the file and column.
 */
import {
  type BackgroundSample,
  backgroundSampleFromTable,
  checkInputFile,
  concatBackgrounds,
  type ClassifierType,
  type DataSample,
  dataSampleFromTable,
  describeInputFile,
  gaussToy,
  jaggedColumnList,
  jetsToy,
  type InputFileRecord,
  leptonJetToy,
  type ObservableInfo,
  readTable,
  type SelectionInfo,
  simColumnList,
  type SimSample,
  simSampleFromTable,
  type ToyDataset,
  type TruthSample,
  truthSampleFromTable,
} from '../index.js';
import type { InputPlan } from './unfold_plan.js';

/** Loaded inputs of a run. */
export interface LoadedInputs {
  sim: SimSample;
  data: DataSample;
  truth?: TruthSample;
  genNames: string[];
  recoNames: string[];
  /** Default summary binning (the toy's), overridden by --bins. */
  bins: Record<string, number[]>;
  /** Classifier options of the input per kind (the toy's MLP settings), overridden by flags. */
  classifierOptions: Partial<Record<ClassifierType, Readonly<Record<string, unknown>>>>;
  /** Labels and units of the gen features, and the selections, for the metadata. */
  observables: ObservableInfo[];
  selection?: SelectionInfo;
  /** Unfolding defaults of the input (the toy's ensemble size), overridden by flags. */
  unfold: ToyDataset['unfold'];
  files: InputFileRecord[];
  /** What was unfolded, for the metadata: toy settings or file roles. */
  description: Record<string, unknown>;
}

async function loadToy(plan: Extract<InputPlan, { kind: 'toy' }>): Promise<LoadedInputs> {
  const sizes = plan.nEvents === undefined ? {} : { nSim: plan.nEvents, nData: plan.nEvents };
  const toy = plan.toy === 'gauss' ? gaussToy(sizes) : plan.toy === 'jets' ? jetsToy(sizes) : leptonJetToy(sizes);
  return {
    sim: toy.sim,
    data: toy.data,
    truth: toy.truth,
    genNames: toy.sim.genNames ?? [],
    recoNames: toy.sim.recoNames ?? [],
    bins: toy.bins,
    classifierOptions: { mlp: toy.mlp },
    unfold: toy.unfold,
    observables: toy.observables,
    selection: toy.selection,
    files: [],
    description: { toy: toy.name, about: toy.description, settings: toy.settings },
  };
}

/** The metadata record of an input: SHA-256 and size of its file, under the path as given. */
export async function describeInput(role: string, option: string, path: string): Promise<InputFileRecord> {
  return { ...(await describeInputFile(role, await checkInputFile(option, path))), path };
}

async function loadFiles(plan: Extract<InputPlan, { kind: 'files' }>): Promise<LoadedInputs> {
  for (const [option, path] of [
    ['--sim', plan.sim],
    ['--data', plan.data],
    ['--truth', plan.truth],
    ...plan.background.map((path) => ['--background', path] as const),
  ] as const) {
    if (path !== undefined) await checkInputFile(option, path);
  }
  const simCols = {
    gen: plan.gen,
    reco: plan.reco,
    weight: plan.simWeight,
    passGen: plan.passGen,
    passReco: plan.passReco,
    genParticles: plan.genParticles,
    recoParticles: plan.recoParticles,
  };
  const simTable = await readTable(plan.sim, {
    columns: simColumnList(simCols),
    jagged: jaggedColumnList(plan.genParticles, plan.recoParticles),
  });
  const sim = simSampleFromTable(simTable, simCols);
  const dataCols = plan.dataWeight === undefined ? plan.reco : [...plan.reco, plan.dataWeight];
  const recoJagged = jaggedColumnList(plan.recoParticles);
  const data = dataSampleFromTable(await readTable(plan.data, { columns: dataCols, jagged: recoJagged }), {
    reco: plan.reco,
    weight: plan.dataWeight,
    particles: plan.recoParticles,
  });
  let truth: TruthSample | undefined;
  const files = [await describeInput('sim', '--sim', plan.sim), await describeInput('data', '--data', plan.data)];
  if (plan.background.length > 0) {
    const columns = plan.backgroundWeight === undefined ? plan.reco : [...plan.reco, plan.backgroundWeight];
    const parts: BackgroundSample[] = [];
    for (const path of plan.background) {
      const table = await readTable(path, { columns, jagged: recoJagged });
      parts.push(
        backgroundSampleFromTable(table, {
          reco: plan.reco,
          weight: plan.backgroundWeight,
          particles: plan.recoParticles,
        }),
      );
      files.push(await describeInput('background', '--background', path));
    }
    data.background = concatBackgrounds(parts);
  }
  if (plan.truth !== undefined) {
    const table = await readTable(plan.truth, {
      columns: plan.truthWeight === undefined ? plan.gen : [...plan.gen, plan.truthWeight],
    });
    const passGen = plan.passGen !== undefined && table.columnNames.includes(plan.passGen) ? plan.passGen : undefined;
    truth = truthSampleFromTable(table, { gen: plan.gen, weight: plan.truthWeight, passGen });
    files.push(await describeInput('truth', '--truth', plan.truth));
  }
  return {
    sim,
    data,
    truth,
    genNames: plan.gen,
    recoNames: plan.reco,
    bins: {},
    classifierOptions: {},
    unfold: {},
    observables: plan.gen.map((name) => ({ name, ...(plan.units[name] ? { unit: plan.units[name] } : {}) })),
    files,
    description: { files: plan.background.length > 0 ? plan : { ...plan, background: undefined } },
  };
}

/** Loads the inputs of a plan. */
export function loadInputs(plan: InputPlan): Promise<LoadedInputs> {
  return plan.kind === 'toy' ? loadToy(plan) : loadFiles(plan);
}
