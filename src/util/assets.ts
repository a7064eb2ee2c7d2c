// Finds built assets (dist/*.wasm, dist/*.js) both from the bundles (which live in dist/)
// and from sources run through tsx in tests (which live under src/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function distAsset(name: string): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, name)) && dir.endsWith('dist')) return join(dir, name);
    const candidate = join(dir, 'dist', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`Cannot find dist/${name}: run \`npm run build\` first.`);
}
