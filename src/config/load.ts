// Loads a `*.grok.json` experiment file: JSONC syntax, the schema, the sweep axes and values, and
// the semantic checks of every run. Every error is located at the JSON node it concerns.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// The ESM build: esbuild bundles jsonc-parser's default UMD build with a broken dynamic require.
import { createScanner, findNodeAtLocation, getLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { LineIndex } from './lineIndex';
import { ConfigLoadError, formatPath, type ConfigError, type ConfigProblem, type PathSegment } from './errors';
import { problemsFromIssues } from './issues';
import { PROTOTYPE_KEYS } from './paths';
import { tryDecodeUtf8 } from '../util/utf8';
import { ConfigSchema, type ExperimentConfig } from './schema';
import { checkBaseConfig, checkRunConfig, type SemanticProblem } from './semantic';
import { axisValueIndices, expandSweep, sweepAxes, type RunPlan, type SweepAxis } from './sweep';
import { checkSearch, checkSweepAxes, checkSweepValues } from './sweepChecks';

export type LoadResult =
  | { ok: true; file: string; config: ExperimentConfig; runs: RunPlan[]; warnings?: ConfigError[] }
  | { ok: false; file: string; errors: ConfigError[] };

export interface LoadOptions {
  /** Where relative paths (text data) resolve; file existence is not checked without it. */
  configDir?: string;
  /** Folders besides configDir that data files may lie in (--data-root). */
  dataRoots?: readonly string[];
  /** Checks of a higher layer (the engine's limits: src/sweep/limits.ts), located like the built-in ones. */
  checks?: ExtraChecks;
}

/**
 * Checks the config layer cannot make itself (it may not import the engine), handed in by the CLI
 * and the extension. A problem with `severity: 'warning'` lands in the result's `warnings`.
 */
export interface ExtraChecks {
  /** Per run (called once per distinct task/model/training combination). */
  run?(config: ExperimentConfig): SemanticProblem[];
  /** Once for the whole sweep (e.g. the compute it needs). */
  sweep?(config: ExperimentConfig, runs: RunPlan[]): ConfigProblem[];
}

/**
 * Validates the text of an experiment file; `file` is the name errors carry. Never throws: every
 * problem, however odd the text, comes back as a positioned error.
 */
export function loadConfig(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  try {
    return check(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file, opts);
  } catch (e) {
    // A bug of the checker must not take the editor's diagnostics (or the CLI) down with it.
    return { ok: false, file, errors: [{ file, line: 1, column: 1, offset: 0, length: 0, path: '', message: `internal error of the config checker: ${e instanceof Error ? e.message : String(e)} (please report it)` }] };
  }
}

export type ConfigValueCheck =
  | { ok: true; config: ExperimentConfig; semantic: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

/**
 * The checks of a config value that need no text (and no data files): the schema, the sweep's
 * axes and values, then the whole-config semantic checks. `ok` means the value is safe to expand
 * and analyse (`semantic` may still hold problems: a new file is refused for them, a stored
 * results manifest is not). `keys`: problems already found in the keys (duplicates).
 */
export function checkConfigValue(raw: unknown, keys: ConfigProblem[] = []): ConfigValueCheck {
  const structural = [...keys, ...checkSweepAxes(raw)];
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: [...structural, ...problemsFromIssues(parsed.error.issues, ConfigSchema, raw)] };
  const config = parsed.data;

  const semantic = [...structural, ...checkBaseConfig(config), ...checkSearch(config)];
  if (structural.length) return { ok: false, problems: semantic };
  const values = checkSweepValues(config);
  if (values.length) return { ok: false, problems: [...semantic, ...values] };
  return { ok: true, config, semantic };
}

function check(text: string, file: string, opts: LoadOptions): LoadResult {
  const locator = new Locator(file, text);
  const fail = (problems: ConfigProblem[]): LoadResult => ({ ok: false, file, errors: locator.locateAll(problems) });

  const scan = scanText(text);
  if (scan.problem) return fail([scan.problem]);
  if (scan.blank) return fail([{ path: [], message: 'the file is empty; expected a JSON object with at least "name" and "task"' }]);
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  // Only the first syntax error: the ones after it are mostly its echoes.
  if (syntaxErrors.length || !root) return { ok: false, file, errors: syntaxErrors.slice(0, 1).map((e) => locator.syntaxError(e)) };
  locator.root = root;

  const keys = checkKeys(root);
  if (keys.some((p) => p.refused)) return fail(keys);
  const value = checkConfigValue(getNodeValue(root), keys);
  if (!value.ok) return fail(value.problems);
  const { config, semantic: base } = value;

  const runs = expandSweep(config);
  const ctx = { configDir: opts.configDir, dataRoots: opts.dataRoots };
  const perRun = runProblems(runs, sweepAxes(config), (c) => checkRunConfig(c, ctx));
  if (base.length || perRun.length) return fail([...base, ...perRun]);
  const checks = opts.checks;
  if (!checks) return { ok: true, file, config, runs };
  const extra = [
    ...(checks.run ? runProblems(runs, sweepAxes(config), (c) => checks.run!(c)) : []),
    ...(checks.sweep ? checks.sweep(config, runs) : []),
  ];
  const errors = extra.filter((p) => p.severity !== 'warning');
  if (errors.length) return fail(errors);
  return { ok: true, file, config, runs, warnings: locator.locateAll(extra) };
}

/** Reads and validates an experiment file; a missing or unreadable file is an error too. */
export function loadConfigFile(path: string, opts: Omit<LoadOptions, 'configDir'> = {}): LoadResult {
  const fileError = (message: string): LoadResult => (
    { ok: false, file: path, errors: [{ file: path, line: 1, column: 1, offset: 0, length: 0, path: '', message }] });
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return fileError(`cannot read the experiment file (${reason}; looked at ${resolve(path)})`);
  }
  return loadConfigBytes(bytes, path, { ...opts, configDir: dirname(resolve(path)) });
}

