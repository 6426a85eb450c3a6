/**
 * What bench/full_job.bench.ts and bench/equal_settings.bench.ts share: the embedded lepton-jet
 * toy written for bench/torch_reference.py, the two sides run as child processes under
 * /usr/bin/time (wall time and peak RSS), the weights read back, and the shape χ²/ndf of
 * each gen observable against the toy's truth, computed by the engine's own summary code
 * for both sides.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { leptonJetToy } from '../src/toys/lepton_jet.js';
import type { ToyDataset } from '../src/toys/toy.js';
import { summarize } from '../src/publish/run_summary.js';
import { readWeightsFile } from '../src/publish/weights_file.js';

/** The first python that can import torch: Debian's /usr/bin/python3 first (python3-torch). */
export function findTorchPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** A file beside this one when run from source, or two levels up from dist/bench/ when compiled. */
export function benchFile(name: string): string {
  return [new URL(`./${name}`, import.meta.url), new URL(`../../bench/${name}`, import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((p) => existsSync(p))!;
}

/** The repository root (bin/omnifold.js lives there). */
export function repoRoot(): string {
  return path.dirname(path.dirname(benchFile('torch_reference.py')));
}

/** CPU model, hardware threads, load average: one line for the bench's header. */
export function machineLine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} hardware threads, ${(
    os.totalmem() /
    2 ** 30
  ).toFixed(0)} GiB, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, Node ${process.version}`;
}

/**
 * The toy `omnifold unfold --events N` runs (seed 0, N sim and N generated data events),
 * written as raw little-endian arrays for torch_reference.py.
 */
export function writeToy(dir: string, nEvents: number): ToyDataset {
  const toy = leptonJetToy({ nSim: nEvents, nData: nEvents });
  mkdirSync(dir, { recursive: true });
  const raw = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const { sim, data } = toy;
  writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ nSim: sim.gen.nEvents, nData: data.reco.nEvents, nFeatures: sim.gen.nFeatures }),
  );
  writeFileSync(path.join(dir, 'sim_gen.f32'), raw(sim.gen.values));
  writeFileSync(path.join(dir, 'sim_reco.f32'), raw(sim.reco.values));
  writeFileSync(path.join(dir, 'pass_gen.u8'), raw(sim.passGen));
  writeFileSync(path.join(dir, 'pass_reco.u8'), raw(sim.passReco));
  writeFileSync(path.join(dir, 'data_reco.f32'), raw(data.reco.values));
  return toy;
}

/** A child's exit, wall time and peak RSS (GNU time's %e and %M). */
export interface Timed {
  status: number | null;
  stdout: string;
  stderr: string;
  wallS: number;
  maxRssMiB: number;
}

/** Runs `cmd args` under /usr/bin/time (when present) and returns its wall time and peak RSS. */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const useTime = existsSync('/usr/bin/time');
  const marker = '@@time';
  const t0 = performance.now();
  const r = spawnSync(useTime ? '/usr/bin/time' : cmd, useTime ? ['-f', `${marker} %e %M`, cmd, ...args] : args, {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wallS = (performance.now() - t0) / 1000;
  let stderr = r.stderr ?? '';
  let maxRssMiB = NaN;
  const m = stderr.match(new RegExp(`${marker} ([0-9.]+) ([0-9]+)\\s*$`));
  if (m) {
    maxRssMiB = Number(m[2]) / 1024;
    stderr = stderr.slice(0, m.index);
  }
  return { status: r.status, stdout: r.stdout ?? '', stderr, wallS, maxRssMiB };
}

/** Reads a 1-D little-endian float64 .npy file (as numpy.save writes it). */
export function readNpyF64(file: string): Float64Array {
  const bytes = readFileSync(file);
  const major = bytes[6];
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = bytes.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  if (!header.includes("'<f8'")) throw new Error(`${file}: expected a float64 array; header ${header}`);
  const out = new Float64Array((bytes.length - start) / 8);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(start + 8 * i);
  return out;
}

/** The engine's `weight` column (or another) from OUT/weights.arrow. */
export async function readEngineWeights(out: string, column = 'weight'): Promise<Float64Array> {
  const file = await readWeightsFile(path.join(out, 'weights.arrow'));
  const col = file.columns.get(column);
  if (col === undefined) throw new Error(`${out}/weights.arrow has no column ${column}`);
  return col instanceof BigInt64Array || col instanceof BigUint64Array
    ? Float64Array.from(col, (v) => Number(v))
    : Float64Array.from(col);
}

/** χ²/ndf per gen observable against the truth, over the toy's summary bins. */
export interface Closure {
  feature: string;
  chi2ndf: number;
}

/** Shape χ²/ndf of `weights` (and of the prior, `weights` = w0) against the toy's truth, per observable. */
export function closure(toy: ToyDataset, weights: Float64Array): Closure[] {
  const s = summarize({
    genNames: toy.sim.genNames ?? [],
    gen: toy.sim.gen,
    passGen: toy.sim.passGen,
    priorWeights: toy.sim.weights,
    weights,
    truth: toy.truth,
    bins: toy.bins,
    iterations: [],
    nDropped: 0,
  });
  return s.features.map((f) => ({
    feature: f.feature,
    chi2ndf: f.unfoldedVsTruth && f.unfoldedVsTruth.ndf > 0 ? f.unfoldedVsTruth.chi2 / f.unfoldedVsTruth.ndf : NaN,
  }));
}

/** Fixed-width table rows: the first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
