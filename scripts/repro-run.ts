// Runs one reproduction example's sweep in this process (the same runner and engine as
// `grok sweep`), optionally keeping weight snapshots for the weight-norm example.
//
//   npx tsx scripts/repro-run.ts FILE [--out DIR] [--threads N] [--snapshots STEPS] [--quiet]
//
// --snapshots STEPS: also write the weights of every model every STEPS steps to
// runs/<id>/snapshots/ckpt-<step>.safetensors (the store keeps only the latest checkpoint, and
// `grok report` draws the unembedding heatmaps of the weight-norm phases from these). Only for a
// sweep of one run (the weight-norm example). Snapshots hold the parameters only (no AdamW state).
// --prune-snapshots: afterwards keep only the snapshots the report shows (one per phase).
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTrainer } from '../src/trainer/engine/index';
import type { LockstepSpec, LockstepTrainer } from '../src/trainer/engine/types';
import { projectDeps } from '../src/sweep/projectDeps';
import { runSweep } from '../src/sweep/runner';
import type { SweepEvent } from '../src/sweep/events';
import { readManifest } from '../src/store/reader';
import { runDir } from '../src/store/layout';
import { readSafetensors, writeSafetensors } from '../src/trainer/engine/safetensors';
import { buildSweepReport, SNAPSHOT_DIR } from '../src/report/data';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, threads: { type: 'string' }, snapshots: { type: 'string' }, 'prune-snapshots': { type: 'boolean' }, quiet: { type: 'boolean' } },
});
if (positionals.length !== 1) {
  console.error('usage: tsx scripts/repro-run.ts FILE [--out DIR] [--threads N] [--snapshots STEPS] [--quiet]');
  process.exit(2);
}
const snapshotEvery = values.snapshots ? Number(values.snapshots) : 0;
let outDir: string | null = null;

/** Wraps the engine so that every `snapshotEvery` steps each model's weights are also kept. */
async function snapshotting(spec: LockstepSpec): Promise<LockstepTrainer> {
  const trainer = await createTrainer(spec);
  if (!snapshotEvery) return trainer;
  const ids = readManifest(outDir!).runs.map((r) => r.id);
  const [id] = ids;
  if (ids.length !== 1 || id === undefined || spec.runs.length !== 1) throw new Error('--snapshots needs a sweep of exactly one run');
  const dir = join(runDir(outDir!, id), 'snapshots');
  mkdirSync(dir, { recursive: true });
  const evaluate = trainer.evaluate.bind(trainer);
  trainer.evaluate = async () => {
    const metrics = await evaluate();
    if (trainer.step % snapshotEvery === 0) {
      const { tensors, metadata } = readSafetensors(trainer.saveCheckpoint(0));
      writeFileSync(join(dir, `ckpt-${trainer.step}.safetensors`), writeSafetensors(tensors.filter((t) => !t.name.startsWith('adam.')), metadata));
    }
    return metrics;
  };
  return trainer;
}

const t0 = Date.now();
let done = 0;
const send = (m: SweepEvent): void => {
  if (m.type === 'started') {
    outDir = m.outDir;
    console.log(`${m.name}: ${m.runsTotal} runs (${m.runsDone} already done) -> ${m.outDir}`);
  } else if (m.type === 'runFinished') {
    done++;
    if (!values.quiet) {
      const r = m.run;
      console.log(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${done} ${r.id} ${JSON.stringify(r.params)} ${r.status} ${r.regime ?? ''} `
        + `step ${r.steps.last} train ${r.final?.trainAcc.toFixed(3)} val ${r.final?.valAcc.toFixed(3)}`);
    }
  } else if (m.type === 'error' || m.type === 'log') {
    console.error(m.type === 'error' ? `error: ${m.message}${m.cause ? `\n${m.cause}` : ''}` : m.message);
  } else if (m.type === 'done') {
    console.log(`${m.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
};
void runSweep(
  { configPath: positionals[0], outDir: values.out, threads: values.threads ? Number(values.threads) : undefined },
  { ...projectDeps, createTrainer: snapshotting },
  send,
).then((status) => {
  if (values['prune-snapshots'] && outDir) pruneSnapshots(outDir);
  process.exit(status === 'done' ? 0 : 1);
});

/** Removes every snapshot that the report does not draw. */
function pruneSnapshots(dir: string): void {
  const report = buildSweepReport(dir, dir);
  for (const view of report.weightNorm) {
    const keep = new Set(view.heatmaps.map((h) => `ckpt-${h.step}.safetensors`));
    const d = join(runDir(dir, view.runId), SNAPSHOT_DIR);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (!keep.has(f)) unlinkSync(join(d, f));
    console.log(`kept snapshots ${[...keep].join(', ')}`);
  }
}
