// What "Grok: New Experiment…" offers: the bundled examples (examples/*.grok.json in the package)
// and a blank template. No vscode import (unit-tested).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';

export interface ExampleInfo {
  file: string;
  name: string;
  description: string;
  /** Data files the example reads, relative to its folder (copied along with it). */
  dataFiles: string[];
  /** `*.full.grok.json`: the paper-scale version (hours, not minutes). */
  paperScale: boolean;
}

const DATA_FILE = /^data\/[\w./-]+\.(csv|jsonl|txt)$/;

/** The bundled examples, small ones first; a data file that is not shipped excludes its example. */
export function listExamples(examplesDir: string): ExampleInfo[] {
  if (!existsSync(examplesDir)) return [];
  const out: ExampleInfo[] = [];
  for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.grok.json')).sort()) {
    const text = readFileSync(join(examplesDir, file), 'utf8');
    const json = parse(text) as { name?: string; description?: string } | undefined;
    const dataFiles = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!).filter((v) => DATA_FILE.test(v));
    if (dataFiles.some((d) => !existsSync(join(examplesDir, d)))) continue;
    const lead = /^\{\s*\/\/\s*(.+)/.exec(text)?.[1];
    out.push({ file, name: json?.name ?? file.replace(/\.grok\.json$/, ''), description: json?.description ?? lead ?? '', dataFiles, paperScale: file.endsWith('.full.grok.json') });
  }
  return out.sort((a, b) => Number(a.paperScale) - Number(b.paperScale));
}

/** The example's text for a user's folder: no relative `$schema` (the extension supplies the schema). */
export function exampleText(text: string): string {
  return text.replace(/^[ \t]*"\$schema"\s*:\s*"[^"]*"\s*,[ \t]*\r?\n/m, '');
}

/** A blank experiment: the smallest sweep that shows a critical data size, with the fields explained. */
export function blankTemplate(name: string): string {
  return `{
  // A Grok experiment. Hover a field for its meaning, Ctrl+Space for completion; ▶ Run sweep above
  // trains every combination of the "sweep" axes. Results go to .grok/${name}/ next to this file.
  "name": ${JSON.stringify(name)},
  "description": "",
  "task": { "kind": "modular", "op": "a+b", "modulus": 23 },
  "model": { "kind": "mlp", "dModel": 16, "dMlp": 64 },
  "optimizer": { "kind": "adamw", "lr": 0.01, "weightDecay": 1.0 },
  "training": { "steps": 4000, "evalEvery": 40 },
  "sweep": {
    "model.dModel": [8, 32],
    "training.trainSize": [200, 420],
    "seed": [0, 1]
  },
  "analysis": { "epsilon": 0.95 }
}
`;
}

/** A file name in `dir` that does not exist yet: `base.grok.json`, `base-2.grok.json`, … */
export function freeFileName(dir: string, base: string): string {
  for (let i = 1; ; i++) {
    const f = `${base}${i === 1 ? '' : `-${i}`}.grok.json`;
    if (!existsSync(join(dir, f))) return f;
  }
}

/** The text with its top-level "name" changed from `from` to `to` (nothing else touched). */
export function renamed(text: string, from: string, to: string): string {
  if (from === to) return text;
  return text.replace(new RegExp(`("name"\\s*:\\s*)"${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`), `$1${JSON.stringify(to)}`);
}
