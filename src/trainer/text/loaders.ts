// The four data layouts, each read into texts and class indices for a train and an optional test
// split. Files are read through `read` so the cache layer can hand over bytes it already hashed.
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv';
import { buildLabelMap, encodeLabels, type LabelMap, type LabeledTexts, type RawLabeled } from './labels';
import { resolveSources, type SourceFile, type TextSources } from './sources';
import type { TextTask } from './types';
import { decodeUtf8 } from '../../util/utf8';

export type ReadFile = (path: string) => Uint8Array;

export interface TextSplits {
  train: LabeledTexts;
  test?: LabeledTexts;
  /** Class names by index. */
  classes: string[];
}

/** Reads the task's data set from its sources (see resolveSources). */
export function loadTextSplits(task: TextTask, sources: TextSources, read: ReadFile = readFileSync): TextSplits {
  switch (task.format) {
    case 'imdb': return loadImdb(sources, read);
    case 'yelp': return fromRaw(sources, read, yelpLayout, YELP_LABELS);
    case 'csv': return fromRaw(sources, read, csvLayout(task.textField, task.labelField));
    case 'jsonl': return fromRaw(sources, read, jsonlLayout(task.textField, task.labelField));
  }
}

/** Convenience for scripts and tests: resolves the task's paths and reads it. */
export function loadTextTask(task: TextTask, configDir: string, read: ReadFile = readFileSync): TextSplits {
  return loadTextSplits(task, resolveSources(task, configDir), read);
}

/** Reads a whole file as UTF-8 text; an empty file is an error naming what it should hold. */
export function readText(path: string, read: ReadFile, expected: string): string {
  const bytes = read(path);
  if (bytes.length === 0) throw new Error(`${path}: the file is empty; expected ${expected}.`);
  return decodeUtf8(bytes, path);
}

// IMDB: one review per file; the label is the folder (neg = 0, pos = 1).
function loadImdb(sources: TextSources, read: ReadFile): TextSplits {
  const split = (files: SourceFile[]): LabeledTexts => ({
    texts: files.map((f) => stripBreaks(readText(f.path, read, 'one review as UTF-8 text'))),
    labels: files.map((f) => (f.label === 'pos' ? 1 : 0)),
  });
  return {
    train: split(sources.train),
    test: sources.test.length > 0 ? split(sources.test) : undefined,
    classes: ['negative', 'positive'],
  };
}

/** IMDB reviews (and CSV copies of them) mark line breaks with `<br />` tags, which would otherwise become "br" tokens. */
export function stripBreaks(text: string): string {
  return text.replace(/<br\s*\/?>/gi, ' ');
}

/** A file layout: what it should hold (for messages) and how to read its rows. */
interface Layout {
  expected: string;
  parse(text: string, file: string): RawLabeled;
}

/** Parses the train and test files; the label map is `fixed` or built from the training labels. */
function fromRaw(sources: TextSources, read: ReadFile, layout: Layout, fixed?: LabelMap): TextSplits {
  const rawOf = (f: SourceFile): RawLabeled => {
    const raw = layout.parse(readText(f.path, read, layout.expected), f.path);
    if (raw.texts.length === 0) throw new Error(`${f.path}: no examples; expected ${layout.expected}.`);
    return raw;
  };
  const [trainFile] = sources.train;
  const [testFile] = sources.test;
  if (trainFile === undefined) throw new Error(`${sources.root}: no training file; expected ${layout.expected}.`);
  const rawTrain = rawOf(trainFile);
  const map = fixed ?? buildLabelMap(rawTrain.labels);
  const train = encodeLabels(rawTrain, map);
  const test = testFile !== undefined ? encodeLabels(rawOf(testFile), map) : undefined;
  return { train, test, classes: map.classes };
}

