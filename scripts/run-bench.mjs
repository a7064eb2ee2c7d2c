// `npm run bench`: the engine against PyTorch on the same cores, in paired, interleaved rounds.
//   npm run bench [-- --cases d32-m1,d128-m1,d32-m16] [--rounds 7] [--segment-ms 400] [--steps N]
//                 [--threads N] [--json] [--no-torch]      (--device gpu: bench/gpu.ts instead)
// Builds the kernels, the bundles and the peak probe, then runs bench/paired.ts: one warm engine
// process (bench/engine.ts --serve) and one warm PyTorch process per torch configuration
// (bench/reference/bench.py --serve), alternated in short rounds; the method is at the top of
// bench/paired.ts and in docs/engine.md ("Speed on equal cores").
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };

const quiet = args.includes('--json') ? 'ignore' : 'inherit';
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
const gpu = args.includes('--device=gpu') || option('--device') === 'gpu';
const passed = gpu ? args.filter((a) => !['--torch', '--no-torch', '--json'].includes(a)) : args;
const r = spawnSync(process.execPath, ['--import', 'tsx', gpu ? 'bench/gpu.ts' : 'bench/paired.ts', ...passed], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
