// Errors a user can fix — bad input, a full disk, a read-only folder — are shown as one message
// naming the file and the fix, without a stack trace (that goes to the log, or with --debug).

/** An error the user can fix (bad config, wrong directory): reported without a stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}

/**
 * Bad usage: an argument that names no usable thing (a missing config file, a folder without
 * results). The CLI exits with 2 for it, as for an unknown option; failed work exits with 1.
 */
export class UsageError extends UserError {
  override name = 'UsageError';
}

/** What the environment can do to a file operation, and what the user can do about it. */
const ENVIRONMENT: Record<string, string> = {
  ENOSPC: 'no space left on the device; free some space, then resume',
  EDQUOT: 'the disk quota is used up; free some space, then resume',
  EROFS: 'the file system is read-only; choose a writable folder (--out DIR)',
  EACCES: 'permission denied; choose a folder you can write to, or fix its permissions',
  EPERM: 'operation not permitted; choose a folder you can write to, or fix its permissions',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder where a file was expected',
  EMFILE: 'too many open files; raise the limit (ulimit -n) or run fewer sweeps at once',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links in the path',
};

/** An error of the file system the user can fix, as one message; null for anything else. */
export function environmentMessage(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException | null;
  const hint = err && typeof err.code === 'string' && Object.hasOwn(ENVIRONMENT, err.code) ? ENVIRONMENT[err.code] : undefined;
  if (!hint) return null;
  const what = err!.path ? `${err!.syscall ? `${err!.syscall} ` : ''}${err!.path}` : err!.syscall ?? 'file operation';
  return `${what}: ${hint} (${err!.code})`;
}

/** Whether `e` is the user's to fix: shown without a stack trace. */
export function isUserCaused(e: unknown): boolean {
  return e instanceof UserError || (e instanceof Error && (e.name === 'UserError' || e.name === 'UsageError' || e.name === 'ConfigLoadError'))
    || environmentMessage(e) !== null;
}

/** One line (or, for config errors, one line per problem) for a person: no stack trace. */
export function userMessage(e: unknown): string {
  return environmentMessage(e) ?? (e instanceof Error ? e.message : String(e));
}
