#!/usr/bin/env node
// Builds the static weights viewer into dist/viewer/: viewer.js (viewer/viewer.ts and the
// platform-neutral engine it imports, dist/src/browser.js, bundled by esbuild as one ES
// module for browsers), index.html (which loads it) and viewer-offline.html (the same
// page with the bundle inline, to open from disk: browsers refuse module scripts from
// file: URLs). Needs the TypeScript build (npm run build:ts) first.
// Usage: node scripts/build_viewer.mjs [OUT_DIR]      (default dist/viewer)
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT_TAG = '<script type="module" src="./viewer.js"></script>';

/** Builds the viewer into `outDir` (default ROOT/dist/viewer); resolves to its files and the bundle size. */
export async function buildViewer(outDir = join(ROOT, 'dist', 'viewer')) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(ROOT, 'viewer', 'viewer.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    // the compiled neutral entry rather than the prebuilt dist/browser bundle (the package's
    // "browser" condition), so that esbuild keeps only what the viewer uses
    alias: { 'omnifold/browser': './dist/src/browser.js' },
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].text;
  const html = await readFile(join(ROOT, 'viewer', 'index.html'), 'utf8');
  if (!html.includes(SCRIPT_TAG))
    throw new Error(`viewer/index.html must load the bundle with ${SCRIPT_TAG}; got none`);
  // esbuild escapes "</script" inside the bundle, so it can sit in a script element
  const offline = html.replace(SCRIPT_TAG, () => `<script type="module">\n${js}</script>`);
  await mkdir(outDir, { recursive: true });
  const files = { 'viewer.js': js, 'index.html': html, 'viewer-offline.html': offline };
  for (const [name, text] of Object.entries(files)) {
    const temp = join(outDir, `.${name}.tmp`);
    await writeFile(temp, text);
    await rename(temp, join(outDir, name));
  }
  return { outDir, files: Object.keys(files), bundleBytes: Buffer.byteLength(js) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, files, bundleBytes } = await buildViewer(process.argv[2] && resolve(process.argv[2]));
  console.log(`wrote ${files.join(', ')} in ${outDir} (viewer.js ${(bundleBytes / 1024).toFixed(0)} KiB)`);
}
