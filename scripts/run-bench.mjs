// `npm run bench`: the engine against PyTorch on the same cores.
//   npm run bench [-- --cases d32-m1,d128-m1,d32-m16] [--steps 20] [--threads N] [--json] [--no-torch]
// Builds the kernels and bundles, runs bench/engine.ts (the engine, T = --threads worker threads,
// default all cores) and bench/reference/bench.py (Debian's torch in /usr/bin/python3) and prints,
// per case, wall and CPU time side by side (--json: one JSON line per case instead of the tables).
//
// Same cores on both sides: a single-model case runs torch with one torch thread and T OpenBLAS
// threads (the products, nearly all the work, on T cores; torch threads on top of OpenBLAS's
// oversubscribe the cores, see bench/reference/README.md). A many-model case compares throughput
// (models × steps per second) with PyTorch's best way on T cores: T processes of one thread each,
// every process training its share of the models in a loop (`procs`), or all models batched with
// bmm (`bmm`, one torch thread and T OpenBLAS threads); the faster one is the reference.
// CPU time per model-step (all threads and processes) is the per-core measure: on a shared,
// loaded machine it is steadier than wall time, so each ratio is taken within one run, and every
// case records the load average (1 min) before and after.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const json = args.includes('--json');
const torchInstalled = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const withTorch = !args.includes('--no-torch') && (args.includes('--torch') || torchInstalled);
if (args.includes('--torch') && !torchInstalled) console.error('bench: PyTorch not installed (scripts/install-torch.sh); engine only');
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
// What bench/engine.ts gets: everything but this script's own flags (--torch-steps N among them).
const passed = args.filter((a, i) => !['--torch', '--no-torch', '--json', '--torch-steps'].includes(a) && args[i - 1] !== '--torch-steps');
const threads = Number(option('--threads', String(availableParallelism())));

