// Runs are the unit of damage. When a writer opens a results folder it checks each run: a damaged
// metrics.jsonl (a bad line before the last), a damaged status.json or a truncated checkpoint is
// moved into quarantine/ (never deleted), and the run trains again from its last good checkpoint,
// or from step 0, while the rest of the sweep goes on. Each repair is appended to repairs.jsonl.
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeDirs } from '../util/dirs';
import { removeLeftovers } from './atomic';
import { checkpointDamage, listCheckpoints } from './checkpoints';
import { appendJsonl, readJsonl } from './jsonl';
import { checkpointPath, metricsPath, runDir, statusPath } from './layout';
import { readRunStatusChecked } from './reader';

export const QUARANTINE_DIR = 'quarantine';
export const REPAIRS_FILE = 'repairs.jsonl';

export interface RunRepair {
  runId: string;
  /** What was damaged, in words. */
  reason: string;
  /** Where the damaged files went. */
  quarantined: string;
  /** How the run goes on: "from step 0", "from checkpoint 300", "status rebuilt from metrics.jsonl". */
  retrain: string;
  at: string;
}

/**
 * Checks every run of the folder (the caller holds its lock) and repairs the damaged ones; also
 * removes temporary files a crashed writer left. Returns the repairs made, for the log.
 */
export function repairRuns(dir: string, ids: readonly string[]): RunRepair[] {
  removeLeftovers(dir);
  const repairs: RunRepair[] = [];
  for (const id of ids) {
    const d = runDir(dir, id);
    if (!existsSync(d)) continue;
    removeLeftovers(d);
    const repair = repairRun(dir, id);
    if (repair) {
      repairs.push(repair);
      appendJsonl(join(dir, REPAIRS_FILE), repair);
    }
  }
  return repairs;
}

function repairRun(dir: string, id: string): RunRepair | null {
  const at = new Date().toISOString();
  const aside = join(dir, QUARANTINE_DIR, `${id}-${at.replace(/[:.]/g, '-')}`);
  const metrics = readJsonl(metricsPath(dir, id));
  if (metrics.damagedLines.length) {
    // Records after a damaged line cannot be trusted to follow on from it: the run starts over.
    makeDirs(join(dir, QUARANTINE_DIR));
    renameSync(runDir(dir, id), aside);
    return { runId: id, reason: `metrics.jsonl line ${metrics.damagedLines[0]} is damaged`, quarantined: aside, retrain: 'from step 0', at };
  }
  const moveAside = (file: string) => {
    makeDirs(aside);
    renameSync(file, join(aside, basename(file)));
  };
  const steps = listCheckpoints(dir, id);
  const latest = steps.at(-1);
  const done = safeStatus(dir, id)?.status === 'done';
  if (latest !== undefined && !done) {
    const damage = checkpointDamage(checkpointPath(dir, id, latest));
    if (damage) {
      moveAside(checkpointPath(dir, id, latest));
      const earlier = steps.slice(0, -1).reverse().find((s) => checkpointDamage(checkpointPath(dir, id, s)) === null);
      return { runId: id, reason: `checkpoint ckpt-${latest}.safetensors ${damage}`, quarantined: aside, retrain: earlier === undefined ? 'from step 0' : `from checkpoint ${earlier}`, at };
    }
  }
  const status = readRunStatusChecked(dir, id);
  if (status.damage) {
    moveAside(statusPath(dir, id));
    return { runId: id, reason: `status.json ${status.damage}`, quarantined: aside, retrain: 'from its last checkpoint (status.json is rebuilt from metrics.jsonl)', at };
  }
  return null;
}

function safeStatus(dir: string, id: string) {
  return readRunStatusChecked(dir, id).status;
}

/** The repairs made in this folder so far (repairs.jsonl). */
export function readRepairs(dir: string): RunRepair[] {
  return readJsonl<RunRepair>(join(dir, REPAIRS_FILE)).records;
}

export function hasQuarantine(dir: string): boolean {
  try { return readdirSync(join(dir, QUARANTINE_DIR)).length > 0; } catch { return false; }
}
