// Loads a `*.grok.json` experiment file: JSONC syntax, the schema, the sweep axes and values, and
// the semantic checks of every run. Every error is located at the JSON node it concerns.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// The ESM build: esbuild bundles jsonc-parser's default UMD build with a broken dynamic require.
import { findNodeAtLocation, getLocation, getNodeValue, parseTree, printParseErrorCode, stripComments, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { ConfigLoadError, formatPath, LineIndex, type ConfigError, type ConfigProblem, type PathSegment } from './errors';
import { problemsFromIssues } from './issues';
import { ConfigSchema, type ExperimentConfig } from './schema';
import { checkBaseConfig, checkRunConfig, type CheckContext, type SemanticProblem } from './semantic';
import { axisValueIndices, expandSweep, sweepAxes, type RunPlan, type SweepAxis } from './sweep';
import { checkSearch, checkSweepAxes, checkSweepValues } from './sweepChecks';

export type LoadResult =
  | { ok: true; file: string; config: ExperimentConfig; runs: RunPlan[] }
  | { ok: false; file: string; errors: ConfigError[] };

export interface LoadOptions {
  /** Where relative paths (text data) resolve; file existence is not checked without it. */
  configDir?: string;
}

/** Validates the text of an experiment file; `file` is the name errors carry. */
export function loadConfig(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  const locator = new Locator(file, text);
  const fail = (problems: ConfigProblem[]): LoadResult => ({ ok: false, file, errors: locator.locateAll(problems) });

  if (isBlank(text)) return fail([{ path: [], message: 'the file is empty; expected a JSON object with at least "name" and "task"' }]);
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  if (syntaxErrors.length || !root) return { ok: false, file, errors: syntaxErrors.map((e) => locator.syntaxError(e)) };
  locator.root = root;

  const raw: unknown = getNodeValue(root);
  const structural = [...duplicateKeys(root), ...checkSweepAxes(raw)];
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) return fail([...structural, ...problemsFromIssues(parsed.error.issues, ConfigSchema, raw)]);
  const config = parsed.data;

  const base = [...structural, ...checkBaseConfig(config), ...checkSearch(config)];
  if (structural.length) return fail(base);
  const values = checkSweepValues(config);
  if (values.length) return fail([...base, ...values]);

  const runs = expandSweep(config);
  const perRun = runProblems(runs, sweepAxes(config), { configDir: opts.configDir });
  if (base.length || perRun.length) return fail([...base, ...perRun]);
  return { ok: true, file, config, runs };
}

/** Reads and validates an experiment file; a missing or unreadable file is an error too. */
export function loadConfigFile(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { ok: false, file: path, errors: [{ file: path, line: 1, column: 1, offset: 0, length: 0, path: '', message: `cannot read the experiment file (${reason}; looked at ${resolve(path)})` }] };
  }
  return loadConfig(text, path, { configDir: dirname(resolve(path)) });
}

/** loadConfigFile for callers that cannot go on without a valid config: throws ConfigLoadError. */
export function requireConfigFile(path: string): { config: ExperimentConfig; runs: RunPlan[] } {
  const result = loadConfigFile(path);
  if (!result.ok) throw new ConfigLoadError(result.errors);
  return { config: result.config, runs: result.runs };
}

/**
 * Semantic problems of every run. A problem caused by a swept field points at that sweep value
 * (the first run showing it); one caused by fixed fields points at the field. Duplicates collapse.
 */
function runProblems(runs: RunPlan[], axes: SweepAxis[], ctx: CheckContext): ConfigProblem[] {
  const seen = new Map<string, ConfigProblem>();
  for (const run of runs) {
    const picks = axisValueIndices(axes, run.index);
    for (const p of checkRunConfig(run.config, ctx)) {
      const located = locateInSweep(p, axes, picks, run);
      const key = `${formatPath(located.path)}\n${located.message}`;
      if (!seen.has(key)) seen.set(key, located);
    }
  }
  return [...seen.values()];
}

function locateInSweep(p: SemanticProblem, axes: SweepAxis[], picks: number[], run: RunPlan): ConfigProblem {
  for (const cause of [p.path, ...(p.related ?? [])]) {
    const a = axes.findIndex((axis) => isPrefix(axis.path, cause) || isPrefix(cause, axis.path));
    if (a >= 0) {
      const axis = axes[a];
      return { path: ['sweep', axis.key, picks[a]], message: `${axis.key} = ${JSON.stringify(run.params[axis.key])}: ${p.message}` };
    }
  }
  return p;
}

/** Only whitespace and comments. */
function isBlank(text: string): boolean {
  return stripComments(text).trim() === '';
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

function duplicateKeys(node: Node): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const walk = (n: Node, path: PathSegment[]) => {
    if (n.type === 'object') {
      const seen = new Set<string>();
      for (const prop of n.children ?? []) {
        const [keyNode, value] = prop.children ?? [];
        const key = String(keyNode?.value);
        if (seen.has(key)) {
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
    if (p.range) return this.at(p.range.offset, p.range.length, formatPath(p.path), p.message);
    let node: Node | undefined;
    for (let n = p.path.length; n >= 0 && !node; n--) {
      node = this.root && (n === 0 ? this.root : findNodeAtLocation(this.root, p.path.slice(0, n)));
      if (node && p.atKey && n === p.path.length && node.parent?.type === 'property') node = node.parent.children?.[0];
    }
    return this.at(node?.offset ?? 0, node?.length ?? 0, formatPath(p.path), p.message);
  }

  syntaxError(e: ParseError): ConfigError {
    const path = getLocation(this.text, e.offset).path;
    const code = printParseErrorCode(e.error);
    return this.at(e.offset, e.length, formatPath(path), `JSON syntax error: ${SYNTAX_MESSAGES[code] ?? code}`);
  }

  private at(offset: number, length: number, path: string, message: string): ConfigError {
    return { file: this.file, ...this.lines.position(offset), offset, length, path, message };
  }
}
