// What the Problems panel shows for the text of a `*.grok.json` (no vscode import: ./diagnostics.ts
// maps it to vscode.Diagnostic; unit-tested with hostile texts). Never throws: whatever the text,
// the result is a list of located problems; a bug of the checker becomes one problem at the top.
import { loadConfig, type LoadOptions, type LoadResult } from '../../config/load';

export interface ConfigDiagnostic {
  /** Offset and length in the text, inside its bounds (length ≥ 1 where the text has room). */
  offset: number;
  length: number;
  message: string;
  severity: 'error' | 'warning';
}

export function configDiagnostics(text: string, file: string, opts: LoadOptions = {}): { result: LoadResult; diagnostics: ConfigDiagnostic[] } {
  let result: LoadResult;
  try {
    result = loadConfig(text, file, opts);
  } catch (e) {
    const message = `internal error of the config checker: ${e instanceof Error ? e.message : String(e)} (please report it)`;
    result = { ok: false, file, errors: [{ file, line: 1, column: 1, offset: 0, length: 0, path: '', message }] };
  }
  const problems = result.ok ? [] : result.errors;
  const diagnostics = problems.map((e): ConfigDiagnostic => {
    const offset = clamp(e.offset, 0, text.length);
    return {
      offset,
      length: clamp(Math.max(e.length, 1), 0, text.length - offset),
      message: e.path ? `${e.path}: ${e.message}` : e.message,
      severity: 'error',
    };
  });
  return { result, diagnostics };
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, Math.trunc(x))) : lo;
}
