// Places standalone SVG documents one after another in a single SVG document. DOM-free.
export function stackSvgs(docs: Array<{ svg: string; width: number; height: number }>, direction: 'vertical' | 'horizontal' = 'vertical'): string {
  let off = 0;
  const parts = docs.map((d) => {
    const pos = direction === 'vertical' ? `x="0" y="${off}"` : `x="${off}" y="0"`;
    off += direction === 'vertical' ? d.height : d.width;
    return d.svg.replace(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `<svg ${pos}`);
  });
  const W = direction === 'vertical' ? Math.max(...docs.map((d) => d.width)) : off;
  const H = direction === 'vertical' ? off : Math.max(...docs.map((d) => d.height));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">\n${parts.join('\n')}\n</svg>\n`;
}
