// Export helpers (DOM side): canvases → one PNG, SVG documents stacked.

/** Draws the canvases into one PNG (vertical or horizontal), on the editor background; returns base64. */
export function canvasesToPng(canvases: HTMLCanvasElement[], background: string, direction: 'vertical' | 'horizontal' = 'vertical'): string {
  const w = direction === 'vertical' ? Math.max(...canvases.map((c) => c.width)) : canvases.reduce((a, c) => a + c.width, 0);
  const h = direction === 'vertical' ? canvases.reduce((a, c) => a + c.height, 0) : Math.max(...canvases.map((c) => c.height));
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, w, h);
  let off = 0;
  for (const c of canvases) {
    if (direction === 'vertical') { ctx.drawImage(c, 0, off); off += c.height; } else { ctx.drawImage(c, off, 0); off += c.width; }
  }
  return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
