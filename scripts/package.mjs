// `npm run package`: the platform packages, as extensions with native parts ship them
// (`vsce package --target …`). One grok-<target>.vsix for each VS Code target that the `webgpu` npm
// package has a Dawn build for, each holding only its own dawn.node, and grok-universal.vsix
// without Dawn: it trains on the CPU and says so. A platform package carries the webgpu package's
// loader and that one build as dawn/ (index.js, package.json, dist/<platform>/dawn.node; vsce never
// packs node_modules/ without --dependencies), and the GPU thread loads it from there
// (src/trainer/engine/webgpu/dawnPath.ts); dist/platform.json names the package's target.
//
//   node scripts/package.mjs [--target linux-x64,universal] [--out DIR] [--no-build]
//
// vsce lists the whole folder before applying .vscodeignore (minutes through node_modules on a
// busy machine, and a failure when a file vanishes meanwhile), so each package is made from a
// staging copy of what .vscodeignore lets through (the paths its `!` lines start with), plus that
// target's Dawn. Same manifest, same rules.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** VS Code target → the folder of node_modules/webgpu/dist/ that holds its dawn.node (macOS: one universal binary). */
export const DAWN_TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};
export const ALL_TARGETS = [...Object.keys(DAWN_TARGETS), 'universal'];
/** The Visual Studio Marketplace refuses packages over 200 MB. */
export const MARKETPLACE_LIMIT_BYTES = 200 * 2 ** 20;

/** The files of the webgpu package that the worker loads at run time (index.js needs only node:*). */
const WEBGPU_FILES = ['package.json', 'index.js', 'LICENSE.md'];

/** Copies what .vscodeignore lets through into `stage` (node_modules, dawn/, sweep results and .git never). */
function stageBase(stage) {
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  const roots = new Set(['package.json', '.vscodeignore']);
  for (const line of ignore.split('\n')) {
    const m = /^!([^*?{[]+)/.exec(line.trim());
    if (m && !m[1].startsWith('dawn')) roots.add(m[1].includes('/') ? m[1].slice(0, m[1].lastIndexOf('/')) : m[1]); // `!dist/*.js` → dist
  }
  for (const r of roots) {
    if (!existsSync(join(root, r))) continue;
    cpSync(join(root, r), join(stage, r), { recursive: true, filter: (src) => !/[\\/](node_modules|\.grok|\.git)([\\/]|$)/.test(src.slice(root.length)) });
  }
}

/** Adds the target's Dawn build (or nothing, for universal) and dist/platform.json. */
function stageTarget(stage, target) {
  const dawnDir = DAWN_TARGETS[target];
  if (dawnDir) {
    const from = join(root, 'node_modules/webgpu'), to = join(stage, 'dawn');
    if (!existsSync(join(from, 'dist', dawnDir))) throw new Error(`package: node_modules/webgpu/dist/${dawnDir} is missing (npm ci installs the webgpu package with every platform's Dawn)`);
    mkdirSync(join(to, 'dist'), { recursive: true });
    for (const f of WEBGPU_FILES) if (existsSync(join(from, f))) cpSync(join(from, f), join(to, f));
    cpSync(join(from, 'dist', dawnDir), join(to, 'dist', dawnDir), { recursive: true });
  }
  const webgpu = JSON.parse(readFileSync(join(root, 'node_modules/webgpu/package.json'), 'utf8')).version;
  writeFileSync(join(stage, 'dist/platform.json'), JSON.stringify({ target, dawn: dawnDir ? { webgpu, dir: dawnDir } : null }) + '\n');
}

/** The file names in a .vsix (a zip), from its central directory. */
export function vsixEntries(path) {
  const buf = readFileSync(path);
  const names = [];
  for (let i = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])), off = buf.readUInt32LE(i + 16), n = buf.readUInt16LE(i + 10); n > 0; n--) {
    const nameLen = buf.readUInt16LE(off + 28), extra = buf.readUInt16LE(off + 30), comment = buf.readUInt16LE(off + 32);
    names.push(buf.toString('utf8', off + 46, off + 46 + nameLen));
    off += 46 + nameLen + extra + comment;
  }
  return names;
}

/** Builds grok-<target>.vsix in `out` for each target; returns [{ target, path, bytes, seconds }]. */
export function packageTargets({ targets = ALL_TARGETS, out = root, build = true, log = console.error } = {}) {
  for (const t of targets) if (!ALL_TARGETS.includes(t)) throw new Error(`package: unknown target ${t} (one of ${ALL_TARGETS.join(', ')})`);
  if (build) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'grok-package-'));
  const made = [];
  try {
    const base = join(work, 'base');
    stageBase(base);
    for (const target of targets) {
      const t0 = Date.now();
      const stage = join(work, target);
      cpSync(base, stage, { recursive: true });
      stageTarget(stage, target);
      const path = join(resolve(out), `grok-${target}.vsix`);
      // No stdin: with LICENSE and repository in place vsce asks nothing, and a prompt would fail here.
      execFileSync(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links',
        ...(target === 'universal' ? [] : ['--target', target]), '-o', path],
      { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
      const bytes = statSync(path).size;
      if (bytes > MARKETPLACE_LIMIT_BYTES) throw new Error(`package: ${path} is ${(bytes / 2 ** 20).toFixed(1)} MB, over the marketplace's 200 MB`);
      made.push({ target, path, bytes, seconds: (Date.now() - t0) / 1000 });
      log(`package: grok-${target}.vsix ${(bytes / 2 ** 20).toFixed(2)} MB (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      rmSync(stage, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  }
  return made;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' }, 'no-build': { type: 'boolean', default: false } } });
  try {
    packageTargets({ targets: values.target ? values.target.split(',').map((s) => s.trim()) : ALL_TARGETS, out: values.out ?? root, build: !values['no-build'] });
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
