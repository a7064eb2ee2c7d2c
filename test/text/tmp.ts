// Shared by the text tests: throwaway data folders and text tasks with defaults filled in.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TextTaskSchema } from '../../src/config/schema';
import type { TextTask } from '../../src/trainer/text/types';

/** A fresh folder holding `files` (relative path → text or bytes). */
export function tempTree(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'grok-text-'));
  writeTree(dir, files);
  return dir;
}

export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

export function textTask(fields: Record<string, unknown>): TextTask {
  return TextTaskSchema.parse({ kind: 'text', ...fields });
}
