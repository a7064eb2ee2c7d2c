// `grok <command> [args]`: the headless CLI. Each command lives in its own module and is listed
// in COMMANDS; `grok --help` and `grok <command> --help` print the usage from that table.
import { validateCommand } from './validate';
import { reportCommand } from './report';
import { sweepCommand } from './sweep';
import { resumeCommand } from './resume';
import { statusCommand } from './status';
import { exportCommand } from './export';
import { workerCommand } from './worker';
import { isUserCaused, UsageError, userMessage } from '../util/userError';

export interface CliCommand {
  /** One line for `grok --help`. */
  summary: string;
  /** Usage and options for `grok <command> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number> | number;
}

// Commands of other issues (sweep, resume, status, export, report, worker) are added here.
const COMMANDS: Record<string, CliCommand> = {
  validate: validateCommand,
  report: reportCommand,
  sweep: sweepCommand,
  resume: resumeCommand,
  status: statusCommand,
  export: exportCommand,
  worker: workerCommand,
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Usage: grok <command> [args]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `grok <command> --help` for a command\'s options. Every command takes --debug: stack traces of',
    'internal errors (otherwise one line per error). Exit codes: 0 ok, 1 failed work, 2 bad usage',
    '(unknown option, missing argument, a file or folder that is not what the command needs, bad config).',
  ].join('\n');
}

/** Set by --debug (any position): stack traces of internal errors are printed, also the worker's. */
export function debugEnabled(): boolean {
  return process.env.GROK_DEBUG === '1';
}

export async function main(argv: string[]): Promise<number> {
  // --debug is for every command (and the worker process inherits it through the environment).
  if (argv.includes('--debug')) process.env.GROK_DEBUG = '1';
  const [name, ...args] = argv.filter((a) => a !== '--debug');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`grok: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (e) {
    return reportFailure(name, command, e);
  }
}

/**
 * Exit codes, the same for every command: 0 ok, 1 failed work, 2 bad usage (an unknown option, a
 * missing argument, a file or folder that is not what the command needs, a bad config). What a user
 * can fix is one line without a stack trace; an internal error shows its stack with --debug only.
 */
export function reportFailure(name: string, command: CliCommand, e: unknown): number {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    console.error(`grok ${name}: ${(e as Error).message}\n\n${command.usage}`);
    return 2;
  }
  if (isUserCaused(e)) {
    console.error(`grok ${name}: ${userMessage(e)}`);
    if (debugEnabled() && e instanceof Error && e.stack) console.error(e.stack);
    return e instanceof UsageError ? 2 : 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  console.error(`grok ${name}: ${err.message}`);
  console.error(debugEnabled() ? err.stack : 'grok: this is an internal error; run again with --debug for its stack trace, and please report it');
  return 1;
}

void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
