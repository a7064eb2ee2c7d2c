// Vector export of a line chart (the curves, the U-curve) as a standalone SVG document. DOM-free.

export interface SvgSeries {
  label: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  dash?: boolean;
  band?: { lo: Array<{ x: number; y: number }>; hi: Array<{ x: number; y: number }> };
}

export interface SvgChart {
  title: string;
  xLabel: string;
  yLabel: string;
  logX: boolean;
  series: SvgSeries[];
  width?: number;
  height?: number;
  foreground?: string;
  background?: string;
  yMin?: number;
  yMax?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Math.round(v * 1000) / 1000));

export function lineChartSvg(c: SvgChart): string {
  const W = c.width ?? 800, H = c.height ?? 420, m = { l: 64, r: 16, t: 32, b: 48 };
  const fg = c.foreground ?? '#333', bg = c.background ?? '#fff';
  const all = c.series.flatMap((s) => [...s.points, ...(s.band?.lo ?? []), ...(s.band?.hi ?? [])]).filter((p) => Number.isFinite(p.y) && (!c.logX || p.x > 0));
  const xs = all.map((p) => p.x), ys = all.map((p) => p.y);
  const tx = (x: number) => (c.logX ? Math.log10(x) : x);
  let x0 = xs.length ? Math.min(...xs.map(tx)) : 0, x1 = xs.length ? Math.max(...xs.map(tx)) : 1;
  let y0 = c.yMin ?? (ys.length ? Math.min(...ys) : 0), y1 = c.yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const px = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const path = (pts: Array<{ x: number; y: number }>) => pts.filter((p) => Number.isFinite(p.y) && (!c.logX || p.x > 0))
    .map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join('');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="${esc(bg)}"/>`);
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" fill="${esc(fg)}">${esc(c.title)}</text>`);
  // axes and ticks
  out.push(`<g stroke="${esc(fg)}" stroke-opacity="0.5"><line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}"/></g>`);
  const xt: number[] = [];
  if (c.logX) for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) xt.push(10 ** e);
  else for (let i = 0; i <= 5; i++) xt.push(x0 + ((x1 - x0) * i) / 5);
  for (const v of xt) out.push(`<text x="${px(v).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" fill="${esc(fg)}">${fmt(v)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = y0 + ((y1 - y0) * i) / 5;
    out.push(`<text x="${m.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" fill="${esc(fg)}">${fmt(v)}</text>`);
    out.push(`<line x1="${m.l}" y1="${py(v).toFixed(1)}" x2="${W - m.r}" y2="${py(v).toFixed(1)}" stroke="${esc(fg)}" stroke-opacity="0.1"/>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle" fill="${esc(fg)}">${esc(c.xLabel)}${c.logX ? ' (log)' : ''}</text>`);
  out.push(`<text transform="translate(14,${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="${esc(fg)}">${esc(c.yLabel)}</text>`);
  for (const s of c.series) {
    if (s.band && s.band.lo.length) {
      const d = path(s.band.hi) + path([...s.band.lo].reverse()).replace(/^M/, 'L') + 'Z';
      out.push(`<path d="${d}" fill="${esc(s.color)}" fill-opacity="0.15" stroke="none"/>`);
    }
    out.push(`<path d="${path(s.points)}" fill="none" stroke="${esc(s.color)}" stroke-width="1.5"${s.dash ? ' stroke-dasharray="5 3"' : ''}><title>${esc(s.label)}</title></path>`);
  }
  // legend
  c.series.slice(0, 16).forEach((s, i) => {
    const y = m.t + 4 + i * 14;
    out.push(`<line x1="${W - m.r - 160}" y1="${y}" x2="${W - m.r - 140}" y2="${y}" stroke="${esc(s.color)}" stroke-width="2"${s.dash ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${W - m.r - 136}" y="${y + 4}" fill="${esc(fg)}">${esc(s.label.length > 28 ? s.label.slice(0, 27) + '…' : s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