/** loadConfig for the bytes of a file: UTF-8 (a BOM is dropped); other bytes are an error naming the offset. */
export function loadConfigBytes(bytes: Uint8Array, file: string, opts: LoadOptions = {}): LoadResult {
  const decoded = tryDecodeUtf8(bytes);
  if ('text' in decoded) return loadConfig(decoded.text, file, opts);
  const lineStart = bytes.subarray(0, decoded.offset).lastIndexOf(0x0a) + 1;
  const column = new TextDecoder().decode(bytes.subarray(lineStart, decoded.offset)).length + 1;
  const bad = bytes[decoded.offset];
  const what = bad === undefined ? 'a sequence cut short by the end of the file' : `byte 0x${bad.toString(16).padStart(2, '0')}`;
  const message = `not valid UTF-8 at byte offset ${decoded.offset} (${what}); the file may be Latin-1 or UTF-16: re-save it as UTF-8`;
  return { ok: false, file, errors: [{ file, line: decoded.line, column, offset: decoded.textOffset, length: 0, path: '', message }] };
}

/** loadConfigFile for callers that cannot go on without a valid config: throws ConfigLoadError. */
export function requireConfigFile(path: string, opts: Omit<LoadOptions, 'configDir'> = {}): { config: ExperimentConfig; runs: RunPlan[] } {
  const result = loadConfigFile(path, opts);
  if (!result.ok) throw new ConfigLoadError(result.errors);
  return { config: result.config, runs: result.runs };
}

/**
 * Semantic problems of every run. A problem caused by a swept field points at that sweep value
 * (the first run showing it); one caused by fixed fields points at the field. Duplicates collapse.
 */
function runProblems(runs: RunPlan[], axes: SweepAxis[], check: (config: ExperimentConfig) => SemanticProblem[]): ConfigProblem[] {
  const seen = new Map<string, ConfigProblem & { rank: number }>();
  // The checks read only the task, the model and the training loop: runs that differ only in
  // other axes (seed, optimizer, init) are checked once.
  const checked = axes.map((a) => CHECKED_SECTIONS.has(String(a.path[0])));
  const done = new Set<string>();
  for (const run of runs) {
    const picks = axisValueIndices(axes, run.index);
    const key = picks.filter((_, a) => checked[a]).join(',');
    if (done.has(key)) continue;
    done.add(key);
    for (const p of check(run.config)) {
      const located = locateInSweep(p, axes, picks, run);
      const key = `${formatPath(located.path)}\n${p.collapse?.kind ?? located.message}`;
      const before = seen.get(key);
      if (!before || (p.collapse && p.collapse.rank > before.rank)) seen.set(key, { ...located, rank: p.collapse?.rank ?? 0 });
    }
  }
  return [...seen.values()].map(({ rank: _rank, ...p }) => p);
}

/** The config sections checkRunConfig reads. */
const CHECKED_SECTIONS = new Set(['task', 'model', 'training']);

function locateInSweep(p: SemanticProblem, axes: SweepAxis[], picks: number[], run: RunPlan): ConfigProblem {
  for (const cause of [p.path, ...(p.related ?? [])]) {
    const a = axes.findIndex((axis) => isPrefix(axis.path, cause) || isPrefix(cause, axis.path));
    if (a >= 0) {
      const axis = axes[a]!; // a found by findIndex; picks has one index per axis
      return { path: ['sweep', axis.key, picks[a]!], message: `${axis.key} = ${JSON.stringify(run.params[axis.key])}: ${p.message}`, severity: p.severity };
    }
  }
  return p;
}

/** Deeper than any experiment file needs; deeper JSON would exhaust the checker's stack. */
export const MAX_DEPTH = 64;

