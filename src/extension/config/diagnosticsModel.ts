// What the Problems panel shows for the text of a `*.grok.json` (no vscode import: ./diagnostics.ts
// maps it to vscode.Diagnostic; unit-tested with hostile texts). Never throws: whatever the text,
// the result is a list of located problems; a bug of the checker becomes one problem at the top.
// With `limits` (src/sweep/limits.ts engineChecks) it also shows the engine's limits, as
// `grok validate` does: a run over the device's memory (an error under --device cpu, a warning
// under auto) and a sweep far beyond a day of compute (a warning with the ETA).
import { loadConfig, type ExtraChecks, type LoadOptions, type LoadResult } from '../../config/load';

export interface ConfigDiagnostic {
  /** Offset and length in the text, inside its bounds (length ≥ 1 where the text has room). */
  offset: number;
  length: number;
  message: string;
  severity: 'error' | 'warning';
  /** A limit of the engine (memory, compute), not a mistake in the config: the lens shows these too. */
  limit: boolean;
}

export interface DiagnosticsOptions extends Omit<LoadOptions, 'checks'> {
  /** The engine's limits for the device the sweep would use. */
  limits?: ExtraChecks;
}

export function configDiagnostics(text: string, file: string, opts: DiagnosticsOptions = {}): { result: LoadResult; diagnostics: ConfigDiagnostic[] } {
  const { limits, ...load } = opts;
  const limitMessages = new Set<string>();
  let result: LoadResult;
  try {
    result = loadConfig(text, file, limits ? { ...load, checks: recording(limits, limitMessages) } : load);
  } catch (e) {
    const message = `internal error of the config checker: ${e instanceof Error ? e.message : String(e)} (please report it)`;
    result = { ok: false, file, errors: [{ file, line: 1, column: 1, offset: 0, length: 0, path: '', message }] };
  }
  const problems = result.ok ? result.warnings ?? [] : result.errors;
  // A limit of a swept value is located as `axis = value: message`.
  const isLimit = (message: string) => [...limitMessages].some((m) => message === m || message.endsWith(`: ${m}`));
  const diagnostics = problems.map((e): ConfigDiagnostic => {
    const offset = clamp(e.offset, 0, text.length);
    return {
      offset,
      length: clamp(Math.max(e.length, 1), 0, text.length - offset),
      message: e.path ? `${e.path}: ${e.message}` : e.message,
      severity: e.severity === 'warning' ? 'warning' : 'error',
      limit: isLimit(e.message),
    };
  });
  return { result, diagnostics };
}

/** The checks, noting the message of every problem they find. */
function recording(checks: ExtraChecks, messages: Set<string>): ExtraChecks {
  const note = <T extends { message: string }>(problems: T[]): T[] => {
    for (const p of problems) messages.add(p.message);
    return problems;
  };
  return {
    ...(checks.run ? { run: (config) => note(checks.run!(config)) } : {}),
    ...(checks.sweep ? { sweep: (config, runs) => note(checks.sweep!(config, runs)) } : {}),
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, Math.trunc(x))) : lo;
}
