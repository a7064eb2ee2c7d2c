// Figure sizes of "Export for paper": "WxH" in inches → SVG user units (96 per inch). DOM-free.
export const PAPER_DPI = 96;

export function paperSize(value: string | undefined): { width: number; height: number } {
  const m = /^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)$/.exec(value ?? '');
  const [w, h] = m ? [Number(m[1]), Number(m[2])] : [3.5, 2.4];
  return { width: Math.round(w * PAPER_DPI), height: Math.round(h * PAPER_DPI) };
}
