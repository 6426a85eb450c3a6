/**
 * Small HTML builders for the report: escaping, tables, and figures embedded as data URIs
 * (so the page needs no network and no other file at view time).
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A cell: plain text (escaped) or `{ html, cls }` for trusted markup and a CSS class. */
export type Cell = string | number | { html?: string; text?: string; cls?: string };

function cell(tag: 'td' | 'th', c: Cell): string {
  if (typeof c === 'string' || typeof c === 'number') return `<${tag}>${escapeHtml(String(c))}</${tag}>`;
  const body = c.html ?? escapeHtml(c.text ?? '');
  return `<${tag}${c.cls ? ` class="${c.cls}"` : ''}>${body}</${tag}>`;
}

/** A table with a header row. */
export function table(headers: Cell[], rows: Cell[][], cls = ''): string {
  const head = `<thead><tr>${headers.map((h) => cell('th', h)).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell('td', c)).join('')}</tr>`).join('\n')}</tbody>`;
  return `<table${cls ? ` class="${cls}"` : ''}>${head}\n${body}</table>`;
}

/** A figure: the SVG as a base64 data URI (its ids stay private to it), with a caption. */
export function figure(id: string, svg: string, caption: string, links: string[]): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
  const files = links.map((l) => `<a href="${escapeHtml(l)}">${escapeHtml(l.split('/').pop() ?? l)}</a>`).join(' · ');
  return (
    `<figure id="fig-${escapeHtml(id)}" class="plot">` +
    `<img src="${src}" alt="${escapeHtml(caption)}">` +
    `<figcaption>${escapeHtml(caption)}${files ? ` <span class="files">${files}</span>` : ''}</figcaption></figure>`
  );
}

/** Numbers for tables: 4 significant digits, plain where readable. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

/** The report's stylesheet, inlined. */
export const REPORT_CSS = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #bbb; padding-bottom: 0.2em; margin-top: 2em; }
h3 { margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.86em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; vertical-align: top; }
th { background: #f2f2f2; } td.text, th.text { text-align: left; }
td.mono, span.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; text-align: left; word-break: break-all; }
.warn { background: #fde2e1; color: #8a1010; font-weight: bold; }
.ok { background: #e3f5e1; color: #1d5a17; }
.warnings { border: 2px solid #e42536; background: #fff4f3; padding: 0.5em 1em; border-radius: 4px; }
.warnings li { margin: 0.2em 0; } .allgood { border: 2px solid #3a9a30; background: #f1fbef; padding: 0.5em 1em; border-radius: 4px; }
figure.plot { margin: 1em 0; } figure.plot img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #333; max-width: 900px; } .files { color: #666; }
nav ul { columns: 2; font-size: 0.9em; } pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.8em; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
`;
