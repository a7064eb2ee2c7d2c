// Positioned errors for experiment files: every problem a user can cause names the file,
// the line:column of the offending JSON node, the field path and what is allowed.

export interface ConfigError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (as editors count). */
  column: number;
  /** 0-based offset and length of the offending text, for editor diagnostics. */
  offset: number;
  length: number;
  /** Field path, e.g. `task.modulus` or `sweep["model.dModel"][2]`; empty for the whole file. */
  path: string;
  /** What is wrong and what is allowed. */
  message: string;
  /** Set on a warning (the run can still train somewhere, or the setting is only unusual); absent on an error. */
  severity?: 'warning';
}

/** `file:line:col: path: message` (the path part is left out for whole-file errors; warnings say so). */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.severity ? `${e.severity}: ` : ''}${e.path ? `${e.path}: ` : ''}${e.message}`;
}

/** Thrown by the throwing loaders; carries every error found. */
export class ConfigLoadError extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
    this.name = 'ConfigLoadError';
  }
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Display form of a JSON path: `a.b[2]`, with keys that are not identifiers quoted: `sweep["model.dModel"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A problem before it is located in the text: the JSON path it concerns and the message. */
export interface ConfigProblem {
  path: PathSegment[];
  message: string;
  /** Point at the property's key rather than its value (unknown fields). */
  atKey?: boolean;
  /** An exact text range, for problems found on the syntax tree itself (a path can be ambiguous there). */
  range?: { offset: number; length: number };
  /** A warning: reported, but the config is still valid. */
  severity?: 'warning';
}
