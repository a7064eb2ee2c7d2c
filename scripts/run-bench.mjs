// `npm run bench`: builds the kernels and bundles, then runs bench/engine.ts (one JSON line per case).
// Arguments pass through (e.g. --cases d32-m1 --steps 30). With --torch, also runs the PyTorch side
// (bench/reference/bench.py on /usr/bin/python3) and prints each case's engine/torch ratio.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const withTorch = args.includes('--torch');
const passed = args.filter((a) => a !== '--torch');

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

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
}
