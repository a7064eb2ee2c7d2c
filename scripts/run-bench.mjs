// `npm run bench`: builds the kernels and bundles, then runs bench/engine.ts (one JSON line per case).
// Arguments pass through (e.g. --cases d32-m1 --steps 30). Where /usr/bin/python3 has torch (or with
// --torch; --no-torch skips it), also runs the PyTorch side (bench/reference/bench.py), prints each
// case's engine/torch ratio and a table of torch/ours (>= 1: the engine is faster).
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
// The PyTorch half runs whenever Debian's torch is importable (--torch insists, --no-torch skips).
const torchInstalled = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const withTorch = !args.includes('--no-torch') && (args.includes('--torch') || torchInstalled);
if (args.includes('--torch') && !torchInstalled) console.error('bench: PyTorch not installed (scripts/install-torch.sh); engine only');
const passed = args.filter((a) => a !== '--torch' && a !== '--no-torch');

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

// --device gpu: the WebGPU backend's bench (bench/gpu.ts; options there), without the torch half.
if (passed.includes('--device=gpu') || passed[passed.indexOf('--device') + 1] === 'gpu') {
  const gpu = spawnSync(process.execPath, ['--import', 'tsx', 'bench/gpu.ts', ...passed], { stdio: 'inherit', cwd: root });
  process.exit(gpu.status ?? 1);
}

function runLines(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) process.exit(r.status ?? 1);
  return (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

const ours = runLines(process.execPath, ['--import', 'tsx', 'bench/engine.ts', ...passed]);
if (withTorch) {
  const cases = ours.map((o) => (o.models > 1 ? `${o.case}-loop,${o.case}-bmm` : o.case)).join(',');
  const torch = runLines('/usr/bin/python3', ['bench/reference/bench.py', '--cases', cases], { OPENBLAS_NUM_THREADS: '1' });
  for (const o of ours) {
    for (const t of torch.filter((x) => x.case === o.case || x.case.startsWith(`${o.case}-`))) {
      console.log(JSON.stringify({ case: o.case, torchCase: t.case, engineMs: o.msPerStep, torchMs: t.msPerStep, ratio: Number((o.msPerStep / t.msPerStep).toFixed(2)) }));
    }
  }
  // the summary table: torch/ours >= 1 means the engine is faster
  console.log('\ncase              ours ms   torch ms   torch/ours');
  for (const o of ours) {
    for (const t of torch.filter((x) => x.case === o.case || x.case.startsWith(`${o.case}-`))) {
      console.log(`${t.case.padEnd(16)}${o.msPerStep.toFixed(1).padStart(9)}${t.msPerStep.toFixed(1).padStart(11)}${(t.msPerStep / o.msPerStep).toFixed(2).padStart(13)}`);
    }
  }
}
