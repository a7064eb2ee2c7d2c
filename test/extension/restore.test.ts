// A restored panel reopens only results folders inside the workspace or opened by Grok before
// (src/extension/results/restore.ts): the webview's saved state is not trusted (issue 16, item 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRestoredDirs } from '../../src/extension/results/restore';

function resultsFolder(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), '{}');
  return dir;
}

const base = realpathSync(mkdtempSync(join(tmpdir(), 'grok-restore-')));
const workspace = join(base, 'ws');
const inside = resultsFolder(join(workspace, '.grok', 'sweep'));
const outside = resultsFolder(join(base, 'elsewhere', 'results'));
const secrets = join(base, 'home', '.ssh');
mkdirSync(secrets, { recursive: true });
const trust = (opened: string[] = []) => ({ workspaceFolders: [workspace], opened: new Set(opened) });

test('a results folder inside a workspace folder is restored; several are checked each', () => {
  assert.deepEqual(checkRestoredDirs([inside], trust()), { ok: true, dirs: [inside] });
  assert.deepEqual(checkRestoredDirs([inside, outside], trust([outside])), { ok: true, dirs: [inside, outside] });
  const r = checkRestoredDirs([inside, outside], trust());
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.dir, outside, 'the first refused folder is named');
});

test('a folder outside the workspace is refused unless Grok opened it here before', () => {
  const r = checkRestoredDirs([outside], trust());
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /outside this workspace/);
  assert.deepEqual(checkRestoredDirs([outside], trust([outside])), { ok: true, dirs: [outside] });
  assert.equal(checkRestoredDirs([outside], { workspaceFolders: [], opened: new Set() }).ok, false, 'no workspace: nothing trusted');
});

test('what is no results folder, a path that climbs out, a symlink out and junk state are refused', () => {
  const cases: Array<[unknown, RegExp]> = [
    [workspace, /no manifest\.json/], // inside, but not a results folder
    [secrets, /no manifest\.json/],
    [join(workspace, '..', 'elsewhere', 'results'), /outside this workspace/],
    [join(workspace, 'gone'), /no longer exists/],
    ['.grok/sweep', /absolute/],
    [42, /absolute/],
    [{ toString: 'x' }, /absolute/],
    [`${inside}\0`, /absolute/],
  ];
  const link = join(workspace, 'link-out');
  symlinkSync(outside, link);
  cases.push([link, /outside this workspace/]);
  for (const [dir, reason] of cases) {
    const r = checkRestoredDirs([dir], trust());
    const shown = JSON.stringify(dir);
    assert.equal(r.ok, false, `${shown} must be refused`);
    assert.match(!r.ok ? r.reason : '', reason, shown);
  }
  assert.equal(checkRestoredDirs([], trust()).ok, false, 'no folder at all');
  // A workspace folder whose name starts with the other's ("ws" and "ws2") is no parent of it.
  const sibling = resultsFolder(join(base, 'ws2', '.grok', 's'));
  assert.equal(checkRestoredDirs([sibling], trust()).ok, false);
  const dotted = resultsFolder(join(workspace, '..results', 's'));
  assert.equal(checkRestoredDirs([dotted], trust()).ok, true, 'a folder named "..results" inside the workspace is inside');
});
