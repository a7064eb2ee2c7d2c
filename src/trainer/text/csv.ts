// RFC 4180 CSV: comma-separated fields, records ended by LF or CRLF, fields optionally quoted with
// '"' where a doubled quote is a literal quote and commas and newlines inside quotes are data.

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts (records may span lines inside quotes). */
  line: number;
}

/** Parses CSV text; blank lines are skipped. Throws `file:line` on an unterminated or misplaced quote. */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was quoted (so an empty one still counts)
  let line = 1;
  let recordLine = 1;
  const endField = (): void => { fields.push(field); field = ''; quoted = false; };
  const endRecord = (): void => {
    const blank = fields.length === 0 && field === '' && !quoted;
    endField();
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '' && !quoted) {
      const openLine = line;
      quoted = true;
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new Error(`${file}:${openLine}: a quoted field is never closed (missing '"').`);
        field += text.slice(i, close);
        line += countNewlines(text, i, close);
        if (text[close + 1] === '"') { field += '"'; i = close + 2; continue; }
        i = close + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new Error(`${file}:${line}: unexpected ${JSON.stringify(next)} after a closing quote; a '"' inside a quoted field must be doubled ("").`);
      }
    } else if (c === ',') {
      endField(); i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
      line++; recordLine = line;
    } else {
      // Unquoted data runs to the next delimiter; a stray quote inside it is kept as data.
      let j = i + 1;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field += text.slice(i, j); i = j;
    }
  }
  if (field !== '' || quoted || fields.length > 0) endRecord();
  return records;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) n++;
  return n;
}
