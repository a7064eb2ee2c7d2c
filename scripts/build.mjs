// Builds every bundle: the AssemblyScript kernels (.wasm), the extension host, the training worker,
// the engine's thread, the CLI, and the browser bundles for the webviews and the HTML report.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });
const watch = process.argv.includes('--watch');

// 1. WASM-SIMD kernels, compiled from AssemblyScript at build time (the compiler is a dev dependency):
// kernels.wasm (plain SIMD) and kernels-relaxed.wasm (relaxed SIMD: FMA), from the same source;
// src/trainer/engine/wasm.ts picks one at start.
const asmDir = join(root, 'src/trainer/engine/assembly');
if (existsSync(join(asmDir, 'index.ts'))) {
  for (const [out, features] of [['kernels.wasm', []], ['kernels-relaxed.wasm', ['--enable', 'relaxed-simd']]]) {
    execFileSync(process.execPath, [
      join(root, 'node_modules/assemblyscript/bin/asc.js'), join(asmDir, 'index.ts'),
      '--outFile', join(dist, out),
      '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--enable', 'threads', ...features,
      '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
    ], { stdio: 'inherit', cwd: root });
  }
}

// The editor JSON Schema of *.grok.json, generated from the zod schema (committed; a test checks it is fresh).
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/gen-schema.ts')], { stdio: 'inherit', cwd: root });

// 2. Node bundles (cjs; `vscode` stays external for the extension host).
const node = [
  ['src/extension/extension.ts', 'extension.js'],
  ['src/extension/sweep/queueClientEntry.ts', 'queue-client.js'], // loaded by the extension only for a Redis queue
  ['src/sweep/worker/main.ts', 'worker.js'],
  ['src/trainer/engine/thread.ts', 'engine-thread.js'],
  ['src/trainer/engine/webgpu/thread.ts', 'gpu-thread.js'], // the GPU backend's device thread
  ['src/cli/main.ts', 'cli.js'],
];
// 3. Browser bundles (webviews and the self-contained report).
const browser = readdirSync(join(root, 'webview'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'webview', d.name, 'main.ts')))
  .map((d) => [`webview/${d.name}/main.ts`, `webview-${d.name}.js`]);

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', target: 'es2022', legalComments: 'none' };
const builds = [
  ...node.filter(([src]) => existsSync(join(root, src))).map(([src, out]) => ({
    ...common, entryPoints: [join(root, src)], outfile: join(dist, out),
    platform: 'node', format: 'cjs', mainFields: ['module', 'main'], external: ['vscode', 'webgpu'],
    // The extension host's bundles are minified (they load on activation); the CLI and worker stay readable.
    ...(['extension.js', 'queue-client.js'].includes(out) ? { minify: true } : {}),
  })),
  ...browser.map(([src, out]) => ({
    ...common, entryPoints: [join(root, src)], outfile: join(dist, out),
    platform: 'browser', format: 'iife', minify: true,
  })),
];
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
