import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { correlationFigure } from '../src/plots/correlation_figure.js';
import { diagnosticsFigure } from '../src/plots/diagnostics_figure.js';
import { observableFigure } from '../src/plots/observable_figure.js';
import { renderSvg, svgToPng } from '../src/plots/render.js';
import { linearTicks } from '../src/plots/ticks.js';

const EDGES = [0, 1, 2, 3, 4, 5];
const INPUT = {
  name: 'gen_pt',
  label: 'Jet pT',
  unit: 'GeV',
  edges: EDGES,
  unfolded: { values: [10, 40, 60, 30, 5], errors: [2, 4, 5, 3, 1] },
  prior: { values: [20, 45, 50, 20, 4] },
  truth: { values: [11, 38, 62, 29, 6] },
  chi2: { unfolded: { chi2: 3.2, ndf: 4 }, prior: { chi2: 40.1, ndf: 4 } },
};
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A minimal PNG decoder (8-bit RGB/RGBA, all five filters) with node:zlib, for pixel checks. */
async function decodePng(png: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const { inflateSync } = await import('node:zlib');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const colorType = png[25];
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (channels === 0 || png[24] !== 8)
    throw new Error(`test PNG decoder handles 8-bit RGB/RGBA only; got type ${colorType} depth ${png[24]}`);
  const parts: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(parts));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const line = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      line[i] = (src[i] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < 4; ch++) out[(y * width + x) * 4 + ch] = ch < channels ? line[x * channels + ch] : 255;
    }
    prev.set(line);
  }
  return { width, height, rgba: out };
}

function darkPixels(img: { width: number; rgba: Uint8Array }, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const k = (y * img.width + x) * 4;
      if (img.rgba[k] + img.rgba[k + 1] + img.rgba[k + 2] < 200) n++;
    }
  return n;
}

test('ticks: 1-2-5 majors with minors between them', () => {
  assert.equal(linearTicks(0, 1, 5).major, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(linearTicks(0, 1, 5).minor.slice(0, 3), [0.05, 0.1, 0.15]);
  assert.equal(linearTicks(20, 100, 6).major, [20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.equal(linearTicks(0, 2, 4).minor.slice(0, 4), [0.1, 0.2, 0.3, 0.4]);
});

test('observable figure: SVG has axis titles, legend entries and one point per bin in each panel', async () => {
  const svg = await renderSvg(observableFigure(INPUT));
  assert.ok(svg.startsWith('<svg'), 'SVG document');
  for (const text of [
    'Jet pT [GeV]',
    'Events / 1 GeV',
    'Ratio to truth',
    'Unfolded (total unc.)',
    'Truth',
    'Prior (sim gen)',
    'OmniFold',
    'χ²/ndf = 3.2/4',
  ]) {
    assert.ok(svg.includes(`>${text}<`) || svg.includes(text), `SVG text "${text}"`);
  }
  // filled circles: 5 bins in the main panel + 5 in the ratio panel + 1 legend symbol
  const circles = svg.match(/role-mark[^"]*"[^>]*role="graphics-symbol"[^>]*aria-roledescription="point"/g) ?? [];
  const points = (svg.match(/<path [^>]*aria-roledescription="point"[^>]*>/g) ?? []).length;
  assert.ok(points >= 11 || circles.length >= 11, `points: got ${points}`);
});

test('observable figure: without truth the ratio is to the unfolded result; bad shapes are rejected', async () => {
  const svg = await renderSvg(observableFigure({ ...INPUT, truth: undefined, chi2: undefined }));
  assert.ok(svg.includes('Ratio to unfolded'));
  assert.not.ok(svg.includes('>Truth<'));
  assert.throws(
    () => observableFigure({ ...INPUT, prior: { values: [1, 2] } }),
    /gen_pt prior must have 5 values and errors like the bins; got 2 and none/,
  );
});

test('PNG: signature, size, and text really drawn (dark pixels in the label area)', async () => {
  const svg = await renderSvg(observableFigure(INPUT));
  const png = await svgToPng(svg, { scale: 1 });
  assert.equal(Array.from(png.subarray(0, 8)), PNG_SIGNATURE);
  assert.ok(png.length > 10_000, `PNG size ${png.length}`);
  const img = await decodePng(png);
  // the bold "OmniFold" label sits above the frame's top-left corner (frame at x ≈ 71, y ≈ 34)
  const label = darkPixels(img, 60, 0, 170, 30);
  assert.ok(label > 150, `dark pixels in the label area: ${label}`);
  // the same figure with every text removed leaves that area blank
  const blank = await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''), { scale: 1 });
  assert.ok(darkPixels(await decodePng(blank), 60, 0, 170, 30) < label / 10, 'text accounts for the dark pixels');
});

test('correlation and diagnostics figures render with their titles', async () => {
  const corr = await renderSvg(
    correlationFigure({ name: 'gen_eta', edges: [0, 1, 2], correlation: [1, -0.3, -0.3, 1] }),
  );
  assert.ok(corr.includes('Correlation') && corr.includes('gen_eta (bin i)') && corr.includes('-0.30'));
  assert.throws(
    () => correlationFigure({ name: 'x', edges: [0, 1, 2], correlation: [1] }),
    /x correlation must have nBins² = 4 entries; got 1/,
  );
  const steps = [{ step: 'step1' as const, clippedFraction: 0.001, ess: 900, nEvents: 1000, change: 0.1, members: [] }];
  const diag = await renderSvg(
    diagnosticsFigure({
      iterations: [1, 2, 3].map((iteration) => ({
        iteration,
        steps,
        recoChi2: [{ feature: 'reco_pt', chi2: 12, ndf: 10 }],
      })),
      nEvents: 1000,
    }),
  );
  for (const t of [
    'Effective sample size',
    'Clipped ratios',
    'Weight change',
    'Folded reco χ²/ndf vs data',
    'Iteration',
    'reco_pt',
  ])
    assert.ok(diag.includes(t), `diagnostics text "${t}"`);
  assert.throws(() => diagnosticsFigure({ iterations: [] }), /diagnostics must hold at least one iteration; got 0/);
});

test.run();
