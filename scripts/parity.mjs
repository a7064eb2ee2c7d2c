// `npm run parity`: the engine against the PyTorch reference (bench/reference), from the same
// initial weights and data split. Skips (exit 0) where Debian's PyTorch is not installed.
// Arguments pass through to scripts/parity-run.ts: [--cases a,b] [--steps 50] [--keep DIR] [--verbose]
// Set PARITY_NO_BUILD=1 to reuse an existing dist/ (the kernels) instead of building first.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3'; // Debian's torch lives in the system python, not any other on PATH

const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
if (probe.status !== 0) {
  console.log('parity skipped: PyTorch not installed (apt-get install python3-torch libopenblas0-pthread, or scripts/install-torch.sh)');
  process.exit(0);
}

if (!process.env.PARITY_NO_BUILD) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/parity-run.ts', ...process.argv.slice(2)], {
  stdio: 'inherit', cwd: root, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
});
process.exit(run.status ?? 1);
