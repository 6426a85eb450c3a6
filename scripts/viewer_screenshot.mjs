#!/usr/bin/env node
// Takes the README's screenshot of the weights viewer (docs/figures/viewer.png): serves
// OUT/weights.arrow as `omnifold view` does, opens it in headless Chromium (Debian's
// /usr/bin/chromium), draws EXPR over BINS where WHERE, and saves the page down to the table.
// Usage: node scripts/viewer_screenshot.mjs OUT PNG [EXPR BINS WHERE]
// The README's: an unfolding of the lepton-jet toy,
//   omnifold unfold --events 20000 --epochs 5 --iterations 3 --data-bootstraps 5 --sim-bootstraps 3 \
//     --syst 'jes=reco:reco_jet_pt*1.02' --no-plots --out OUT
// then node scripts/viewer_screenshot.mjs OUT docs/figures/viewer.png jet_pt 10:70:12 'abs(jet_eta) < 1.5'
import { join } from 'node:path';

const [out, png, expr = 'jet_pt', bins = '10:70:12', where = 'abs(jet_eta) < 1.5'] = process.argv.slice(2);
if (!out || !png) {
  console.error('usage: node scripts/viewer_screenshot.mjs OUT PNG [EXPR BINS WHERE]');
  process.exit(2);
}
const { serveViewer } = await import('../dist/src/cli/view.js');
const { chromium } = await import('playwright-core');
const viewer = await serveViewer({ weights: join(out, 'weights.arrow') });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-lcd-text',
    '--force-color-profile=srgb',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 800 } });
  await page.route('**/*', (route) =>
    new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
  );
  await page.goto(viewer.url);
  await page.waitForFunction(() => globalThis.document.body.dataset.status === 'drawn');
  await page.fill('#expr', expr);
  await page.fill('#bins', bins);
  await page.fill('#where', where);
  await page.click('#draw');
  await page.waitForFunction(() => globalThis.document.body.dataset.draws === '2');
  const error = await page.textContent('#error');
  if (error) throw new Error(`the viewer showed an error: ${error}`);
  const table = await page.locator('#bins-table').boundingBox();
  await page.screenshot({
    path: png,
    fullPage: true,
    clip: { x: 0, y: 0, width: 1040, height: table.y + table.height + 12 },
  });
  console.log(`wrote ${png}`);
} finally {
  await browser.close();
  await viewer.close();
}
