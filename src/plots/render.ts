/**
 * Vega-Lite spec → SVG (src/plots/render_svg.ts, on any platform) → PNG (@resvg/resvg-js
 * with the shipped DejaVu fonts; resvg draws no text at all unless a font file is loaded).
 * resvg is imported on first use, so importing this module loads nothing.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../base/errors.js';

export { renderSvg } from './render_svg.js';
export type { VegaLiteSpec } from './render_svg.js';

let fontFilesCache: string[] | undefined;

/** Absolute paths of the TTF files given to resvg: DejaVu Sans regular, bold, oblique. */
export function fontFiles(): string[] {
  if (fontFilesCache === undefined) {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFilesCache = [
      'DejaVuSans.ttf',
      'DejaVuSans-Bold.ttf',
      'DejaVuSans-Oblique.ttf',
      'DejaVuSans-BoldOblique.ttf',
    ].map((f) => join(dir, f));
  }
  return fontFilesCache;
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
    font: {
      loadSystemFonts: false,
      fontFiles: fontFiles(),
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return new Uint8Array(resvg.render().asPng());
}
