// Strict UTF-8 decoding of data files: a wrong encoding (Latin-1, UTF-16) would otherwise turn into
// silent U+FFFD tokens, so it is an error that names the file and the line of the first bad byte.
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes `bytes` (a leading BOM is dropped); throws naming `file` and the line if they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const line = countLines(bytes, at);
    throw new Error(`${file}:${line}: not valid UTF-8 (byte offset ${at}). Re-save the file as UTF-8.`);
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number; let min: number;
    if (c < 0x80) { i++; continue; }
    else if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n + 1;
  }
  return b.length;
}

function countLines(b: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end && i < b.length; i++) if (b[i] === 0x0a) line++;
  return line;
}
