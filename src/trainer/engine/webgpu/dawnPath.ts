// Where Dawn comes from. An installed platform package (scripts/package.mjs: grok-<target>.vsix)
// carries the webgpu package's loader and its own platform's dawn.node as dawn/ next to dist/, and
// names its target in dist/platform.json; the universal package has no dawn/. A checkout (CLI,
// tests) has neither file and imports the optional npm package `webgpu`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PackagedPlatform {
  /** The VS Code target of the package (linux-x64, …) or 'universal'. */
  target: string;
  /** The Dawn it carries (webgpu package version, dist folder), null in the universal package. */
  dawn: { webgpu: string; dir: string } | null;
}

/** dist/platform.json of the installed package that this bundle runs from, or null outside one. */
export function packagedPlatform(distDir: string = __dirname): PackagedPlatform | null {
  const file = join(distDir, 'platform.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackagedPlatform;
  } catch {
    return null;
  }
}

/** What to import() for Dawn: the package's own dawn/index.js, else the npm package. */
export function dawnModule(distDir: string = __dirname): string {
  const own = join(distDir, '..', 'dawn', 'index.js');
  return packagedPlatform(distDir)?.dawn && existsSync(own) ? pathToFileURL(own).href : 'webgpu';
}

/** This machine's platform package, e.g. grok-linux-x64.vsix (macOS: darwin-arm64 / darwin-x64). */
export function platformPackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `grok-${platform}-${arch}.vsix`;
}

/** Why Dawn is missing in the universal package, or null elsewhere. */
export function universalPackageReason(distDir: string = __dirname): string | null {
  const p = packagedPlatform(distDir);
  if (!p || p.dawn) return null;
  return `this is Grok's universal package, which has no GPU backend (Dawn) and trains on the CPU; for the GPU install ${platformPackageName()} (see the README)`;
}
