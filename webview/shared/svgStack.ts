// Places standalone SVG documents one after another in a single SVG document. DOM-free.
/** `physical`: the document's width and height in inches (96 user units per inch), for print. */
export function stackSvgs(docs: Array<{ svg: string; width: number; height: number }>, direction: 'vertical' | 'horizontal' = 'vertical', physical = false): string {
  let off = 0;
  const parts = docs.map((d) => {
    const pos = direction === 'vertical' ? `x="0" y="${off}"` : `x="${off}" y="0"`;
    off += direction === 'vertical' ? d.height : d.width;
    return d.svg.replace(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `<svg ${pos}`);
  });
  const W = direction === 'vertical' ? Math.max(...docs.map((d) => d.width)) : off;
  const H = direction === 'vertical' ? off : Math.max(...docs.map((d) => d.height));
  const size = physical ? `width="${+(W / 96).toFixed(3)}in" height="${+(H / 96).toFixed(3)}in"` : `width="${W}" height="${H}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ${size} viewBox="0 0 ${W} ${H}">\n${parts.join('\n')}\n</svg>\n`;
}
