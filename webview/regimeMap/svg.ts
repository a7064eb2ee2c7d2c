// Vector export of the regime map (heatmap with D_crit / D_mem lines). DOM-free. Every string from
// the results (sweep name, axis names and values) and the theme (colours) is escaped.
import { escapeXml as esc } from '../shared/svg';
import { cellAlpha, formatPct, valueToIndex } from './geometry';
import type { MapData, RegimeName } from './protocol';

export function heatmapSvg(map: MapData, colors: Record<RegimeName, string>, fg = '#333', bg = '#fff', W = 560, H = 460): string {
  const m = { l: 72, r: 16, t: 32, b: 52 };
  const nx = map.xAxis.values.length, ny = map.yAxis.values.length;
  const cw = (W - m.l - m.r) / Math.max(1, nx), ch = (H - m.t - m.b) / Math.max(1, ny);
  const px = (i: number) => m.l + (i + 0.5) * cw;
  const py = (j: number) => H - m.b - (j + 0.5) * ch;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  o.push(`<rect width="${W}" height="${H}" fill="${esc(bg)}"/>`);
  o.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" fill="${esc(fg)}">${esc(map.name)}: regime by model size × data size</text>`);
  for (const c of map.cells) {
    const x = m.l + c.x * cw, y = H - m.b - (c.y + 1) * ch;
    const fill = c.regime ? colors[c.regime] : fg;
    o.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(cw - 1).toFixed(1)}" height="${(ch - 1).toFixed(1)}" fill="${esc(fill)}" fill-opacity="${cellAlpha(c).toFixed(2)}"><title>${esc(c.regime ?? 'pending')} · val ${formatPct(c.valAcc)} · ${c.finished}/${c.runs} runs</title></rect>`);
  }
  map.xAxis.values.forEach((v, i) => o.push(`<text x="${px(i).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle" fill="${esc(fg)}">${esc(v)}</text>`));
  map.yAxis.values.forEach((v, j) => o.push(`<text x="${m.l - 6}" y="${(py(j) + 4).toFixed(1)}" text-anchor="end" fill="${esc(fg)}">${esc(v)}</text>`));
  o.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 14}" text-anchor="middle" fill="${esc(fg)}">${esc(map.xAxis.path)}</text>`);
  o.push(`<text transform="translate(14,${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="${esc(fg)}">${esc(map.yAxis.path)}</text>`);
  const line = (pts: Array<{ x: number; value: number | null }>, color: string, dash: string, label: string) => {
    const d = pts.map((p) => ({ x: p.x, y: p.value == null ? null : valueToIndex(p.value, map.yAxis.values) }))
      .filter((p): p is { x: number; y: number } => p.y != null)
      .map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join('');
    if (d) o.push(`<path d="${d}" fill="none" stroke="${esc(color)}" stroke-width="2.5" stroke-dasharray="${dash}"><title>${esc(label)}</title></path>`);
  };
  line(map.dCrit, fg, '', `D_crit (ε=${map.epsilon})`);
  line(map.dMem, fg, '6 4', 'D_mem (memorization capacity)');
  o.push('</svg>');
  return o.join('\n');
}
