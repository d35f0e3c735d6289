/**
 * The faultline command line. Each command lives in its own file; this one wires them into
 * yargs and turns errors into one line and an exit code (0 valid, 1 invalid, 2 unknown/error).
 */
import chalk from 'chalk';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { HistoryFormatError } from '../history/formats/errors.js';
import { UserError } from '../user-error.js';
import { VERSION } from '../version.js';
import { commandsFor } from './commands.js';
import { preloadPlugins } from './plugin-args.js';

const verbose = process.argv.includes('--verbose');

/** An error of the command line's own parsing (yargs names them YError): bad input, not a fault of faultline. */
const isParseError = (err: unknown): err is Error => err instanceof Error && err.name === 'YError';

/** A parse error's message, an option given without its value said plainly. */
function parseErrorText(err: Error): string {
  const bare = /^Not enough arguments following: (\S+)$/.exec(err.message);
  return bare ? `--${bare[1]} needs a value` : err.message;
}

/** A command line yargs could not make sense of: one line, exit code 2. */
function badUsage(message: string): never {
  process.stderr.write(`${chalk.red('faultline:')} ${message.replace(/\s*\n\s*/g, ' ')} (faultline --help)\n`);
  process.exit(2);
}

function fail(err: unknown): never {
  if (isParseError(err)) badUsage(parseErrorText(err));
  if (err instanceof UserError || err instanceof HistoryFormatError) {
    process.stderr.write(`${chalk.red('faultline:')} ${err.message}\n`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${chalk.red('faultline: internal error:')} ${message}${verbose ? '' : ' (run with --verbose for details)'}\n`);
  }
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(2);
}

try {
  const argv = await preloadPlugins(hideBin(process.argv));
  let cli = yargs(argv)
    .scriptName('faultline')
    .version(VERSION)
    .option('verbose', { type: 'boolean', describe: 'Print stack traces and details', global: true })
    .option('plugin', { type: 'string', array: true, describe: 'Load systems, workloads and nemeses from an npm package or a path (repeatable; docs/plugins.md)', global: true, requiresArg: true });
  for (const command of await commandsFor(argv)) cli = cli.command(command);
  await cli
    .demandCommand(1, 'Say what to do: faultline test, check, report, serve or list (faultline --help).')
    .strict()
    .recommendCommands()
    .fail((msg: string, err: unknown) => (err ? fail(err) : badUsage(msg)))
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .parseAsync();
} catch (err) {
  fail(err);
}
