/**
 * Vega-Lite spec → SVG with vega's headless View (no DOM, no canvas), on any platform; the
 * PNG of an SVG is src/plots/render.ts (Node: a native rasteriser and font files). vega is
 * imported on first use, so importing this module loads nothing.
 */
import { InputError } from '../base/errors.js';

/** A Vega-Lite top-level spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

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
