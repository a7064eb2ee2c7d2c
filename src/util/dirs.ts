// Creating folders one level at a time. Node's mkdirSync({ recursive: true }) never returns when
// the file system answers ENOENT for a folder whose parent exists (/proc, some FUSE and network
// mounts: Node 20 retries forever), and its errors do not say which level failed.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './userError';

/** Creates `dir` and its missing parents; a failure is the fs error of the level that failed. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EEXIST') continue; // made meanwhile by another process
      // ENOENT although the parent exists: the file system does not take new folders there.
      if (err.code === 'ENOENT' && existsSync(dirname(d))) {
        throw new UserError(`mkdir ${d}: ${dirname(d)} does not accept new folders (the file system answered ENOENT); choose a writable folder (--out DIR)`);
      }
      throw err;
    }
  }
}