const quiet = json ? 'ignore' : 'inherit';
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: quiet, cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
// The peak probe (bench/assembly/peak.ts) in both builds, outside what the .vsix ships (dist/*.wasm).
mkdirSync(`${root}dist/bench`, { recursive: true });
for (const [name, features] of [['simd', []], ['relaxed-simd', ['--enable', 'relaxed-simd']]]) {
  const r = spawnSync(process.execPath, ['node_modules/assemblyscript/bin/asc.js', 'bench/assembly/peak.ts', '--outFile', `dist/bench/peak-${name}.wasm`,
    '-O3', '--runtime', 'stub', '--enable', 'simd', ...features], { stdio: quiet, cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// --device gpu: the WebGPU backend's bench (bench/gpu.ts; options there), without the torch half.
if (passed.includes('--device=gpu') || option('--device') === 'gpu') {
  const gpu = spawnSync(process.execPath, ['--import', 'tsx', 'bench/gpu.ts', ...passed], { stdio: 'inherit', cwd: root });
  process.exit(gpu.status ?? 1);
}

function runLines(cmd, argv, env = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  if (!json) process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) { if (json) process.stdout.write(r.stdout ?? ''); process.exit(r.status ?? 1); }
  return (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

const lines = runLines(process.execPath, ['--import', 'tsx', 'bench/engine.ts', ...passed]);
const machine = lines.find((l) => l.peakFlopsPerCore);
const ours = lines.filter((l) => l.case);

/** torch's runs of case o: one config for one model; procs and bmm for many. */
function torchRuns(o) {
  const steps = option('--torch-steps', o.dModel >= 128 ? '15' : '30');
  const common = ['--steps', steps, '--warmup', '3'];
  const py = (cases, extra) => runLines('/usr/bin/python3', ['bench/reference/bench.py', '--cases', cases, ...common, ...extra]);
  const load0 = loadAvg();
  const out = o.models > 1
    ? [...py(`${o.case}-procs`, ['--threads', String(threads), '--blas-threads', '1']), ...py(`${o.case}-bmm`, ['--threads', '1', '--blas-threads', String(threads)])]
    : [...py(o.case, ['--threads', '1', '--blas-threads', String(threads)]), ...(threads > 1 ? py(o.case, ['--threads', '1', '--blas-threads', '1']) : [])];
  return out.map((t) => ({ ...t, load: [load0, loadAvg()] }));
}

/** e.g. "procs×2", "bmm t1/b2" (torch threads / OpenBLAS threads). */
function configName(t) {
  return t.mode === 'procs' ? `procs×${t.procs}` : `${t.mode} t${t.threads}/b${t.blasThreads}`;
}

function loadAvg() {
  return Number(spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ')[0]);
}

const round = (x, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
const peakCore = machine?.peakFlopsPerCore ?? NaN;
// Zen 3 (and other AVX2 cores with two FMA pipes) do 2 × 256-bit FMA per cycle: twice the 128-bit
// rate that WASM SIMD can use (AMD, Software Optimization Guide for AMD EPYC 7003 Processors, 56665).
const NATIVE_WIDTH_FACTOR = 2;

const results = [];
for (const o of ours) {
  const M = o.models;
  const oursCpu = o.cpuMsPerStep / M;
  const r = {
    case: o.case, models: M, dModel: o.dModel, threads: o.threads, kernels: machine?.kernels?.name, fma: machine?.kernels?.fma,
    oursWallMs: o.msPerStep, oursCpuMsPerModelStep: round(oursCpu, 3),
    // achieved: FLOP of the products over CPU time (per core) and over wall time (whole machine)
    gflops: round(o.flopPerModelStep / oursCpu / 1e6, 1),
    gflopsWall: round((o.flopPerModelStep * M) / o.msPerStep / 1e6, 1),
    peakGflopsPerCoreWasm: round(peakCore / 1e9, 1),
    peakFraction: round(o.flopPerModelStep / oursCpu / 1e6 / (peakCore / 1e9), 3),
    oursModelStepsPerSec: round((M * 1000) / o.msPerStep, 1),
    flopPerModelStep: o.flopPerModelStep, profile: o.profile, oursLoad: o.load,
  };
  if (withTorch) {
    const runs = torchRuns(o);
    // torch's best on each measure: the fastest wall time, and (separately) the least CPU time
    const best = runs.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
    const frugal = runs.reduce((a, b) => (b.cpuMsPerStep < a.cpuMsPerStep ? b : a));
    const torchCpu = frugal.cpuMsPerStep / M;
    Object.assign(r, {
      torchMode: configName(best), torchWallMs: best.msPerStep, torchCpuMode: configName(frugal), torchCpuMsPerModelStep: round(torchCpu, 3),
      torchModelStepsPerSec: round((M * 1000) / best.msPerStep, 1),
      torchGflops: round(o.flopPerModelStep / torchCpu / 1e6, 1),
      torchPeakFraction: round(o.flopPerModelStep / torchCpu / 1e6 / (NATIVE_WIDTH_FACTOR * peakCore / 1e9), 3),
      cpuRatio: round(torchCpu / oursCpu), wallRatio: round(best.msPerStep / o.msPerStep),
      torchLoad: best.load,
      torchAll: runs.map((t) => ({ mode: configName(t), wallMs: t.msPerStep, cpuMsPerModelStep: round(t.cpuMsPerStep / M, 3), threads: t.threads, blasThreads: t.blasThreads, procs: t.procs })),
    });
  }
  results.push(r);
}

if (json) {
  for (const r of results) console.log(JSON.stringify(r));
  process.exit(0);
}
const fmt = (x, w, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-').padStart(w);
console.log(`\nkernels: ${machine?.kernels?.name} (fma ${machine?.kernels?.fma}); measured 128-bit WASM SIMD peak ${fmt(peakCore / 1e9, 0)} GFLOP/s per core`
  + ` (${threads} cores: ${fmt(threads * peakCore / 1e9, 0)}; native AVX2 ≈ ${NATIVE_WIDTH_FACTOR}× that); load ${machine?.load}`);
console.log('\n                CPU ms per model-step       wall ms per step         GFLOP/s per core (peak frac)    load');
console.log('case            ours   torch  torch/ours   ours   torch  torch/ours   ours          torch            ours / torch');
for (const r of results) {
  console.log(`${r.case.padEnd(12)}${fmt(r.oursCpuMsPerModelStep, 8, 2)}${fmt(r.torchCpuMsPerModelStep, 8, 2)}${fmt(r.cpuRatio, 9, 2)}   `
    + `${fmt(r.oursWallMs, 7)}${fmt(r.torchWallMs, 8)}${fmt(r.wallRatio, 9, 2)}   ${fmt(r.gflops, 6)} (${fmt(r.peakFraction, 4, 2)})  ${fmt(r.torchGflops, 6)} (${fmt(r.torchPeakFraction, 4, 2)})`
    + `   ${r.oursLoad?.join('-')} / ${r.torchLoad?.join('-') ?? '-'}${r.torchMode ? `  torch: ${r.torchCpuMode} (CPU), ${r.torchMode} (wall)` : ''}`);
}
console.log('\nsweep throughput (model-steps per second, whole machine, wall):');
for (const r of results.filter((x) => x.models > 1)) {
  const alt = (r.torchAll ?? []).map((t) => `${t.mode} ${fmt((r.models * 1000) / t.wallMs, 0, 1).trim()}`).join(', ');
  console.log(`  ${r.case}: ours ${r.oursModelStepsPerSec}, torch best ${r.torchModelStepsPerSec ?? '-'} (${alt}): ${fmt(r.wallRatio, 0, 2).trim()}×;`
    + ` from CPU time (all ${threads} cores busy): ${fmt(r.cpuRatio, 0, 2).trim()}×`);
}
console.log('\nprofile (CPU ms per model-step, one model on one thread, total untimed; the groups its shares by a pass with every kernel call timed; glue = JS outside kernels):');
console.log(`case         matmul  attention  softmaxCE  optimizer  elementwise   glue   total   ${threads} threads (vs total)`);
for (const r of results) {
  const p = r.profile;
  console.log(`${r.case.padEnd(12)}${fmt(p.matmul, 7, 2)}${fmt(p.attention, 11, 2)}${fmt(p.softmaxCE, 11, 2)}${fmt(p.optimizer, 11, 2)}${fmt(p.elementwise, 13, 2)}${fmt(p.glue, 7, 2)}${fmt(p.cpu, 8, 2)}`
    + `${fmt(r.oursCpuMsPerModelStep, 10, 2)} (${fmt(r.oursCpuMsPerModelStep / p.cpu, 4, 2)}×)`);
}
