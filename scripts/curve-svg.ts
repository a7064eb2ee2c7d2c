// Draws one run's training curves as docs/img pictures: train and validation accuracy (left axis)
// and the total weight norm (right axis, dashed) against the step on a log scale, with the steps
// where train and validation first reach 0.99 marked; writes NAME.svg, and NAME.png rendered from it
// by headless Chromium (playwright-core, /usr/bin/chromium or $CHROMIUM).
//
//   node --import tsx scripts/curve-svg.ts RUN/metrics.jsonl docs/img/NAME "title"
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

interface Eval { step: number; trainAcc: number; valAcc: number; weightNorm: number }

const W = 900, H = 440, L = 70, R = 820, T = 50, B = 380;

function svg(evals: Eval[], title: string): string {
  const points = evals.filter((e) => e.step > 0);
  const first = points[0], last = points.at(-1);
  if (!first || !last) throw new Error(`${title}: no evaluation after step 0 to draw`);
  const lo = Math.log10(first.step), hi = Math.log10(last.step);
  const x = (step: number): number => L + ((Math.log10(step) - lo) / (hi - lo)) * (R - L);
  const y = (acc: number): number => B - acc * (B - T);
  const normTop = Math.ceil(Math.max(...points.map((e) => e.weightNorm)) / 20) * 20;
  const yn = (norm: number): number => B - (norm / normTop) * (B - T);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${title}</text>`,
  ];
  for (const a of [0, 0.25, 0.5, 0.75, 1]) out.push(`<line x1="${L}" x2="${R}" y1="${y(a)}" y2="${y(a)}" stroke="#ddd"/><text x="${L - 8}" y="${y(a) + 4}" text-anchor="end">${a}</text>`);
  for (let n = 0; n <= normTop; n += normTop / 4) out.push(`<text x="${R + 8}" y="${yn(n) + 4}" fill="#7b3294">${n}</text>`);
  for (let decade = Math.floor(lo); decade <= Math.ceil(hi); decade++) {
    for (const m of [1, 2, 5]) {
      const step = m * 10 ** decade;
      if (Math.log10(step) < lo - 1e-9 || Math.log10(step) > hi + 1e-9) continue;
      out.push(`<line x1="${x(step)}" x2="${x(step)}" y1="${T}" y2="${B}" stroke="#eee"/><text x="${x(step)}" y="${B + 18}" text-anchor="middle">${step}</text>`);
    }
  }
  for (const [key, label] of [['trainAcc', 'train'], ['valAcc', 'val']] as const) {
    const at = points.find((e) => e[key] >= 0.99);
    if (!at) continue;
    // Labels near the right edge go on the left of their line.
    const left = x(at.step) > R - 130;
    out.push(`<line x1="${x(at.step)}" x2="${x(at.step)}" y1="${T}" y2="${B}" stroke="#999" stroke-dasharray="3 3"/>`
      + `<text x="${x(at.step) + (left ? -4 : 4)}" y="${T + 12 + (key === 'valAcc' ? 14 : 0)}"${left ? ' text-anchor="end"' : ''} fill="#555">${label} ≥ 0.99 @ ${at.step}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${R - L}" height="${B - T}" fill="none" stroke="#444"/>`);
  const path = (f: (e: Eval) => number): string => points.map((e, i) => `${i ? 'L' : 'M'}${x(e.step).toFixed(1)},${f(e).toFixed(1)}`).join(' ');
  out.push(`<path d="${path((e) => y(e.trainAcc))}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  out.push(`<path d="${path((e) => y(e.valAcc))}" fill="none" stroke="#d62728" stroke-width="2"/>`);
  out.push(`<path d="${path((e) => yn(e.weightNorm))}" fill="none" stroke="#7b3294" stroke-width="2" stroke-dasharray="6 3"/>`);
  out.push(`<text x="${(L + R) / 2}" y="${H - 18}" text-anchor="middle">step (log scale)</text>`);
  out.push(`<text transform="translate(20 ${(T + B) / 2}) rotate(-90)" text-anchor="middle">accuracy</text>`);
  out.push(`<text transform="translate(878 ${(T + B) / 2}) rotate(90)" text-anchor="middle" fill="#7b3294">total weight L2 norm</text>`);
  out.push(`<g transform="translate(${R - 182} ${B - 62})"><rect width="170" height="52" fill="white" stroke="#ccc"/>`
    + '<line x1="8" x2="32" y1="12" y2="12" stroke="#1f77b4" stroke-width="2"/><text x="38" y="16">train accuracy</text>'
    + '<line x1="8" x2="32" y1="27" y2="27" stroke="#d62728" stroke-width="2"/><text x="38" y="31">validation accuracy</text>'
    + '<line x1="8" x2="32" y1="42" y2="42" stroke="#7b3294" stroke-width="2" stroke-dasharray="6 3"/><text x="38" y="46">weight norm</text></g>');
  out.push('</svg>');
  return out.join('\n');
}

async function main(): Promise<void> {
  const [metrics, name, title] = process.argv.slice(2);
  if (!metrics || !name || !title) throw new Error('usage: curve-svg.ts RUN/metrics.jsonl docs/img/NAME "title"');
  const evals = readFileSync(metrics, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Eval);
  const text = svg(evals, title);
  writeFileSync(`${name}.svg`, text);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    await page.setContent(text);
    await page.screenshot({ path: `${name}.png`, clip: { x: 0, y: 0, width: W, height: H } });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${name}.svg and ${name}.png (${evals.length} evaluations)`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