// Yelp Review Polarity (Zhang et al. 2015): label 1 = negative, 2 = positive. Its texts write line
// breaks as a literal backslash-n.
const YELP_LABELS: LabelMap = { classes: ['negative', 'positive'], index: new Map([['1', 0], ['2', 1]]), origin: 'Yelp polarity: 1 = negative, 2 = positive' };
const yelpLayout: Layout = {
  expected: 'Yelp Review Polarity CSV rows "label","text" without a header, label 1 (negative) or 2 (positive)',
  parse(text, file) {
    const raw = emptyRaw(file);
    for (const r of parseCsv(text, file)) {
      const [label, body] = r.fields;
      if (r.fields.length !== 2 || label === undefined || body === undefined) {
        throw new Error(`${file}:${r.line}: expected 2 columns "label","text" (Yelp polarity, no header), found ${r.fields.length}.`);
      }
      push(raw, body.replace(/\\n/g, '\n'), label, r.line);
    }
    return raw;
  },
};

// Plain CSV with a header row; the text and label columns are chosen by name.
function csvLayout(textField: string, labelField: string): Layout {
  const expected = `CSV with a header row naming the columns "${textField}" and "${labelField}"`;
  return {
    expected,
    parse(text, file) {
      const [header, ...rows] = parseCsv(text, file);
      if (header === undefined) throw new Error(`${file}: no header row; expected ${expected}.`);
      const names = header.fields.map((h) => h.trim());
      const column = (name: string, field: string): number => {
        const k = names.indexOf(name);
        if (k < 0) {
          throw new Error(`${file}:${header.line}: no column "${name}" (task.${field}); the header has columns ${names.map((n) => JSON.stringify(n)).join(', ')}.`);
        }
        return k;
      };
      const t = column(textField, 'textField');
      const l = column(labelField, 'labelField');
      const raw = emptyRaw(file);
      for (const r of rows) {
        if (r.fields.length !== names.length) {
          throw new Error(`${file}:${r.line}: expected ${names.length} columns like the header (${names.join(',')}), found ${r.fields.length}.`);
        }
        push(raw, r.fields[t]!, r.fields[l]!, r.line, labelField); // t, l < names.length = fields.length
      }
      return raw;
    },
  };
}

// JSON Lines: one object per line; blank lines are skipped. Labels may be strings, numbers or booleans.
function jsonlLayout(textField: string, labelField: string): Layout {
  const expected = `JSON Lines: one object per line with keys "${textField}" and "${labelField}"`;
  return {
    expected,
    parse(text, file) {
      const raw = emptyRaw(file);
      const lines = text.split('\n');
      for (const [i, lineText] of lines.entries()) {
        const line = lineText.trim();
        if (line === '') continue;
        const where = `${file}:${i + 1}`;
        let row: unknown;
        try { row = JSON.parse(line); } catch (e) {
          throw new Error(`${where}: not valid JSON (${(e as Error).message}); expected ${expected}.`);
        }
        if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error(`${where}: expected a JSON object, found ${Array.isArray(row) ? 'an array' : typeof row}.`);
        const obj = row as Record<string, unknown>;
        const keys = Object.keys(obj).map((k) => JSON.stringify(k)).join(', ') || 'none';
        const text = obj[textField];
        if (typeof text !== 'string') {
          throw new Error(`${where}: ${text === undefined ? `no key "${textField}" (task.textField); keys found: ${keys}` : `"${textField}" must be a string`}.`);
        }
        const label = obj[labelField];
        if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
          throw new Error(`${where}: ${label === undefined ? `no key "${labelField}" (task.labelField); keys found: ${keys}` : `"${labelField}" must be a string, number or boolean`}.`);
        }
        push(raw, text, String(label), i + 1, labelField);
      }
      return raw;
    },
  };
}

function emptyRaw(file: string): RawLabeled {
  return { file, texts: [], labels: [], lines: [] };
}

function push(raw: RawLabeled, text: string, label: string, line: number, labelField = 'label'): void {
  if (label.trim() === '') throw new Error(`${raw.file}:${line}: the label ("${labelField}") is empty.`);
  raw.texts.push(stripBreaks(text)); raw.labels.push(label); raw.lines.push(line);
}
