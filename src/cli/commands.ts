/**
 * The commands of the CLI, each imported only when it can run.
 *
 * Why: every command module pulls in its own world (`test` the runner, the clusters and the
 * host backends; `serve` an HTTP server; `shrink` the schedule generators), and Node spends
 * most of a short command's start-up loading modules. A command line that names a command
 * loads that command alone; anything else (help, a typo to suggest a fix for, no command)
 * loads them all, in the order `--help` lists them.
 */
import type { Argv, CommandModule } from 'yargs';
import { requireValues } from './option-values.js';

type Loader = () => Promise<CommandModule<any, any>>;

const COMMANDS: Record<string, Loader> = {
  test: async () => (await import('./test.js')).testCommand,
  check: async () => (await import('./check.js')).checkCommand,
  report: async () => (await import('./report.js')).reportCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  shrink: async () => (await import('./shrink.js')).shrinkCommand,
  list: async () => (await import('./list.js')).listCommand,
  matrix: async () => (await import('./matrix.js')).matrixCliCommand,
  clean: async () => (await import('./clean.js')).cleanCommand,
  lab: async () => (await import('./lab.js')).labCommand,
  'check-hosts': async () => (await import('./check-hosts.js')).checkHostsCommand,
};

/** Global options that take a value (the word after them is not the command). */
const VALUED = new Set(['--plugin']);

/** The command the arguments name, if they name one before any `--help`. */
export function namedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h' || a === '--version' || a === '--') return undefined;
    if (a.startsWith('-')) {
      if (VALUED.has(a)) i++;
      continue;
    }
    return Object.hasOwn(COMMANDS, a) ? a : undefined;
  }
  return undefined;
}

/** `command` with each of its options that takes a value refusing to be given without one. */
function needingValues(command: CommandModule<any, any>): CommandModule<any, any> {
  const { builder } = command;
  const build = (y: Argv): Argv => (typeof builder === 'function' ? ((builder(y) as Argv | undefined) ?? y) : y.options(builder ?? {}));
  return { ...command, builder: (y: Argv) => requireValues(build(y)) };
}

/** The command modules to register for `argv`: the one it names, or all of them. */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule<any, any>[]> {
  const named = namedCommand(argv);
  const names = named !== undefined ? [named] : Object.keys(COMMANDS);
  return Promise.all(names.map(async (n) => needingValues(await COMMANDS[n]!())));
}
