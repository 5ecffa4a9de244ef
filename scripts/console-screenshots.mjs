// Scales the browser tests' screenshots down for docs/screenshots/ with the same chromium and
// playwright-core the tests use (no image tool needed): each PNG is drawn 1000 pixels wide and
// its top 1600 pixels kept.
//   NPM_DIR=WORK/npm node console-screenshots.mjs OUT_DIR NAME=SOURCE.png...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.NPM_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const [out, ...pairs] = process.argv.slice(2);
const width = 1000;
const maxHeight = 1600;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width, height: maxHeight } });
  for (const pair of pairs) {
    const [name, source] = pair.split('=');
    const png = readFileSync(source).toString('base64');
    await page.setContent(
      `<body style="margin:0"><img id="s" style="display:block;width:${width}px" src="data:image/png;base64,${png}"></body>`);
    const img = page.locator('#s');
    await img.evaluate((el) => el.decode());
    const box = await img.boundingBox();
    await page.screenshot({ path: path.join(out, `${name}.png`),
      clip: { x: 0, y: 0, width, height: Math.min(maxHeight, Math.ceil(box.height)) }, fullPage: true });
  }
} finally {
  await browser.close();
}
