// `grok <command> [args]`: the headless CLI. Each command lives in its own module and is listed
// in COMMANDS; `grok --help` and `grok <command> --help` print the usage from that table.
import { validateCommand } from './validate';
import { reportCommand } from './report';
import { sweepCommand } from './sweep';
import { resumeCommand } from './resume';
import { statusCommand } from './status';
import { exportCommand } from './export';
import { workerCommand } from './worker';

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
    'Run `grok <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
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
    console.error(`grok ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