// jsonc-parser's SyntaxKind and ScanError (const enums, which the bundler cannot inline).
const OPEN_BRACE = 1, CLOSE_BRACE = 2, OPEN_BRACKET = 3, CLOSE_BRACKET = 4, EOF = 17;
const TRIVIA = new Set([12, 13, 14, 15]);
const UNEXPECTED_END_OF_COMMENT = 1;

/**
 * One pass of the scanner (no recursion) before parsing: an unterminated comment (which would
 * make the file look empty), nesting deeper than MAX_DEPTH, or a file of only comments.
 */
function scanText(text: string): { problem?: ConfigProblem; blank: boolean } {
  const scanner = createScanner(text, false);
  let depth = 0;
  let blank = true;
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    const range = { offset: scanner.getTokenOffset(), length: scanner.getTokenLength() };
    if (scanner.getTokenError() === UNEXPECTED_END_OF_COMMENT) {
      return { blank, problem: { path: getLocation(text, range.offset).path, range: { offset: range.offset, length: 2 }, message: 'JSON syntax error: unterminated comment: this "/*" has no closing "*/"' } };
    }
    if (!TRIVIA.has(kind)) blank = false;
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      if (++depth > MAX_DEPTH) {
        return { blank, problem: { path: [], range: { ...range, length: 1 }, message: `nested more than ${MAX_DEPTH} levels deep; an experiment file needs a handful` } };
      }
    } else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return { blank };
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** Duplicate fields, and field names that reach into prototypes (refused: `refused` is set). */
function checkKeys(node: Node): Array<ConfigProblem & { refused?: boolean }> {
  const problems: Array<ConfigProblem & { refused?: boolean }> = [];
  const walk = (n: Node, path: PathSegment[]) => {
    if (n.type === 'object') {
      const seen = new Set<string>();
      for (const prop of n.children ?? []) {
        const [keyNode, value] = prop.children ?? [];
        if (!keyNode) continue; // jsonc-parser gives every property its key node
        const key = String(keyNode.value);
        if (PROTOTYPE_KEYS.has(key)) {
          problems.push({ path: [...path, key], refused: true, range: { offset: keyNode.offset, length: keyNode.length }, message: `the field name ${JSON.stringify(key)} is not allowed (it names an object's prototype, not a setting)` });
        } else if (seen.has(key)) {
          problems.push({ path: [...path, key], range: { offset: keyNode.offset, length: keyNode.length }, message: `duplicate field ${JSON.stringify(key)} (the last one would silently win); allowed: each field once` });
        }
        seen.add(key);
        if (value) walk(value, [...path, key]);
      }
    } else if (n.type === 'array') {
      (n.children ?? []).forEach((c, i) => walk(c, [...path, i]));
    }
  };
  walk(node, []);
  return problems;
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'invalid number', PropertyNameExpected: 'expected a field name in double quotes',
  ValueExpected: 'expected a value', ColonExpected: 'expected ":" after the field name', CommaExpected: 'expected "," between entries',
  CloseBraceExpected: 'expected "}"', CloseBracketExpected: 'expected "]"', EndOfFileExpected: 'unexpected text after the end of the top-level object',
  InvalidCommentToken: 'invalid comment', UnexpectedEndOfComment: 'unterminated comment', UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'incomplete number', InvalidUnicode: 'invalid \\u escape', InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** Maps problems (JSON paths) to positioned errors. */
class Locator {
  root: Node | undefined;
  private readonly lines: LineIndex;

  constructor(private readonly file: string, private readonly text: string) {
    this.lines = new LineIndex(text);
  }

  locateAll(problems: ConfigProblem[]): ConfigError[] {
    return problems.map((p) => this.locate(p)).sort((a, b) => a.offset - b.offset);
  }

  /** At the node of the path, or its nearest existing ancestor when the field is missing. */
  locate(p: ConfigProblem): ConfigError {
    if (p.range) return this.at(p.range.offset, p.range.length, formatPath(p.path), p.message, p.severity);
    let node: Node | undefined;
    for (let n = p.path.length; n >= 0 && !node; n--) {
      node = this.root && (n === 0 ? this.root : findNodeAtLocation(this.root, p.path.slice(0, n)));
      if (node && p.atKey && n === p.path.length && node.parent?.type === 'property') node = node.parent.children?.[0];
    }
    return this.at(node?.offset ?? 0, node?.length ?? 0, formatPath(p.path), p.message, p.severity);
  }

  syntaxError(e: ParseError): ConfigError {
    const path = getLocation(this.text, e.offset).path;
    const code = printParseErrorCode(e.error);
    return this.at(e.offset, e.length, formatPath(path), `JSON syntax error: ${SYNTAX_MESSAGES[code] ?? code}`);
  }

  private at(offset: number, length: number, path: string, message: string, severity?: 'warning'): ConfigError {
    const error: ConfigError = { file: this.file, ...this.lines.lineColumn(offset), offset, length, path, message };
    if (severity) error.severity = severity;
    return error;
  }
}
