// Vector export of a line chart (the curves, the U-curve) as a standalone SVG document. DOM-free.

export interface SvgSeries {
  label: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  dash?: boolean;
  /** Series of one group share a legend entry (the line style is explained once). */
  group?: string;
  band?: { lo: Array<{ x: number; y: number }>; hi: Array<{ x: number; y: number }> };
}

export interface SvgChart {
  title: string;
  xLabel: string;
  yLabel: string;
  logX: boolean;
  /** Log-scale y (points with y ≤ 0 are left out). */
  logY?: boolean;
  series: SvgSeries[];
  width?: number;
  height?: number;
  foreground?: string;
  background?: string;
  yMin?: number;
  yMax?: number;
}

/**
 * Text or a double-quoted attribute value in an SVG document: markup characters escaped, and the
 * control characters XML 1.0 cannot hold at all (not even escaped) dropped. Names and axis values
 * come from user files: they must not add markup to an exported figure.
 */
export const escapeXml = (s: unknown): string => String(s).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const esc = escapeXml;
const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Math.round(v * 1000) / 1000));

export function lineChartSvg(c: SvgChart): string {
  const W = c.width ?? 800, H = c.height ?? 420, m = { l: 64, r: 16, t: 32, b: 48 };
  const fg = c.foreground ?? '#333', bg = c.background ?? '#fff';
  const ok = (p: { x: number; y: number }) => Number.isFinite(p.y) && (!c.logX || p.x > 0) && (!c.logY || p.y > 0);
  const all = c.series.flatMap((s) => [...s.points, ...(s.band?.lo ?? []), ...(s.band?.hi ?? [])]).filter(ok);
  const xs = all.map((p) => p.x), ys = all.map((p) => p.y);
  const tx = (x: number) => (c.logX ? Math.log10(x) : x);
  const ty = (y: number) => (c.logY ? Math.log10(y) : y);
  let x0 = xs.length ? Math.min(...xs.map(tx)) : 0, x1 = xs.length ? Math.max(...xs.map(tx)) : 1;
  let y0 = c.yMin != null && !c.logY ? c.yMin : (ys.length ? Math.min(...ys.map(ty)) : 0);
  let y1 = c.yMax != null && !c.logY ? c.yMax : (ys.length ? Math.max(...ys.map(ty)) : 1);
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const px = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  /** y in the axis' own units (log10 of the value on a log axis). */
  const pyT = (t: number) => H - m.b - ((t - y0) / (y1 - y0)) * (H - m.t - m.b);
  const py = (y: number) => pyT(ty(y));
  const path = (pts: Array<{ x: number; y: number }>) => pts.filter(ok)
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
  const yt: number[] = [];
  if (c.logY) for (let e = Math.ceil(y0); e <= Math.floor(y1); e++) yt.push(e);
  if (yt.length < 2) { yt.length = 0; for (let i = 0; i <= 5; i++) yt.push(y0 + ((y1 - y0) * i) / 5); }
  for (const t of yt) {
    out.push(`<text x="${m.l - 6}" y="${(pyT(t) + 4).toFixed(1)}" text-anchor="end" fill="${esc(fg)}">${fmt(c.logY ? 10 ** t : t)}</text>`);
    out.push(`<line x1="${m.l}" y1="${pyT(t).toFixed(1)}" x2="${W - m.r}" y2="${pyT(t).toFixed(1)}" stroke="${esc(fg)}" stroke-opacity="0.1"/>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle" fill="${esc(fg)}">${esc(c.xLabel)}${c.logX ? ' (log)' : ''}</text>`);
  out.push(`<text transform="translate(14,${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="${esc(fg)}">${esc(c.yLabel)}${c.logY ? ' (log)' : ''}</text>`);
  for (const s of c.series) {
    if (s.band && s.band.lo.length) {
      const d = path(s.band.hi) + path([...s.band.lo].reverse()).replace(/^M/, 'L') + 'Z';
      out.push(`<path d="${d}" fill="${esc(s.color)}" fill-opacity="0.15" stroke="none"/>`);
    }
    out.push(`<path d="${path(s.points)}" fill="none" stroke="${esc(s.color)}" stroke-width="1.5"${s.dash ? ' stroke-dasharray="5 3"' : ''}><title>${esc(s.label)}</title></path>`);
  }
  // legend: one entry per group, then the line styles once
  const entries: Array<{ label: string; color: string; dash: boolean }> = [];
  if (c.series.length && c.series.every((x) => x.group != null)) {
    for (const x of c.series) if (!entries.some((e) => e.label === x.group)) entries.push({ label: x.group!, color: x.color, dash: false });
    if (c.series.some((x) => x.dash)) entries.push({ label: 'dashed: train, solid: validation', color: fg, dash: true });
  } else {
    for (const x of c.series) entries.push({ label: x.label, color: x.color, dash: !!x.dash });
  }
  const lw = Math.min(170, W * 0.4);
  entries.slice(0, 16).forEach((e, i) => {
    const y = m.t + 4 + i * 14;
    out.push(`<line x1="${W - m.r - lw}" y1="${y}" x2="${W - m.r - lw + 20}" y2="${y}" stroke="${esc(e.color)}" stroke-width="2"${e.dash ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${W - m.r - lw + 24}" y="${y + 4}" fill="${esc(fg)}">${esc(e.label.length > 34 ? e.label.slice(0, 33) + '…' : e.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
