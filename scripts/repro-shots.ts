// PNG screenshots of a `grok report` HTML file, for docs/reproduction.md: one image per section
// (regime map, curves, CDS, U-curves, emergence, weight norm) of every sweep, made in headless Chromium.
//
//   npx tsx scripts/repro-shots.ts REPORT.html OUTDIR [--prefix NAME] [--only regime,curves,...] [--width 1000]
//
// Files: OUTDIR/<prefix>-<sweep>-<section>.png. Exits 1 if the page threw or a chart failed.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { prefix: { type: 'string' }, only: { type: 'string' }, width: { type: 'string' }, scale: { type: 'string' } },
});
const [fileArg, outArg] = positionals;
if (positionals.length !== 2 || fileArg === undefined || outArg === undefined) {
  console.error('usage: tsx scripts/repro-shots.ts REPORT.html OUTDIR [--prefix NAME] [--only regime,curves,cds,ushape,emergence,weights] [--width PX]');
  process.exit(2);
}
const file = resolve(fileArg), outDir = resolve(outArg);
mkdirSync(outDir, { recursive: true });
const only = values.only ? values.only.split(',') : null;

const SECTIONS: Array<[string, RegExp]> = [
  ['regime', /^Regime map/], ['curves', /^Training curves/], ['cds', /^Critical data size/],
  ['ushape', /^Validation accuracy against model size/], ['emergence', /^Emergence/], ['weights', /^Weight norm/],
];

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: Number(values.width ?? 1000), height: 800 }, deviceScaleFactor: Number(values.scale ?? 1) });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForFunction('document.body.dataset.charts !== undefined');
    const status = await page.evaluate('document.getElementById("status").textContent');
    console.log(`page: ${status}`);
    if (/errors/.test(String(status))) errors.push(String(status));
    const articles = await page.$$('article.sweep');
    for (const article of articles) {
      const name = await article.$eval('h2', (h) => h.textContent ?? 'sweep');
      for (const section of await article.$$('section')) {
        const title = await section.$eval('h3', (h) => h.textContent ?? '');
        const kind = SECTIONS.find(([, re]) => re.test(title))?.[0];
        if (!kind || (only && !only.includes(kind))) continue;
        const path = join(outDir, `${values.prefix ? `${values.prefix}-` : ''}${name}-${kind}.png`);
        await section.screenshot({ path });
        console.log(path);
      }
    }
  } finally {
    await browser.close();
  }
  if (errors.length) {
    console.error(errors.join('\n'));
    process.exit(1);
  }
}

void main();
