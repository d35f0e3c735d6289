/**
 * An option that takes a value, given without one (`--bug` last, `--nemesis --seed 3`), is bad
 * input in every command: before, yargs quietly read it as its default (or as nothing), and the
 * run went ahead with what the user did not ask for. Parse errors are one line and exit 2.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { describe, expect, it } from 'vitest';
import { commandsFor } from '../../src/cli/commands.js';
import { testSpecFor } from '../../src/cli/test.js';
import { runCli } from '../helpers/cli.js';

/** Each option of `command` that is not a flag, with placeholders for its positional arguments. */
function valuedOptions(command: CommandModule<any, any>): { name: string; positionals: string[]; options: string[] } {
  const [name, ...params] = String(command.command).split(' ');
  const positionals = params.filter((p) => p.startsWith('<')).map(() => 'x');
  const built = (command.builder as (y: Argv) => Argv)(yargs());
  const declared = (built as unknown as { getOptions(): { key: Record<string, unknown>; boolean: string[]; count: string[] } }).getOptions();
  const flags = new Set([...declared.boolean, ...declared.count]);
  const named = new Set(params.map((p) => p.slice(1, -1)));
  const options = Object.keys(declared.key).filter((o) => !flags.has(o) && !named.has(o));
  return { name: name as string, positionals, options };
}

/** What parsing `args` with `command` (its handler replaced by nothing) throws, or undefined. */
async function parseError(command: CommandModule<any, any>, args: string[]): Promise<string | undefined> {
  const parser = yargs()
    .command({ ...command, handler: () => undefined })
    .exitProcess(false)
    .fail((msg: string, err: unknown) => {
      throw err ?? new Error(msg);
    });
  try {
    await parser.parseAsync(args);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('options that take a value', () => {
  it('faultline test refuses --bug, --nemesis and the number options given bare, wherever they stand', async () => {
    for (const args of [['--bug'], ['--nemesis'], ['--bug', '--nemesis', 'kill'], ['--nemesis', '--bug', 'x'], ['--concurrency'], ['--seed'], ['--schedule']]) {
      await expect(testSpecFor(args), args.join(' ')).rejects.toThrow(/Not enough arguments following/);
    }
    // Given a value (a negative number is one), they parse as before.
    expect((await testSpecFor(['--bug', 'stale-read', '--nemesis', 'kill'])).bugs).toEqual(['stale-read']);
    await expect(testSpecFor(['--recovery-time', '-1'])).rejects.toThrow(/--recovery-time must be zero or more/);
  });

  it('every command refuses each of its valued options given bare, and accepts its flags bare', async () => {
    const commands = await commandsFor([]);
    let checked = 0;
    for (const command of commands) {
      const { name, positionals, options } = valuedOptions(command);
      for (const option of options) {
        expect(await parseError(command, [name, ...positionals, `--${option}`]), `${name} --${option}`).toMatch(/Not enough arguments following/);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
    const check = commands.find((c) => String(c.command).startsWith('check '))!;
    expect(await parseError(check, ['check', 'x', '--json', '--no-partition-keys'])).toBeUndefined();
  });

  it('the CLI says so in one line, exit 2, no stack trace', async () => {
    for (const args of [['test', '--bug'], ['test', '--nemesis'], ['check', 'h.log', '--model'], ['list', '--plugin']]) {
      const run = await runCli(args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`--${args.at(-1)!.slice(2)} needs a value`));
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
