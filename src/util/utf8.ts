// Strict UTF-8 decoding of data files: a wrong encoding (Latin-1, UTF-16) would otherwise turn into
// silent U+FFFD tokens, so it is an error that names the file and the line of the first bad byte.
import { UserError } from './userError';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes `bytes` (a leading BOM is dropped); throws naming `file` and the line if they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  const result = tryDecodeUtf8(bytes);
  if ('text' in result) return result.text;
  throw new UserError(`${file}:${result.line}: not valid UTF-8 (byte offset ${result.offset}). Re-save the file as UTF-8.`);
}

/**
 * The text of `bytes` (a leading BOM dropped), or where the first byte that is not UTF-8 is: its
 * byte offset, its 1-based line and the UTF-16 offset in the text before it (for editors).
 */
export function tryDecodeUtf8(bytes: Uint8Array): { text: string } | { offset: number; line: number; textOffset: number } {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidByte(bytes);
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const textOffset = decoder.decode(bytes.subarray(bom, offset)).length;
    return { offset, line: countLines(bytes, offset), textOffset };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!; // i < b.length
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
