/**
 * Vega-Lite spec → SVG (vega's headless View, no DOM) → PNG (@resvg/resvg-js with the
 * shipped DejaVu fonts; resvg draws no text at all unless a font file is loaded). vega and
 * resvg are imported on first use, so importing this module loads nothing.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../base/errors.js';

/** A Vega-Lite top-level spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

let fontFilesCache: string[] | undefined;

/** Absolute paths of the TTF files given to resvg: DejaVu Sans regular, bold, oblique. */
export function fontFiles(): string[] {
  if (fontFilesCache === undefined) {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFilesCache = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'].map((f) => join(dir, f));
  }
  return fontFilesCache;
}

/** Renders a Vega-Lite spec to an SVG document (a string starting with `<svg`). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  let compiled;
  try {
    compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0], { logger: silentLogger() }).spec;
  } catch (cause) {
    throw new InputError(`figure spec must compile with vega-lite; got ${(cause as Error).message}`, { cause });
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixel density: 2 gives 2 PNG pixels per SVG unit (sharp on high-DPI screens); default 2. */
  scale?: number;
}

/** Rasterises an SVG document to PNG bytes, white background, with the shipped fonts. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new InputError(`png scale must be in (0, 8]; got ${scale}`);
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return new Uint8Array(resvg.render().asPng());
}

/** A vega logger that keeps warnings to itself: library code never prints. */
function silentLogger() {
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: () => logger,
    warn: () => logger,
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}
