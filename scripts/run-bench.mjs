// `npm run bench`: builds the kernels and bundles, then runs bench/engine.ts (one JSON line per case).
// Arguments pass through (e.g. --cases d32-m1 --steps 30). Where /usr/bin/python3 has torch (or with
// --torch; --no-torch skips it), also runs the PyTorch side (bench/reference/bench.py), prints each
// case's engine/torch ratio and a table of torch/ours (>= 1: the engine is faster).
// Both sides also report CPU time per step (all threads of the process), a steadier measure than
// wall time when the machine is shared: the table's last column compares torch's CPU time with
// ours divided by our thread count, i.e. the wall-time ratio to expect on an idle machine.
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

// Runs bench/reference/bench.py with its clock wrapped so that each case also reports
// cpuMsPerStep (process CPU time between the two clock reads of each timed step). Falls back to
// running bench.py as is if its internals (bench_case, time.perf_counter) have changed.
const TORCH_CPU_WRAPPER = `
import importlib.util, sys, time
path, args = sys.argv[1], sys.argv[2:]
spec = importlib.util.spec_from_file_location("grok_torch_bench", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
reads = []
class Clock:
    def __getattr__(self, name):
        return getattr(time, name)
    def perf_counter(self):
        reads.append(time.process_time())
        return time.perf_counter()
mod.time = Clock()
plain = mod.bench_case
def bench_case(name, device, dtype, steps, warmup):
    reads.clear()
    r = plain(name, device, dtype, steps, warmup)
    timed = reads[-2 * steps:]  # warmup steps read the clock once, timed steps twice
    spans = [timed[i + 1] - timed[i] for i in range(0, len(timed) - 1, 2)]
    if len(reads) == warmup + 2 * steps:
        r["cpuMsPerStep"] = round(sum(spans) / steps * 1000, 3)
    return r
mod.bench_case = bench_case
sys.argv = [path] + args
mod.main()
`;

function runTorch(cases) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  const argv = ['bench/reference/bench.py', '--cases', cases];
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH_CPU_WRAPPER, ...argv], { cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status === 0) {
    process.stdout.write(r.stdout);
    return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }
  console.error('bench: torch CPU-time wrapper failed; running bench.py without CPU times');
  return runLines('/usr/bin/python3', argv, { OPENBLAS_NUM_THREADS: '1' });
}

const fmt = (x, w, digits = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-').padStart(w);

const ours = runLines(process.execPath, ['--import', 'tsx', 'bench/engine.ts', ...passed]);
if (withTorch) {
  const cases = ours.map((o) => (o.models > 1 ? `${o.case}-loop,${o.case}-bmm` : o.case)).join(',');
  const torch = runTorch(cases);
  for (const o of ours) {
    for (const t of torch.filter((x) => x.case === o.case || x.case.startsWith(`${o.case}-`))) {
      console.log(JSON.stringify({ case: o.case, torchCase: t.case, engineMs: o.msPerStep, torchMs: t.msPerStep, ratio: Number((o.msPerStep / t.msPerStep).toFixed(2)) }));
    }
  }
  // the summary table: torch/ours >= 1 means the engine is faster
  console.log('\n                   wall ms per step (median)        CPU ms per step (mean)      torch CPU /');
  console.log('case              ours    torch   torch/ours      ours (thr)    torch        (ours CPU / thr)');
  for (const o of ours) {
    for (const t of torch.filter((x) => x.case === o.case || x.case.startsWith(`${o.case}-`))) {
      const idle = o.cpuMsPerStep && t.cpuMsPerStep ? t.cpuMsPerStep / (o.cpuMsPerStep / o.threads) : NaN;
      console.log(`${t.case.padEnd(16)}${fmt(o.msPerStep, 7)}${fmt(t.msPerStep, 9)}${fmt(t.msPerStep / o.msPerStep, 12, 2)}`
        + `${fmt(o.cpuMsPerStep, 12)} (${o.threads})${fmt(t.cpuMsPerStep, 9)}${fmt(idle, 16, 2)}`);
    }
  }
}
